import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import { isIpv4, parseCidr, rangesOverlap, type Ipv4Cidr } from '../util/ipv4.js';
import { mergeValues } from '../util/values.js';

/** The chart's default NodePort (CONTRACTS C.2): inside 30000-32767, and nothing else of ours uses it. */
export const CLUSTERMESH_NODE_PORT = 32379;
/** The chart default; every cluster of a mesh must carry the same value, and it cannot change later. */
export const MAX_CONNECTED_CLUSTERS = 255;
/** The chart's default domain: the auto-generated server certificates carry the SAN `*.mesh.cilium.io`. */
const MESH_DOMAIN = 'mesh.cilium.io';
const CLUSTER_ID_MAX = 255;
/** What validate.yaml accepts for clustermesh.maxConnectedClusters. */
const ALLOWED_MAX_CONNECTED = [255, 511];
const DEFAULT_ROUTING_MODE = 'tunnel';
const FINGERPRINT_SHOWN = 16;

/** One cluster of the mesh as its peers reach it: every node serves the clustermesh-apiserver NodePort. */
export interface MeshPeer {
  name: string;
  id: number;
  /** Node addresses. */
  addresses: string[];
}

export interface ClustermeshClusterEntry {
  port: number;
  ips: string[];
}

export interface ClustermeshValues {
  clustermesh: {
    useAPIServer: true;
    maxConnectedClusters: number;
    apiserver: {
      service: { type: 'NodePort'; nodePort: number };
      tls: { auto: { enabled: true; method: 'helm' } };
    };
    config: { enabled: true; domain: string; clusters: Record<string, ClustermeshClusterEntry> };
  };
}

/**
 * The values action-mesh adds to each cluster's Cilium release: the SAME clusters dict for every cluster,
 * since an agent ignores the entry with its own name (C.2). With `ips`, the chart maps `<name>.mesh.cilium.io`
 * to those addresses through hostAliases, so TLS checks the SAN the helm-generated certificates already have
 * (C.3); no certificate is copied between clusters, the shared CA is the whole trust.
 */
export function clustermeshValues(peers: MeshPeer[]): ClustermeshValues {
  requireMeshablePeers(peers);
  const sorted = [...peers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const clusters: Record<string, ClustermeshClusterEntry> = {};
  for (const peer of sorted) clusters[peer.name] = { port: CLUSTERMESH_NODE_PORT, ips: [...peer.addresses] };
  return {
    clustermesh: {
      useAPIServer: true,
      maxConnectedClusters: MAX_CONNECTED_CLUSTERS,
      apiserver: {
        service: { type: 'NodePort', nodePort: CLUSTERMESH_NODE_PORT },
        tls: { auto: { enabled: true, method: 'helm' } },
      },
      config: { enabled: true, domain: MESH_DOMAIN, clusters },
    },
  };
}

function requireMeshablePeers(peers: MeshPeer[]): void {
  if (peers.length < 2) {
    throw new ConfigurationError(
      `a cluster mesh needs at least 2 clusters, the twin has ${peers.length}: declare another cluster in twin.yaml (clusters)`,
    );
  }
  const byName = new Map<string, MeshPeer>();
  const byId = new Map<number, MeshPeer>();
  for (const peer of peers) {
    const sameName = byName.get(peer.name);
    if (sameName) {
      throw new ConfigurationError(
        `cluster name "${peer.name}" appears twice in the mesh: give each cluster its own name in twin.yaml (clusters[].name)`,
      );
    }
    const sameId = byId.get(peer.id);
    if (sameId) {
      throw new ConfigurationError(
        `cluster ${peer.name}: cluster.id ${peer.id} is also used by ${sameId.name}: give each cluster its own id in twin.yaml (clusters[].id)`,
      );
    }
    byName.set(peer.name, peer);
    byId.set(peer.id, peer);
    requirePeerId(peer);
    requirePeerAddresses(peer);
  }
}

function requirePeerId(peer: MeshPeer): void {
  if (!Number.isInteger(peer.id) || peer.id < 1 || peer.id > CLUSTER_ID_MAX) {
    throw new ConfigurationError(
      `cluster ${peer.name}: cluster.id ${peer.id} is out of range: give each cluster its own id from 1 to ${CLUSTER_ID_MAX} in twin.yaml (clusters[].id)`,
    );
  }
}

function requirePeerAddresses(peer: MeshPeer): void {
  if (peer.addresses.length === 0) {
    throw new ConfigurationError(
      `cluster ${peer.name} has no node addresses for the mesh: provision the cluster first (action-provision) so its nodes have addresses`,
    );
  }
  const bad = peer.addresses.find((address) => !isIpv4(address));
  if (bad !== undefined) {
    throw new ConfigurationError(
      `cluster ${peer.name}: node address "${bad}" is not an IPv4 address: pass the nodes' IPv4 addresses, e.g. 192.168.15.21`,
    );
  }
}

/** What one cluster's deployed Cilium release says about itself (from `helm get values`), for the prerequisite check. */
export interface MeshMember {
  cluster: string;
  /** The cluster's pod CIDR (twin.yaml clusters[].pods, Talos podSubnets). */
  podCidr: string;
  /** The cilium release exists and its status is deployed. */
  ciliumDeployed: boolean;
  /** The release's user values; undefined when Cilium is not installed. */
  values?: Record<string, unknown>;
}

/** A member whose Cilium release is there to be read. */
interface DeployedMember {
  cluster: string;
  values: Record<string, unknown>;
}

/**
 * Every unmet requirement of a cluster mesh (C.2, C.4), one line each naming the cluster, the field and
 * the fix; [] when the mesh can be built. Certificates are compared by fingerprint and never printed.
 */
export function meshPrerequisiteProblems(members: MeshMember[]): string[] {
  const deployed: DeployedMember[] = [];
  const problems: string[] = [];
  if (members.length < 2) {
    problems.push(
      `a cluster mesh needs at least 2 clusters, the twin has ${members.length}: declare another cluster in twin.yaml (clusters)`,
    );
  }
  for (const member of members) {
    if (member.ciliumDeployed && member.values !== undefined) {
      deployed.push({ cluster: member.cluster, values: member.values });
    } else {
      problems.push(
        `cluster ${member.cluster}: Cilium is not deployed: run action-provision first (it installs Cilium with the cluster's mesh identity)`,
      );
    }
  }
  return [
    ...problems,
    ...podCidrProblems(members),
    ...clusterNameProblems(deployed),
    ...clusterIdProblems(deployed),
    ...caProblems(deployed),
    ...maxConnectedProblems(deployed),
    ...routingModeProblems(deployed),
  ];
}

function podCidrProblems(members: MeshMember[]): string[] {
  const problems: string[] = [];
  const parsed: { cluster: string; text: string; cidr: Ipv4Cidr }[] = [];
  for (const member of members) {
    let cidr: Ipv4Cidr;
    try {
      cidr = parseCidr(member.podCidr);
    } catch {
      problems.push(
        `cluster ${member.cluster}: pod CIDR "${member.podCidr}" is not an IPv4 CIDR: write it as address/prefix in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16`,
      );
      continue;
    }
    const overlapped = parsed.find((earlier) => rangesOverlap(earlier.cidr, cidr));
    if (overlapped) {
      problems.push(
        `cluster ${member.cluster}: pod CIDR ${member.podCidr} overlaps ${overlapped.cluster}'s ${overlapped.text}: ` +
          'give each cluster its own pods range in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16 and 10.245.0.0/16',
      );
    }
    parsed.push({ cluster: member.cluster, text: member.podCidr, cidr });
  }
  return problems;
}

const REINSTALL = 'run action-provision to reinstall Cilium with the twin';

function clusterNameProblems(members: DeployedMember[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const { cluster, values } of members) {
    const name = valueAt(values, 'cluster.name');
    if (typeof name !== 'string' || name === '' || name === 'default') {
      problems.push(
        `cluster ${cluster}: cluster.name is ${name === undefined ? 'not set' : JSON.stringify(name)} in its Cilium release: ` +
          `${REINSTALL}'s cluster names (twin.yaml clusters[].name)`,
      );
      continue;
    }
    const holder = seen.get(name);
    if (holder !== undefined) {
      problems.push(
        `cluster ${cluster}: cluster.name "${name}" is also used by ${holder}: give each cluster its own name in twin.yaml (clusters[].name)`,
      );
    } else if (name !== cluster) {
      problems.push(
        `cluster ${cluster}: cluster.name is "${name}" in its Cilium release, not "${cluster}": ${REINSTALL}'s cluster names (twin.yaml clusters[].name)`,
      );
    }
    seen.set(name, holder ?? cluster);
  }
  return problems;
}

function clusterIdProblems(members: DeployedMember[]): string[] {
  const problems: string[] = [];
  const seen = new Map<number, string>();
  for (const { cluster, values } of members) {
    const id = valueAt(values, 'cluster.id');
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > CLUSTER_ID_MAX) {
      problems.push(
        `cluster ${cluster}: cluster.id ${id === undefined ? 'is not set' : `${JSON.stringify(id)} is not 1-${CLUSTER_ID_MAX}`} ` +
          `in its Cilium release: give each cluster its own id in twin.yaml (clusters[].id), then ${REINSTALL}'s ids`,
      );
      continue;
    }
    const holder = seen.get(id);
    if (holder !== undefined) {
      problems.push(
        `cluster ${cluster}: cluster.id ${id} is also used by ${holder}: give each cluster its own id in twin.yaml (clusters[].id)`,
      );
    } else {
      seen.set(id, cluster);
    }
  }
  return problems;
}

function caProblems(members: DeployedMember[]): string[] {
  const problems: string[] = [];
  const fingerprints: { cluster: string; fingerprint: string }[] = [];
  for (const { cluster, values } of members) {
    const cert = valueAt(values, 'tls.ca.cert');
    const pem = typeof cert === 'string' ? Buffer.from(cert, 'base64').toString('utf8') : '';
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(
        `cluster ${cluster}: tls.ca.cert is ${cert === undefined ? 'not set' : 'not a base64 PEM certificate'} in its Cilium release: ` +
          `${REINSTALL}'s shared CA`,
      );
      continue;
    }
    fingerprints.push({ cluster, fingerprint: createHash('sha256').update(pem).digest('hex') });
  }
  const [reference] = fingerprints;
  if (!reference) return problems;
  for (const other of fingerprints.slice(1)) {
    if (other.fingerprint === reference.fingerprint) continue;
    problems.push(
      `cluster ${other.cluster}: tls.ca.cert (sha256 ${shortFingerprint(other.fingerprint)}) differs from ` +
        `${reference.cluster}'s (sha256 ${shortFingerprint(reference.fingerprint)}): every cluster must share one CA, ${REINSTALL}'s CA`,
    );
  }
  return problems;
}

function shortFingerprint(hex: string): string {
  return hex.slice(0, FINGERPRINT_SHOWN);
}

function maxConnectedProblems(members: DeployedMember[]): string[] {
  const problems: string[] = [];
  const valid: { cluster: string; value: unknown }[] = [];
  for (const { cluster, values } of members) {
    const value = valueAt(values, 'clustermesh.maxConnectedClusters') ?? MAX_CONNECTED_CLUSTERS;
    if (typeof value !== 'number' || !ALLOWED_MAX_CONNECTED.includes(value)) {
      problems.push(
        `cluster ${cluster}: clustermesh.maxConnectedClusters ${JSON.stringify(value)} is not 255 or 511: ` +
          `${REINSTALL}'s default (${MAX_CONNECTED_CLUSTERS})`,
      );
      continue;
    }
    valid.push({ cluster, value });
  }
  return problems.concat(
    sameValueProblems(
      valid,
      'clustermesh.maxConnectedClusters',
      `it cannot change on a running cluster: ${REINSTALL}'s default (${MAX_CONNECTED_CLUSTERS})`,
    ),
  );
}

function routingModeProblems(members: DeployedMember[]): string[] {
  const modes = members.map(({ cluster, values }) => ({
    cluster,
    value: valueAt(values, 'routingMode') ?? DEFAULT_ROUTING_MODE,
  }));
  return sameValueProblems(
    modes,
    'routingMode',
    `all clusters need the same datapath mode: ${REINSTALL}'s values (default ${DEFAULT_ROUTING_MODE})`,
  );
}

/** One line for each cluster whose value differs from the first cluster's. */
function sameValueProblems(
  entries: { cluster: string; value: unknown }[],
  field: string,
  fix: string,
): string[] {
  const [reference] = entries;
  if (!reference) return [];
  return entries
    .slice(1)
    .filter((entry) => entry.value !== reference.value)
    .map(
      (entry) =>
        `cluster ${entry.cluster}: ${field} is ${JSON.stringify(entry.value)} but ${reference.cluster} has ` +
        `${JSON.stringify(reference.value)}: ${fix}`,
    );
}

/** The value at a dotted path of helm values, or undefined when any step is missing. */
function valueAt(values: Record<string, unknown>, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * A twin's Cilium values: the cluster's own (cilium-values.ts) and, when the twin has two or more clusters,
 * the mesh values from the first install on. Every peer and address is known from the plan before a VM
 * boots, so action-mesh finds the release as it wants it and nothing restarts to join the mesh.
 */
export function twinCiliumValues(own: Record<string, unknown>, peers: MeshPeer[]): Record<string, unknown> {
  if (peers.length < 2) return own;
  return mergeValues(own, clustermeshValues(peers) as unknown as Record<string, unknown>);
}
