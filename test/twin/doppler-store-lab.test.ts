import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { DopplerContract } from '../../src/lab/doppler/contract.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { DopplerStateStore } from '../../src/state/doppler.js';
import { scaledPace } from '../../src/twin/context.js';
import { removeOrphanedState } from '../../src/twin/known-twins.js';

/**
 * Issue 14 on a one-worker twin: its state in the lab's Doppler stand-in, managed in turn by "runners" whose
 * disks start empty. The second converges without generating anything again; down leaves no config; a
 * runner pointed at an empty local folder is refused at once; every exchange keeps Doppler's contract.
 */
const TIME_SCALE = 0.01;
const TWIN = 'pr-14';
let lab: LabHandle;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'doppler-twin-'));
  lab = await startLab({ dir: join(dir, 'lab'), timeScale: TIME_SCALE });
  process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH}`;
  process.env.TWIN_PACE_SCALE = String(TIME_SCALE);
  process.env.PVE_TOKEN = lab.token;
  process.env.DOPPLER_PROJECT = lab.doppler.project;
  process.env.DOPPLER_API_URL = lab.doppler.url;
  process.env.DOPPLER_CA_FILE = lab.caFile;
});
afterAll(async () => {
  process.env = saved;
  await lab?.close();
});

/** One run of the CLI as a fresh runner would make it: its own, empty state folder unless one is given. */
async function runner(
  command: string,
  store: 'doppler' | 'local',
  extra: string[] = [],
  stateDir = mkdtempSync(join(dir, `runner-${command}-`)),
) {
  const endpoint = lab.endpoint.replace(/\/api2\/json$/, '');
  const proxmox = ['test/fixtures/twins/one-worker.yaml', '--endpoint', endpoint, '--ca-file', lab.caFile];
  const args =
    command === 'state' ? extra : [...proxmox, ...(extra.includes('--all') ? [] : ['--env', TWIN]), ...extra];
  return cli([command, ...args, '--state-dir', stateDir, '--state-store', store], stateDir);
}

async function cli(args: string[], stateDir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  process.env.PVE_TOKEN = lab.token; // each run's own step environment: the CLI takes it out once read
  process.env.DOPPLER_TOKEN = lab.doppler.token; // each runner's own step environment
  const code = await run(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), stateDir };
}

function reader(): DopplerStateStore {
  return new DopplerStateStore({
    apiUrl: lab.doppler.url,
    token: lab.doppler.token,
    project: lab.doppler.project,
    environment: 'ci',
    caFile: lab.caFile,
    cacheDir: mkdtempSync(join(dir, 'reader-')),
  });
}

describe('twin state in Doppler, shared by runners with empty disks', { timeout: 600_000 }, () => {
  it('converges from a second runner without new secrets, refuses an empty local store, and down leaves no config', async () => {
    const first = await runner('up', 'doppler', ['--no-platform']);
    expect(process.env.DOPPLER_TOKEN).toBeUndefined(); // read once, then kept from every child process
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const secretsKey = { twin: TWIN, cluster: 'east', name: 'secrets.yaml' };
    const secrets = await reader().read(secretsKey);
    expect(secrets).toMatch(/^cluster:/m);
    expect(lab.dopplerStandIn.configs()).toContain(`ci_twin-${TWIN}`);

    const second = await runner('up', 'doppler', ['--no-platform']);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/etcd was bootstrapped before/);
    expect(await reader().read(secretsKey)).toBe(secrets);

    const refusedStarted = Date.now();
    const local = await runner('up', 'local', ['--no-platform']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(
      new RegExp(`twin ${TWIN} exists on Proxmox .* but the local state folder .* holds none of its state`),
    );
    expect(readdirSync(local.stateDir)).toEqual([]);
    expect(Date.now() - refusedStarted).toBeLessThan(15_000); // at once, not after minutes of waiting

    // The way out the refusal names: the state moves from Doppler to this runner's folder, and up converges.
    const file = join(dir, `${TWIN}.state.json`);
    const exported = await runner('state', 'doppler', ['export', '--env', TWIN, '--to', file]);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toMatch(
      /^exported \d+ item\(s\) of twin pr-14 from Doppler project .* \(mode 0600\)/,
    );
    const imported = await runner(
      'state',
      'local',
      ['import', '--env', TWIN, '--from', file],
      local.stateDir,
    );
    expect(imported.code).toBe(0);
    const moved = await runner('up', 'local', ['--no-platform'], local.stateDir);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/etcd was bootstrapped before/);

    const all = await runner('status', 'doppler', ['--all', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).twins).toEqual([
      expect.objectContaining({ twin: TWIN, vms: 4, orphanedState: false, stateItems: expect.any(Number) }),
    ]);

    const down = await runner('down', 'doppler');
    expect(down.code).toBe(0);
    expect(lab.dopplerStandIn.configs()).not.toContain(`ci_twin-${TWIN}`);

    // The runner folder's copy outlived the twin: listed as such, and removed as the reaper does.
    const leftover = await runner('status', 'local', ['--all'], local.stateDir);
    expect(leftover.stdout).toMatch(
      new RegExp(`${TWIN} +preview +- +- +- +- +0 +0 +0\\.0 GiB +0 GiB +- +state only: the twin is gone`),
    );
    await runner('state', 'doppler', ['import', '--env', TWIN, '--from', file]); // and a copy in Doppler
    expect(lab.dopplerStandIn.configs()).toContain(`ci_twin-${TWIN}`);
    const { PveClient } = await import('../../src/proxmox/client.js');
    const { parsePveConnection } = await import('../../src/proxmox/connection.js');
    const client = new PveClient(
      parsePveConnection({ endpoint: lab.endpoint, token: lab.token, caFile: lab.caFile }),
    );
    const { loadSpec } = await import('../../src/spec/load.js');
    const { spec } = loadSpec('test/fixtures/twins/one-worker.yaml');
    const sweep = await removeOrphanedState(client, spec, reader(), {
      dryRun: false,
      pace: scaledPace(TIME_SCALE),
      log: () => {},
    });
    expect(sweep).toEqual({ removed: [TWIN], kept: [], skipped: [] });
    expect(lab.dopplerStandIn.configs()).not.toContain(`ci_twin-${TWIN}`);

    // No byte of the token or of the Talos secrets in anything the runs printed.
    const printed = [first, second, local, exported, imported, moved, all, down, leftover]
      .map((r) => `${r.stdout}\n${r.stderr}`)
      .join('\n');
    expect(printed).not.toContain(lab.doppler.token);
    const secretValues = secrets!
      .split('\n')
      .map((line) => line.replace(/^[\s-]*[\w.]+:\s*/, '').trim())
      .filter((value) => value.length >= 20);
    expect(secretValues.length).toBeGreaterThan(3);
    expect(secretValues.filter((value) => printed.includes(value))).toEqual([]);

    // Every exchange of the product with the stand-in keeps Doppler's documented contract.
    const contract = DopplerContract.load();
    const problems = lab.dopplerStandIn.requests().flatMap((exchange) => contract.check(exchange));
    expect(problems).toEqual([]);
    expect(lab.dopplerStandIn.requests().length).toBeGreaterThan(20);
  });
});
