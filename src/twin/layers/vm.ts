import type { KubeNode } from '../../kube/kubectl.js';
import type { Step } from '../../plan/executor.js';
import type { TwinPlan } from '../../plan/plan.js';
import type { PveClient } from '../../proxmox/client.js';
import { runTask } from '../../proxmox/tasks.js';
import { diskSizeGiB } from '../../proxmox/vm-lifecycle.js';
import type { NodeRole } from '../../spec/identity.js';
import { cpuMilli, memoryMiB as quantityMiB } from '../../util/quantity.js';
import type { Change, LayerDiff, NodeAction, RefusedChange } from './types.js';

/**
 * The VM layer: each node VM's cores, memory and disk sizes in PVE against the spec. Disks grow online
 * (PUT resize, no reboot; PVE refuses to shrink). Cores and memory go to the VM's pending config on a
 * running VM (no CPU or memory hotplug: Talos does not support memory hot plug) and apply when PVE
 * restarts it: a disruptive node action, drained first, rebooted through PVE (a reboot task shuts the guest
 * down and qmeventd starts it again, which applies the pending changes; the lab's power.ts models it).
 */

/** A VM the twin wants and already has (plan action keep or change), with where it runs. */
export interface WantedVm {
  cluster: string;
  /** The VM name: also the hostname and the Kubernetes node name. */
  name: string;
  role: NodeRole;
  pveNode: string;
  vmid: number;
  cores: number;
  memoryMiB: number;
  /** scsi0. */
  diskGiB: number;
  /** scsi1, scsi2, ... */
  extraDisksGiB: number[];
}

export interface ObservedVm {
  wanted: WantedVm;
  running: boolean;
  cores: number;
  memoryMiB: number;
  /** Values set but waiting for the next VM start. */
  pendingCores?: number;
  pendingMemoryMiB?: number;
  /** Disk sizes by key (scsi0, scsi1, ...), in GiB. */
  disksGiB: Record<string, number>;
}

/** The VMs of a plan that exist and stay: what the VM layer compares. */
export function wantedVmsOf(plan: TwinPlan): WantedVm[] {
  return plan.vms
    .filter((vm) => (vm.action === 'keep' || vm.action === 'change') && vm.definition)
    .map((vm) => ({
      cluster: vm.cluster,
      name: vm.name,
      role: vm.role === 'controlplane' ? 'controlplane' : 'worker',
      pveNode: vm.pveNode,
      vmid: vm.vmid,
      cores: vm.cores,
      memoryMiB: vm.memoryMiB,
      diskGiB: vm.definition!.diskGiB,
      extraDisksGiB: vm.definition!.extraDisksGiB,
    }));
}

/** One row of GET /nodes/{node}/qemu/{vmid}/pending (qemu-server vm_pending). */
interface PendingItem {
  key: string;
  value?: unknown;
  pending?: unknown;
  delete?: number;
}

/** `memory` is the property string `[current=]<MiB>` (PVE 9); older releases send a plain number. */
function parseMemoryMiB(value: unknown): number | undefined {
  const match = /(?:^|,)(?:current=)?(\d+)(?:,|$)/.exec(String(value ?? ''));
  return match ? Number(match[1]) : undefined;
}

function asNumber(value: unknown): number | undefined {
  return value === undefined || value === null || value === '' ? undefined : Number(value);
}

/** Current and pending config (one call per VM) and whether it runs. */
export async function observeVm(client: PveClient, wanted: WantedVm): Promise<ObservedVm> {
  const base = `/nodes/${wanted.pveNode}/qemu/${wanted.vmid}`;
  const [items, status] = await Promise.all([
    client.get<PendingItem[]>(`${base}/pending`),
    client.get<{ status: string }>(`${base}/status/current`),
  ]);
  const item = (key: string) => items.find((entry) => entry.key === key);
  const disksGiB: Record<string, number> = {};
  for (const entry of items) {
    if (!/^scsi\d+$/.test(entry.key)) continue;
    const size = diskSizeGiB(String(entry.value ?? ''));
    if (size !== undefined) disksGiB[entry.key] = size;
  }
  const pendingCores = asNumber(item('cores')?.pending);
  const pendingMemoryMiB = parseMemoryMiB(item('memory')?.pending);
  return {
    wanted,
    running: status.status === 'running',
    // PVE's defaults when the key is not set: 1 core, 512 MiB.
    cores: asNumber(item('cores')?.value) ?? 1,
    memoryMiB: parseMemoryMiB(item('memory')?.value) ?? 512,
    ...(pendingCores !== undefined ? { pendingCores } : {}),
    ...(pendingMemoryMiB !== undefined ? { pendingMemoryMiB } : {}),
    disksGiB,
  };
}

export async function observeVms(client: PveClient, wanted: WantedVm[]): Promise<ObservedVm[]> {
  return Promise.all(wanted.map((vm) => observeVm(client, vm)));
}

const size = (cores: number, memoryMiB: number) => `${cores} cores / ${memoryMiB} MiB`;

/** Whether cores or memory differ from the spec in the running config (pending values are not applied yet). */
export function needsResize(vm: ObservedVm): boolean {
  return vm.cores !== vm.wanted.cores || vm.memoryMiB !== vm.wanted.memoryMiB;
}

interface DiskGrowth {
  disk: string;
  fromGiB: number;
  toGiB: number;
}

function wantedDisks(vm: WantedVm): [string, number][] {
  return [vm.diskGiB, ...vm.extraDisksGiB].map((gib, index) => [`scsi${index}`, gib]);
}

/** Disks to grow, and what PVE or the layer refuses (shrinking, adding or removing a disk). */
export function diskChanges(vm: ObservedVm): { grow: DiskGrowth[]; refused: string[][] } {
  const grow: DiskGrowth[] = [];
  const refused: string[][] = [];
  for (const [disk, toGiB] of wantedDisks(vm.wanted)) {
    const fromGiB = vm.disksGiB[disk];
    if (fromGiB === undefined) {
      refused.push([
        `add ${disk} (${toGiB} GiB)`,
        'the VM layer only resizes existing disks: add the disk by hand or recreate the node',
      ]);
    } else if (toGiB > fromGiB) grow.push({ disk, fromGiB, toGiB });
    else if (toGiB < fromGiB) {
      refused.push([
        `${disk} ${fromGiB} GiB -> ${toGiB} GiB`,
        `PVE does not shrink disks ("shrinking disks is not supported"): keep ${fromGiB} GiB or recreate the node`,
      ]);
    }
  }
  const wantedKeys = new Set(wantedDisks(vm.wanted).map(([disk]) => disk));
  for (const disk of Object.keys(vm.disksGiB).filter((key) => !wantedKeys.has(key))) {
    refused.push([
      `remove ${disk}`,
      'the VM layer never removes a disk (it may hold a Ceph OSD): remove it by hand once Ceph no longer uses it',
    ]);
  }
  return { grow, refused };
}

/** The layer's plan for one cluster: cores/memory changes (disruptive) first, then the online disk growth. */
export function diffVms(cluster: string, observed: ObservedVm[]): LayerDiff {
  const ours = observed.filter((vm) => vm.wanted.cluster === cluster);
  const changes: Change[] = [];
  const refused: RefusedChange[] = [];
  for (const vm of ours) {
    if (needsResize(vm)) {
      const pending =
        (vm.cores === vm.wanted.cores || vm.pendingCores === vm.wanted.cores) &&
        (vm.memoryMiB === vm.wanted.memoryMiB || vm.pendingMemoryMiB === vm.wanted.memoryMiB);
      changes.push({
        layer: 'vm',
        cluster,
        target: vm.wanted.name,
        kind: 'vm-resize',
        from: size(vm.cores, vm.memoryMiB),
        to: size(vm.wanted.cores, vm.wanted.memoryMiB),
        detail: `${pending ? 'already pending in PVE; ' : ''}needs a reboot through PVE (no CPU/memory hotplug): drained first`,
        disruptive: true,
      });
    }
  }
  for (const vm of ours) {
    const disks = diskChanges(vm);
    for (const growth of disks.grow) {
      changes.push({
        layer: 'vm',
        cluster,
        target: vm.wanted.name,
        kind: 'disk-grow',
        from: `${growth.disk} ${growth.fromGiB} GiB`,
        to: `${growth.disk} ${growth.toGiB} GiB`,
        detail: 'online resize, no reboot',
        disruptive: false,
      });
    }
    for (const [asked, reason] of disks.refused)
      refused.push({ layer: 'vm', cluster, target: vm.wanted.name, asked: asked!, reason: reason! });
  }
  return {
    layer: 'vm',
    cluster,
    running: summary(ours, (vm) => size(vm.cores, vm.memoryMiB)),
    wanted: summary(ours, (vm) => size(vm.wanted.cores, vm.wanted.memoryMiB)),
    changes,
    refused,
  };
}

function summary(vms: ObservedVm[], describe: (vm: ObservedVm) => string): string {
  const counts = new Map<string, number>();
  for (const vm of vms) counts.set(describe(vm), (counts.get(describe(vm)) ?? 0) + 1);
  return [...counts].map(([text, count]) => `${count} × ${text}`).join(', ') || 'no VMs';
}

export interface VmActionDeps {
  client: PveClient;
  /** The cluster's nodes as the kubelet reports them (Kubectl.nodes), for the new capacity. */
  nodes(): Promise<(KubeNode & { capacity: Record<string, string> })[]>;
  /** How long a PVE reboot or start task may take. */
  taskTimeoutMs: number;
}

/** Disk growth of one cluster as steps (non-disruptive, each VM on its own). */
export function diskGrowthSteps(
  client: PveClient,
  cluster: string,
  observed: ObservedVm[],
  needs: string[] = [],
): Step[] {
  return observed
    .filter((vm) => vm.wanted.cluster === cluster)
    .flatMap((vm) => {
      const { grow } = diskChanges(vm);
      if (grow.length === 0) return [];
      return [
        {
          id: `vm-disks:${cluster}:${vm.wanted.name}`,
          title: `${cluster}: ${vm.wanted.name}: ${grow.map((g) => `${g.disk} ${g.fromGiB} -> ${g.toGiB} GiB`).join(', ')} (online)`,
          doing: `growing ${grow.map((g) => g.disk).join(', ')} of ${vm.wanted.name} online`,
          stage: 'vm',
          needs,
          run: async () => {
            for (const growth of grow) await growDisk(client, vm.wanted, growth);
          },
        },
      ];
    });
}

/** PUT resize to an absolute size: a repeat after a killed run asks for the size it already has. */
async function growDisk(client: PveClient, vm: WantedVm, growth: DiskGrowth): Promise<void> {
  await runTask(client, 'PUT', `/nodes/${vm.pveNode}/qemu/${vm.vmid}/resize`, {
    disk: growth.disk,
    size: `${growth.toGiB}G`,
  });
}

/** One disruptive action per VM whose cores or memory differ: set them, reboot through PVE, await the kubelet. */
export function vmResizeActions(deps: VmActionDeps, observed: ObservedVm[]): NodeAction[] {
  return observed.filter(needsResize).map((vm) => resizeAction(deps, vm));
}

function resizeAction(deps: VmActionDeps, vm: ObservedVm): NodeAction {
  const { wanted } = vm;
  const base = `/nodes/${wanted.pveNode}/qemu/${wanted.vmid}`;
  let memoryBefore: number | undefined;
  return {
    cluster: wanted.cluster,
    node: wanted.name,
    role: wanted.role,
    describe: `VM ${size(vm.cores, vm.memoryMiB)} -> ${size(wanted.cores, wanted.memoryMiB)} (PVE reboot)`,
    drain: true,
    async run() {
      memoryBefore = memoryCapacityMiB(await nodeOf(deps, wanted.name));
      // Synchronous PUT: on a running VM both keys go pending (PVE-PERMISSIONS P.6.2: VM.Config.CPU, VM.Config.Memory).
      await deps.client.put(`${base}/config`, { cores: wanted.cores, memory: String(wanted.memoryMiB) });
      const { status } = await deps.client.get<{ status: string }>(`${base}/status/current`);
      // A reboot applies pending changes when qmeventd starts the VM again; a stopped VM just starts with them.
      const action = status === 'running' ? 'reboot' : 'start';
      await runTask(deps.client, 'POST', `${base}/status/${action}`, {}, { timeoutMs: deps.taskTimeoutMs });
    },
    async settled() {
      const node = await nodeOf(deps, wanted.name);
      const cpu = node?.capacity.cpu;
      if (cpu === undefined || cpuMilli(cpu) !== wanted.cores * 1000)
        return `the kubelet reports ${cpu ?? 'no'} CPUs, want ${wanted.cores}`;
      const memory = memoryCapacityMiB(node);
      const direction = Math.sign(wanted.memoryMiB - vm.memoryMiB);
      // Capacity is the VM's RAM less what the kernel keeps, so only its move tells the new size took.
      if (
        memory !== undefined &&
        memoryBefore !== undefined &&
        Math.sign(memory - memoryBefore) !== direction
      )
        return `the kubelet reports ${memory} MiB memory capacity, as before the reboot`;
      return true;
    },
  };
}

async function nodeOf(deps: VmActionDeps, name: string) {
  return (await deps.nodes()).find((node) => node.name === name);
}

function memoryCapacityMiB(node: { capacity: Record<string, string> } | undefined): number | undefined {
  const memory = node?.capacity.memory;
  return memory === undefined ? undefined : quantityMiB(memory);
}
