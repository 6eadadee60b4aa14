import type { SlotIdentity } from '../proxmox/slots.js';
import { maxGroupCounts, slotBlock, slotVmidRange } from '../spec/derived.js';
import type { ResolvedCluster, ResolvedTwin } from '../spec/environment.js';
import type { NodeRole } from '../spec/identity.js';
import { ownershipTags, slotPoolId, vmName } from '../spec/identity.js';
import { poolPrefixOf } from '../spec/pools.js';
import { formatIpv4, parseCidr, parseIpv4 } from '../util/ipv4.js';

/**
 * Where every VM of a twin goes, before anything exists: its VMID, its address and its tags all follow
 * from the slot, so they are known before boot and never collide with another slot's.
 */
export interface NodeLayout {
  name: string;
  cluster: string;
  role: NodeRole;
  /** 1-based within its role. */
  index: number;
  vmid: number;
  address: string;
  tags: string[];
  cores: number;
  memoryMiB: number;
  diskGiB: number;
  extraDisksGiB: number[];
}

export interface ClusterLayout {
  name: string;
  id: number;
  vip: string;
  vlan: number;
  prefixLength: number;
  gateway: string;
  dns: string[];
  pods: string;
  services: string;
  nodes: NodeLayout[];
}

export interface TwinLayout {
  twin: string;
  environment: ResolvedTwin['environment'];
  project: string;
  slot: number;
  pool: string;
  clusters: ClusterLayout[];
}

/**
 * Offsets inside the slot's blocks stay fixed whatever the environment's counts are: control planes
 * take the first `max control planes` places, workers the ones after, so adding a worker moves no one.
 */
export function layoutTwin(resolved: ResolvedTwin, slot: number): TwinLayout {
  const { spec } = resolved;
  let vmidOffset = 0;
  const clusters = resolved.clusters.map((cluster) => {
    const layout = layoutCluster(resolved, cluster, slot, vmidOffset);
    const most = maxGroupCounts(spec, cluster.name);
    vmidOffset += most.controlPlanes + most.workers;
    return layout;
  });
  return {
    twin: resolved.twin,
    environment: resolved.environment,
    project: spec.project,
    slot,
    pool: slotPoolId(poolPrefixOf(spec, resolved.environment), slot),
    clusters,
  };
}

function layoutCluster(
  resolved: ResolvedTwin,
  cluster: ResolvedCluster,
  slot: number,
  vmidOffset: number,
): ClusterLayout {
  const { spec, twin } = resolved;
  const block = parseIpv4(slotBlock(cluster, spec.proxmox.slots, slot).first);
  const firstVmid = slotVmidRange(spec.proxmox.slots, slot).first + vmidOffset;
  const workerOffset = maxGroupCounts(spec, cluster.name).controlPlanes;
  const node = (role: NodeRole, index: number, place: number): NodeLayout => {
    const group = role === 'controlplane' ? cluster.controlPlanes : cluster.workers;
    return {
      name: vmName(twin, cluster.name, role, index),
      cluster: cluster.name,
      role,
      index,
      vmid: firstVmid + place,
      address: formatIpv4(block + 1 + place), // block + 0 is the slot's VIP
      tags: ownershipTags(spec.project, twin, cluster.name, role),
      cores: group.cores,
      memoryMiB: group.memoryMiB,
      diskGiB: group.diskGiB,
      extraDisksGiB: group.extraDisks.map((disk) => disk.sizeGiB),
    };
  };
  const controlPlanes = range(cluster.controlPlanes.count).map((i) => node('controlplane', i + 1, i));
  const workers = range(cluster.workers.count).map((i) => node('worker', i + 1, workerOffset + i));
  return {
    name: cluster.name,
    id: cluster.id,
    vip: cluster.vip ?? formatIpv4(block),
    vlan: cluster.network.vlan,
    prefixLength: parseCidr(cluster.network.cidr).prefix,
    gateway: cluster.network.gateway,
    dns: cluster.network.dns,
    pods: cluster.pods,
    services: cluster.services,
    nodes: [...controlPlanes, ...workers],
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

export function allNodes(layout: TwinLayout): NodeLayout[] {
  return layout.clusters.flatMap((cluster) => cluster.nodes);
}

/** What a twin in `slot` holds (the claim records it): project, VMID range, each cluster's block and VIP. */
export function slotIdentity(resolved: ResolvedTwin, layout: TwinLayout): SlotIdentity {
  const { slots } = resolved.spec.proxmox;
  return {
    project: layout.project,
    vmids: slotVmidRange(slots, layout.slot),
    networks: resolved.clusters.map((cluster) => {
      const block = slotBlock(cluster, slots, layout.slot);
      return {
        cluster: cluster.name,
        first: block.first,
        last: formatIpv4(parseIpv4(block.first) + block.size - 1),
        vip: layout.clusters.find((c) => c.name === cluster.name)!.vip,
      };
    }),
  };
}
