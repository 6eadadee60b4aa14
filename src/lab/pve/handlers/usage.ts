import type { NodeRecord, VmRecord } from '../state.js';
import type { LabContext } from './context.js';
import { bootDiskKey, cpuCount, driveSizeBytes, memoryMiB, parseDrive } from './vm.js';
import { GIB, MIB } from './volumes.js';

/** What PVE itself (pveproxy, pmxcfs, ZFS ARC off) keeps of a node's memory. */
const HOST_RESERVED_BYTES = 2 * GIB;
/** The root filesystem of a node (the `local` storage shares it in reality; reported apart here). */
export const ROOTFS_BYTES = 100 * GIB;
const ROOTFS_USED_BYTES = 9 * GIB;

export function vmMemoryBytes(vm: VmRecord): number {
  return memoryMiB(vm.config) * MIB;
}

/** Memory in use on a node: PVE's own share plus the full memory of every running VM. */
export function nodeMemoryUsed(lab: LabContext, node: string): number {
  const running = lab.state.vms().filter((vm) => vm.node === node && vm.status === 'running');
  return HOST_RESERVED_BYTES + running.reduce((sum, vm) => sum + vmMemoryBytes(vm), 0);
}

export function nodeUptime(lab: LabContext, node: NodeRecord): number {
  return Math.floor((lab.clock.now() - node.bootedAt) / 1000);
}

export function nodeSummary(lab: LabContext, node: NodeRecord) {
  const runningCpus = lab.state
    .vms()
    .filter((vm) => vm.node === node.name && vm.status === 'running')
    .reduce((sum, vm) => sum + cpuCount(vm.config), 0);
  return {
    cpu: Math.min(1, 0.01 + (0.02 * runningCpus) / node.cpus),
    maxcpu: node.cpus,
    mem: nodeMemoryUsed(lab, node.name),
    maxmem: node.memoryBytes,
    disk: ROOTFS_USED_BYTES,
    maxdisk: ROOTFS_BYTES,
    uptime: nodeUptime(lab, node),
  };
}

function bootDiskBytes(lab: LabContext, vm: VmRecord): number {
  const key = bootDiskKey(vm.config);
  return key === undefined ? 0 : driveSizeBytes(parseDrive(lab, key, vm.config[key] ?? ''));
}

/** PVE::QemuServer::vmstatus for one VM (what GET .../qemu, status/current and resources share). */
export function vmStatus(lab: LabContext, vm: VmRecord) {
  const running = vm.status === 'running';
  const maxmem = vmMemoryBytes(vm);
  return {
    vmid: vm.vmid,
    name: vm.config.name ?? `VM ${vm.vmid}`,
    status: vm.status,
    qmpstatus: vm.status,
    cpus: cpuCount(vm.config),
    cpu: running ? 0.02 : 0,
    maxmem,
    mem: running ? Math.round(maxmem * 0.35) : 0,
    maxdisk: bootDiskBytes(lab, vm),
    disk: 0,
    uptime: running && vm.startedAt !== undefined ? Math.floor((lab.clock.now() - vm.startedAt) / 1000) : 0,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
    ...(running && vm.pid !== undefined ? { pid: vm.pid } : {}),
    ...(vm.config.tags ? { tags: vm.config.tags } : {}),
    ...(vm.config.lock ? { lock: vm.config.lock } : {}),
    ...(vm.config.template === '1' ? { template: 1 } : {}),
    ...(Object.keys(vm.config).some((key) => /^serial\d+$/.test(key)) ? { serial: 1 } : {}),
  };
}
