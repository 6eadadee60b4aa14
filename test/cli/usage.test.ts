import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { runTwin } from './in-process.js';

const twin = (args: string[]) => runTwin(args);

describe('a mistyped command line', () => {
  it('names the unknown command and suggests the one meant, exit 2', async () => {
    const result = await twin(['pln', 'examples/twin.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^twin: unknown command "pln": did you mean plan\?\nusage: twin <command>/);
    expect((await twin(['--verison'])).stderr).toMatch(
      /unknown option "--verison": did you mean --version\?/,
    );
    const far = await twin(['frobnicate']);
    expect([far.code, far.stderr]).toEqual([2, expect.stringMatching(/unknown command "frobnicate"\n/)]);
  });

  it('names the unknown option and suggests the one the command takes, before anything runs', async () => {
    const result = await twin(['plan', 'examples/twin.yaml', '--env', 'pr-1', '--stat-dir', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^twin plan: unknown option "--stat-dir": did you mean --state-dir\?\nusage:/,
    );
    const bogus = await twin(['status', 'examples/twin.yaml', '--bogus']);
    expect([bogus.code, bogus.stderr]).toEqual([2, expect.stringMatching(/unknown option "--bogus"\n/)]);
    // A known option's value that looks like an option is not taken for an unknown one.
    expect((await twin(['validate', 'examples/twin.yaml', '--layout-spec', '--x'])).stderr).toMatch(
      /'--layout-spec' argument is ambiguous/,
    );
  });

  it('suggests the lab and state sub-commands too', async () => {
    expect((await twin(['lab', 'serv', '--dir', 'x'])).stderr).toMatch(
      /unknown lab command "serv": did you mean serve\?/,
    );
    const state = await twin(['state', 'exprt', '--env', 'pr-1']);
    expect([state.code, state.stderr]).toEqual([
      2,
      expect.stringMatching(/"exprt": did you mean export\?\n/),
    ]);
  });
});

describe('twin --version', () => {
  const release = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  const line = `twin ${release} (node ${process.version})`;

  it('prints the package release and the Node.js version, exit 0, as --version and as version', async () => {
    expect(await twin(['--version'])).toEqual({ code: 0, stdout: line, stderr: '' });
    expect(await twin(['version'])).toEqual({ code: 0, stdout: line, stderr: '' });
    expect((await twin(['version', 'extra'])).code).toBe(2);
  });

  it('the built CLI knows it with no package.json of the project near it (ncc bundled the version)', async () => {
    // Needs `npm run build` first: dist/ is what users run.
    const alone = mkdtempSync(join(tmpdir(), 'cli-alone-'));
    cpSync('dist/cli', alone, { recursive: true });
    const { stdout } = await promisify(execFile)(process.execPath, [join(alone, 'index.js'), '--version'], {
      cwd: alone,
    });
    expect(stdout.trim()).toBe(line);
  });
});

describe('every --help', () => {
  it.each(Object.keys(COMMANDS))('of %s names every option the command takes', async (name) => {
    const { usage, options } = COMMANDS[name]!;
    const help = await twin([name, '--help']);
    expect(help).toEqual({ code: 0, stdout: usage, stderr: '' });
    // `--lab` must not count as found inside `--lab-log`.
    const missing = Object.keys(options).filter((option) => !new RegExp(`--${option}(?![\\w-])`).test(usage));
    expect(missing).toEqual([]);
  });

  it('documents --lab-log FILE wherever it is accepted', () => {
    const accepting = Object.entries(COMMANDS).filter(([, command]) => 'lab-log' in command.options);
    expect(accepting.map(([name]) => name)).toEqual(
      expect.arrayContaining(['doctor', 'plan', 'render', 'up', 'down', 'status', 'lab']),
    );
    for (const [, command] of accepting) expect(command.usage).toMatch(/--lab-log FILE/);
  });
});
