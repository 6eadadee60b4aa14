import { get, getString } from '../talos/yaml-docs.js';
import type { CephView } from './ceph.js';
import type { KubeClusters, KubeNode } from './clusters.js';
import { within } from './node-state.js';
import { byKind } from './kinds.js';
import type { StoredObject } from './objects.js';
import { nameOf, namespaceOf } from './objects.js';
import { nooutHosts } from './rook-disruption.js';

/**
 * Ceph's health checks as `ceph health detail` names them, from the daemons Rook runs and when each was
 * up: OSDs and hosts down, mons out of quorum, PGs undersized until the OSDs are back and recovered (the
 * profile's cephRecovery), and Rook's noout flag on a draining host (LIFECYCLE H.2). The summary texts are
 * Ceph's (OSDMap::check_health, PGMap::get_health_checks, MonMap), as `ceph status` prints them in public
 * logs, e.g. "1 osds down", "1 host (1 osds) down", "1/3 mons down, quorum a,b",
 * "1 OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set"
 * (docs.ceph.com rados/operations/health-checks: OSD_DOWN, OSD_<crush type>_DOWN, OSD_FLAGS, MON_DOWN).
 */

/** Rook creates its pools with cephclient.DefaultPGCount PGs; the mgr's .mgr pool has one. */
const POOL_PGS = 8;
/** An object store's metadata pools beside its data pool (.rgw.root, control, meta, log, index, non-ec, otp). */
const OBJECT_STORE_METADATA_POOLS = 7;

export interface CephPool {
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

/** Up now, and (for PGs) long enough back from a down spell that recovery is done. */
function osdStates(view: CephView, now: number, recoveryMs: number) {
  const existing = view.osds.filter((osd) => osd.upAt <= now);
  const up = existing.filter((osd) => within(osd.ups, now));
  const recovered = up.filter((osd) => {
    const current = osd.ups.find((spell) => spell.from <= now && now < spell.until)!;
    return current === osd.ups[0] || now >= current.from + recoveryMs;
  });
  return { existing, up, recovered };
}

/** The checks on daemons that are down: OSD_DOWN, OSD_HOST_DOWN, MON_DOWN. */
function downChecks(view: CephView, now: number, existing: CephView['osds'], up: CephView['osds']) {
  const checks: Record<string, string> = {};
  const down = existing.filter((osd) => !up.includes(osd));
  if (down.length > 0) checks.OSD_DOWN = `${down.length} osds down`;
  const hostsDown = [...new Set(existing.map((osd) => osd.node))].filter((host) =>
    existing.filter((osd) => osd.node === host).every((osd) => down.includes(osd)),
  );
  if (hostsDown.length > 0) {
    const osds = down.filter((osd) => hostsDown.includes(osd.node)).length;
    checks.OSD_HOST_DOWN = `${plural(hostsDown.length, 'host', 'hosts')} (${osds} osds) down`;
  }
  const mons = view.mons.filter((mon) => mon.upAt !== undefined && mon.upAt <= now);
  const quorum = mons.filter((mon) => within(mon.ups, now));
  if (quorum.length < mons.length) {
    const names = quorum.map((mon) => mon.name.replace(/^mon\./, '')).join(',');
    checks.MON_DOWN = `${mons.length - quorum.length}/${mons.length} mons down, quorum ${names}`;
  }
  return checks;
}

/** Ceph's health checks now: { CODE: message }. */
export function healthChecks(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  view: CephView,
  nodes: KubeNode[],
  now: number,
): Record<string, string> {
  const cephConfig = (key: string) => get(stored.object, `spec.cephConfig.global.${key}`);
  const defaultSize = Number(cephConfig('osd_pool_default_size') ?? 3);
  const ms = (seconds: number) => kube.talos.ms(seconds);
  const { existing, up, recovered } = osdStates(view, now, ms(kube.talos.seconds.cephRecovery));
  // A PG is active again as soon as enough OSDs are up; it is clean only once they have recovered.
  const units = (pool: CephPool, osds: CephView['osds']) =>
    pool.failureDomain === 'osd' ? osds.length : new Set(osds.map((osd) => osd.node)).size;
  const pools = view.mgrs.some((mgr) => mgr.upAt !== undefined && mgr.upAt <= now)
    ? poolsOf(kube, clusterId, namespaceOf(stored) ?? '', defaultSize)
    : [];
  const settledAt = Math.max(...view.osds.map((osd) => osd.upAt)) + ms(kube.talos.seconds.cephPgSettle);
  const settled = existing.length > 0 && existing.length === view.osds.length && now >= settledAt;
  const pgs = (filter: (pool: CephPool) => boolean) =>
    pools.filter(filter).reduce((sum, pool) => sum + pool.pgs, 0);
  const inactive = settled ? pgs((pool) => units(pool, up) < pool.minSize) : pgs(() => true);
  const undersized = settled ? pgs((pool) => units(pool, recovered) < pool.size) : 0;
  const unreplicated = pools.filter((pool) => pool.size === 1).length;
  const checks: Record<string, string> = {};
  if (existing.length < defaultSize)
    checks.TOO_FEW_OSDS = `OSD count ${existing.length} < osd_pool_default_size ${defaultSize}`;
  Object.assign(checks, downChecks(view, now, existing, up));
  const flagged = nooutHosts(stored, view, nodes, now, ms).length;
  if (flagged > 0)
    checks.OSD_FLAGS = `${flagged} OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set`;
  if (inactive > 0)
    checks.PG_AVAILABILITY = `Reduced data availability: ${plural(inactive, 'pg', 'pgs')} inactive`;
  if (undersized > 0)
    checks.PG_DEGRADED = `Degraded data redundancy: ${plural(undersized, 'pg', 'pgs')} undersized`;
  if (unreplicated > 0 && String(cephConfig('mon_warn_on_pool_no_redundancy') ?? 'true') !== 'false')
    checks.POOL_NO_REDUNDANCY = `${unreplicated} pool(s) have no replicas configured`;
  return checks;
}
