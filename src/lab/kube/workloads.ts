import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import { podAddressBlocks, podAddresses } from './addresses.js';
import type { KubeClusters, KubeNode } from './clusters.js';
import { resolveImage } from './images.js';
import type { KindInfo } from './kinds.js';
import { byKind } from './kinds.js';
import type { ObjectStore, StoredObject } from './objects.js';
import { labelsOf, nameOf, namespaceOf } from './objects.js';
import { enforcementError, namespacePolicy } from './pod-security.js';
import type { PodView } from './pods.js';
import { fittingNodes, unschedulableMessage, withDaemonTolerations } from './scheduling.js';

/**
 * The pods of a cluster's Deployments, DaemonSets and StatefulSets, computed from the stored objects, the
 * Nodes and the time, the way their controllers, kube-scheduler and the kubelets would have made them:
 * each workload's history is replayed event by event (spec changes, pods becoming ready or gone, nodes
 * turning Ready or being drained) so rollouts, scale-downs and evictions keep Kubernetes' rules. Cilium's
 * own agents and operator are not here: the cluster models them.
 */

export type WorkloadKind = 'Deployment' | 'DaemonSet' | 'StatefulSet';

const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'DaemonSet', 'StatefulSet'];
/** Cilium's agents and operator, which the cluster models from the Cilium release itself. */
const CILIUM_OWN = new Set(['DaemonSet/kube-system/cilium', 'Deployment/kube-system/cilium-operator']);
/** The kubelet's first image pull back-off: ErrImagePull shows until then, ImagePullBackOff after. */
const PULL_BACKOFF_SECONDS = 10;
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
/** A guard against a history that would never settle; real histories take a few dozen steps. */
const MAX_STEPS = 10_000;

interface Cluster {
  kube: KubeClusters;
  clusterId: string;
  now: number;
  nodes: KubeNode[];
  store: ObjectStore;
}

interface Workload {
  kind: WorkloadKind;
  stored: StoredObject;
  name: string;
  namespace: string;
  /** When the workload was deleted: its pods are garbage-collected from then on. */
  removedAt?: number;
}

interface Revision {
  spec: Doc;
  since: number;
}

/** When each step of a pod's start happens; Infinity for a step that has not happened by now. */
interface PodTimes {
  node?: KubeNode;
  scheduledAt: number;
  /** Volumes mounted, sandbox and address set up. */
  sandboxAt: number;
  /** Images pulled (or the pull failed). */
  pulledAt: number;
  readyAt: number;
  missingClaim?: string;
  volumeProblem?: string;
  pullFailure?: { image: string; reason: 'ErrImagePull' | 'InvalidImageName'; message: string };
}

interface PodPlan {
  name: string;
  workload: Workload;
  template: Doc;
  hash: string;
  /** The ReplicaSet slot, DaemonSet node index or StatefulSet ordinal. */
  ordinal: number;
  createdAt: number;
  /** When its controller (or a drain) deleted it. */
  deletedAt?: number;
  times: PodTimes;
}

interface Rollout {
  pods: PodPlan[];
  /** The API server's last refusal of a pod, while creations still fail. */
  failure?: { message: string; since: number };
}

/** Every pod of the cluster's workloads at `now`, all namespaces, sorted by namespace and name. */
export function podsOf(kube: KubeClusters, clusterId: string, now = kube.talos.now()): PodView[] {
  const cluster = clusterAt(kube, clusterId, now);
  const viewed = workloadsOf(cluster)
    .flatMap((workload) => replay(cluster, workload).pods)
    .map((plan) => ({ plan, view: viewOf(cluster, plan) }))
    .filter((entry): entry is { plan: PodPlan; view: PodView } => entry.view !== undefined);
  const addressed = viewed
    .filter(({ plan }) => plan.times.node && plan.times.sandboxAt <= Math.min(now, plan.deletedAt ?? now))
    .map(({ plan, view }) => ({
      name: `${view.namespace}/${view.name}`,
      nodeName: plan.times.node!.name,
      createdAt: plan.createdAt,
    }));
  const ips = podAddresses(podAddressBlocks(kube, clusterId, now), addressed);
  return viewed
    .map(({ view }) => {
      const ip = ips.get(`${view.namespace}/${view.name}`);
      return ip === undefined ? view : { ...view, ip };
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** The `status` block of a Deployment, DaemonSet or StatefulSet at `now`, as its controller writes it. */
export function workloadStatus(
  kube: KubeClusters,
  clusterId: string,
  info: KindInfo,
  stored: StoredObject,
  now: number,
): Doc {
  const kind = WORKLOAD_KINDS.find((candidate) => candidate === info.kind);
  if (!kind) throw new Error(`${info.kind} is not a workload kind`);
  const cluster = clusterAt(kube, clusterId, now);
  const workload: Workload = {
    kind,
    stored,
    name: nameOf(stored),
    namespace: namespaceOf(stored) ?? 'default',
  };
  const rollout = replay(cluster, workload);
  if (kind === 'Deployment') return deploymentStatus(cluster, workload, rollout);
  if (kind === 'DaemonSet') return daemonSetStatus(cluster, workload, rollout);
  return statefulSetStatus(cluster, workload, rollout);
}

/** Nodes the pod spec could be scheduled on now: Ready, not cordoned, taints tolerated, selector matched. */
export function schedulableNodes(
  kube: KubeClusters,
  clusterId: string,
  podSpec: Doc,
  now: number,
): KubeNode[] {
  return fittingNodes(kube.nodes(clusterId, now), podSpec, now);
}

/** A stable name suffix as Kubernetes generates them (its consonant-and-digit alphabet). */
export function podSuffix(seed: string, length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let hash = 2166136261;
  let suffix = '';
  for (let i = 0; i < length; i++) {
    for (const char of `${seed}/${i}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    suffix += alphabet[hash % alphabet.length];
  }
  return suffix;
}

/** The pod-template-hash of a template (the ReplicaSet's and controller revision's name suffix). */
export function templateHash(template: Doc): string {
  return podSuffix(canonicalJson(template), 10);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isMap(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function clusterAt(kube: KubeClusters, clusterId: string, now: number): Cluster {
  return { kube, clusterId, now, nodes: kube.nodes(clusterId, now), store: kube.objects(clusterId) };
}

function ms(cluster: Cluster, seconds: number): number {
  return cluster.kube.talos.ms(seconds);
}

function terminationMs(cluster: Cluster): number {
  return ms(cluster, cluster.kube.talos.seconds.podTerminate);
}

/** The cluster's workloads, live and recently deleted, without Cilium's own. */
function workloadsOf(cluster: Cluster): Workload[] {
  return WORKLOAD_KINDS.flatMap((kind) => {
    const info = byKind(kind);
    const live = cluster.store.list(info).map((stored) => ({ stored, removedAt: undefined }));
    const removed = cluster.store
      .removed(info)
      .filter((entry) => cluster.now < entry.removedAt + terminationMs(cluster))
      .map((entry) => ({ stored: entry.stored, removedAt: entry.removedAt }));
    return [...live, ...removed].map((entry): Workload => ({
      kind,
      stored: entry.stored,
      name: nameOf(entry.stored),
      namespace: namespaceOf(entry.stored) ?? 'default',
      ...(entry.removedAt === undefined ? {} : { removedAt: entry.removedAt }),
    }));
  }).filter((workload) => !CILIUM_OWN.has(`${workload.kind}/${workload.namespace}/${workload.name}`));
}

// ---- spec fields -------------------------------------------------------------------------------------

const specOf = (object: Doc): Doc => (isMap(object.spec) ? object.spec : {});
const templateOf = (spec: Doc): Doc => (isMap(spec.template) ? spec.template : {});
const podSpecOf = (template: Doc): Doc => (isMap(template.spec) ? template.spec : {});
const replicasOf = (spec: Doc): number => (typeof spec.replicas === 'number' ? spec.replicas : 1);

/** The specs a workload had, each with when it took effect (history kept by the object store). */
function revisionsOf(stored: StoredObject): Revision[] {
  const history = stored.history ?? [];
  const specs = [...history.map((change) => (isMap(change.spec) ? change.spec : {})), specOf(stored.object)];
  const sinces = [stored.createdAt, ...history.map((change) => change.replacedAt)];
  return specs.map((spec, index) => ({ spec, since: sinces[index] ?? stored.createdAt }));
}

function specAt(revisions: Revision[], at: number): Doc {
  return [...revisions].reverse().find((revision) => revision.since <= at)?.spec ?? revisions[0]?.spec ?? {};
}

/** When the current template took over (its last run of revisions). */
function templateSince(revisions: Revision[], hash: string): number {
  let since = revisions[revisions.length - 1]?.since ?? 0;
  for (let i = revisions.length - 1; i >= 0; i--) {
    const revision = revisions[i]!;
    if (templateHash(templateOf(revision.spec)) !== hash) break;
    since = revision.since;
  }
  return since;
}

/** An int-or-percent of a RollingUpdate budget resolved against the replica count. */
function resolveBudget(value: unknown, total: number, roundUp: boolean, fallback: string): number {
  const raw = value === undefined ? fallback : value;
  if (typeof raw === 'number') return raw;
  const percent = /^(\d+)%$/.exec(String(raw));
  if (!percent) return Number(raw) || 0;
  const exact = (Number(percent[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

function rollingBudget(spec: Doc, replicas: number): { surge: number; unavailable: number } {
  const rolling = get(spec, 'strategy.rollingUpdate');
  const surge = resolveBudget(get(rolling, 'maxSurge'), replicas, true, '25%');
  const unavailable = resolveBudget(get(rolling, 'maxUnavailable'), replicas, false, '25%');
  return surge === 0 && unavailable === 0 ? { surge: 1, unavailable: 0 } : { surge, unavailable };
}

// ---- replaying a workload's history --------------------------------------------------------------------

const isAlive = (pod: PodPlan) => pod.deletedAt === undefined;
const isReady = (pod: PodPlan, at: number) => pod.times.readyAt <= at;

/** Still holding its name or node at `at`: alive, or terminating after it had been scheduled. */
function isPresent(cluster: Cluster, pod: PodPlan, at: number): boolean {
  if (pod.deletedAt === undefined) return true;
  return pod.times.scheduledAt <= pod.deletedAt && at < pod.deletedAt + terminationMs(cluster);
}

function remove(pod: PodPlan, at: number): void {
  pod.deletedAt ??= at;
}

/** Replays the workload from its creation to now (or its deletion), step by step. */
function replay(cluster: Cluster, workload: Workload): Rollout {
  const revisions = revisionsOf(workload.stored);
  const end = Math.min(cluster.now, workload.removedAt ?? Infinity);
  const rollout: Rollout = { pods: [] };
  const reconcile = RECONCILERS[workload.kind];
  let at = workload.stored.createdAt;
  for (let step = 0; step < MAX_STEPS && at <= end; step++) {
    if (workload.kind !== 'DaemonSet') evictDrained(rollout, at);
    reconcile(cluster, workload, rollout, at, specAt(revisions, at));
    const next = nextEvent(cluster, workload, revisions, rollout, at);
    if (next === undefined || next > end) break;
    at = next;
  }
  if (workload.removedAt !== undefined) rollout.pods.forEach((pod) => remove(pod, workload.removedAt!));
  return rollout;
}

/** `kubectl drain` evicts a cordoned node's pods; their controllers make replacements elsewhere. */
function evictDrained(rollout: Rollout, at: number): void {
  for (const pod of rollout.pods.filter(isAlive)) {
    const cordonedAt = pod.times.node?.cordonedAt;
    if (cordonedAt !== undefined && cordonedAt <= at && pod.times.scheduledAt <= cordonedAt)
      remove(pod, cordonedAt);
  }
}

/** The next moment something the controllers react to changes. */
function nextEvent(
  cluster: Cluster,
  workload: Workload,
  revisions: Revision[],
  rollout: Rollout,
  at: number,
): number | undefined {
  const namespace = cluster.store.get(byKind('Namespace'), undefined, workload.namespace);
  const candidates = [
    ...revisions.map((revision) => revision.since),
    ...rollout.pods.flatMap((pod) => [
      pod.times.scheduledAt,
      pod.times.readyAt,
      ...(pod.deletedAt === undefined ? [] : [pod.deletedAt + terminationMs(cluster)]),
    ]),
    ...cluster.nodes.flatMap((node) => [node.registeredAt, node.readyAt, node.cordonedAt ?? Infinity]),
    namespace?.updatedAt ?? Infinity,
  ].filter((time) => time > at && Number.isFinite(time));
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

type Reconciler = (cluster: Cluster, workload: Workload, rollout: Rollout, at: number, spec: Doc) => void;

const RECONCILERS: Record<WorkloadKind, Reconciler> = {
  Deployment: reconcileDeployment,
  DaemonSet: reconcileDaemonSet,
  StatefulSet: reconcileStatefulSet,
};

/** The ReplicaSet's choice of pods to delete first: unscheduled, not running, not ready, newest. */
function removeFirst(pods: PodPlan[], count: number, at: number): void {
  const rank = (pod: PodPlan) => [
    pod.times.scheduledAt <= at ? 1 : 0,
    pod.times.pulledAt <= at && !pod.times.pullFailure ? 1 : 0,
    isReady(pod, at) ? 1 : 0,
    -pod.createdAt,
  ];
  const compare = (a: PodPlan, b: PodPlan) => {
    const [x, y] = [rank(a), rank(b)];
    const index = x.findIndex((value, i) => value !== y[i]);
    return index < 0 ? b.ordinal - a.ordinal : x[index]! - y[index]!;
  };
  [...pods]
    .sort(compare)
    .slice(0, Math.max(0, count))
    .forEach((pod) => remove(pod, at));
}

/** The Deployment controller's rolling update (or Recreate) over its ReplicaSets, one template each. */
function reconcileDeployment(
  cluster: Cluster,
  workload: Workload,
  rollout: Rollout,
  at: number,
  spec: Doc,
): void {
  const template = templateOf(spec);
  const hash = templateHash(template);
  const desired = replicasOf(spec);
  const alive = () => rollout.pods.filter(isAlive);
  const current = () => alive().filter((pod) => pod.hash === hash);
  const old = () => alive().filter((pod) => pod.hash !== hash);
  const create = (count: number) => {
    for (let i = 0; i < count; i++) {
      const serial = rollout.pods.length;
      const name = `${workload.name}-${hash}-${podSuffix(`${workload.stored.uid}/${hash}/${serial}`)}`;
      if (!createPod(cluster, workload, rollout, { name, template, hash, ordinal: serial, at })) return;
    }
  };
  if (get(spec, 'strategy.type') === 'Recreate') {
    old().forEach((pod) => remove(pod, at));
    const oldLeft = rollout.pods.some((pod) => pod.hash !== hash && isPresent(cluster, pod, at));
    removeFirst(current(), current().length - desired, at);
    if (!oldLeft) create(desired - current().length);
    return;
  }
  removeFirst(current(), current().length - desired, at);
  const { surge, unavailable } = rollingBudget(spec, desired);
  const minAvailable = desired - unavailable;
  const newUnavailable = current().filter((pod) => !isReady(pod, at)).length;
  removeFirst(
    old().filter((pod) => !isReady(pod, at)),
    alive().length - minAvailable - newUnavailable,
    at,
  );
  const available = alive().filter((pod) => isReady(pod, at)).length;
  removeFirst(
    old().filter((pod) => isReady(pod, at)),
    available - minAvailable,
    at,
  );
  const room = old().length === 0 ? Infinity : desired + surge - alive().length;
  create(Math.min(desired - current().length, room));
}

/** One pod per node the DaemonSet's pods fit on; a template change replaces them maxUnavailable at a time. */
function reconcileDaemonSet(
  cluster: Cluster,
  workload: Workload,
  rollout: Rollout,
  at: number,
  spec: Doc,
): void {
  const template = templateOf(spec);
  const hash = templateHash(template);
  const wanted = fittingNodes(cluster.nodes, withDaemonTolerations(podSpecOf(template)), at);
  const onNode = (node: KubeNode) => rollout.pods.filter((pod) => pod.times.node?.name === node.name);
  for (const node of wanted) {
    if (onNode(node).some((pod) => isPresent(cluster, pod, at))) continue;
    const name = `${workload.name}-${podSuffix(`${workload.stored.uid}/${rollout.pods.length}`)}`;
    createPod(cluster, workload, rollout, { name, template, hash, ordinal: rollout.pods.length, at, node });
  }
  if (get(spec, 'updateStrategy.type') === 'OnDelete') return;
  const old = rollout.pods.filter((pod) => isAlive(pod) && pod.hash !== hash);
  old.filter((pod) => !isReady(pod, at)).forEach((pod) => remove(pod, at));
  const maxUnavailable = resolveBudget(
    get(spec, 'updateStrategy.rollingUpdate.maxUnavailable'),
    wanted.length,
    true,
    '1',
  );
  const unavailable = wanted.filter(
    (node) => !onNode(node).some((pod) => isAlive(pod) && isReady(pod, at)),
  ).length;
  old
    .filter((pod) => isAlive(pod))
    .sort((a, b) => (a.times.node?.name ?? '').localeCompare(b.times.node?.name ?? ''))
    .slice(0, Math.max(0, maxUnavailable - unavailable))
    .forEach((pod) => remove(pod, at));
}

/** Ordinals 0..n-1, one at a time in order (OrderedReady) or all at once (Parallel); updates from the top. */
function reconcileStatefulSet(
  cluster: Cluster,
  workload: Workload,
  rollout: Rollout,
  at: number,
  spec: Doc,
): void {
  const template = templateOf(spec);
  const hash = templateHash(template);
  const desired = replicasOf(spec);
  const parallel = spec.podManagementPolicy === 'Parallel';
  const aliveAt = (ordinal: number) => rollout.pods.find((pod) => pod.ordinal === ordinal && isAlive(pod));
  const occupied = (ordinal: number) =>
    rollout.pods.some((pod) => pod.ordinal === ordinal && isPresent(cluster, pod, at));
  const terminating = () => rollout.pods.some((pod) => !isAlive(pod) && isPresent(cluster, pod, at));
  const extra = rollout.pods
    .filter((pod) => isAlive(pod) && pod.ordinal >= desired)
    .sort((a, b) => b.ordinal - a.ordinal);
  if (extra.length > 0) {
    if (parallel) extra.forEach((pod) => remove(pod, at));
    else if (!terminating()) remove(extra[0]!, at);
    if (!parallel) return;
  }
  for (let ordinal = 0; ordinal < desired; ordinal++) {
    if (occupied(ordinal)) {
      const pod = aliveAt(ordinal);
      if (!parallel && (!pod || !isReady(pod, at))) return;
      continue;
    }
    const name = `${workload.name}-${ordinal}`;
    const created = createPod(cluster, workload, rollout, { name, template, hash, ordinal, at });
    if (!parallel || !created) return;
  }
  if (get(spec, 'updateStrategy.type') === 'OnDelete' || terminating()) return;
  const members = rollout.pods.filter((pod) => isAlive(pod) && pod.ordinal < desired);
  if (members.some((pod) => !isReady(pod, at))) return;
  const partition = Number(get(spec, 'updateStrategy.rollingUpdate.partition') ?? 0);
  const outdated = members
    .filter((pod) => pod.ordinal >= partition && pod.hash !== hash)
    .sort((a, b) => b.ordinal - a.ordinal);
  if (outdated[0]) remove(outdated[0], at);
}

// ---- one pod -------------------------------------------------------------------------------------------

interface NewPod {
  name: string;
  template: Doc;
  hash: string;
  ordinal: number;
  at: number;
  /** DaemonSet pods are bound to their node. */
  node?: KubeNode;
}

/** Creates the pod unless Pod Security Admission refuses it (then the refusal is the rollout's failure). */
function createPod(cluster: Cluster, workload: Workload, rollout: Rollout, pod: NewPod): boolean {
  const refusal = admissionRefusal(cluster, workload, podSpecOf(pod.template), pod.at);
  if (refusal) {
    const message = `pods "${pod.name}" is forbidden: ${refusal}`;
    rollout.failure = rollout.failure?.message === message ? rollout.failure : { message, since: pod.at };
    return false;
  }
  delete rollout.failure;
  const siblings = rollout.pods;
  rollout.pods.push({
    name: pod.name,
    workload,
    template: pod.template,
    hash: pod.hash,
    ordinal: pod.ordinal,
    createdAt: pod.at,
    times: podTimes(cluster, workload, podSpecOf(pod.template), pod.at, siblings, pod.node),
  });
  return true;
}

/**
 * Pod Security Admission at `at`. The namespace's labels are read as they are now; a namespace whose
 * labels are what lets the pod in counts only from its last change on (before that, the defaults held).
 */
function admissionRefusal(
  cluster: Cluster,
  workload: Workload,
  podSpec: Doc,
  at: number,
): string | undefined {
  const { kube, clusterId } = cluster;
  const refusal = enforcementError(namespacePolicy(kube, clusterId, workload.namespace), podSpec);
  if (refusal) return refusal;
  const namespace = cluster.store.get(byKind('Namespace'), undefined, workload.namespace);
  if (!namespace || at >= namespace.updatedAt) return undefined;
  return enforcementError(namespacePolicy(kube, clusterId, workload.namespace, {}), podSpec);
}

/** kube-scheduler's pick at creation (or when a node first fits), then the kubelet's steps on that node. */
function podTimes(
  cluster: Cluster,
  workload: Workload,
  podSpec: Doc,
  createdAt: number,
  siblings: PodPlan[],
  boundNode?: KubeNode,
): PodTimes {
  const { namespace } = workload;
  const never = { scheduledAt: Infinity, sandboxAt: Infinity, pulledAt: Infinity, readyAt: Infinity };
  const missingClaim = claimsOf(podSpec).find(
    (claim) => !cluster.store.get(byKind('PersistentVolumeClaim'), namespace, claim),
  );
  if (missingClaim !== undefined) return { ...never, missingClaim };
  const placement = boundNode
    ? { node: boundNode, at: createdAt }
    : place(cluster, podSpec, createdAt, siblings);
  if (!placement) return never;
  const volumes = volumeReadiness(cluster, namespace, podSpec);
  const sandboxAt = Math.max(placement.at, volumes.at);
  const pulledAt = Math.max(
    sandboxAt + ms(cluster, cluster.kube.talos.seconds.imagePull),
    slowReleasePulledAt(cluster, workload),
  );
  const pullFailure = imagesOf(podSpec)
    .map((image) => ({ image, pull: resolveImage(image) }))
    .map(({ image, pull }) => (pull.ok ? undefined : { image, reason: pull.reason, message: pull.message }))
    .find((failure) => failure !== undefined);
  return {
    node: placement.node,
    scheduledAt: placement.at,
    sandboxAt,
    pulledAt,
    readyAt: pullFailure ? Infinity : pulledAt + ms(cluster, cluster.kube.talos.seconds.podStart),
    ...(volumes.problem ? { volumeProblem: volumes.problem } : {}),
    ...(pullFailure ? { pullFailure } : {}),
  };
}

/** A workload of a helm release whose images pull slowly (an injected fault) has them no earlier than this. */
function slowReleasePulledAt(cluster: Cluster, workload: Workload): number {
  const annotations = get(workload.stored.object, 'metadata.annotations');
  const name = isMap(annotations) ? annotations['meta.helm.sh/release-name'] : undefined;
  const namespace = isMap(annotations) ? annotations['meta.helm.sh/release-namespace'] : undefined;
  if (typeof name !== 'string' || typeof namespace !== 'string') return -Infinity;
  const release = cluster.kube.release(cluster.clusterId, namespace, name);
  if (!release?.imagePullDelaySeconds) return -Infinity;
  return cluster.kube.imagesPulledAt(release) + ms(cluster, cluster.kube.talos.seconds.imagePull);
}

/**
 * The first moment (up to now) some node fits the pod, and the node the scheduler takes then: the one
 * running the fewest of the workload's pods (the default spreading), the first by name on a tie. A Node
 * deleted from the API takes its history along: pods are placed as if it had never been there.
 */
function place(
  cluster: Cluster,
  podSpec: Doc,
  createdAt: number,
  siblings: PodPlan[],
): { node: KubeNode; at: number } | undefined {
  const moments = [
    createdAt,
    ...cluster.nodes.flatMap((node) => [node.registeredAt, node.readyAt]).filter((time) => time > createdAt),
  ]
    .filter((time) => time <= cluster.now)
    .sort((a, b) => a - b);
  for (const at of moments) {
    const fitting = fittingNodes(cluster.nodes, podSpec, at);
    if (fitting.length === 0) continue;
    const load = (node: KubeNode) =>
      siblings.filter(
        (pod) =>
          pod.times.node?.name === node.name &&
          pod.times.scheduledAt <= at &&
          (pod.deletedAt === undefined || pod.deletedAt > at),
      ).length;
    const node = fitting.reduce((best, candidate) => (load(candidate) < load(best) ? candidate : best));
    return { node, at };
  }
  return undefined;
}

function claimsOf(podSpec: Doc): string[] {
  return volumesOf(podSpec)
    .map((volume) => get(volume, 'persistentVolumeClaim.claimName'))
    .filter((claim): claim is string => typeof claim === 'string');
}

function volumesOf(podSpec: Doc): Doc[] {
  return Array.isArray(podSpec.volumes) ? podSpec.volumes.filter(isMap) : [];
}

function imagesOf(podSpec: Doc): string[] {
  const containers = [podSpec.initContainers, podSpec.containers].flatMap((list) =>
    Array.isArray(list) ? list.filter(isMap) : [],
  );
  return containers.map((container) => String(container.image));
}

/** When the kubelet can mount every ConfigMap and Secret volume: once they exist (a missing one blocks). */
function volumeReadiness(
  cluster: Cluster,
  namespace: string,
  podSpec: Doc,
): { at: number; problem?: string } {
  let at = -Infinity;
  for (const volume of volumesOf(podSpec)) {
    for (const source of volumeSources(volume)) {
      const stored = cluster.store.get(byKind(source.kind), namespace, source.name);
      if (stored) at = Math.max(at, stored.createdAt);
      else if (!source.optional) {
        const what = source.kind === 'ConfigMap' ? 'configmap' : 'secret';
        return {
          at: Infinity,
          problem: `MountVolume.SetUp failed for volume "${String(volume.name)}" : ${what} "${source.name}" not found`,
        };
      }
    }
  }
  return { at };
}

function volumeSources(volume: Doc): { kind: 'ConfigMap' | 'Secret'; name: string; optional: boolean }[] {
  const projected = get(volume, 'projected.sources');
  const sources = [volume, ...(Array.isArray(projected) ? projected.filter(isMap) : [])];
  return sources.flatMap((source) => {
    const configMap = isMap(source.configMap) ? source.configMap : undefined;
    const secret = isMap(source.secret) ? source.secret : undefined;
    return [
      ...(configMap
        ? [
            {
              kind: 'ConfigMap' as const,
              name: String(configMap.name),
              optional: configMap.optional === true,
            },
          ]
        : []),
      ...(secret
        ? [
            {
              kind: 'Secret' as const,
              name: String(secret.secretName ?? secret.name),
              optional: secret.optional === true,
            },
          ]
        : []),
    ];
  });
}

// ---- what a pod looks like now -------------------------------------------------------------------------

/** The pod as the API shows it now, or undefined once it is gone. */
function viewOf(cluster: Cluster, plan: PodPlan): PodView | undefined {
  const { now } = cluster;
  const { times } = plan;
  const podSpec = podSpecOf(plan.template);
  const base = {
    name: plan.name,
    namespace: plan.workload.namespace,
    labels: podLabels(plan),
    owner: { kind: plan.workload.kind, name: plan.workload.name },
    containers: (Array.isArray(podSpec.containers) ? podSpec.containers.filter(isMap) : []).map(
      (container) => ({
        name: String(container.name),
        image: String(container.image),
      }),
    ),
    spec: podSpec,
    createdAt: plan.createdAt,
    ...(plan.deletedAt !== undefined && plan.deletedAt <= now ? { deletedAt: plan.deletedAt } : {}),
    ...(times.node && times.scheduledAt <= now ? { nodeName: times.node.name } : {}),
  };
  const started = times.pulledAt <= now && !times.pullFailure ? { startedAt: times.pulledAt } : {};
  if (plan.deletedAt !== undefined && now >= plan.deletedAt) {
    if (!isPresent(cluster, plan, now)) return undefined;
    return { ...base, ...started, phase: 'Terminating', ready: false, status: 'Terminating' };
  }
  if (now < times.scheduledAt) {
    const spec = plan.workload.kind === 'DaemonSet' ? withDaemonTolerations(podSpec) : podSpec;
    const reason = unschedulableMessage(cluster.nodes, spec, now, times.missingClaim);
    return { ...base, phase: 'Pending', ready: false, status: 'Pending', reason };
  }
  if (now < times.pulledAt) {
    const reason = now >= times.sandboxAt ? undefined : times.volumeProblem;
    return {
      ...base,
      phase: 'Pending',
      ready: false,
      status: 'ContainerCreating',
      ...(reason ? { reason } : {}),
    };
  }
  const failure = times.pullFailure;
  if (failure) {
    const backingOff = now >= times.pulledAt + ms(cluster, PULL_BACKOFF_SECONDS);
    const status =
      failure.reason === 'InvalidImageName'
        ? failure.reason
        : backingOff
          ? 'ImagePullBackOff'
          : 'ErrImagePull';
    const reason =
      failure.reason === 'InvalidImageName'
        ? failure.message
        : backingOff
          ? `Back-off pulling image "${failure.image}"`
          : `Failed to pull image "${failure.image}": ${failure.message}`;
    return { ...base, phase: 'Pending', ready: false, status, reason };
  }
  return { ...base, ...started, phase: 'Running', ready: isReady(plan, now), status: 'Running' };
}

/** The template's labels plus those the controller adds. */
function podLabels(plan: PodPlan): Record<string, string> {
  const labels = labelsOf(plan.template);
  const revision = `${plan.workload.name}-${plan.hash}`;
  if (plan.workload.kind === 'Deployment') return { ...labels, 'pod-template-hash': plan.hash };
  if (plan.workload.kind === 'DaemonSet') return { ...labels, 'controller-revision-hash': plan.hash };
  return { ...labels, 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': plan.name };
}

// ---- status ----------------------------------------------------------------------------------------------

/** Only the fields that are set: the API omits zero counts. */
function counts(fields: Record<string, number>): Doc {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== 0));
}

function timestamp(at: number): string {
  return new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
}

function deploymentStatus(cluster: Cluster, workload: Workload, rollout: Rollout): Doc {
  const { now } = cluster;
  const spec = specOf(workload.stored.object);
  const desired = replicasOf(spec);
  const hash = templateHash(templateOf(spec));
  const alive = rollout.pods.filter(isAlive);
  const updated = alive.filter((pod) => pod.hash === hash);
  const available = alive.filter((pod) => isReady(pod, now)).length;
  const complete =
    updated.length === desired && alive.length === desired && updated.every((pod) => isReady(pod, now));
  const since = templateSince(revisionsOf(workload.stored), hash);
  const progressAt = Math.max(
    since,
    ...rollout.pods
      .filter((pod) => pod.hash === hash)
      .flatMap((pod) => [pod.createdAt, pod.times.readyAt])
      .filter((time) => time <= now),
  );
  const deadline = ms(cluster, Number(spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS));
  const replicaSet = `${workload.name}-${hash}`;
  const minimum = available >= desired - rollingBudget(spec, desired).unavailable;
  const condition = (type: string, status: boolean, reason: string, message: string, at: number) => ({
    type,
    status: status ? 'True' : 'False',
    lastUpdateTime: timestamp(at),
    lastTransitionTime: timestamp(at),
    reason,
    message,
  });
  const progressing = complete
    ? condition(
        'Progressing',
        true,
        'NewReplicaSetAvailable',
        `ReplicaSet "${replicaSet}" has successfully progressed.`,
        progressAt,
      )
    : now - progressAt > deadline
      ? condition(
          'Progressing',
          false,
          'ProgressDeadlineExceeded',
          `ReplicaSet "${replicaSet}" has timed out progressing.`,
          progressAt + deadline,
        )
      : condition(
          'Progressing',
          true,
          'ReplicaSetUpdated',
          `ReplicaSet "${replicaSet}" is progressing.`,
          progressAt,
        );
  return {
    observedGeneration: workload.stored.generation,
    ...counts({
      replicas: alive.length,
      updatedReplicas: updated.length,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
    }),
    conditions: [
      minimum
        ? condition(
            'Available',
            true,
            'MinimumReplicasAvailable',
            'Deployment has minimum availability.',
            since,
          )
        : condition(
            'Available',
            false,
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
            since,
          ),
      progressing,
      ...(rollout.failure
        ? [condition('ReplicaFailure', true, 'FailedCreate', rollout.failure.message, rollout.failure.since)]
        : []),
    ],
  };
}

function daemonSetStatus(cluster: Cluster, workload: Workload, rollout: Rollout): Doc {
  const { now } = cluster;
  const spec = specOf(workload.stored.object);
  const template = templateOf(spec);
  const hash = templateHash(template);
  const wanted = new Set(
    fittingNodes(cluster.nodes, withDaemonTolerations(podSpecOf(template)), now).map((node) => node.name),
  );
  const alive = rollout.pods.filter(isAlive);
  const scheduled = alive.filter((pod) => wanted.has(pod.times.node?.name ?? ''));
  const ready = scheduled.filter((pod) => isReady(pod, now)).length;
  return {
    currentNumberScheduled: new Set(scheduled.map((pod) => pod.times.node?.name)).size,
    desiredNumberScheduled: wanted.size,
    numberMisscheduled: alive.length - scheduled.length,
    numberReady: ready,
    observedGeneration: workload.stored.generation,
    ...counts({
      updatedNumberScheduled: scheduled.filter((pod) => pod.hash === hash).length,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, wanted.size - ready),
    }),
  };
}

function statefulSetStatus(cluster: Cluster, workload: Workload, rollout: Rollout): Doc {
  const { now } = cluster;
  const spec = specOf(workload.stored.object);
  const hash = templateHash(templateOf(spec));
  const alive = rollout.pods.filter(isAlive);
  const ready = alive.filter((pod) => isReady(pod, now)).length;
  const updated = alive.filter((pod) => pod.hash === hash).length;
  const settled = updated === alive.length && alive.length >= replicasOf(spec);
  const oldest = [...alive].sort((a, b) => a.createdAt - b.createdAt)[0];
  const currentHash = settled || !oldest ? hash : oldest.hash;
  return {
    observedGeneration: workload.stored.generation,
    availableReplicas: ready,
    currentRevision: `${workload.name}-${currentHash}`,
    updateRevision: `${workload.name}-${hash}`,
    collisionCount: 0,
    ...counts({
      replicas: alive.length,
      readyReplicas: ready,
      currentReplicas: alive.filter((pod) => pod.hash === currentHash).length,
      updatedReplicas: updated,
    }),
  };
}
