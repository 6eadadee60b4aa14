import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmDown } from '../../src/cli/confirm.js';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
}

async function twin(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = capture();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await run(args, io);
    return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
  } finally {
    process.env = saved;
  }
}

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'cli-lab-')), timeScale: 0.001 });
});
afterAll(async () => lab?.close());

const connection = () => ['--endpoint', lab.endpoint.replace(/\/api2\/json$/, ''), '--ca-file', lab.caFile];

describe('twin CLI', () => {
  it('validate accepts the example and prints a summary', async () => {
    const result = await twin(['validate', 'examples/twin.yaml']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/valid: 2 cluster\(s\) \(east, west\), up to 12 VMs per twin/);
  });

  it('validate names file:line:column, the field and the fix, with exit 1', async () => {
    const result = await twin(['validate', 'test/fixtures/specs/duplicate-cluster-id.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /duplicate-cluster-id\.yaml:\d+:\d+: error: clusters\[1\]\.id: .*\(fix: .+\)/,
    );
  });

  it('plan --json lists 12 VMs of pr-7 with distinct VMIDs and addresses, tags and nodes, and changes nothing', async () => {
    const env = { PVE_TOKEN: lab.token };
    const result = await twin(
      ['plan', 'examples/twin.yaml', '--env', 'pr-7', '--json', ...connection()],
      env,
    );
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.vms).toHaveLength(12);
    expect(plan.summary).toEqual({ create: 12, keep: 0, change: 0, destroy: 0, conflict: 0 });
    expect(new Set(plan.vms.map((vm: { vmid: number }) => vm.vmid)).size).toBe(12);
    expect(new Set(plan.vms.map((vm: { address: string }) => vm.address)).size).toBe(12);
    for (const vm of plan.vms) {
      expect(['pve1', 'pve2', 'pve3']).toContain(vm.pveNode);
      expect(vm.tags).toContain('twin-pr-7');
    }
    const pools = await twin(['plan', 'examples/twin.yaml', '--env', 'pr-7', '--json', ...connection()], env);
    expect(JSON.parse(pools.stdout).slotState).toBe('claim'); // nothing was claimed by planning
  });

  it('a wrong token is a clear error naming the cause, never echoing the secret', async () => {
    const wrong = lab.token.replace(/=.*/, '=00000000-0000-0000-0000-000000000000');
    const result = await twin(['plan', 'examples/twin.yaml', '--env', 'pr-7', ...connection()], {
      PVE_TOKEN: wrong,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/401/);
    expect(result.stderr).not.toContain('00000000-0000');
  });

  it('render writes the stable layout without Proxmox for a pinned or given slot', async () => {
    const out = mkdtempSync(join(tmpdir(), 'render-'));
    expect((await twin(['render', 'examples/twin.yaml', '--env', 'production', '--out', out])).code).toBe(0);
    expect(readdirSync(join(out, 'production')).sort()).toEqual(['east', 'proxmox.json', 'west']);
    const calls = JSON.parse(
      readFileSync(join(out, 'production/east/production-east-cp-1/proxmox.json'), 'utf8'),
    );
    expect(calls[0].params.ipconfig0).toMatch(/^ip=192\.168\.15\.\d+\/24,gw=192\.168\.15\.1$/);
    const refused = await twin(['render', 'examples/twin.yaml', '--env', 'pr-7', '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/pass --slot N/);
  });

  it('down of production is refused without --yes, before Proxmox is asked anything', async () => {
    const before = Object.keys(lab.state.data.tasks).length;
    const refused = await twin(['down', 'examples/twin.yaml', '--env', 'production', ...connection()], {
      PVE_TOKEN: lab.token,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /refusing to destroy the production twin "production" without --yes, nothing was changed: run it again with --yes/,
    );
    expect(Object.keys(lab.state.data.tasks).length).toBe(before);
    const state = ['--state-dir', mkdtempSync(join(tmpdir(), 'down-state-'))];
    const allowed = await twin(
      ['down', 'examples/twin.yaml', '--env', 'production', '--yes', ...state, ...connection()],
      { PVE_TOKEN: lab.token },
    );
    expect(allowed).toMatchObject({ code: 0, stderr: '' });
    expect(allowed.stdout).toMatch(
      /^twin production does not exist: nothing to destroy \(no slot pool, no VM of it\)$/,
    );
  });

  it('at a terminal, down of production goes ahead only when its name is typed', async () => {
    const io = capture();
    await expect(confirmDown('production', false, io, async () => 'prod')).rejects.toThrow(
      /the answer was not "production": refusing to destroy/,
    );
    await expect(confirmDown('production', false, io, async () => 'production\n')).resolves.toBeUndefined();
    expect(io.stderr.join('\n')).toMatch(/this destroys the production twin "production"/);
    await expect(confirmDown('pr-7', false, io, undefined)).resolves.toBeUndefined(); // previews need no --yes
  });

  it('usage errors exit 2 and say what is expected', async () => {
    expect((await twin(['plan', 'examples/twin.yaml'])).stderr).toMatch(/--env is required/);
    expect((await twin(['frobnicate'])).code).toBe(2);
    expect((await twin(['plan', '--bogus'])).code).toBe(2);
    expect((await twin(['state', 'copy', '--env', 'pr-1'])).stderr).toMatch(/use export or import/);
    expect((await twin(['state', 'export', '--env', 'pr-1', '--from', 'x'])).code).toBe(2);
    expect((await twin(['state', 'import', '--env', 'pr-1'])).stderr).toMatch(/--from is required/);
    const both = await twin(['status', 'examples/twin.yaml', '--all', '--env', 'pr-1']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringMatching(/give --env or --all, not both/)]);
  });

  it('state export never writes to stdout and says so, touching nothing', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'cli-state-'));
    const result = await twin(['state', 'export', '--env', 'pr-1', '--to', '-', '--state-dir', stateDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/never written to a terminal or a pipe/);
    expect(result.stdout).toBe('');
    expect(readdirSync(stateDir)).toEqual([]);
  });
});

describe('the bundled CLI with an embedded lab', () => {
  it('npx-style run of dist/cli plans pr-7 against a background lab it starts, then stops it', async () => {
    const exec = promisify(execFile);
    const dir = mkdtempSync(join(tmpdir(), 'embedded-lab-'));
    try {
      const { stdout } = await exec(process.execPath, [
        'dist/cli/index.js',
        'plan',
        'examples/twin.yaml',
        '--env',
        'pr-7',
        '--lab',
        dir,
      ]);
      expect(stdout).toMatch(/12 to create, 0 to keep, 0 to change, 0 to destroy/);
    } finally {
      const { stdout } = await exec(process.execPath, ['dist/cli/index.js', 'lab', 'stop', '--dir', dir]);
      expect(stdout).toMatch(/stopped the lab/);
    }
  });
});
