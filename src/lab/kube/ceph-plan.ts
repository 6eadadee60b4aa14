import { createHash } from 'node:crypto';
import type { Doc } from '../talos/yaml-docs.js';
import { get, getString, isMap } from '../talos/yaml-docs.js';
import type { CephDiskClaim, KubeClusters, KubeNode } from './clusters.js';
import { knownCreation, reconcileTries, recordCreation } from './ceph-creation.js';
import type { StoredObject } from './objects.js';
import { CEPH_IMAGE } from './rook-charts.js';
import type { CephReconcile, DaemonSlot } from './ceph-reconciles.js';
import {
  count,
  createdSlots,
  DEFAULT_MON_COUNT,
  laterReconciles,
  letter,
  specTimeline,
} from './ceph-reconciles.js';
import { fittingNodes } from './scheduling.js';

export { count };

/**
 * What the Rook operator plans for a CephCluster (CONTRACTS D) once it runs: the checks before it creates
 * anything, when it creates the mons, the mgrs and the OSDs, and which disks of which storage nodes become
 * OSDs (the prepare jobs' verdicts). Whether each daemon's pod finds a node is the scheduler's (sweep.ts).
 */

/** Rook waits canaryRetries (30) x canaryRetryDelaySeconds (5) for a mon's canary pod to be scheduled. */
export const MON_CANARY_WAIT_SECONDS = 150;
/** ceph-volume rejects disks under 5 GB. */
const MIN_OSD_BYTES = 5 * 1024 ** 3;
/** Rook's daemons carry no tolerations by default: they schedule where an untolerating pod would. */
const CEPH_POD_SPEC: Doc = { containers: [{ name: 'ceph', image: CEPH_IMAGE }] };

export interface CephOsd {
  id: number;
  uuid: string;
  node: string;
  device: string;
  sizeBytes: number;
  /** When Rook creates its Deployment: after the prepare job of its node. */
  createdAt: number;
  upAt: number;
  /** Where the disk is recorded: `<VM smbios uuid>/<volume id>`. */
  diskKey: string;
}

/** The CephCluster's fsid: a CephCluster deleted and created again is a new Ceph cluster. */
export function fsidOf(stored: StoredObject): string {
  const hex = createHash('sha256').update(`ceph-fsid/${stored.uid}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function flag(doc: unknown, path: string): boolean {
  return get(doc, path) === true;
}

export interface CephPlan {
  fsid: string;
  /** The operator's first reconcile of this CephCluster, and the spec generation it created. */
  startedAt: number;
  generation: number;
  /** What stops Rook before it creates anything. */
  refusal?: string;
  /** When the rook-ceph-detect-version job is done and the mons are created. */
  monsAt: number;
  monsShareNodes: boolean;
  /** Every mon Rook made, the creation's first, then those later reconciles added or removed. */
  mons: DaemonSlot[];
  /** When the mgrs are created (the mons had their time to form quorum), and when one is up. */
  mgrsAt: number;
  mgrUpAt: number;
  /** The mgr count the newest spec asks for. */
  mgrCount: number;
  mgrsShareNodes: boolean;
  mgrs: DaemonSlot[];
  /** "Cluster created successfully": the OSD prepare jobs finished; the OSDs are created then. */
  readyAt: number;
  /** The reconciles of the spec generations applied after the creation, in order. */
  reconciles: CephReconcile[];
  osds: CephOsd[];
  /** The OSD prepare job's log per storage node (what `kubectl logs job/rook-ceph-osd-prepare-<node>` shows). */
  prepareLogs: Record<string, string[]>;
}

/**
 * When the pods of the named mons were all bound to nodes, if they are: Rook's canaries, which the lab's mon
 * pods stand for.
 */
export type MonsBoundAt = (monNames: string[]) => number | undefined;

/**
 * Rook's plan for the CephCluster given when its operator started, with the nodes as they are at `now`.
 * Rook binds a canary for every mon first and starts the mons, one after another, only once all are bound
 * (rook pkg/operator/ceph/cluster/mon/mon.go assignMons, then startMons); `monsBoundAt` tells when.
 */
export function cephPlan(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  operatorStartedAt: number,
  now: number,
  monsBoundAt?: MonsBoundAt,
): CephPlan {
  const ms = (seconds: number) => kube.talos.ms(seconds);
  const s = kube.talos.seconds;
  const spec = isMap(stored.object.spec) ? stored.object.spec : {};
  const nodes = kube.nodes(clusterId, now);
  // A refused reconcile is tried again after controller-runtime's backoff; a node joining meanwhile
  // triggers nothing (the node watcher waits for a Ready cluster), so the creation starts at the first try
  // that finds enough nodes, not when the first one was refused.
  const firstTry = Math.max(stored.createdAt, operatorStartedAt + ms(s.rookOperatorStart));
  const timeline = specTimeline(stored);
  const specAt = (at: number) => (timeline.findLast((entry) => entry.from <= at) ?? timeline[0]!).spec;
  const nodesAt = (at: number) => nodes.filter((node) => node.registeredAt <= at).length;
  // A new spec is reconciled at once (a watch event), besides the backoff's tries.
  const changes = timeline.map((entry) => entry.from).filter((from) => from > firstTry);
  const refusalAt = (at: number) => specRefusal(specAt(at), nodesAt(at));
  const known = knownCreation(kube, stored.uid, now);
  const { accepted, last } =
    known.startedAt !== undefined
      ? { accepted: known.startedAt, last: known.startedAt }
      : reconcileTries(firstTry, now, ms, changes, (at) => !refusalAt(at));
  const startedAt = accepted ?? firstTry;
  // The creation reconciles the spec of its moment; each spec applied after it gets a reconcile of its own.
  const createdFrom = Math.max(
    0,
    timeline.findLastIndex((entry) => entry.from <= startedAt),
  );
  const created = timeline[createdFrom]!;
  const later = timeline.slice(createdFrom + 1);
  const monsAt = startedAt + ms(s.imagePull + s.podStart); // the rook-ceph-detect-version job
  const monCount = count(created.spec, 'mon.count', DEFAULT_MON_COUNT);
  // Until every canary is bound the mons have not started: no sooner than now.
  const names = Array.from({ length: monCount }, (_, i) => `rook-ceph-mon-${letter(i)}`);
  const boundAt = known.monsBoundAt ?? monsBoundAt?.(names);
  const canaries = monsBoundAt !== undefined || boundAt !== undefined;
  const monsStartAt = canaries ? Math.max(monsAt, boundAt ?? now) : monsAt;
  if (accepted !== undefined) recordCreation(kube, stored.uid, accepted, boundAt, now);
  const mgrsAt = monsStartAt + monCount * ms(s.cephMonStart);
  const mgrUpAt = mgrsAt + ms(s.cephMgrStart);
  const readyAt = mgrUpAt + ms(s.cephOsdPrepare);
  // Refused until a try finds enough nodes: what the last try said (nodes that joined since wait for the next).
  const refusal = accepted === undefined ? refusalAt(last) : undefined;
  const mons = createdSlots(
    monCount,
    created.generation,
    monsAt,
    (i) => monsStartAt + (i + 1) * ms(s.cephMonStart),
  );
  const mgrs = createdSlots(count(created.spec, 'mgr.count', 1), created.generation, mgrsAt, () => mgrUpAt);
  const timing = {
    detectMs: ms(s.podStart),
    monStartMs: ms(s.cephMonStart),
    mgrStartMs: ms(s.cephMgrStart),
    osdPrepareMs: ms(s.cephOsdPrepare),
  };
  const reconciles = laterReconciles(later, mons, mgrs, timing, (next) => specRefusal(next, nodes.length));
  const plan: CephPlan = {
    fsid: fsidOf(stored),
    startedAt,
    generation: created.generation,
    ...(refusal ? { refusal } : {}),
    monsAt,
    monsShareNodes: flag(spec, 'mon.allowMultiplePerNode'),
    mons,
    mgrsAt,
    mgrUpAt,
    mgrCount: count(spec, 'mgr.count', 1),
    mgrsShareNodes: flag(spec, 'mgr.allowMultiplePerNode'),
    mgrs,
    readyAt,
    reconciles,
    osds: [],
    prepareLogs: {},
  };
  if (refusal) return plan;
  // The prepare jobs ran when the mgr was up: a node down or cordoned since keeps its OSDs.
  const prepared = fittingNodes(nodes, CEPH_POD_SPEC, Math.min(now, mgrUpAt)).map((node) => node.name);
  // A node that fits only later is seen by Rook's node watcher, which acts only once the cluster is Ready
  // (rook pkg/operator/ceph/cluster/watcher.go onK8sNode): a reconcile then runs the detect-version job and
  // that node's prepare job, and only then creates its OSDs.
  const late = fittingNodes(nodes, CEPH_POD_SPEC, now).filter((node) => !prepared.includes(node.name));
  const preparedAt = new Map(prepared.map((name) => [name, mgrUpAt]));
  for (const node of late) {
    const seen = Math.max(readyAt, fitsSince(node, now));
    preparedAt.set(node.name, seen + ms(s.podStart));
  }
  planOsds(kube, plan, spec, nodes, preparedAt, ms(s.cephOsdPrepare), ms(s.cephOsdStart));
  return plan;
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
  view: CephPlan,
  spec: Doc,
  nodes: KubeNode[],
  preparingAt: Map<string, number>,
  prepareMs: number,
  osdStartMs: number,
): void {
  const taken: { node: string; disk: NodeDisk; claim?: CephDiskClaim }[] = [];
  for (const { name, settings } of storageNodes(spec, [...preparingAt.keys()].sort())) {
    const node = nodes.find((candidate) => candidate.name === name);
    if (!node) continue;
    const stamp = new Date(preparingAt.get(name)!).toISOString().replace('T', ' ').replace('Z', '');
    const { log, disks } = prepareNode(kube, view.fsid, spec, node, settings, stamp);
    view.prepareLogs[name] = log;
    taken.push(...disks.map((entry) => ({ node: name, ...entry })));
  }
  // OSDs this cluster made keep their ids; new ones are numbered after them.
  let nextId = Math.max(0, ...taken.map((entry) => (entry.claim ? entry.claim.osdId + 1 : 0)));
  for (const { node, disk, claim } of taken) {
    const id = claim?.osdId ?? nextId++;
    const createdAt = preparingAt.get(node)! + prepareMs;
    const uuid = claim?.osdUuid ?? uuidFrom(`${view.fsid}/${disk.key}`);
    view.osds.push(osd(id, uuid, node, disk, createdAt, createdAt + osdStartMs));
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
    const claim = kube.cephDisk(disk.key) ?? leftoverOsd(kube, disk.key, `/dev/${disk.name}` === installDisk);
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

/**
 * The bluestore label a reused, unwiped disk still carries (fault foreignOsdDisks): recorded like one this
 * lab's Ceph wrote, so it stays on the disk until the VM is created again.
 */
function leftoverOsd(kube: KubeClusters, key: string, installDisk: boolean): CephDiskClaim | undefined {
  if (installDisk || !kube.talos.faults.foreignOsdDisk(key)) return undefined;
  const claim = {
    fsid: uuidFrom(`leftover-fsid/${key}`),
    osdId: 0,
    osdUuid: uuidFrom(`leftover-osd/${key}`),
  };
  kube.claimCephDisk(key, claim);
  return claim;
}

function osd(
  id: number,
  uuid: string,
  node: string,
  disk: NodeDisk,
  createdAt: number,
  upAt: number,
): CephOsd {
  const { name: device, sizeBytes } = disk;
  return { id, uuid, node, device, sizeBytes, createdAt, upAt, diskKey: disk.key ?? '' };
}

/** Since when the node has fitted Rook's pods without a break: Ready, and back from its last cordon. */
function fitsSince(node: KubeNode, now: number): number {
  const ends = [...node.cordons, ...node.notReady]
    .map((spell) => spell.until)
    .filter((until) => until <= now);
  return Math.max(node.registeredAt, node.readyAt, ...ends);
}

function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
