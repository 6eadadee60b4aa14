import { createHash } from 'node:crypto';
import { formatIpv4, parseCidr } from '../../util/ipv4.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeClusters, KubeNode } from './clusters.js';
import { byKind } from './kinds.js';
import { nameOf, namespaceOf } from './objects.js';

/**
 * The addresses a cluster hands out: each Node's podCIDR (kube-controller-manager, from Talos'
 * `cluster.network.podSubnets`), the pod addresses Cilium's IPAM gives out per node, and Service
 * ClusterIPs (kube-apiserver, from `cluster.network.serviceSubnets`).
 */

/** Talos' defaults when a config names no subnets. */
const DEFAULT_POD_SUBNET = '10.244.0.0/16';
const DEFAULT_SERVICE_SUBNET = '10.96.0.0/12';
/** kube-controller-manager's --node-cidr-mask-size for IPv4. */
const NODE_CIDR_MASK = 24;
/** Cilium's chart defaults for its own (cluster-pool) IPAM. */
const CILIUM_POOL = '10.0.0.0/8';
const CILIUM_POOL_MASK = 24;
/** The `kubernetes` Service holds the first address, CoreDNS (as Talos deploys it) the tenth. */
const RESERVED_SERVICE_OFFSETS = [1, 10];

function clusterConfig(kube: KubeClusters, clusterId: string, now: number): Doc | undefined {
  const members = kube.talos.all(now).filter((node) => node.clusterId === clusterId && node.config);
  return (members.find((node) => node.role === 'controlplane') ?? members[0])?.config;
}

/** The first IPv4 entry of a Talos subnet list. */
function firstIpv4(list: unknown, fallback: string): string {
  const entries = Array.isArray(list) ? list.map(String) : [];
  return entries.find((entry) => entry.includes('.')) ?? fallback;
}

export function serviceSubnet(kube: KubeClusters, clusterId: string, now = kube.talos.now()): string {
  return firstIpv4(
    get(clusterConfig(kube, clusterId, now), 'cluster.network.serviceSubnets'),
    DEFAULT_SERVICE_SUBNET,
  );
}

function podSubnet(kube: KubeClusters, clusterId: string, now: number): string {
  return firstIpv4(
    get(clusterConfig(kube, clusterId, now), 'cluster.network.podSubnets'),
    DEFAULT_POD_SUBNET,
  );
}

/** Nodes in the order the allocators met them: by registration, then name. */
function inRegistrationOrder(nodes: KubeNode[]): KubeNode[] {
  return [...nodes].sort((a, b) => a.registeredAt - b.registeredAt || a.name.localeCompare(b.name));
}

/** Consecutive blocks of `mask` bits out of `pool`, one per node; nodes past the pool's end get none. */
function carve(pool: string, mask: number, nodes: KubeNode[]): Map<string, string> {
  const { first, last, prefix } = parseCidr(pool);
  const size = 2 ** (32 - Math.max(mask, prefix));
  const blocks = new Map<string, string>();
  inRegistrationOrder(nodes).forEach((node, index) => {
    const start = first + index * size;
    if (start + size - 1 <= last) blocks.set(node.name, `${formatIpv4(start)}/${Math.max(mask, prefix)}`);
  });
  return blocks;
}

/** spec.podCIDR of each Node, as kube-controller-manager allocates them. */
export function nodePodCidrs(
  kube: KubeClusters,
  clusterId: string,
  now = kube.talos.now(),
): Map<string, string> {
  return carve(podSubnet(kube, clusterId, now), NODE_CIDR_MASK, kube.nodes(clusterId, now));
}

/** The block each node's pods take addresses from: the Node's podCIDR with ipam.mode=kubernetes, else Cilium's pool. */
export function podAddressBlocks(kube: KubeClusters, clusterId: string, now: number): Map<string, string> {
  const values = kube.ciliumValues(clusterId)?.values;
  if (get(values, 'ipam.mode') === 'kubernetes') return nodePodCidrs(kube, clusterId, now);
  const pools = get(values, 'ipam.operator.clusterPoolIPv4PodCIDRList');
  const pool = Array.isArray(pools) && pools.length > 0 ? String(pools[0]) : CILIUM_POOL;
  const mask = Number(get(values, 'ipam.operator.clusterPoolIPv4MaskSize') ?? CILIUM_POOL_MASK);
  return carve(pool, mask, kube.nodes(clusterId, now));
}

export interface AddressedPod {
  name: string;
  nodeName: string;
  createdAt: number;
}

/**
 * One address per pod from its node's block: a stable pick from the pod's name, the next free one on a
 * clash (earlier pods keep theirs). The network address, the node's cilium_host (.1) and broadcast stay free.
 */
export function podAddresses(blocks: Map<string, string>, pods: AddressedPod[]): Map<string, string> {
  const addresses = new Map<string, string>();
  const taken = new Map<string, Set<number>>();
  const ordered = [...pods].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  for (const pod of ordered) {
    const block = blocks.get(pod.nodeName);
    if (!block) continue;
    const { first, last } = parseCidr(block);
    const used = taken.get(pod.nodeName) ?? new Set<number>();
    taken.set(pod.nodeName, used);
    const address = firstFree(first + 2, last - 1, hashOf(pod.name), used);
    if (address !== undefined) addresses.set(pod.name, formatIpv4(address));
  }
  return addresses;
}

/** ClusterIPs of every Service by `namespace/name`: `None` for headless ones, none for ExternalName. */
export function serviceClusterIps(
  kube: KubeClusters,
  clusterId: string,
  now = kube.talos.now(),
): Map<string, string> {
  const { first, last } = parseCidr(serviceSubnet(kube, clusterId, now));
  const used = new Set(RESERVED_SERVICE_OFFSETS.map((offset) => first + offset));
  const ips = new Map<string, string>();
  const services = kube
    .objects(clusterId)
    .list(byKind('Service'))
    .sort((a, b) => a.createdAt - b.createdAt || a.uid.localeCompare(b.uid));
  const id = (stored: (typeof services)[number]) => `${namespaceOf(stored) ?? ''}/${nameOf(stored)}`;
  const spec = (stored: (typeof services)[number]) => (isMap(stored.object.spec) ? stored.object.spec : {});
  for (const stored of services) {
    const asked = spec(stored).clusterIP;
    if (typeof asked === 'string' && asked !== '') {
      ips.set(id(stored), asked);
      if (asked !== 'None') used.add(parseCidr(`${asked}/32`).first);
    }
  }
  for (const stored of services) {
    if (ips.has(id(stored)) || spec(stored).type === 'ExternalName') continue;
    const address = firstFree(first + 1, last - 1, hashOf(stored.uid), used);
    if (address !== undefined) ips.set(id(stored), formatIpv4(address));
  }
  return ips;
}

/** The first address at or after a hashed start (wrapping) that is not yet used; it is then marked used. */
function firstFree(low: number, high: number, hash: number, used: Set<number>): number | undefined {
  const span = high - low + 1;
  for (let step = 0; step < span; step++) {
    const candidate = low + ((hash + step) % span);
    if (!used.has(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
  return undefined;
}

function hashOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}
