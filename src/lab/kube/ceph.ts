import type { Doc } from '../talos/yaml-docs.js';
import { get, getString } from '../talos/yaml-docs.js';
import type { CephPlan, CephOsd } from './ceph-plan.js';
import { cephPlan, MON_CANARY_WAIT_SECONDS } from './ceph-plan.js';
import { daemonName, letter, monsPlaced, plannedClusters, rookOperatorStartedAt } from './ceph-pods.js';
import type { KubeClusters } from './clusters.js';
import { byKind } from './kinds.js';
import type { StoredObject } from './objects.js';
import { nameOf, namespaceOf } from './objects.js';
import type { PodPlan } from './pod-plans.js';
import { CEPH_IMAGE } from './rook-charts.js';
import type { Sweep } from './sweep.js';
import { clusterSweep, sweepPods } from './sweep.js';

export type { CephOsd } from './ceph-plan.js';
export { fsidOf } from './ceph-plan.js';

/**
 * What the Rook operator and Ceph make of a CephCluster (CONTRACTS D), computed from Rook's plan
 * (ceph-plan.ts) and from where the scheduler bound the daemons' pods (sweep.ts): nothing before the
 * operator runs; then version detection, the mons, the mgrs and the OSDs, each up only once its pod runs
 * on a node; then Ceph's health checks from the daemons that are up. Every refusal carries Rook's or
 * Ceph's own text.
 */

const CEPH_VERSION = 'ceph version 19.2.3 (c92aebb279828e9c3c1f5d24613efca272649e62) squid (stable)';
/** Rook creates its pools with cephclient.DefaultPGCount PGs; the mgr's .mgr pool has one. */
const POOL_PGS = 8;
/** An object store's metadata pools beside its data pool (.rgw.root, control, meta, log, index, non-ec, otp). */
const OBJECT_STORE_METADATA_POOLS = 7;

export interface CephDaemon {
  name: string;
  node?: string;
  /** When it joined (mons: quorum); undefined while its pod cannot be placed. */
  upAt?: number;
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

/** The operator's view of one CephCluster now, or undefined before the operator has reconciled it. */
export function cephView(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): CephView | undefined {
  const sweep = clusterSweep(kube, clusterId, now);
  const pods = sweepPods(sweep);
  if (rookOperatorStartedAt(pods, now) === undefined) return undefined;
  const planned = plannedClusters(kube, clusterId, pods, now).find(
    (entry) => entry.stored.uid === stored.uid,
  );
  const plan = planned?.plan ?? refusedPlan(kube, clusterId, stored, pods, now);
  if (!plan || now < plan.startedAt) return undefined;
  const view: CephView = {
    fsid: plan.fsid,
    startedAt: plan.startedAt,
    steps: [[plan.startedAt, 'Detecting Ceph version']],
    mons: [],
    mgrs: [],
    osds: [],
    prepareLogs: {},
  };
  if (plan.refusal) return { ...view, error: { at: plan.startedAt, message: plan.refusal } };
  orchestrate(kube, sweep, view, plan, namespaceOf(stored) ?? 'rook-ceph');
  if (view.readyAt !== undefined && now >= view.readyAt) recordOsdDisks(kube, view);
  return view;
}

/** The plan of a CephCluster Rook refused before creating anything (plannedClusters leaves those out). */
function refusedPlan(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  pods: PodPlan[],
  now: number,
): CephPlan | undefined {
  const operator = rookOperatorStartedAt(pods, now);
  if (operator === undefined) return undefined;
  return cephPlan(kube, clusterId, stored, operator, now);
}

/** Where the scheduler bound a daemon's pod, and how long after its creation. */
function bound(
  pods: PodPlan[],
  namespace: string,
  name: string,
): { node: string; delay: number } | undefined {
  const pod = pods.find(
    (candidate) =>
      candidate.workload.namespace === namespace &&
      candidate.workload.name === name &&
      candidate.deletedAt === undefined &&
      candidate.times.node !== undefined,
  );
  return pod ? { node: pod.times.node!.name, delay: pod.times.scheduledAt - pod.createdAt } : undefined;
}

/** Rook's reconcile as it went: the mons (all bound within the canary wait), the mgrs, then the OSDs. */
function orchestrate(
  kube: KubeClusters,
  sweep: Sweep,
  view: CephView,
  plan: CephPlan,
  namespace: string,
): void {
  const { cluster } = sweep;
  const pods = sweepPods(sweep);
  const ms = (seconds: number) => kube.talos.ms(seconds);
  const s = kube.talos.seconds;
  const daemon = (name: string, id: string, upAt: number): CephDaemon => {
    const placed = bound(pods, namespace, id);
    return placed ? { name, node: placed.node, upAt: upAt + placed.delay } : { name };
  };
  view.steps.push([plan.monsAt, 'Configuring Ceph Mons']);
  view.mons = Array.from({ length: plan.monCount }, (_, i) =>
    daemon(`mon.${letter(i)}`, daemonName('mon', letter(i)), plan.monsAt + (i + 1) * ms(s.cephMonStart)),
  );
  if (!monsPlaced(cluster, plan, namespace, pods)) {
    // All canaries must be scheduled before any mon starts; Rook gives up after the canary wait.
    view.mons = view.mons.map((mon) => ({ name: mon.name, ...(mon.node ? { node: mon.node } : {}) }));
    view.error = {
      at: plan.monsAt + ms(MON_CANARY_WAIT_SECONDS),
      message:
        'failed to create cluster: failed to start ceph monitors: failed to assign pods to mons: failed to schedule mons',
    };
    return;
  }
  view.steps.push([plan.mgrsAt, 'Configuring Ceph Mgr(s)']);
  view.mgrs = Array.from({ length: plan.mgrCount }, (_, i) =>
    daemon(`mgr.${letter(i)}`, daemonName('mgr', letter(i)), plan.mgrUpAt),
  );
  view.steps.push([plan.mgrUpAt, 'Configuring Ceph OSDs']);
  view.readyAt = plan.readyAt;
  view.prepareLogs = plan.prepareLogs;
  view.osds = plan.osds.map((osd) => {
    const placed = bound(pods, namespace, daemonName('osd', String(osd.id)));
    // An OSD whose pod finds no node never boots: it stays down.
    return { ...osd, upAt: placed ? osd.upAt + placed.delay : Infinity };
  });
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
