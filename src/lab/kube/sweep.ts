import { get } from '../talos/yaml-docs.js';
import { cephWorkloads, nextCephMoment } from './ceph-pods.js';
import type { KubeClusters, KubeNode } from './clusters.js';
import { RECONCILERS, podsStopAt, stopPods } from './controllers.js';
import { byKind } from './kinds.js';
import { addResources, nodeAllocatable, NO_RESOURCES } from './node-resources.js';
import { nameOf, namespaceOf } from './objects.js';
import type { Cluster, PodPlan, Revision, Rollout, Workload } from './pod-plans.js';
import {
  CILIUM_OWN,
  MAX_STEPS,
  WORKLOAD_KINDS,
  clusterAt,
  isAlive,
  isPresent,
  podSpecOf,
  remove,
  revisionsOf,
  specAt,
  terminationMs,
} from './pod-plans.js';
import { startTimes } from './pod-start.js';
import type { NodeRoom } from './scheduling.js';
import { nodeLabels, rejection } from './scheduling.js';
import type { BoundLoad } from './system-pods.js';
import { boundLoads, corednsWorkload } from './system-pods.js';

/**
 * The cluster's history replayed as one discrete-event sweep: at each moment something changes (a spec, a
 * pod ready or gone, a node joining, Ready or cordoned), every controller reconciles, then kube-scheduler
 * binds the Pending pods, highest priority and oldest first, to nodes where taints, selectors and their
 * requests allow (the requests of the pods present there plus the new one within allocatable, G.1). A pod
 * that fits nowhere waits and is tried again at the next moment, so one freed by a deletion or a new node
 * takes it. The result is memoised per cluster until the state or the nodes change or the next moment.
 */

export interface Sweep {
  cluster: Cluster;
  workloads: Workload[];
  rollouts: Map<Workload, Rollout>;
  loads: BoundLoad[];
}

interface Memo {
  key: string;
  computedAt: number;
  validUntil: number;
  sweep: Sweep;
}

/** Mons, then mgrs and OSDs, then nothing new. */
const CEPH_PASSES = 3;

const memos = new WeakMap<KubeClusters, Map<string, Memo>>();

/** The cluster's sweep up to `now`: every workload's pods with when and where they were bound. */
export function clusterSweep(kube: KubeClusters, clusterId: string, now: number): Sweep {
  const cluster = clusterAt(kube, clusterId, now);
  const key = `${kube.revision}/${nodesKey(cluster.nodes)}`;
  const byCluster = memos.get(kube) ?? new Map<string, Memo>();
  memos.set(kube, byCluster);
  const memo = byCluster.get(clusterId);
  if (memo && memo.key === key && now >= memo.computedAt && now < memo.validUntil)
    return { ...memo.sweep, cluster };
  // Rook creates Ceph's daemons once its operator runs, the mgrs and OSDs once the mons are bound: each
  // pass adds what the last one lets Rook create (they all come after what decided them).
  const base = run(cluster, workloadsOf(cluster));
  let { sweep, validUntil } = base;
  let daemons: string[] = [];
  for (let pass = 0; pass < CEPH_PASSES; pass++) {
    const ceph = cephWorkloads(cluster, sweepPods(sweep));
    // Names and creation times: Rook's plan moves with when the last pass bound the mons' pods.
    const names = ceph.map(
      (workload) => `${workload.namespace}/${workload.name}@${workload.stored.createdAt}`,
    );
    if (names.join() === daemons.join()) break;
    daemons = names;
    const next = run(cluster, [...base.sweep.workloads, ...ceph]);
    sweep = next.sweep;
    validUntil = Math.min(validUntil, next.validUntil);
  }
  validUntil = Math.min(validUntil, nextCephMoment(cluster, sweepPods(sweep)));
  byCluster.set(clusterId, { key, computedAt: now, validUntil, sweep });
  return sweep;
}

/** What the placements depend on in the nodes: who they are, when they joined, what they offer. */
function nodesKey(nodes: KubeNode[]): string {
  return JSON.stringify(
    nodes.map((node) => [
      node.name,
      node.registeredAt,
      node.readyAt,
      node.cordons,
      node.outages,
      nodeAllocatable(node),
      nodeLabels(node),
      get(node.talos.config, 'cluster.allowSchedulingOnControlPlanes'),
    ]),
  );
}

/** The cluster's workloads, live and deleted, without Cilium's own; Talos' CoreDNS with them. */
function workloadsOf(cluster: Cluster): Workload[] {
  const stored = WORKLOAD_KINDS.flatMap((kind) => {
    const info = byKind(kind);
    const live = cluster.store.list(info).map((object) => ({ stored: object, removedAt: undefined }));
    const removed = cluster.store.removed(info);
    return [...live, ...removed].map((entry): Workload => ({
      kind,
      stored: entry.stored,
      name: nameOf(entry.stored),
      namespace: namespaceOf(entry.stored) ?? 'default',
      ...(entry.removedAt === undefined ? {} : { removedAt: entry.removedAt }),
    }));
  }).filter((workload) => !CILIUM_OWN.has(`${workload.kind}/${workload.namespace}/${workload.name}`));
  const coredns = corednsWorkload(cluster.kube, cluster.clusterId);
  return [...(coredns ? [coredns] : []), ...stored];
}

function run(cluster: Cluster, workloads: Workload[]): { sweep: Sweep; validUntil: number } {
  const loads = boundLoads(cluster.kube, cluster.clusterId, cluster.nodes);
  const ordered = [...workloads].sort((a, b) => a.stored.createdAt - b.stored.createdAt);
  const rollouts = new Map(ordered.map((workload) => [workload, { pods: [] } as Rollout]));
  const revisions = new Map(ordered.map((workload) => [workload, revisionsOf(workload.stored)]));
  const sweep = { cluster, workloads: ordered, rollouts, loads };
  let at = Math.min(...ordered.map((workload) => workload.stored.createdAt));
  let validUntil = Infinity;
  for (let step = 0; step < MAX_STEPS && at <= cluster.now; step++) {
    for (const workload of ordered) {
      const rollout = rollouts.get(workload)!;
      if (at < workload.stored.createdAt) continue;
      if (workload.removedAt !== undefined && at >= workload.removedAt) {
        rollout.pods.forEach((pod) => remove(pod, workload.removedAt!));
        continue;
      }
      stopPods(cluster, rollout, at);
      RECONCILERS[workload.kind](cluster, workload, rollout, at, specAt(revisions.get(workload)!, at));
    }
    schedulePending(sweep, at);
    const next = nextEvent(sweep, revisions, at);
    if (next === undefined || next > cluster.now) {
      validUntil = next ?? Infinity;
      break;
    }
    at = next;
  }
  return { sweep, validUntil };
}

/** The next moment something the controllers or the scheduler react to changes. */
function nextEvent(sweep: Sweep, revisions: Map<Workload, Revision[]>, at: number): number | undefined {
  const { cluster } = sweep;
  const namespaces = new Set(sweep.workloads.map((workload) => workload.namespace));
  const candidates = [
    ...sweep.workloads.flatMap((workload) => [
      workload.stored.createdAt,
      workload.removedAt ?? Infinity,
      ...revisions.get(workload)!.map((revision) => revision.since),
    ]),
    ...[...sweep.rollouts.values()].flatMap((rollout) =>
      rollout.pods.flatMap((pod) => [
        pod.times.scheduledAt,
        pod.times.readyAt,
        ...(pod.deletedAt === undefined ? [] : [pod.deletedAt + terminationMs(cluster)]),
        ...(pod.deletedAt === undefined && pod.times.node
          ? [podsStopAt(cluster, pod.times.node, pod.times.scheduledAt) ?? Infinity]
          : []),
      ]),
    ),
    ...Object.values(cluster.evictions),
    ...cluster.nodes.flatMap((node) => [
      node.registeredAt,
      node.readyAt,
      ...node.cordons.flatMap((cordon) => [cordon.from, cordon.until]),
      ...node.outages.flatMap((outage) => [outage.from, outage.until]),
    ]),
    ...sweep.loads.map((load) => load.since),
    ...[...namespaces].map(
      (name) => cluster.store.get(byKind('Namespace'), undefined, name)?.updatedAt ?? Infinity,
    ),
  ].filter((time) => time > at && Number.isFinite(time));
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

/** Every pod of the sweep. */
export function sweepPods(sweep: Sweep): PodPlan[] {
  return [...sweep.rollouts.values()].flatMap((rollout) => rollout.pods);
}

/** What each registered node holds at `at`: bound loads and the pods bound there and not yet gone. */
export function roomsAt(sweep: Sweep, at: number): Map<string, NodeRoom> {
  const rooms = new Map<string, NodeRoom>();
  for (const node of sweep.cluster.nodes.filter((candidate) => candidate.registeredAt <= at))
    rooms.set(node.name, { allocatable: nodeAllocatable(node), used: NO_RESOURCES, podLabels: [] });
  for (const load of sweep.loads) {
    const room = rooms.get(load.node);
    if (room && load.since <= at) room.used = addResources(room.used, load.requests);
  }
  for (const pod of sweepPods(sweep)) {
    const room = pod.times.node && rooms.get(pod.times.node.name);
    if (!room || pod.times.scheduledAt > at || !isPresent(sweep.cluster, pod, at)) continue;
    room.used = addResources(room.used, pod.needs.requests);
    room.podLabels.push(labelsOfTemplate(pod));
  }
  return rooms;
}

function labelsOfTemplate(pod: PodPlan): Record<string, string> {
  const labels = get(pod.template, 'metadata.labels');
  return (labels ?? {}) as Record<string, string>;
}

/** The built-in priority classes (scheduling.k8s.io): the queue takes higher priority first. */
function priorityOf(pod: PodPlan): number {
  const name = podSpecOf(pod.template).priorityClassName;
  if (name === 'system-node-critical') return 2_000_001_000;
  if (name === 'system-cluster-critical') return 2_000_000_000;
  return 0;
}

/** kube-scheduler's pass at `at`: each Pending pod, in queue order, bound where it fits. */
function schedulePending(sweep: Sweep, at: number): void {
  const pods = sweepPods(sweep);
  const pending = pods
    .filter((pod) => isAlive(pod) && pod.createdAt <= at && pod.times.scheduledAt === Infinity)
    .filter((pod) => pod.times.missingClaim === undefined)
    .sort((a, b) => priorityOf(b) - priorityOf(a) || a.createdAt - b.createdAt);
  if (pending.length === 0) return;
  const rooms = roomsAt(sweep, at);
  for (const pod of pending) {
    const ask = {
      requests: pod.needs.requests,
      ...(pod.needs.boundNode ? { boundNode: pod.needs.boundNode.name } : {}),
    };
    const fitting = sweep.cluster.nodes.filter((node) => {
      const room = rooms.get(node.name);
      return room !== undefined && rejection(node, pod.needs.podSpec, at, ask, room) === undefined;
    });
    if (fitting.length === 0) continue;
    const node = spread(fitting, pods, pod, at);
    pod.times = startTimes(sweep.cluster, pod.workload, podSpecOf(pod.template), node, at);
    const room = rooms.get(node.name)!;
    room.used = addResources(room.used, pod.needs.requests);
    room.podLabels.push(labelsOfTemplate(pod));
  }
}

/** The default spreading: the node running the fewest of the workload's pods, the first by name on a tie. */
function spread(fitting: KubeNode[], pods: PodPlan[], pod: PodPlan, at: number): KubeNode {
  const load = (node: KubeNode) =>
    pods.filter(
      (other) =>
        other.workload === pod.workload &&
        other.times.node?.name === node.name &&
        other.times.scheduledAt <= at &&
        (other.deletedAt === undefined || other.deletedAt > at),
    ).length;
  return fitting.reduce((best, candidate) => (load(candidate) < load(best) ? candidate : best));
}
