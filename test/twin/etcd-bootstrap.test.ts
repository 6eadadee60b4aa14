import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/exec/runner.js';
import { LocalStateStore } from '../../src/state/store.js';
import { Talosctl } from '../../src/talos/talosctl.js';
import { scaledPace } from '../../src/twin/context.js';
import type { EtcdBootstrapTarget } from '../../src/twin/etcd-bootstrap.js';
import { BOOTSTRAP_RECORD, ensureEtcdBootstrapped } from '../../src/twin/etcd-bootstrap.js';
import { scriptedRunner } from '../exec/scripted-runner.js';

const NOT_AVAILABLE =
  'error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap is not available yet\n';
const NOT_IN_SYNC =
  'error executing bootstrap: rpc error: code = FailedPrecondition desc = time is not in sync yet\n';
const NO_ETCD =
  'error getting members: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"\n';
const MEMBERS =
  'NODE            ID                 HOSTNAME         PEER URLS                    CLIENT URLS                  LEARNER\n' +
  '192.168.15.12   8a3f0c1d2e4b5a69   pr-1-east-cp-2   https://192.168.15.12:2380   https://192.168.15.12:2379   false\n' +
  '192.168.15.12   1b2c3d4e5f607182   pr-1-east-cp-3   https://192.168.15.13:2380   https://192.168.15.13:2379   false\n';

const TARGET: EtcdBootstrapTarget = {
  twin: 'pr-1',
  cluster: { name: 'east', timeServers: ['ntp.lab.internal'] },
  talosconfig: '/s/talosconfig',
  controlPlanes: [
    { name: 'pr-1-east-cp-1', address: '192.168.15.11' },
    { name: 'pr-1-east-cp-2', address: '192.168.15.12' },
    { name: 'pr-1-east-cp-3', address: '192.168.15.13' },
  ],
};

/** talosctl answering by (node, command) from a script; a fake clock the injected sleep advances. */
function setup(answer: (node: string, command: string) => Partial<CommandResult> | undefined) {
  const { runner, calls } = scriptedRunner((_tool, args) => {
    const node = args[args.indexOf('--nodes') + 1] ?? '';
    return answer(node, args.slice(args.indexOf('--endpoints') + 2).join(' '));
  });
  const store = new LocalStateStore(mkdtempSync(join(tmpdir(), 'etcd-bootstrap-')));
  const clock = { now: 0 };
  const logs: string[] = [];
  const deps = {
    talosctl: new Talosctl(runner),
    store,
    pace: scaledPace(1),
    log: (line: string) => logs.push(line),
    now: () => clock.now,
    sleep: async (ms: number) => void (clock.now += ms),
    random: () => 0.5,
  };
  const commands = () =>
    calls.map((call) => `${call.args[call.args.indexOf('--nodes') + 1]} ${call.args.slice(6).join(' ')}`);
  const recordKey = { twin: 'pr-1', cluster: 'east', name: BOOTSTRAP_RECORD };
  return { deps, store, clock, logs, commands, recordKey };
}

describe('etcd bootstrap, once per cluster (LIFECYCLE F.4)', () => {
  it('retries the chosen node while it is not available yet and time is not in sync, then records the bootstrap', async () => {
    const answers = [NOT_AVAILABLE, NOT_AVAILABLE, NOT_IN_SYNC, ''];
    const t = setup((node, command) => {
      if (command === 'etcd members') return { exitCode: 1, stderr: NO_ETCD };
      const stderr = answers.shift() ?? '';
      return stderr ? { exitCode: 1, stderr } : undefined;
    });
    expect(await ensureEtcdBootstrapped(t.deps, TARGET)).toBe('bootstrapped');
    expect(t.commands()).toEqual([
      '192.168.15.12 etcd members',
      '192.168.15.13 etcd members',
      '192.168.15.11 bootstrap',
      '192.168.15.11 bootstrap',
      '192.168.15.11 bootstrap',
      '192.168.15.11 bootstrap',
    ]);
    expect(t.clock.now).toBeGreaterThan(0); // it waited between tries
    const record = JSON.parse((await t.store.read(t.recordKey))!) as Record<string, string>;
    expect(record).toMatchObject({ node: 'pr-1-east-cp-1', address: '192.168.15.11', how: 'bootstrapped' });
    expect(t.logs).toContain('east: bootstrapped etcd on pr-1-east-cp-1');
  });

  it('a recorded bootstrap is never repeated, even when the first control plane was created again', async () => {
    const t = setup(() => ({ exitCode: 1, stderr: 'must not be called' }));
    await t.store.write(t.recordKey, '{"node":"pr-1-east-cp-1","at":"2026-12-01T10:00:00.000Z"}\n');
    expect(await ensureEtcdBootstrapped(t.deps, TARGET)).toBe('recorded-before');
    expect(t.commands()).toEqual([]);
    expect(t.logs[0]).toBe(
      'east: etcd was bootstrapped before (pr-1-east-cp-1 at 2026-12-01T10:00:00.000Z): not again',
    );
  });

  it('with the record lost, members on another control plane mean etcd runs: recorded, no bootstrap', async () => {
    const t = setup((node, command) => {
      if (command !== 'etcd members') return { exitCode: 1, stderr: 'bootstrap must not be called' };
      return node === '192.168.15.12' ? { stdout: MEMBERS } : { exitCode: 1, stderr: NO_ETCD };
    });
    expect(await ensureEtcdBootstrapped(t.deps, TARGET)).toBe('members-found');
    expect(t.commands()).toEqual(['192.168.15.12 etcd members', '192.168.15.13 etcd members']);
    expect(JSON.parse((await t.store.read(t.recordKey))!)).toMatchObject({
      node: 'pr-1-east-cp-2',
      how: 'members-found',
    });
  });

  it('control planes all created by this run: none is asked for members, the first is bootstrapped', async () => {
    const t = setup((_node, command) =>
      command === 'etcd members' ? { exitCode: 1, stderr: 'must not be asked' } : undefined,
    );
    expect(await ensureEtcdBootstrapped(t.deps, { ...TARGET, allCreatedThisRun: true })).toBe('bootstrapped');
    expect(t.commands()).toEqual(['192.168.15.11 bootstrap']);
  });

  it('AlreadyExists on the chosen node is done; no other node is ever bootstrapped', async () => {
    const t = setup((_node, command) =>
      command === 'etcd members'
        ? { exitCode: 1, stderr: NO_ETCD }
        : {
            exitCode: 1,
            stderr:
              'error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n',
          },
    );
    expect(await ensureEtcdBootstrapped(t.deps, TARGET)).toBe('already-bootstrapped');
    expect(t.commands().filter((command) => command.endsWith('bootstrap'))).toEqual([
      '192.168.15.11 bootstrap',
    ]);
  });

  it('time never in sync: gives up after the boot bound, naming the time servers and talos.timeServers', async () => {
    const t = setup((_node, command) =>
      command === 'etcd members' ? { exitCode: 1, stderr: NO_ETCD } : { exitCode: 1, stderr: NOT_IN_SYNC },
    );
    const error = (await ensureEtcdBootstrapped(t.deps, TARGET).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      'east: pr-1-east-cp-1 (192.168.15.11) refused the etcd bootstrap for 600 s: time is not in sync yet. ' +
        'Its time servers (ntp.lab.internal) are not reachable, and Talos starts neither etcd nor the kubelet before ' +
        'time is in sync, so no node can get Ready. Set talos.timeServers in twin.yaml to servers the nodes reach ' +
        '(on Proxmox the VM clock /dev/ptp0 needs no network), then run apply again',
    );
    expect(t.clock.now).toBeGreaterThanOrEqual(scaledPace(1).bootTimeoutMs);
    expect(t.clock.now).toBeLessThan(scaledPace(1).bootTimeoutMs + 8 * scaledPace(1).pollMs + 1);
    expect(await t.store.read(t.recordKey)).toBeUndefined();
  });

  it('names Talos’ default time server when the spec sets none', async () => {
    const t = setup((_node, command) =>
      command === 'etcd members' ? { exitCode: 1, stderr: NO_ETCD } : { exitCode: 1, stderr: NOT_IN_SYNC },
    );
    const target = { ...TARGET, cluster: { name: 'east' } };
    await expect(ensureEtcdBootstrapped(t.deps, target)).rejects.toThrow(
      /Its time servers \(time\.cloudflare\.com\)/,
    );
  });

  it('fails at once on an error that is not "not ready"', async () => {
    const t = setup((_node, command) =>
      command === 'etcd members'
        ? { exitCode: 1, stderr: NO_ETCD }
        : {
            exitCode: 1,
            stderr: 'error executing bootstrap: rpc error: code = PermissionDenied desc = not authorized\n',
          },
    );
    await expect(ensureEtcdBootstrapped(t.deps, TARGET)).rejects.toThrow(/PermissionDenied/);
    expect(t.commands().filter((command) => command.endsWith('bootstrap'))).toHaveLength(1);
  });
});
