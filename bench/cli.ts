import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The bundled CLI, as users run it. */
export const CLI = resolve('dist/cli/index.js');

export interface CliRun {
  code: number | null;
  /** stdout and stderr as they came. */
  output: string;
  /** Killed by `killAfterMs` before it ended by itself. */
  killed: boolean;
}

/** Runs `twin ARGS` in a child process; SIGKILLs it after `killAfterMs` when given. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let killed = false;
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, killAfterMs);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      done({ code, output, killed });
    });
  });
}
