import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHandle } from '../../../src/lab/lab.js';
import { startLab } from '../../../src/lab/lab.js';
import { observeProxmox, planTwin } from '../../../src/plan/plan.js';
import type { PveClient } from '../../../src/proxmox/client.js';
import { waitUntil } from '../../../src/kube/readiness.js';
import { VmLifecycle } from '../../../src/proxmox/vm-lifecycle.js';
import { resolveTwin } from '../../../src/spec/environment.js';
import { loadSpec } from '../../../src/spec/load.js';
import {
  diffVms,
  diskGrowthSteps,
  observeVms,
  vmResizeActions,
  wantedVmsOf,
} from '../../../src/twin/layers/vm.js';
import { operatorClient } from '../../lab/operator-client.js';
import { preparedSlot } from '../../lab/slot-fixture.js';

/**
 * The VM layer against the lab's PVE (qemu-server 9.2) with the lab's default token, the operator's
 * least-privilege one: a running worker VM grows its Ceph disk online and takes new cores and memory
 * through its pending config and a PVE reboot.
 */
const { spec } = loadSpec('examples/twin.yaml');
let lab: LabHandle;
let client: PveClient;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'vm-layer-lab-')), timeScale: 0.002 });
  client = operatorClient(lab);
});
afterAll(async () => lab?.close());

describe('VM layer on the lab PVE', () => {
  it('grows a disk online and applies cores and memory through a reboot, with the default token', async () => {
    const { vm, settings } = await preparedSlot(client, spec, 'pr-31', (candidate) =>
      candidate.vms.find((row) => row.role === 'worker' && row.definition!.extraDisksGiB.length > 0)!,
    );
    const lifecycle = new VmLifecycle(client, { paceScale: 0.002 });
    await lifecycle.create(vm.definition!, settings);
    await lifecycle.ensureTags(vm.pveNode, vm.definition!);
    await lifecycle.growBootDisk(vm.pveNode, vm.definition!, (await lifecycle.config(vm.pveNode, vm.vmid))!);
    await lifecycle.start(vm.pveNode, vm.vmid);

    const again = planTwin(resolveTwin(spec, 'pr-31'), await observeProxmox(client, spec));
    const [current] = wantedVmsOf(again).filter((row) => row.vmid === vm.vmid);
    const extra = current!.extraDisksGiB;
    const wanted = {
      ...current!,
      cores: current!.cores + 2,
      memoryMiB: current!.memoryMiB + 1024,
      extraDisksGiB: [extra[0]! + 10, ...extra.slice(1)],
    };
    const observed = await observeVms(client, [wanted]);
    expect(diffVms(wanted.cluster, observed).changes.map((c) => [c.kind, c.from, c.to])).toEqual([
      [
        'vm-resize',
        `${current!.cores} cores / ${current!.memoryMiB} MiB`,
        `${wanted.cores} cores / ${wanted.memoryMiB} MiB`,
      ],
      ['disk-grow', `scsi1 ${extra[0]} GiB`, `scsi1 ${extra[0]! + 10} GiB`],
    ]);

    for (const step of diskGrowthSteps(client, wanted.cluster, observed)) await step.run();
    const [action] = vmResizeActions({ client, nodes: async () => [], taskTimeoutMs: 60_000 }, observed);
    await action!.run();

    // The reboot task ends once the guest is down; qmeventd's start follows as a task of its own.
    await waitUntil(async () => (await lifecycle.status(vm.pveNode, vm.vmid)) === 'running', {
      timeoutMs: 30_000,
      intervalMs: 20,
      describe: 'the VM running again',
    });
    const after = await observeVms(client, [wanted]);
    expect(after[0]).toMatchObject({ running: true, cores: wanted.cores, memoryMiB: wanted.memoryMiB });
    expect(after[0]!.pendingCores).toBeUndefined();
    expect(after[0]!.disksGiB.scsi1).toBe(extra[0]! + 10);
    expect(diffVms(wanted.cluster, after).changes).toEqual([]);
  });
});
