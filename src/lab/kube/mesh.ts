import { createHash } from 'node:crypto';
import { parseCidr, rangesOverlap } from '../../util/ipv4.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, getString, isMap } from '../talos/yaml-docs.js';
import type { KubeClusters } from './clusters.js';
import { byKind } from './kinds.js';
import { objectStatus } from './status.js';

/**
 * Cilium Cluster Mesh as the agents of one cluster see it (CONTRACTS C.2-C.4). Each cluster's
 * clustermesh-apiserver (kvstoremesh) connects to every peer its `clustermesh.config` lists; a peer counts
 * only when every real requirement holds: the address answers on the NodePort, TLS verifies against the
 * one shared CA with the expected server name, the peer is the cluster the entry names, ids are distinct,
 * maxConnectedClusters and the datapath mode agree, and pod CIDRs do not overlap (else the ipcache entries
 * clash and no remote endpoint is installed).
 */

export interface RemoteView {
  name: string;
  connected: boolean;
  ready: boolean;
  /** When connected: the peer's lab cluster id. */
  clusterId?: string;
  /** Connected and synced since (lab ms); remote endpoints are seen from then on. */
  readyAt?: number;
  /** Cilium's status text: "ready" or the last failure. */
  status: string;
  /** Which of the remote's resources the agents have listed; ready needs all of them. */
  synced: SyncedFlags;
  numNodes: number;
  numSharedServices: number;
  numFailures: number;
  lastFailure?: number;
}

export interface SyncedFlags {
  nodes: boolean;
  services: boolean;
  endpoints: boolean;
  identities: boolean;
}

/**
 * Each watcher finishes its initial list on its own; the lab spreads them over the sync time in this order,
 * so a remote passes through states where some flags are true and others are not (I.4).
 */
const SYNC_ORDER: readonly (keyof SyncedFlags)[] = ['nodes', 'services', 'identities', 'endpoints'];

const NOTHING_SYNCED: SyncedFlags = { nodes: false, services: false, endpoints: false, identities: false };

interface MeshEntry {
  name: string;
  port: number;
  /** Dialled as <name>.<domain> through hostAliases. */
  ips: string[];
  address?: string;
}

const APISERVER_PORT = 2379;
const DEFAULT_DOMAIN = 'mesh.cilium.io';
const SERVER_SANS = ['clustermesh-apiserver.kube-system.svc', '127.0.0.1', '::1'];

export function meshView(kube: KubeClusters, clusterId: string, now = kube.talos.now()): RemoteView[] {
  const local = kube.ciliumValues(clusterId);
  if (!local || get(local.values, 'clustermesh.config.enabled') !== true) return [];
  const ownName = String(get(local.values, 'cluster.name') ?? 'default');
  const localReadyAt = apiserverReadyAt(kube, clusterId, now);
  return entries(local.values)
    .filter((entry) => entry.name !== ownName) // "Ignoring configuration for own cluster"
    .map((entry) => remoteView(kube, clusterId, local.values, localReadyAt, entry, now));
}

function remoteView(
  kube: KubeClusters,
  clusterId: string,
  localValues: Doc,
  localReadyAt: number | undefined,
  entry: MeshEntry,
  now: number,
): RemoteView {
  const failed = (status: string): RemoteView => ({
    name: entry.name,
    connected: false,
    ready: false,
    status,
    synced: NOTHING_SYNCED,
    numNodes: 0,
    numSharedServices: 0,
    numFailures: 1,
    lastFailure: now,
  });
  if (localReadyAt === undefined)
    return failed('waiting for the local clustermesh-apiserver (kvstoremesh) to start');
  const domain = String(get(localValues, 'clustermesh.config.domain') ?? DEFAULT_DOMAIN);
  const host = entry.address ?? `${entry.name}.${domain}`;
  const dialled = entry.address !== undefined ? [entry.address] : entry.ips;
  if (dialled.length === 0) return failed(`no address for cluster ${entry.name}: set ips or address`);
  const peer = peerAt(kube, dialled, entry.port, now);
  if (peer.kind !== 'found') {
    const why = peer.kind === 'refused' ? 'connect: connection refused' : 'connect: no route to host';
    return failed(`dial tcp ${dialled[0]}:${entry.port}: ${why}`);
  }
  const remote = kube.ciliumValues(peer.clusterId)!;
  const problem =
    tlsProblem(localValues, remote.values, host) ??
    identityProblem(kube, clusterId, localValues, peer.clusterId, remote.values, entry);
  if (problem) return failed(problem);
  const connectedAt = Math.max(localReadyAt, peer.readyAt) + kube.talos.ms(kube.talos.seconds.meshConnect);
  if (now < connectedAt) return { ...failed('connecting'), numFailures: 0 };
  const syncMs = kube.talos.ms(kube.talos.seconds.meshSync);
  const readyAt = connectedAt + syncMs;
  const ready = now >= readyAt;
  const syncedAt = (index: number) => connectedAt + (syncMs * (index + 1)) / SYNC_ORDER.length;
  const synced = Object.fromEntries(
    SYNC_ORDER.map((flag, index) => [flag, now >= syncedAt(index)]),
  ) as unknown as SyncedFlags;
  return {
    name: entry.name,
    connected: true,
    ready,
    clusterId: peer.clusterId,
    readyAt,
    status: ready ? 'ready' : 'synchronizing',
    synced,
    numNodes: kube.nodes(peer.clusterId, now).length,
    numSharedServices: sharedGlobalServices(kube, peer.clusterId),
    numFailures: 0,
  };
}

/** The `clustermesh.config.clusters` entries, in dict (recommended) or list form. */
function entries(values: Doc): MeshEntry[] {
  const clusters = get(values, 'clustermesh.config.clusters');
  const list: Doc[] = Array.isArray(clusters)
    ? clusters.filter(isMap)
    : isMap(clusters)
      ? Object.entries(clusters).map(([key, value]) => ({ ...(isMap(value) ? value : {}), name: key }))
      : [];
  return list
    .filter((entry) => entry.enabled !== false)
    .map((entry) => ({
      name: String(entry.name ?? ''),
      port: Number(entry.port ?? APISERVER_PORT),
      ips: Array.isArray(entry.ips) ? entry.ips.map(String) : [],
      ...(typeof entry.address === 'string' ? { address: entry.address } : {}),
    }));
}

/** When the cluster's clustermesh-apiserver Deployment became ready, if it is. */
function apiserverReadyAt(kube: KubeClusters, clusterId: string, now: number): number | undefined {
  const values = kube.ciliumValues(clusterId)?.values;
  if (get(values, 'clustermesh.useAPIServer') !== true) return undefined;
  const info = byKind('Deployment');
  const stored = kube.objects(clusterId).get(info, 'kube-system', 'clustermesh-apiserver');
  if (!stored) return undefined;
  const status = objectStatus(kube, clusterId, info, stored, now);
  if (Number(get(status, 'readyReplicas') ?? 0) < 1) return undefined;
  // A rolling update keeps the old pod serving, so the apiserver has answered since its first start.
  const started = stored.createdAt + kube.talos.ms(kube.talos.seconds.clustermeshApiserverStart);
  return now >= started ? started : undefined;
}

type PeerAnswer = { kind: 'found'; clusterId: string; readyAt: number } | { kind: 'refused' | 'unreachable' };

/** Who answers on ip:port: a node of a cluster whose clustermesh-apiserver Service has that NodePort. */
function peerAt(kube: KubeClusters, ips: string[], port: number, now: number): PeerAnswer {
  let answer: PeerAnswer = { kind: 'unreachable' };
  for (const ip of ips) {
    const node = kube.talos
      .all(now)
      .find((candidate) => candidate.phase === 'running' && candidate.addresses.includes(ip));
    if (!node?.clusterId) continue;
    answer = { kind: 'refused' };
    const service = kube
      .objects(node.clusterId)
      .get(byKind('Service'), 'kube-system', 'clustermesh-apiserver');
    const nodePorts = (
      isMap(service?.object.spec) && Array.isArray(service.object.spec.ports) ? service.object.spec.ports : []
    )
      .filter(isMap)
      .map((entry) => Number(entry.nodePort));
    if (!nodePorts.includes(port)) continue;
    const readyAt = apiserverReadyAt(kube, node.clusterId, now);
    if (readyAt === undefined) continue;
    return { kind: 'found', clusterId: node.clusterId, readyAt };
  }
  return answer;
}

/** The CA a cluster's certificates chain to: tls.ca from the values, else one the chart generated for it alone. */
function caFingerprint(values: Doc, clusterName: string): string {
  const cert = getString(values, 'tls.ca.cert');
  if (!cert) return `generated-for-${clusterName}`;
  return createHash('sha256').update(Buffer.from(cert, 'base64')).digest('hex');
}

function tlsProblem(localValues: Doc, remoteValues: Doc, host: string): string | undefined {
  const localName = String(get(localValues, 'cluster.name'));
  const remoteName = String(get(remoteValues, 'cluster.name'));
  if (caFingerprint(localValues, localName) !== caFingerprint(remoteValues, remoteName)) {
    return `tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "Cilium CA")`;
  }
  const sans = [
    `*.${DEFAULT_DOMAIN}`,
    ...SERVER_SANS,
    ...stringList(get(remoteValues, 'clustermesh.apiserver.tls.server.extraDnsNames')),
    ...stringList(get(remoteValues, 'clustermesh.apiserver.tls.server.extraIpAddresses')),
  ];
  if (!sans.some((san) => sanMatches(san, host))) {
    return `tls: failed to verify certificate: x509: certificate is valid for ${sans.join(', ')}, not ${host}`;
  }
  return undefined;
}

function sanMatches(san: string, host: string): boolean {
  if (san.startsWith('*.'))
    return host.endsWith(san.slice(1)) && !host.slice(0, -san.length + 1).includes('.');
  return san === host;
}

function identityProblem(
  kube: KubeClusters,
  clusterId: string,
  localValues: Doc,
  remoteId: string,
  remoteValues: Doc,
  entry: MeshEntry,
): string | undefined {
  const remoteName = String(get(remoteValues, 'cluster.name'));
  if (remoteName !== entry.name) {
    return `remote cluster configuration required but not found: cluster-config/${entry.name} is absent (the cluster at this address is ${remoteName})`;
  }
  const localId = Number(get(localValues, 'cluster.id') ?? 0);
  const remoteClusterId = Number(get(remoteValues, 'cluster.id') ?? 0);
  if (remoteClusterId === 0) return `remote cluster ${remoteName} has cluster ID 0: a mesh needs ids 1-255`;
  if (remoteClusterId === localId)
    return `remote cluster ${remoteName} has the same cluster ID ${localId} as the local cluster`;
  const localMax = Number(get(localValues, 'clustermesh.maxConnectedClusters') ?? 255);
  const remoteMax = Number(get(remoteValues, 'clustermesh.maxConnectedClusters') ?? 255);
  if (localMax !== remoteMax)
    return `mismatched MaxConnectedClusters; local=${localMax}, remote=${remoteMax}`;
  const mode = (values: Doc) => String(get(values, 'routingMode') ?? 'tunnel');
  if (mode(localValues) !== mode(remoteValues)) {
    return `datapath mode mismatch: local routingMode=${mode(localValues)}, remote=${mode(remoteValues)}; all clusters must use the same`;
  }
  const overlap = podCidrOverlap(kube, clusterId, remoteId);
  if (overlap) {
    return `remote cluster ${remoteName} pod CIDR ${overlap.remote} overlaps the local ${overlap.local}: conflicting ipcache entries, remote endpoints not installed`;
  }
  return undefined;
}

function podCidrs(kube: KubeClusters, clusterId: string): string[] {
  const member = kube.talos.all().find((node) => node.clusterId === clusterId && node.config);
  return stringList(get(member?.config, 'cluster.network.podSubnets'));
}

function podCidrOverlap(
  kube: KubeClusters,
  a: string,
  b: string,
): { local: string; remote: string } | undefined {
  for (const local of podCidrs(kube, a)) {
    for (const remote of podCidrs(kube, b)) {
      if (rangesOverlap(parseCidr(local), parseCidr(remote))) return { local, remote };
    }
  }
  return undefined;
}

function sharedGlobalServices(kube: KubeClusters, clusterId: string): number {
  return kube
    .objects(clusterId)
    .list(byKind('Service'))
    .filter((stored) => {
      const annotations = (stored.object.metadata as Doc).annotations;
      return (
        isMap(annotations) &&
        annotations['service.cilium.io/global'] === 'true' &&
        annotations['service.cilium.io/shared'] !== 'false'
      );
    }).length;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
