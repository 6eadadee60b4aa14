import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downCommand } from '../../src/cli/commands/up.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { listVms } from '../../src/proxmox/inventory.js';
import { lockPoolId } from '../../src/proxmox/twin-lock.js';
import { LocalStateStore } from '../../src/state/store.js';
import { loadSpec } from '../../src/spec/load.js';
import { operatorClient } from '../lab/operator-client.js';

/**
 * Issue 15, part 3: a destroy right after a killed apply leaves nothing behind. The apply runs as the CLI
 * does (a child process with the operator's token) and is killed while its VM creates are still running on
 * PVE: those VMs are outside their pool and invisible to the token until the tasks end, and the killed run's
 * lock stays. `twin down` right after breaks the lock of the gone process, waits for the creates, destroys
 * what they made, releases the slot and says nothing is left.
 */
const SCALE = 0.02;
const TWIN = 'pr-70';
const SPEC = 'examples/twin.yaml';
const { spec } = loadSpec(SPEC);
let lab: LabHandle;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'destroy-after-kill-'));
  // Slow creates, so the run can be killed while they are in flight.
  const faults = { slowTasks: [{ type: 'qmcreate', rate: 1, multiplier: 8 }] };
  lab = await startLab({ dir: join(dir, 'lab'), timeScale: SCALE, faults });
  writeFileSync(join(dir, 'token'), lab.token, { mode: 0o600 });
});
afterAll(async () => lab?.close());

const connection = () => [
  '--endpoint',
  lab.endpoint,
  '--ca-file',
  lab.caFile,
  '--token-file',
  join(dir, 'token'),
];
const runningCreates = () =>
  lab.state.tasks().filter((task) => task.type === 'qmcreate' && task.status === 'running');

/** `twin up` in one child process (the sources through scripts/ts-loader.mjs, no wrapper), killed with SIGKILL once `ready` holds. */
async function killedUp(ready: () => boolean): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      './scripts/ts-loader.mjs',
      'src/cli/index.ts',
      'up',
      SPEC,
      '--env',
      TWIN,
      '--no-platform',
      '--state-dir',
      join(dir, 'state'),
      ...connection(),
    ],
    { env: { ...process.env, TWIN_PACE_SCALE: String(SCALE) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let seen = '';
  child.stdout.on('data', (chunk: Buffer) => void (seen += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (seen += chunk.toString()));
  const exited = new Promise((done) => child.once('exit', done));
  for (let ended = false; !ended && !ready();) {
    ended = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 20)),
    ]);
  }
  child.kill('SIGKILL');
  await exited;
  return seen;
}

describe('destroy right after a killed apply', () => {
  it('waits for the creates the killed run left in flight, takes their VMs, and leaves nothing', async () => {
    const printed = await killedUp(() => runningCreates().length >= 2);
    const inFlight = runningCreates().map((task) => Number(task.id));
    expect(inFlight.length, printed).toBeGreaterThanOrEqual(2);
    const client = operatorClient(lab);
    // While they run, the token sees none of them: outside the pool until the task ends (P.7, P.9).
    const visible = (await listVms(client)).map((vm) => vm.vmid);
    for (const vmid of inFlight) expect(visible).not.toContain(vmid);
    expect(lab.state.access.config.pools[lockPoolId(spec.proxmox.slots.poolPrefix, TWIN)]).toBeDefined();

    const out: string[] = [];
    const err: string[] = [];
    const previousScale = process.env.TWIN_PACE_SCALE;
    process.env.TWIN_PACE_SCALE = String(SCALE);
    try {
      const code = await downCommand(
        [SPEC, '--env', TWIN, '--state-dir', join(dir, 'state'), ...connection()],
        { out: (line) => void out.push(line), err: (line) => void err.push(line) },
        () => Promise.resolve(''),
      );
      expect(code).toBe(0);
    } finally {
      if (previousScale === undefined) delete process.env.TWIN_PACE_SCALE;
      else process.env.TWIN_PACE_SCALE = previousScale;
    }
    const said = out.join('\n');
    expect(said).toMatch(
      /breaking the lock of twin pr-70 \(apply .*\): its holder, pid \d+ on this host, is gone/,
    );
    expect(said).toMatch(/VMID\(s\) [\d, ]+ held by a create task in flight; waiting for it to end/);
    // A create that waited too long for its node's storage lock made nothing (the killed run would have tried
    // it again); every one that made its VM had that VM destroyed.
    const made = inFlight.filter((vmid) =>
      lab.state
        .tasks()
        .some((task) => task.type === 'qmcreate' && Number(task.id) === vmid && task.exitstatus === 'OK'),
    );
    expect(made.length, said).toBeGreaterThanOrEqual(1);
    for (const vmid of made) expect(said).toMatch(new RegExp(`\\(VM ${vmid} on pve\\d\\): destroyed`));
    expect(said).toMatch(
      /twin pr-70 destroyed: \d+ VM\(s\), pool\(s\) aggrik8s\/slot-\d+, \d+ state entr(y|ies); nothing of it is left/,
    );
    expect(err).toEqual([]);

    // Nothing of the twin is left, seen as root: no VM in its VMIDs, no create running, no pool, no state.
    const { vmidBase, vmidsPerSlot } = spec.proxmox.slots;
    const twinVms = Object.keys(lab.state.data.vms)
      .map(Number)
      .filter((vmid) => vmid >= vmidBase && vmid < vmidBase + spec.proxmox.slots.count * vmidsPerSlot);
    expect(twinVms).toEqual([]);
    expect(runningCreates()).toEqual([]);
    expect(Object.keys(lab.state.access.config.pools).filter((p) => p.startsWith('aggrik8s/slot'))).toEqual(
      [],
    );
    expect(await new LocalStateStore(join(dir, 'state')).list(TWIN)).toEqual([]);
  });
});
