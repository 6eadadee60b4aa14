import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Reads a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIM\nvalue\nDELIM` blocks, as @actions/core writes them. */
export function parseCommandFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const [, name, delimiter] = match;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    values[name!] = value.join('\n');
  }
  return values;
}

export interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/**
 * Runs a bundled entry as the GitHub runner does: `node dist/<entry>/index.js` with INPUT_* variables and
 * the GITHUB_OUTPUT, GITHUB_STATE and GITHUB_STEP_SUMMARY files; a post step gets the saved state as STATE_*.
 */
export async function runStep(
  entry: string,
  opts: {
    inputs?: Record<string, string>;
    state?: Record<string, string>;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
  },
): Promise<StepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUNNER_TEMP: dir,
    ...files,
    ...opts.env,
    ...Object.fromEntries(
      Object.entries(opts.inputs ?? {}).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
    ...Object.fromEntries(Object.entries(opts.state ?? {}).map(([name, value]) => [`STATE_${name}`, value])),
  };
  const result = await promisify(execFile)(
    process.execPath,
    [join(process.cwd(), 'dist', entry, 'index.js')],
    {
      env,
      cwd: opts.cwd ?? process.cwd(),
      maxBuffer: 64 * 1024 * 1024,
    },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
  return {
    ...result,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}
