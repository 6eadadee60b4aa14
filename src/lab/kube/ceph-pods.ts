import type { Doc } from '../talos/yaml-docs.js';
import { get, getString, isMap } from '../talos/yaml-docs.js';
import type { CephPlan, MonsBoundAt } from './ceph-plan.js';
import { cephPlan, MON_CANARY_WAIT_SECONDS } from './ceph-plan.js';
import { letter } from './ceph-reconciles.js';
import type { KubeClusters } from './clusters.js';
import { byKind } from './kinds.js';
import type { StoredObject } from './objects.js';
import { nameOf, namespaceOf } from './objects.js';
import type { Cluster, PodPlan, Workload } from './pod-plans.js';
import { CEPH_IMAGE } from './rook-charts.js';
import { cephResources } from './rook-resources.js';

/**
 * Rook's Ceph daemons as the Deployments the operator creates for them (rook-ceph-mon-a, rook-ceph-mgr-a,
 * rook-ceph-osd-0, rook-ceph-crashcollector-<node>, rook-ceph-exporter-<node>), at the moments its plan
 * gives, with the CephCluster's `spec.resources` on their containers (LIFECYCLE H.1): the scheduler places
 * them against allocatable like any pod. The mons come first; the rest only once every mon pod was bound
 * within Rook's canary wait. The OSD prepare jobs are not modelled as pods (their 500m/50Mi are transient).
 */

const OPERATOR = 'rook-ceph-operator';

/**
 * When the operator first started, if a pod of it was ready by `now`. What it created stays when its pod
 * is replaced (a node outage, a drain): Ceph's daemons run without it.
 */
export function rookOperatorStartedAt(pods: PodPlan[], now: number): number | undefined {
  const started = pods
    .filter((pod) => pod.workload.kind === 'Deployment' && pod.workload.name === OPERATOR)
    .filter((pod) => pod.times.readyAt <= Math.min(now, pod.deletedAt ?? Infinity))
    .map((pod) => pod.times.pulledAt);
  return started.length > 0 ? Math.min(...started) : undefined;
}

/** The live CephClusters whose operator runs, each with Rook's plan for it (started by `now` or not). */
function allPlans(
  kube: KubeClusters,
  clusterId: string,
  pods: PodPlan[],
  now: number,
): { stored: StoredObject; plan: CephPlan }[] {
  const operator = rookOperatorStartedAt(pods, now);
  if (operator === undefined) return [];
  return kube
    .objects(clusterId)
    .list(byKind('CephCluster'))
    .map((stored) => ({
      stored,
      plan: cephPlan(kube, clusterId, stored, operator, now, creationMonsBoundAt(stored, pods)),
    }));
}

/** When the pods of the creation's mons (the last sweep's) were all bound to nodes, if they were. */
function creationMonsBoundAt(stored: StoredObject, pods: PodPlan[]): MonsBoundAt {
  const namespace = namespaceOf(stored) ?? 'rook-ceph';
  return (names) => {
    let latest = -Infinity;
    for (const name of names) {
      // daemonUid of a daemon the creation made: the CephCluster's uid and the daemon's name.
      const first = boundPods(pods, namespace, `${stored.uid}/${name}`)[0];
      if (!first) return undefined;
      latest = Math.max(latest, first.times.scheduledAt);
    }
    return latest;
  };
}

/** A daemon's pods (by its Deployment's uid) the scheduler bound to a node, the first made first. */
export function boundPods(pods: PodPlan[], namespace: string, uid: string): PodPlan[] {
  return pods
    .filter(
      (pod) =>
        pod.workload.namespace === namespace &&
        pod.workload.stored.uid === uid &&
        pod.times.node !== undefined,
    )
    .sort((a, b) => a.createdAt - b.createdAt);
}

/** The CephClusters Rook has started on by `now` and not refused, each with its plan. */
export function plannedClusters(
  kube: KubeClusters,
  clusterId: string,
  pods: PodPlan[],
  now: number,
): { stored: StoredObject; plan: CephPlan }[] {
  return allPlans(kube, clusterId, pods, now).filter(
    ({ plan }) => now >= plan.startedAt && plan.refusal === undefined,
  );
}

/** The next moment after `now` Rook's plans change what exists (the sweep's result holds until then). */
export function nextCephMoment(cluster: Cluster, pods: PodPlan[]): number {
  const wait = cluster.kube.talos.ms(MON_CANARY_WAIT_SECONDS);
  const moments = allPlans(cluster.kube, cluster.clusterId, pods, cluster.now).flatMap(({ plan }) => [
    plan.startedAt,
    plan.monsAt,
    plan.monsAt + wait,
    plan.mgrsAt,
    plan.readyAt,
    ...plan.reconciles.flatMap((step) => [step.monsAt, step.monsAt + wait, step.mgrsAt, step.readyAt]),
    ...[...plan.mons, ...plan.mgrs].flatMap((slot) => [slot.createdAt, slot.removedAt ?? Infinity]),
    ...plan.osds.map((osd) => osd.createdAt),
  ]);
  return Math.min(...moments.filter((moment) => moment > cluster.now));
}

export const daemonName = (kind: string, id: string) => `rook-ceph-${kind}-${id}`;
export { letter };

/**
 * Every mon the creation (or a later reconcile, with `created` its moment) made was bound by the canary
 * deadline (and by `now`): Rook then goes on to the mgrs and OSDs of that reconcile. Once the deadline has
 * passed, the verdict a final sweep recorded (`record`) stands.
 */
export function monsPlaced(
  cluster: Cluster,
  plan: CephPlan,
  namespace: string,
  pods: PodPlan[],
  created = plan.monsAt,
  record = false,
): boolean {
  const due = created + cluster.kube.talos.ms(MON_CANARY_WAIT_SECONDS);
  const key = `${plan.fsid}/${created}`;
  const known = cluster.now >= due ? cluster.kube.monVerdict(key) : undefined;
  if (known !== undefined) return known;
  const deadline = Math.min(cluster.now, due);
  const placed = plan.mons
    .filter((slot) => slot.createdAt === created)
    .every((slot) =>
      pods.some(
        (pod) =>
          pod.workload.namespace === namespace &&
          pod.workload.name === daemonName('mon', slot.id) &&
          pod.times.scheduledAt <= deadline,
      ),
    );
  if (record && cluster.now >= due) cluster.kube.recordMonVerdict(key, placed);
  return placed;
}

/** The daemon workloads for the next pass of the sweep, given the pods of the last one. */
export function cephWorkloads(cluster: Cluster, pods: PodPlan[]): Workload[] {
  return plannedClusters(cluster.kube, cluster.clusterId, pods, cluster.now).flatMap(({ stored, plan }) => {
    const namespace = namespaceOf(stored) ?? 'rook-ceph';
    const spec = isMap(stored.object.spec) ? stored.object.spec : {};
    const make = (name: string, when: Slot, podSpec: Doc, labels: Record<string, string>) =>
      daemonWorkload(
        stored,
        namespace,
        name,
        { ...when, uid: daemonUid(stored, name, plan, when) },
        podSpec,
        labels,
      );
    const mons = plan.mons.map((slot) => {
      const name = daemonName('mon', slot.id);
      const podSpec = daemonSpec(spec, 'mon', plan.monsShareNodes);
      // Once its canary placed it, Rook pins the mon to that node (it does not follow a node that is down).
      const node = firstNode(pods, namespace, name);
      return make(name, slot, node ? onNode(podSpec, node) : podSpec, { app: 'rook-ceph-mon', mon: slot.id });
    });
    if (!monsPlaced(cluster, plan, namespace, pods)) return mons;
    // A later reconcile whose new mons found no node goes no further: it adds no mgr.
    const stalled = plan.reconciles.filter(
      (step) => !monsPlaced(cluster, plan, namespace, pods, step.monsAt),
    );
    const mgrs = plan.mgrs
      .filter((slot) => !stalled.some((step) => slot.generation === step.generation))
      .map((slot) =>
        make(daemonName('mgr', slot.id), slot, mgrSpec(spec, plan), { app: 'rook-ceph-mgr', mgr: slot.id }),
      );
    const osds = plan.osds.map((osd) =>
      make(
        daemonName('osd', String(osd.id)),
        { createdAt: osd.createdAt },
        onNode(daemonSpec(spec, 'osd', true), osd.node),
        {
          app: 'rook-ceph-osd',
          'ceph-osd-id': String(osd.id),
          // Rook's topology label, which its per-host PDBs select on (LIFECYCLE H.2).
          'topology-location-host': osd.node,
        },
      ),
    );
    return [...mons, ...mgrs, ...osds, ...perNodeDaemons(spec, plan, pods, namespace, make)];
  });
}

/** The node the workload's first pod was bound to, in the last pass of the sweep. */
function firstNode(pods: PodPlan[], namespace: string, name: string): string | undefined {
  return pods
    .filter((pod) => pod.workload.namespace === namespace && pod.workload.name === name && pod.times.node)
    .sort((a, b) => a.createdAt - b.createdAt)[0]?.times.node?.name;
}

/** When the operator created a daemon's Deployment and, for a mon or mgr a smaller count dropped, deleted it. */
type Slot = { createdAt: number; removedAt?: number; generation?: number };
type Make = (name: string, when: Slot, podSpec: Doc, labels: Record<string, string>) => Workload;

/** A daemon a later reconcile made is a new Deployment, even under a name an earlier one had (mgr-b). */
export function daemonUid(cluster: StoredObject, name: string, plan: CephPlan, slot: Slot): string {
  const later = slot.generation !== undefined && slot.generation !== plan.generation;
  return `${cluster.uid}/${name}${later ? `/g${slot.generation}` : ''}`;
}

/**
 * The crash collector and exporter on each node that runs Ceph daemons: the mons' nodes and the OSD hosts,
 * created with the OSDs (the mgrs' nodes, not known before this pass, are left out).
 */
function perNodeDaemons(
  spec: Doc,
  plan: CephPlan,
  pods: PodPlan[],
  namespace: string,
  make: Make,
): Workload[] {
  const monNodes = pods
    .filter((pod) => pod.workload.namespace === namespace && pod.workload.name.startsWith('rook-ceph-mon-'))
    .flatMap((pod) => (pod.times.node ? [pod.times.node.name] : []));
  const nodes = [...new Set([...monNodes, ...plan.osds.map((osd) => osd.node)])].sort();
  // With the cluster's OSDs, or a node's own when the node watcher added it later.
  const createdAt = (node: string) =>
    monNodes.includes(node)
      ? plan.readyAt
      : Math.min(...plan.osds.filter((osd) => osd.node === node).map((osd) => osd.createdAt));
  const crash = get(spec, 'crashCollector.disable') === true;
  return nodes.flatMap((node) => [
    ...(crash
      ? []
      : [
          make(
            daemonName('crashcollector', node),
            { createdAt: createdAt(node) },
            onNode(container('ceph-crash', cephResources(spec, 'crashcollector')), node),
            { app: 'rook-ceph-crashcollector' },
          ),
        ]),
    make(
      daemonName('exporter', node),
      { createdAt: createdAt(node) },
      onNode(container('ceph-exporter', cephResources(spec, 'exporter')), node),
      { app: 'rook-ceph-exporter' },
    ),
  ]);
}

function container(name: string, resources: Doc): Doc {
  return { containers: [{ name, image: CEPH_IMAGE, resources }] };
}

function onNode(podSpec: Doc, node: string): Doc {
  return { ...podSpec, nodeSelector: { 'kubernetes.io/hostname': node } };
}

/** A mon, mgr or OSD pod: the daemon, the log collector sidecar while logCollector is on, anti-affinity. */
function daemonSpec(spec: Doc, kind: 'mon' | 'mgr' | 'osd', shareNodes: boolean): Doc {
  const daemon = { name: kind, image: CEPH_IMAGE, resources: cephResources(spec, kind) };
  const logCollector =
    get(spec, 'logCollector.enabled') === true
      ? [{ name: 'log-collector', image: CEPH_IMAGE, resources: cephResources(spec, 'logcollector') }]
      : [];
  const priority = getString(spec, `priorityClassNames.${kind}`);
  const antiAffinity = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          labelSelector: { matchLabels: { app: `rook-ceph-${kind}` } },
          topologyKey: 'kubernetes.io/hostname',
        },
      ],
    },
  };
  return {
    containers: [daemon, ...logCollector],
    ...(priority ? { priorityClassName: priority } : {}),
    ...(shareNodes ? {} : { affinity: antiAffinity }),
  };
}

/** The mgr pod: with more than one mgr, the watch-active sidecar (mgr/spec.go line 75) with mgr-sidecar. */
function mgrSpec(spec: Doc, plan: CephPlan): Doc {
  const podSpec = daemonSpec(spec, 'mgr', plan.mgrsShareNodes);
  if (plan.mgrCount <= 1) return podSpec;
  const sidecar = { name: 'watch-active', image: CEPH_IMAGE, resources: cephResources(spec, 'mgr-sidecar') };
  const containers = podSpec.containers as Doc[];
  return { ...podSpec, containers: [containers[0]!, sidecar, ...containers.slice(1)] };
}

/** A daemon Deployment as the operator writes it, owned by the CephCluster (not kept in the object store). */
function daemonWorkload(
  cluster: StoredObject,
  namespace: string,
  name: string,
  when: { createdAt: number; removedAt?: number; uid: string },
  podSpec: Doc,
  labels: Record<string, string>,
): Workload {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...labels, rook_cluster: nameOf(cluster) } },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      strategy: { type: 'Recreate' },
      template: { metadata: { labels: { ...labels, rook_cluster: nameOf(cluster) } }, spec: podSpec },
    },
  };
  const { createdAt, removedAt, uid } = when;
  const stored = { object, uid, createdAt, updatedAt: createdAt, generation: 1 };
  return { kind: 'Deployment', stored, name, namespace, ...(removedAt === undefined ? {} : { removedAt }) };
}
