import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFiles, ToolLab, ToolResult } from './helpers.js';
import { eventually, layout, startToolLab, vmParams } from './helpers.js';
import { provision } from './cluster-flow.js';

/** Lab time at a 20th of real time: an etcd join takes 0.6 s. */
const SCALE = 0.05;
/** A tenth: the CRI window after a node answers (0.6 s) outlasts the talosctl calls that find it. */
const STARTUP_SCALE = 0.1;
const NOT_AVAILABLE =
  'error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap is not available yet\n';
const ALREADY_EXISTS =
  'error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n';

function talosctlOn(t: ToolLab, files: ClusterFiles) {
  return (ip: string, ...args: string[]) =>
    t.run('talosctl', ['--talosconfig', files.talosconfig, '--nodes', ip, '--endpoints', ip, ...args]);
}

/** Bootstraps `ip`, retrying while its CRI is not up yet; the final answer. */
async function bootstrapWhenAvailable(run: ReturnType<typeof talosctlOn>, ip: string): Promise<ToolResult> {
  let result = await run(ip, 'bootstrap');
  await eventually(async () => {
    if (result.stderr !== NOT_AVAILABLE) return true;
    result = await run(ip, 'bootstrap');
    return false;
  });
  return result;
}

/** `etcd members` rows as [node, id, hostname, peer url]. */
function memberRows(result: ToolResult): string[][] {
  return result.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s{3,}/).slice(0, 4));
}

/** Sends a node its config again with a reboot (F.3 `--mode reboot`): it answers again before its CRI runs. */
async function runningConfigAgain(run: ReturnType<typeof talosctlOn>, node: string, ip: string) {
  const applied = await run(ip, 'apply-config', '--file', `${node}.yaml`, '--mode', 'reboot');
  expect(applied.stderr).toBe('Applied configuration with a reboot\n');
  await eventually(async () => (await run(ip, 'version')).code !== 0);
  await eventually(async () => (await run(ip, 'version')).code === 0);
}

describe('lab talosctl: bootstrap start-up checks and etcd membership', () => {
  let t: ToolLab;
  let files: ClusterFiles;
  let run: ReturnType<typeof talosctlOn>;
  const [cp1, cp2, cp3, worker] = ['192.168.10.11', '192.168.10.12', '192.168.10.13', '192.168.10.14'];

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: STARTUP_SCALE });
    files = await provision(t, 3, 1);
    run = talosctlOn(t, files);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('refuses a bootstrap until the CRI runs, then on a worker, in the server order', async () => {
    await runningConfigAgain(run, 'east-cp-3', cp3);
    expect((await run(cp3, 'bootstrap')).stderr).toBe(NOT_AVAILABLE);
    const onWorker = await bootstrapWhenAvailable(run, worker);
    expect(onWorker.code).toBe(1);
    expect(onWorker.stderr).toBe(
      'error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap can only be performed on a control plane node\n',
    );
  });

  it('has no etcd to list before a bootstrap; a worker has no etcd API', async () => {
    const before = await run(cp1, 'etcd', 'members');
    expect(before.code).toBe(1);
    expect(before.stderr).toBe(
      'error getting members: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"\n',
    );
    expect((await run(worker, 'etcd', 'status')).stderr).toBe(
      'error getting status: rpc error: code = Unimplemented desc = etcd status is only available on control plane nodes\n',
    );
  });

  it('bootstraps one node; the other control planes join its etcd, and their own data says AlreadyExists', async () => {
    expect((await bootstrapWhenAvailable(run, cp1)).code).toBe(0);
    let rows: string[][] = [];
    await eventually(async () => {
      rows = memberRows(await run(cp3, 'etcd', 'members'));
      return rows.length === 3;
    });
    expect(rows.map((row) => [row[0], row[2], row[3]])).toEqual([
      [cp3, 'east-cp-1', `https://${cp1}:2380`],
      [cp3, 'east-cp-2', `https://${cp2}:2380`],
      [cp3, 'east-cp-3', `https://${cp3}:2380`],
    ]);
    for (const row of rows) expect(row[1]).toMatch(/^[0-9a-f]{16}$/);
    const fromCp1 = memberRows(await run(cp1, 'etcd', 'members'));
    expect(fromCp1.map((row) => row[1])).toEqual(rows.map((row) => row[1]));
    const members = await run(cp1, 'etcd', 'members');
    expect(members.stdout.split('\n')[0]).toBe(
      'NODE            ID                 HOSTNAME    PEER URLS                    CLIENT URLS                  LEARNER',
    );
    expect((await run(cp1, 'bootstrap')).stderr).toBe(ALREADY_EXISTS);
    expect((await run(cp2, 'bootstrap')).stderr).toBe(ALREADY_EXISTS);
  });

  it('etcd status: one row per node, one leader for all', async () => {
    const status = await t.run('talosctl', [
      '--talosconfig',
      files.talosconfig,
      '--nodes',
      `${cp1},${cp2},${cp3}`,
      '--endpoints',
      cp1,
      'etcd',
      'status',
    ]);
    expect(status.code, status.stderr).toBe(0);
    const lines = status.stdout.trim().split('\n');
    expect(lines[0]?.split(/\s{3,}/)).toEqual([
      'NODE',
      'MEMBER',
      'DB SIZE',
      'IN USE',
      'LEADER',
      'RAFT INDEX',
      'RAFT TERM',
      'RAFT APPLIED INDEX',
      'LEARNER',
      'PROTOCOL',
      'STORAGE',
      'ERRORS',
    ]);
    const rows = lines.slice(1).map((line) => line.split(/\s{3,}/));
    expect(rows.map((row) => row[0])).toEqual([cp1, cp2, cp3]);
    expect(new Set(rows.map((row) => row[4])).size).toBe(1);
    for (const row of rows) {
      expect(row[2]).toMatch(/^\d+(\.\d)? MB$/);
      expect(row[3]).toMatch(/^\d+(\.\d)? MB \(\d+\.\d\d%\)$/);
      expect(row.slice(8)).toEqual(['false', '3.6.5', '3.6.0']);
    }
  });

  it('a control plane created again (new VM, empty disk) joins the running etcd in place of its old member', async () => {
    const before = memberRows(await run(cp1, 'etcd', 'members'));
    await t.root.run('POST', '/nodes/pve1/qemu/103/status/stop');
    expect((await t.root.run('DELETE', '/nodes/pve1/qemu/103', { purge: 1 })).exitstatus).toBe('OK');
    const node = layout(3, 1)[2]!;
    await t.startVm(103, vmParams(node));
    await eventually(
      async () => (await t.run('talosctl', ['get', 'disks', '--insecure', '--nodes', cp3])).code === 0,
    );
    const applied = await t.run('talosctl', [
      'apply-config',
      '--insecure',
      '--nodes',
      cp3,
      '--file',
      'east-cp-3.yaml',
    ]);
    expect(applied.code, applied.stderr).toBe(0);
    let after: string[][] = [];
    await eventually(async () => {
      after = memberRows(await run(cp3, 'etcd', 'members'));
      return after.length === 3;
    }, 20_000);
    expect(after.map((row) => row[2])).toEqual(['east-cp-1', 'east-cp-2', 'east-cp-3']);
    expect(after.slice(0, 2).map((row) => row[1])).toEqual(before.slice(0, 2).map((row) => row[1]));
    expect(after[2]?.[1]).not.toBe(before[2]?.[1]);
    expect((await run(cp3, 'bootstrap')).stderr).toBe(ALREADY_EXISTS);
  });
});

describe('lab talosctl: a second bootstrap before a control plane joined splits etcd', () => {
  let t: ToolLab;
  let run: ReturnType<typeof talosctlOn>;
  const [cp1, cp2] = ['192.168.10.11', '192.168.10.12'];

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE });
    run = talosctlOn(t, await provision(t, 2, 0));
  }, 120_000);
  afterAll(async () => t?.stop());

  it('makes two single-member clusters with their own leaders', async () => {
    await eventually(async () => (await run(cp2, 'get', 'timestatus')).stdout.includes('true'));
    expect((await bootstrapWhenAvailable(run, cp1)).code).toBe(0);
    expect((await bootstrapWhenAvailable(run, cp2)).code).toBe(0); // before its join (0.6 s) completes
    const one = memberRows(await run(cp1, 'etcd', 'members'));
    const two = memberRows(await run(cp2, 'etcd', 'members'));
    expect(one.map((row) => row[2])).toEqual(['east-cp-1']);
    expect(two.map((row) => row[2])).toEqual(['east-cp-2']);
    const leaders = await Promise.all(
      [cp1, cp2].map(
        async (ip) =>
          (await run(ip, 'etcd', 'status')).stdout
            .trim()
            .split('\n')[1]
            ?.split(/\s{3,}/)[4],
      ),
    );
    expect(leaders[0]).not.toBe(leaders[1]);
  });
});

describe('lab talosctl: time sync', () => {
  let t: ToolLab;
  let run: ReturnType<typeof talosctlOn>;
  const cp1 = '192.168.10.11';

  beforeAll(async () => {
    t = await startToolLab(undefined, { timeScale: SCALE, reachableTimeServers: [] });
    run = talosctlOn(t, await provision(t, 1, 0));
  }, 120_000);
  afterAll(async () => t?.stop());

  it('an offline lab never syncs to time.cloudflare.com: SYNCED false, bootstrap refused', async () => {
    expect((await run(cp1, 'get', 'timeservers')).stdout).toBe(
      'NODE            NAMESPACE   TYPE               ID            VERSION   TIMESERVERS\n' +
        `${cp1}   network     TimeServerStatus   timeservers   1         ["time.cloudflare.com"]\n`,
    );
    const refused = await bootstrapWhenAvailable(run, cp1);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error executing bootstrap: rpc error: code = FailedPrecondition desc = time is not in sync yet\n',
    );
    expect((await run(cp1, 'get', 'timestatus')).stdout).toBe(
      'NODE            NAMESPACE   TYPE         ID     VERSION   SYNCED\n' +
        `${cp1}   runtime     TimeStatus   node   1         false\n`,
    );
  });

  it('the VM PTP clock (/dev/ptp0) syncs without any network time server', async () => {
    t.file('ptp.patch.yaml', 'machine:\n  time:\n    servers:\n      - /dev/ptp0\n');
    const applied = await run(
      cp1,
      'apply-config',
      '--file',
      'east-cp-1.yaml',
      '--config-patch',
      '@ptp.patch.yaml',
    );
    expect(applied.code, applied.stderr).toBe(0);
    await eventually(async () => (await run(cp1, 'get', 'timestatus')).stdout.includes('true'));
    expect((await run(cp1, 'get', 'timestatus')).stdout).toMatch(/TimeStatus\s+node\s+2\s+true\n$/);
    expect((await bootstrapWhenAvailable(run, cp1)).code).toBe(0);
  });
});
