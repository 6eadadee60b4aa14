import { formatIpv4, parseRange, rangeSize } from '../util/ipv4.js';
import { applyOverlay } from './environment.js';
import { ENVIRONMENT_NAMES } from './schema.js';
import type { ClusterSpec, NodeGroupSpec, TwinSpec } from './schema.js';

/** Values computed from the spec that several modules (rules, planner, allocation) must agree on. */

export const PROXMOX_MAX_VMID = 999_999_999;

/** Every shape a cluster takes: the base spec and each environment's overlay of it. */
function clusterVariants(spec: TwinSpec, cluster: ClusterSpec): ClusterSpec[] {
  return ENVIRONMENT_NAMES.map((environment) =>
    applyOverlay(cluster, spec.environments[environment].clusters?.[cluster.name]),
  );
}

function findCluster(spec: TwinSpec, clusterName: string): ClusterSpec {
  const cluster = spec.clusters.find((candidate) => candidate.name === clusterName);
  if (!cluster) throw new RangeError(`the spec has no cluster named ${clusterName}`);
  return cluster;
}

function largest(groups: NodeGroupSpec[]): number {
  return Math.max(0, ...groups.map((group) => group.count));
}

/** The most control planes and the most workers any environment asks of this cluster. */
export function maxGroupCounts(
  spec: TwinSpec,
  clusterName: string,
): { controlPlanes: number; workers: number } {
  const variants = clusterVariants(spec, findCluster(spec, clusterName));
  return {
    controlPlanes: largest(variants.map((variant) => variant.controlPlanes)),
    workers: largest(variants.map((variant) => variant.workers)),
  };
}

/** One VIP plus the most control planes and the most workers any environment asks of this cluster. */
export function addressesNeeded(spec: TwinSpec, clusterName: string): number {
  const most = maxGroupCounts(spec, clusterName);
  return 1 + most.controlPlanes + most.workers;
}

/** Addresses each slot gets: the pool split evenly, the remainder left unused. */
export function slotBlockSize(cluster: ClusterSpec, slots: { count: number }): number {
  return Math.floor(rangeSize(parseRange(cluster.network.addressPool)) / slots.count);
}

/** The slot's address block in this cluster's node network; the VIP comes first, then control planes, then workers. */
export function slotBlock(
  cluster: ClusterSpec,
  slots: { count: number },
  slot: number,
): { first: string; size: number } {
  requireSlot(slots, slot);
  const size = slotBlockSize(cluster, slots);
  return { first: formatIpv4(parseRange(cluster.network.addressPool).first + slot * size), size };
}

/**
 * The VMIDs one slot must hold: each cluster's most control planes and workers of any environment, since
 * a slot reserves that many per cluster whichever environment uses it.
 */
export function maxVmsPerTwin(spec: TwinSpec): number {
  return spec.clusters.reduce((total, cluster) => {
    const most = maxGroupCounts(spec, cluster.name);
    return total + most.controlPlanes + most.workers;
  }, 0);
}

/** The VMIDs slot `slot` owns, inclusive. */
export function slotVmidRange(
  slots: { count: number; vmidBase: number; vmidsPerSlot: number },
  slot: number,
): { first: number; last: number } {
  requireSlot(slots, slot);
  const first = slots.vmidBase + slot * slots.vmidsPerSlot;
  return { first, last: first + slots.vmidsPerSlot - 1 };
}

/** The highest VMID any slot may use; the spec is invalid when it passes Proxmox's limit. */
export function highestVmid(slots: { count: number; vmidBase: number; vmidsPerSlot: number }): number {
  return slots.vmidBase + slots.count * slots.vmidsPerSlot - 1;
}

function requireSlot(slots: { count: number }, slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= slots.count) {
    throw new RangeError(`slot ${slot} is outside 0..${slots.count - 1}`);
  }
}
