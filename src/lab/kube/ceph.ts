import { createHash } from 'node:crypto';
import type { Doc } from '../talos/yaml-docs.js';
import { get, getString, isMap } from '../talos/yaml-docs.js';
import type { CephDiskClaim, KubeClusters, KubeNode } from './clusters.js';
import { byKind } from './kinds.js';
import type { StoredObject } from './objects.js';
import { nameOf, namespaceOf } from './objects.js';
import { CEPH_IMAGE } from './rook-charts.js';
import { podsOf, schedulableNodes } from './workloads.js';

/**
 * What the Rook operator and Ceph make of a CephCluster (CONTRACTS D), computed from the objects, the
 * nodes, their disks and the time: nothing before the operator runs; then version detection, mons one
 * after another, mgrs, an OSD prepare per storage node and the OSDs; then Ceph's health checks. Every
 * refusal carries Rook's or Ceph's own text.
 */

const CEPH_VERSION = 'ceph version 19.2.3 (c92aebb279828e9c3c1f5d24613efca272649e62) squid (stable)';
/** Rook waits canaryRetries (30) x canaryRetryDelaySeconds (5) for a mon's canary pod to be scheduled. */
const MON_CANARY_WAIT_SECONDS = 150;
/** Rook's mon.MaxMonCount default and DefaultMonCount. */
const DEFAULT_MON_COUNT = 3;
/** ceph-volume rejects disks under 5 GB. */
const MIN_OSD_BYTES = 5 * 1024 ** 3;
/** Rook creates its pools with cephclient.DefaultPGCount PGs; the mgr's .mgr pool has one. */
const POOL_PGS = 8;
/** An object store's metadata pools beside its data pool (.rgw.root, control, meta, log, index, non-ec, otp). */
const OBJECT_STORE_METADATA_POOLS = 7;
/** Rook's daemons carry no tolerations by default: they schedule where an untolerating pod would. */
const CEPH_POD_SPEC: Doc = { containers: [{ name: 'ceph', image: CEPH_IMAGE }] };

export interface CephDaemon {
  name: string;
  node?: string;
  /** When it joined (mons: quorum); undefined while its pod cannot be placed. */
  upAt?: number;
}

export interface CephOsd {
  id: number;
  uuid: string;
  node: string;
  device: string;
  sizeBytes: number;
  upAt: number;
  /** Where the disk is recorded: `<VM smbios uuid>/<volume id>`. */
  diskKey: string;
}

export interface CephView {
  fsid: string;
  /** The operator's first reconcile of this CephCluster. */
  startedAt: number;
  /** Progressing steps: [from, message], in order. */
  steps: [number, string][];
  /** "Cluster created successfully": the OSD prepare jobs finished. */
  readyAt?: number;
  /** The reconcile failed: from then on Rook reports this (phase Progressing, state Error). */
  error?: { at: number; message: string };
  mons: CephDaemon[];
  mgrs: CephDaemon[];
  osds: CephOsd[];
  /** The OSD prepare job's log per storage node (what `kubectl logs job/rook-ceph-osd-prepare-<node>` shows). */
  prepareLogs: Record<string, string[]>;
}

/** The CephCluster's fsid: a CephCluster deleted and created again is a new Ceph cluster. */
export function fsidOf(stored: StoredObject): string {
  const hex = createHash('sha256').update(`ceph-fsid/${stored.uid}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** When the rook-ceph-operator Deployment's pod started, if it runs and is ready. */
function operatorStartedAt(kube: KubeClusters, clusterId: string, now: number): number | undefined {
  const started = podsOf(kube, clusterId, now)
    .filter((pod) => pod.owner.kind === 'Deployment' && pod.owner.name === 'rook-ceph-operator' && pod.ready)
    .map((pod) => pod.startedAt ?? now);
  return started.length > 0 ? Math.min(...started) : undefined;
}

function flag(doc: unknown, path: string): boolean {
  return get(doc, path) === true;
}

function count(doc: unknown, path: string, fallback: number): number {
  const value = Number(get(doc, path) ?? 0);
  return value > 0 ? value : fallback;
}

/** The operator's view of one CephCluster now, or undefined before the operator has reconciled it. */
export function cephView(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): CephView | undefined {
  const operator = operatorStartedAt(kube, clusterId, now);
  if (operator === undefined) return undefined;
  const startedAt = Math.max(
    stored.createdAt,
    operator + kube.talos.ms(kube.talos.seconds.rookOperatorStart),
  );
  if (now < startedAt) return undefined;
  const spec = isMap(stored.object.spec) ? stored.object.spec : {};
  const view: CephView = {
    fsid: fsidOf(stored),
    startedAt,
    steps: [[startedAt, 'Detecting Ceph version']],
    mons: [],
    mgrs: [],
    osds: [],
    prepareLogs: {},
  };
  const nodes = kube.nodes(clusterId, now);
  const refused = specRefusal(spec, nodes.length);
  if (refused) return { ...view, error: { at: startedAt, message: refused } };
  orchestrate(kube, view, spec, nodes, schedulableNodes(kube, clusterId, CEPH_POD_SPEC, now));
  if (view.readyAt !== undefined && now >= view.readyAt) recordOsdDisks(kube, view);
  return view;
}

/** What stops Rook before it creates anything: the image check and preClusterStartValidation. */
function specRefusal(spec: Doc, nodeCount: number): string | undefined {
  const image = getString(spec, 'cephVersion.image');
  if (image !== CEPH_IMAGE)
    return `failed the ceph version check: the lab runs only the image ${CEPH_IMAGE}, not ${String(image)}`;
  const monCount = count(spec, 'mon.count', DEFAULT_MON_COUNT);
  if (!flag(spec, 'mon.allowMultiplePerNode') && nodeCount < monCount)
    return `failed to perform validation before cluster creation: cannot start ${monCount} mons on ${nodeCount} node(s) when allowMultiplePerNode is false`;
  return undefined;
}

/** Rook's reconcile: version detection, the mons one after another, the mgrs, then an OSD prepare per node. */
function orchestrate(
  kube: KubeClusters,
  view: CephView,
  spec: Doc,
  nodes: KubeNode[],
  fitting: KubeNode[],
): void {
  const ms = (seconds: number) => kube.talos.ms(seconds);
  const s = kube.talos.seconds;
  const placeable = fitting.map((node) => node.name).sort();
  const monsAt = view.startedAt + ms(s.imagePull + s.podStart); // the rook-ceph-detect-version job
  view.steps.push([monsAt, 'Configuring Ceph Mons']);
  const monCount = count(spec, 'mon.count', DEFAULT_MON_COUNT);
  const monsShareNodes = flag(spec, 'mon.allowMultiplePerNode');
  const monsFit = monsShareNodes ? placeable.length > 0 : placeable.length >= monCount;
  view.mons = daemons('mon', monCount, monsShareNodes, placeable, (i) =>
    monsFit ? monsAt + (i + 1) * ms(s.cephMonStart) : undefined,
  );
  if (!monsFit) {
    // All canaries must be scheduled before any mon starts; Rook gives up after the canary wait.
    view.error = {
      at: monsAt + ms(MON_CANARY_WAIT_SECONDS),
      message:
        'failed to create cluster: failed to start ceph monitors: failed to assign pods to mons: failed to schedule mons',
    };
    return;
  }
  const mgrsAt = monsAt + monCount * ms(s.cephMonStart);
  view.steps.push([mgrsAt, 'Configuring Ceph Mgr(s)']);
  const mgrUpAt = mgrsAt + ms(s.cephMgrStart);
  const mgrsShareNodes = flag(spec, 'mgr.allowMultiplePerNode');
  view.mgrs = daemons('mgr', count(spec, 'mgr.count', 1), mgrsShareNodes, placeable, () => mgrUpAt);
  view.steps.push([mgrUpAt, 'Configuring Ceph OSDs']);
  view.readyAt = mgrUpAt + ms(s.cephOsdPrepare);
  planOsds(kube, view, spec, nodes, placeable, mgrUpAt, view.readyAt + ms(s.cephOsdStart));
}

/** Daemons a, b, c, ... each on its own node unless they may share one; the rest wait unplaced. */
function daemons(
  kind: string,
  wanted: number,
  shareNodes: boolean,
  placeable: string[],
  upAt: (index: number) => number | undefined,
): CephDaemon[] {
  return Array.from({ length: wanted }, (_, i) => {
    const node = shareNodes ? placeable[i % Math.max(placeable.length, 1)] : placeable[i];
    const name = `${kind}.${String.fromCharCode(97 + i)}`;
    const at = node === undefined ? undefined : upAt(i);
    return { name, ...(node === undefined ? {} : { node }), ...(at === undefined ? {} : { upAt: at }) };
  });
}

interface NodeDisk {
  name: string;
  sizeBytes: number;
  readOnly: boolean;
  /** `<VM smbios uuid>/<volume id>`; undefined for the cloud-init CD-ROM. */
  key?: string;
}

/** The node's disks as Rook's discovery lists them, each with the PVE volume behind it. */
function nodeDisks(kube: KubeClusters, node: KubeNode): NodeDisk[] {
  const vm = node.talos.vm;
  const machine = /(?:^|,)uuid=([^,]+)/.exec(vm.config.smbios1 ?? '')?.[1] ?? String(vm.vmid);
  const volumes = Object.keys(vm.config)
    .filter((key) => /^scsi\d+$/.test(key))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
    .map((key) => (vm.config[key] ?? '').split(',')[0]?.replace(/^file=/, '') ?? '');
  return kube.talos.disks(vm).map((disk, index) => ({
    name: disk.id,
    sizeBytes: disk.sizeBytes,
    readOnly: disk.readOnly,
    ...(disk.readOnly ? {} : { key: `${machine}/${volumes[index] ?? disk.id}` }),
  }));
}

/** The storage nodes: every placeable node with useAllNodes, else the named ones that exist and are placeable. */
function storageNodes(spec: Doc, placeable: string[]): { name: string; settings: Doc }[] {
  if (flag(spec, 'storage.useAllNodes')) return placeable.map((name) => ({ name, settings: {} }));
  const named = get(spec, 'storage.nodes');
  return (Array.isArray(named) ? named.filter(isMap) : [])
    .filter((entry) => placeable.includes(String(entry.name)))
    .map((entry) => ({ name: String(entry.name), settings: entry }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Which devices a node's OSDs may take: node settings override the cluster's (ceph-cluster-crd.md). */
function deviceSelector(spec: Doc, settings: Doc): (device: string) => string | undefined {
  const pick = (key: string) => settings[key] ?? get(spec, `storage.${key}`);
  if (pick('useAllDevices') === true) return () => 'all';
  const filter = pick('deviceFilter');
  if (typeof filter === 'string' && filter !== '') {
    const pattern = new RegExp(filter);
    return (device) => (pattern.test(device) ? `matches device filter "${filter}"` : undefined);
  }
  const devices = pick('devices');
  const names = (Array.isArray(devices) ? devices.filter(isMap) : []).map((device) => String(device.name));
  return (device) =>
    names.some((name) => name === device || name === `/dev/${device}`)
      ? 'found in the desired devices'
      : undefined;
}

/** The prepare job of every storage node: which disks become OSDs and why the others are skipped. */
function planOsds(
  kube: KubeClusters,
  view: CephView,
  spec: Doc,
  nodes: KubeNode[],
  placeable: string[],
  preparingAt: number,
  upAt: number,
): void {
  const stamp = new Date(preparingAt).toISOString().replace('T', ' ').replace('Z', '');
  const taken: { node: string; disk: NodeDisk; claim?: CephDiskClaim }[] = [];
  for (const { name, settings } of storageNodes(spec, placeable)) {
    const node = nodes.find((candidate) => candidate.name === name);
    if (!node) continue;
    const { log, disks } = prepareNode(kube, view.fsid, spec, node, settings, stamp);
    view.prepareLogs[name] = log;
    taken.push(...disks.map((entry) => ({ node: name, ...entry })));
  }
  // OSDs this cluster made keep their ids; new ones are numbered after them.
  let nextId = Math.max(0, ...taken.map((entry) => (entry.claim ? entry.claim.osdId + 1 : 0)));
  for (const { node, disk, claim } of taken) {
    const id = claim?.osdId ?? nextId++;
    view.osds.push(osd(id, claim?.osdUuid ?? uuidFrom(`${view.fsid}/${disk.key}`), node, disk, upAt));
  }
  view.osds.sort((a, b) => a.id - b.id);
}

/** One node's prepare run: ceph-volume's and Rook's verdict on each disk, in Rook's log lines. */
function prepareNode(
  kube: KubeClusters,
  fsid: string,
  spec: Doc,
  node: KubeNode,
  settings: Doc,
  stamp: string,
): { log: string[]; disks: { disk: NodeDisk; claim?: CephDiskClaim }[] } {
  // Discovery (lsblk) runs before the OSD checks, so its warnings come first.
  const discovery: string[] = [];
  const log: string[] = [];
  const info = (text: string) => log.push(`${stamp} I | cephosd: ${text}`);
  const installDisk = getString(node.talos.config, 'machine.install.disk') ?? '/dev/sda';
  const selected = deviceSelector(spec, settings);
  const disks: { disk: NodeDisk; claim?: CephDiskClaim }[] = [];
  for (const disk of nodeDisks(kube, node)) {
    if (!disk.key) {
      discovery.push(`${stamp} W | inventory: skipping device "${disk.name}". unsupported diskType rom`);
      continue;
    }
    const claim = kube.cephDisk(disk.key);
    if (claim && claim.fsid !== fsid) {
      info(`skipping device "${disk.name}", detected an existing OSD. UUID=${claim.osdUuid}`);
      info(
        `skipping osd.${claim.osdId}: "${claim.osdUuid}" belonging to a different ceph cluster "${claim.fsid}"`,
      );
      continue;
    }
    const rejected = [
      ...(`/dev/${disk.name}` === installDisk ? ['Has GPT headers', 'Has partitions'] : []),
      ...(disk.sizeBytes < MIN_OSD_BYTES ? ['Insufficient space (<5GB)'] : []),
    ];
    if (rejected.length > 0) {
      info(`skipping device "${disk.name}": ${JSON.stringify(rejected).replaceAll('","', '", "')}.`);
      continue;
    }
    info(`device "${disk.name}" is available.`);
    const reason = selected(disk.name);
    if (reason === undefined) {
      info(`skipping device "${disk.name}" that does not match the device filter/list`);
      continue;
    }
    if (reason !== 'all') info(`device "${disk.name}" ${reason}`);
    disks.push({ disk, ...(claim ? { claim } : {}) });
  }
  if (disks.length === 0) {
    log.push(
      `${stamp} W | cephosd: skipping OSD configuration as no devices matched the storage settings for this node "${node.name}"`,
    );
  }
  return { log: [...discovery, ...log], disks };
}

function osd(id: number, uuid: string, node: string, disk: NodeDisk, upAt: number): CephOsd {
  return { id, uuid, node, device: disk.name, sizeBytes: disk.sizeBytes, upAt, diskKey: disk.key ?? '' };
}

function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Once prepared, an OSD's bluestore label stays on its disk: a later Ceph cluster finds it taken. */
function recordOsdDisks(kube: KubeClusters, view: CephView): void {
  for (const osd of view.osds) {
    if (!kube.cephDisk(osd.diskKey))
      kube.claimCephDisk(osd.diskKey, { fsid: view.fsid, osdId: osd.id, osdUuid: osd.uuid });
  }
}

interface CephPool {
  name: string;
  size: number;
  minSize: number;
  failureDomain: string;
  pgs: number;
}

/** A pool spec's replica count and min_size: replicated size (min size - size/2), or EC k+m (min k+1). */
function poolFrom(name: string, poolSpec: unknown, pgs = POOL_PGS): CephPool | undefined {
  const failureDomain = getString(poolSpec, 'failureDomain') ?? 'host';
  const size = Number(get(poolSpec, 'replicated.size') ?? 0);
  if (size > 0) return { name, size, minSize: size - Math.floor(size / 2), failureDomain, pgs };
  const k = Number(get(poolSpec, 'erasureCoded.dataChunks') ?? 0);
  const m = Number(get(poolSpec, 'erasureCoded.codingChunks') ?? 0);
  return k > 0 ? { name, size: k + m, minSize: k + 1, failureDomain, pgs } : undefined;
}

/**
 * Rook's pool validation: the event message of a refused CephBlockPool, or undefined when Rook creates it.
 * A single replica must be asked for explicitly (requireSafeReplicaSize: false).
 */
export function blockPoolRefusal(pool: StoredObject): string | undefined {
  const spec = pool.object.spec;
  const name = nameOf(pool);
  if (
    Number(get(spec, 'replicated.size')) === 1 &&
    get(spec, 'replicated.requireSafeReplicaSize') !== false
  ) {
    return `failed to reconcile CephBlockPool "${namespaceOf(pool) ?? ''}/${name}". invalid pool CR "${name}" spec: error pool size is 1 and requireSafeReplicaSize is true, must be false`;
  }
  return undefined;
}

/** The pools Ceph holds for the CephCluster's namespace: .mgr, the valid block pools, filesystems, object stores. */
function poolsOf(kube: KubeClusters, clusterId: string, namespace: string, defaultSize: number): CephPool[] {
  const store = kube.objects(clusterId);
  const listed = (kind: string) => store.list(byKind(kind), namespace);
  const blockPools = listed('CephBlockPool')
    .filter((pool) => blockPoolRefusal(pool) === undefined)
    .map((pool) => poolFrom(nameOf(pool), pool.object.spec));
  const filesystems = listed('CephFilesystem').flatMap((fs) => {
    const data = get(fs.object, 'spec.dataPools');
    return [
      poolFrom(`${nameOf(fs)}-metadata`, get(fs.object, 'spec.metadataPool')),
      ...(Array.isArray(data) ? data : []).map((pool, i) =>
        poolFrom(`${nameOf(fs)}-${String(get(pool, 'name') ?? `data${i}`)}`, pool),
      ),
    ];
  });
  const objectStores = listed('CephObjectStore').flatMap((objectStore) => [
    ...Array.from({ length: OBJECT_STORE_METADATA_POOLS }, (_, i) =>
      poolFrom(`${nameOf(objectStore)}.meta${i}`, get(objectStore.object, 'spec.metadataPool')),
    ),
    poolFrom(`${nameOf(objectStore)}.rgw.buckets.data`, get(objectStore.object, 'spec.dataPool')),
  ]);
  const mgrPool = poolFrom('.mgr', { failureDomain: 'host', replicated: { size: defaultSize } }, 1);
  return [mgrPool, ...blockPools, ...filesystems, ...objectStores].filter((pool) => pool !== undefined);
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Ceph's health checks now: { CODE: message }. */
function healthChecks(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  view: CephView,
  now: number,
) {
  const cephConfig = (key: string) => get(stored.object, `spec.cephConfig.global.${key}`);
  const defaultSize = Number(cephConfig('osd_pool_default_size') ?? 3);
  const upOsds = view.osds.filter((osd) => osd.upAt <= now);
  const hosts = new Set(upOsds.map((osd) => osd.node)).size;
  const pools = view.mgrs.some((mgr) => mgr.upAt !== undefined && mgr.upAt <= now)
    ? poolsOf(kube, clusterId, namespaceOf(stored) ?? '', defaultSize)
    : [];
  const settledAt =
    Math.max(...view.osds.map((osd) => osd.upAt)) + kube.talos.ms(kube.talos.seconds.cephPgSettle);
  const settled = upOsds.length > 0 && upOsds.length === view.osds.length && now >= settledAt;
  const units = (pool: CephPool) => (pool.failureDomain === 'osd' ? upOsds.length : hosts);
  const pgs = (filter: (pool: CephPool) => boolean) =>
    pools.filter(filter).reduce((sum, pool) => sum + pool.pgs, 0);
  const inactive = settled ? pgs((pool) => units(pool) < pool.minSize) : pgs(() => true);
  const undersized = settled ? pgs((pool) => units(pool) < pool.size) : 0;
  const unreplicated = pools.filter((pool) => pool.size === 1).length;
  const checks: Record<string, string> = {};
  if (upOsds.length < defaultSize)
    checks.TOO_FEW_OSDS = `OSD count ${upOsds.length} < osd_pool_default_size ${defaultSize}`;
  if (inactive > 0)
    checks.PG_AVAILABILITY = `Reduced data availability: ${plural(inactive, 'pg', 'pgs')} inactive`;
  if (undersized > 0)
    checks.PG_DEGRADED = `Degraded data redundancy: ${plural(undersized, 'pg', 'pgs')} undersized`;
  if (unreplicated > 0 && String(cephConfig('mon_warn_on_pool_no_redundancy') ?? 'true') !== 'false')
    checks.POOL_NO_REDUNDANCY = `${unreplicated} pool(s) have no replicas configured`;
  return checks;
}

/** RFC 3339 in seconds, as metav1.Time serialises. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  since: number,
  now: number,
) {
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime: rfc3339(since),
  };
}

/** Daemons up now, by version, as `ceph versions` reports them (Rook leaves empty maps out). */
function versions(view: CephView, now: number): Doc {
  const up = (list: { upAt?: number }[]) =>
    list.filter((daemon) => daemon.upAt !== undefined && daemon.upAt <= now).length;
  const counts = { mon: up(view.mons), mgr: up(view.mgrs), osd: up(view.osds) };
  const total = counts.mon + counts.mgr + counts.osd;
  return Object.fromEntries(
    [...Object.entries(counts), ['overall', total] as const]
      .filter(([, n]) => n > 0)
      .map(([daemon, n]) => [daemon, { [CEPH_VERSION]: n }]),
  );
}

/** The CephCluster `status` Rook writes: phase, state, message, conditions and (once created) ceph health. */
export function cephClusterStatus(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): Doc {
  const view = cephView(kube, clusterId, stored, now);
  if (!view) return {};
  if (view.error && now >= view.error.at) {
    return {
      phase: 'Progressing',
      state: 'Error',
      message: view.error.message,
      conditions: [
        condition('Progressing', 'False', 'ClusterProgressing', view.error.message, view.error.at, now),
      ],
    };
  }
  if (view.readyAt === undefined || now < view.readyAt) {
    const [since, message] = view.steps.filter(([at]) => at <= now).pop() ?? view.steps[0] ?? [now, ''];
    return {
      phase: 'Progressing',
      state: 'Creating',
      message,
      conditions: [condition('Progressing', 'True', 'ClusterProgressing', message, since, now)],
    };
  }
  const checks = healthChecks(kube, clusterId, stored, view, now);
  const details = Object.fromEntries(
    Object.entries(checks).map(([code, message]) => [code, { message, severity: 'HEALTH_WARN' }]),
  );
  const message = 'Cluster created successfully';
  return {
    phase: 'Ready',
    state: 'Created',
    message,
    conditions: [condition('Ready', 'True', 'ClusterCreated', message, view.readyAt, now)],
    ceph: {
      health: Object.keys(checks).length === 0 ? 'HEALTH_OK' : 'HEALTH_WARN',
      ...(Object.keys(details).length > 0 ? { details } : {}),
      fsid: view.fsid,
      lastChecked: rfc3339(now),
      versions: versions(view, now),
    },
    version: { image: CEPH_IMAGE, version: '19.2.3-0' },
    observedGeneration: stored.generation,
  };
}

/** The CephBlockPool `status`: nothing until its CephCluster is created, then Ready, or Failure when refused. */
export function cephBlockPoolStatus(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): Doc {
  const cluster = kube.objects(clusterId).list(byKind('CephCluster'), namespaceOf(stored))[0];
  const view = cluster && cephView(kube, clusterId, cluster, now);
  if (!view || view.readyAt === undefined || now < view.readyAt || (view.error && now >= view.error.at))
    return {};
  if (blockPoolRefusal(stored)) return { phase: 'Failure' };
  const spec = stored.object.spec;
  return {
    phase: 'Ready',
    info: {
      failureDomain: getString(spec, 'failureDomain') ?? 'host',
      type: get(spec, 'erasureCoded') === undefined ? 'Replicated' : 'ErasureCoded',
    },
    observedGeneration: stored.generation,
  };
}
