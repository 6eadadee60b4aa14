import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  CommandError,
  CommandTimeoutError,
  describeCommand,
  execRunner,
  withDeadline,
} from '../../src/exec/runner.js';
import { scriptedRunner } from './scripted-runner.js';

const node = process.execPath;

describe('execRunner (real processes)', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await realpath(await mkdtemp(join(tmpdir(), 'twin-runner-')));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('passes args as an array (no shell), and returns stdout and stderr', async () => {
    const script = 'console.log(JSON.stringify(process.argv.slice(1))); console.error("warned")';
    const result = await execRunner.run(node, ['-e', script, '--', 'a b', '$HOME', '; rm -rf /']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(['a b', '$HOME', '; rm -rf /']);
    expect(result.stderr.trim()).toBe('warned');
  });

  it('writes input to stdin, runs in cwd, and adds env to the allow-listed environment', async () => {
    const script =
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(' +
      '{s,cwd:process.cwd(),extra:process.env.TWIN_EXTRA,path:Boolean(process.env.PATH)})))';
    const result = await execRunner.run(node, ['-e', script], {
      input: 'from stdin',
      cwd: workDir,
      env: { TWIN_EXTRA: 'yes' },
    });
    expect(JSON.parse(result.stdout)).toEqual({ s: 'from stdin', cwd: workDir, extra: 'yes', path: true });
  });

  it('gives a child the allow-listed environment: no token of the job, PATH and the explicit additions', async () => {
    const tokens: Record<string, string> = {
      'INPUT_PROXMOX-TOKEN': 'twin@pve!gha=11111111-2222-3333-4444-555555555555',
      'INPUT_GITHUB-TOKEN': 'ghs_inputtoken',
      GITHUB_TOKEN: 'ghs_envtoken',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token',
      DOPPLER_TOKEN: 'dp.st.secret',
      PVE_TOKEN: 'root@pam!x=secret',
      KUBECONFIG: '/home/runner/.kube/production',
    };
    const saved = Object.fromEntries(Object.keys(tokens).map((name) => [name, process.env[name]]));
    Object.assign(process.env, tokens);
    try {
      const result = await execRunner.run(node, ['-e', 'console.log(JSON.stringify(process.env))'], {
        env: { TWIN_EXTRA: 'yes' },
      });
      const seen = JSON.parse(result.stdout) as Record<string, string>;
      for (const name of Object.keys(tokens)) expect(seen).not.toHaveProperty(name);
      for (const value of Object.values(tokens)) expect(result.stdout).not.toContain(value);
      expect(seen.PATH).toBe(process.env.PATH);
      expect(seen.TWIN_EXTRA).toBe('yes');
      const withoutAdditions = await execRunner.run(node, [
        '-e',
        'console.log(Object.keys(process.env).join())',
      ]);
      expect(withoutAdditions.stdout).not.toMatch(/TOKEN|INPUT_/);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses a token as an explicit addition', async () => {
    await expect(
      execRunner.run(node, ['-e', ''], { env: { DOPPLER_TOKEN: 'dp.st.secret' } }),
    ).rejects.toThrow('DOPPLER_TOKEN must never be passed to a child process');
  });

  it('throws a CommandError with the exit code and the stderr tail, secrets masked', async () => {
    const secret = 'tok-3f9a1c';
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\\n');
    const script = `console.error("${lines}\\nbad token ${secret}"); process.exit(3)`;
    const error = await execRunner
      .run(node, ['-e', script, '--', `--token=${secret}`], { secrets: [secret] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.exitCode).toBe(3);
    expect(failure.args.at(-1)).toBe('--token=***');
    expect(failure.stderrTail.split('\n')).toHaveLength(20);
    expect(failure.stderrTail).toMatch(/bad token \*\*\*$/);
    expect(failure.stderrTail).not.toContain('line 0\n');
    expect(failure.message).toContain('failed with exit code 3');
    expect(failure.message).not.toContain(secret);
  });

  it('returns a non-zero exit when failure is allowed', async () => {
    const result = await execRunner.run(node, ['-e', 'process.exit(2)'], { allowFailure: true });
    expect(result.exitCode).toBe(2);
  });

  it('says how to fix a tool missing from PATH', async () => {
    const error = await execRunner
      .run('talosctl-not-installed-anywhere', ['version'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /talosctl-not-installed-anywhere was not found on PATH: install it/,
    );
  });
});

describe('runner over a scripted launcher', () => {
  it('falls back to stdout for the reason when stderr is empty', async () => {
    const { runner } = scriptedRunner(() => ({ exitCode: 1, stdout: 'Error: release: not found\n' }));
    await expect(runner.run('helm', ['status', 'x'])).rejects.toThrow(
      'helm status x failed with exit code 1: Error: release: not found',
    );
  });
});

describe('describeCommand', () => {
  it('quotes only the words a shell would split or expand', () => {
    expect(describeCommand('kubectl', ['get', '--raw=/readyz', 'a b', '$X'])).toBe(
      'kubectl get --raw=/readyz "a b" "$X"',
    );
  });
});

describe('execRunner with a deadline', () => {
  it('stops a process that runs past timeoutMs and says which command, even with allowFailure', async () => {
    const started = Date.now();
    const hanging = withDeadline(execRunner, 300).run(node, ['-e', 'setTimeout(() => {}, 30000)'], {
      allowFailure: true,
    });
    await expect(hanging).rejects.toThrow(CommandTimeoutError);
    await expect(hanging).rejects.toThrow(/gave no answer within 0\.3s and was stopped/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('returns output and exit code of a process that ends in time, stdin and env as without one', async () => {
    const script =
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{console.log(s+process.env.TWIN_EXTRA);process.exit(3)})';
    const result = await execRunner.run(node, ['-e', script], {
      input: 'in-',
      env: { TWIN_EXTRA: 'env' },
      allowFailure: true,
      timeoutMs: 10_000,
    });
    expect(result).toEqual({ exitCode: 3, stdout: 'in-env\n', stderr: '' });
    const missing = execRunner.run('no-such-tool-anywhere', [], { timeoutMs: 10_000 });
    await expect(missing).rejects.toThrow(ConfigurationError);
  });
});
