/**
 * What the kubelet of a Talos VM offers the scheduler (LIFECYCLE F.7): Talos reserves 50m CPU and
 * 512Mi (control plane) or 384Mi (worker) memory, the kubelet's hard eviction threshold keeps 100Mi,
 * and the kernel keeps some RAM for itself before the kubelet ever sees it.
 */

export type NodeRole = 'controlplane' | 'worker';

export interface VmSize {
  cores: number;
  memoryMiB: number;
}

export interface Resources {
  cpuMilli: number;
  memoryMiB: number;
}

const SYSTEM_RESERVED_CPU_MILLI = 50;
const SYSTEM_RESERVED_MEMORY_MIB: Record<NodeRole, number> = { controlplane: 512, worker: 384 };
const EVICTION_HARD_MEMORY_MIB = 100;

/**
 * The kernel's share of the VM's RAM (RAM − MemTotal). Not measured on a Talos VM of these sizes (F.7
 * UNCONFIRMED). The one Talos figure found: a 2 GiB Raspberry Pi 4 reports 1854 MiB total, 194 MiB
 * short, GPU carve-out included (siderolabs/talos#8592). Modelled conservatively as a fixed 200 MiB
 * (kernel image, the initramfs Talos runs from) plus 2% of RAM (the page tables of struct page, ~1.6%).
 */
const KERNEL_RESERVE_FIXED_MIB = 200;
const KERNEL_RESERVE_SHARE = 0.02;

export function kernelReserveMiB(memoryMiB: number): number {
  return KERNEL_RESERVE_FIXED_MIB + Math.ceil(memoryMiB * KERNEL_RESERVE_SHARE);
}

/** allocatable = capacity − systemReserved − evictionHard (F.7); never negative. */
export function allocatable(role: NodeRole, vm: VmSize): Resources {
  const capacityMiB = vm.memoryMiB - kernelReserveMiB(vm.memoryMiB);
  return {
    cpuMilli: Math.max(0, vm.cores * 1000 - SYSTEM_RESERVED_CPU_MILLI),
    memoryMiB: Math.max(0, capacityMiB - SYSTEM_RESERVED_MEMORY_MIB[role] - EVICTION_HARD_MEMORY_MIB),
  };
}
