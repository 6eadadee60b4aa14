import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PveClient } from '../../../src/proxmox/client.js';
import {
  diffVms,
  diskGrowthSteps,
  observeVms,
  vmResizeActions,
  type WantedVm,
} from '../../../src/twin/layers/vm.js';
import {
  PveTestServer,
  fakeClock,
  recordingLogger,
  type SeenRequest,
} from '../../proxmox/pve-test-server.js';

let server: PveTestServer;
let client: PveClient;

beforeAll(async () => {
  server = await PveTestServer.start();
});
afterAll(() => server.close());
afterEach(() => {
  client.close();
  server.requests.length = 0;
});

const WORKER: WantedVm = {
  cluster: 'east',
  name: 'production-east-w-1',
  role: 'worker',
  pveNode: 'pve1',
  vmid: 1104,
  cores: 4,
  memoryMiB: 8192,
  diskGiB: 32,
  extraDisksGiB: [200],
};

const upid = (type: string) => `UPID:pve1:0000C0DE:0001B207:65F1A2B3:${type}:1104:ci@pve!gha:`;

/** A PVE that holds one VM (2 cores / 4096 MiB, disks 32 + 100 GiB), running, whose tasks end OK at once. */
function pve(opts: { pendingCores?: number; status?: string } = {}) {
  const clock = fakeClock();
  client = new PveClient(server.connection(), {
    sleep: clock.sleep,
    now: clock.now,
    logger: recordingLogger(),
  });
  server.handler = (req: SeenRequest) => {
    if (req.path.endsWith('/pending'))
      return {
        json: {
          data: [
            { key: 'cores', value: 2, ...(opts.pendingCores ? { pending: opts.pendingCores } : {}) },
            { key: 'digest', value: 'abc' },
            { key: 'memory', value: '4096' },
            { key: 'scsi0', value: 'local-lvm:vm-1104-disk-0,discard=on,size=32G,ssd=1' },
            { key: 'scsi1', value: 'local-lvm:vm-1104-disk-1,discard=on,size=100G,ssd=1' },
          ],
        },
      };
    if (req.path.endsWith('/status/current')) return { json: { data: { status: opts.status ?? 'running' } } };
    if (req.path.endsWith('/resize')) return { json: { data: upid('resize') } };
    if (req.path.endsWith('/status/reboot')) return { json: { data: upid('qmreboot') } };
    if (req.path.endsWith('/status/start')) return { json: { data: upid('qmstart') } };
    if (req.path.includes('/tasks/')) return { json: { data: { status: 'stopped', exitstatus: 'OK' } } };
    return { json: { data: null } };
  };
}

const calls = () =>
  server.requests
    .filter((req) => !req.path.includes('/tasks/'))
    .map((req) => `${req.method} ${req.path}${req.body ? ` ${req.body}` : ''}`);

describe('VM layer', () => {
  it('reads current and pending config, and plans a disruptive resize and an online disk growth', async () => {
    pve();
    const observed = await observeVms(client, [WORKER]);
    expect(calls()).toEqual([
      'GET /nodes/pve1/qemu/1104/pending',
      'GET /nodes/pve1/qemu/1104/status/current',
    ]);
    expect(diffVms('east', observed)).toEqual({
      layer: 'vm',
      cluster: 'east',
      running: '1 × 2 cores / 4096 MiB',
      wanted: '1 × 4 cores / 8192 MiB',
      changes: [
        {
          layer: 'vm',
          cluster: 'east',
          target: 'production-east-w-1',
          kind: 'vm-resize',
          from: '2 cores / 4096 MiB',
          to: '4 cores / 8192 MiB',
          detail: 'needs a reboot through PVE (no CPU/memory hotplug): drained first',
          disruptive: true,
        },
        {
          layer: 'vm',
          cluster: 'east',
          target: 'production-east-w-1',
          kind: 'disk-grow',
          from: 'scsi1 100 GiB',
          to: 'scsi1 200 GiB',
          detail: 'online resize, no reboot',
          disruptive: false,
        },
      ],
      refused: [],
    });
  });

  it('refuses to shrink a disk or add one, saying why', async () => {
    pve();
    const observed = await observeVms(client, [
      { ...WORKER, cores: 2, memoryMiB: 4096, diskGiB: 16, extraDisksGiB: [100, 50] },
    ]);
    const diff = diffVms('east', observed);
    expect(diff.changes).toEqual([]);
    expect(diff.refused.map((r) => `${r.asked}: ${r.reason}`)).toEqual([
      'scsi0 32 GiB -> 16 GiB: PVE does not shrink disks ("shrinking disks is not supported"): keep 32 GiB or recreate the node',
      'add scsi2 (50 GiB): the VM layer only resizes existing disks: add the disk by hand or recreate the node',
    ]);
  });

  it('grows a disk with PUT resize to the absolute size', async () => {
    pve();
    const observed = await observeVms(client, [WORKER]);
    server.requests.length = 0;
    const steps = diskGrowthSteps(client, 'east', observed);
    expect(steps.map((step) => [step.id, step.title])).toEqual([
      ['vm-disks:east:production-east-w-1', 'east: production-east-w-1: scsi1 100 -> 200 GiB (online)'],
    ]);
    await steps[0]!.run();
    expect(calls()).toEqual(['PUT /nodes/pve1/qemu/1104/resize disk=scsi1&size=200G']);
  });

  it('a resize is a drained node action: PUT cores and memory, then a PVE reboot; settled once the kubelet reports them', async () => {
    pve();
    const observed = await observeVms(client, [WORKER]);
    server.requests.length = 0;
    let capacity = { cpu: '2', memory: '4062364Ki' };
    const [action, ...more] = vmResizeActions(
      {
        client,
        taskTimeoutMs: 60_000,
        nodes: async () => [{ name: WORKER.name, ready: true, addresses: [], capacity }],
      },
      observed,
    );
    expect(more).toEqual([]);
    expect(action).toMatchObject({
      cluster: 'east',
      node: 'production-east-w-1',
      role: 'worker',
      drain: true,
      describe: 'VM 2 cores / 4096 MiB -> 4 cores / 8192 MiB (PVE reboot)',
    });
    await action!.run();
    expect(calls()).toEqual([
      'PUT /nodes/pve1/qemu/1104/config cores=4&memory=8192',
      'GET /nodes/pve1/qemu/1104/status/current',
      'POST /nodes/pve1/qemu/1104/status/reboot',
    ]);
    expect(await action!.settled!()).toBe('the kubelet reports 2 CPUs, want 4');
    capacity = { cpu: '4', memory: '4062364Ki' };
    expect(await action!.settled!()).toBe(
      'the kubelet reports 3968 MiB memory capacity, as before the reboot',
    );
    capacity = { cpu: '4', memory: '8126464Ki' };
    expect(await action!.settled!()).toBe(true);
  });

  it('starts a stopped VM instead of rebooting it, and says when the change is already pending', async () => {
    pve({ status: 'stopped', pendingCores: 4 });
    const observed = await observeVms(client, [{ ...WORKER, memoryMiB: 4096 }]);
    expect(diffVms('east', observed).changes[0]?.detail).toBe(
      'already pending in PVE; needs a reboot through PVE (no CPU/memory hotplug): drained first',
    );
    server.requests.length = 0;
    const [action] = vmResizeActions({ client, taskTimeoutMs: 60_000, nodes: async () => [] }, observed);
    await action!.run();
    expect(calls().at(-1)).toBe('POST /nodes/pve1/qemu/1104/status/start');
  });
});
