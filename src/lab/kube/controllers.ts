import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';
import type { KubeNode } from './clusters.js';
import { NODE_MONITOR_GRACE_SECONDS } from './node-state.js';
import { byKind } from './kinds.js';
import { podRequests } from './node-resources.js';
import type { Cluster, PodPlan, Rollout, Workload, WorkloadKind } from './pod-plans.js';
import {
  isAlive,
  ms,
  isPresent,
  isReady,
  podSpecOf,
  podSuffix,
  remove,
  replicasOf,
  resolveBudget,
  rollingBudget,
  templateHash,
  templateOf,
} from './pod-plans.js';
import { enforcementError, namespacePolicy } from './pod-security.js';
import { claimsOf } from './pod-start.js';
import { fittingNodes, withDaemonTolerations } from './scheduling.js';

/**
 * The workload controllers: the Deployment's rolling update over its ReplicaSets, the DaemonSet's pod per
 * node, the StatefulSet's ordinals, and `kubectl drain`'s evictions. They create and delete pods; the
 * scheduler sweep binds them.
 */

/**
 * Pods that stop without their controller deciding it: those the eviction API deleted (kubectl drain,
 * Talos' drain), and those on a node that went down (LIFECYCLE G.4). Their controllers replace them.
 */
export function stopPods(cluster: Cluster, rollout: Rollout, at: number): void {
  const evictions = cluster.evictions;
  for (const pod of rollout.pods.filter(isAlive)) {
    const evictedAt = evictions[`${pod.workload.namespace}/${pod.name}`];
    if (evictedAt !== undefined && evictedAt <= at && pod.createdAt <= evictedAt && bound(pod, evictedAt)) {
      remove(pod, evictedAt);
      continue;
    }
    const stoppedAt = pod.times.node && podsStopAt(cluster, pod.times.node, pod.times.scheduledAt);
    if (stoppedAt !== undefined && stoppedAt <= at) remove(pod, stoppedAt);
  }
}

const bound = (pod: PodPlan, at: number) => pod.times.scheduledAt <= at;

/**
 * When a node's outage stops the pods bound there since `boundAt`: at once for a Talos reboot or upgrade
 * (graceful node shutdown: the kubelet stops them, G.4, F.5); after the node monitor grace period and
 * the default unreachable toleration for a power loss (the taint manager evicts them, G.4).
 */
export function podsStopAt(cluster: Cluster, node: KubeNode, boundAt: number): number | undefined {
  const lost = ms(cluster, NODE_MONITOR_GRACE_SECONDS + DEFAULT_UNREACHABLE_TOLERATION_SECONDS);
  // A power loss shorter than that leaves the pods in place: the kubelet restarts their containers.
  return node.outages
    .map((outage) => (outage.cause === 'power' ? outage.from + lost : outage.from))
    .filter((stop, i) => stop >= boundAt && stop < node.outages[i]!.until)
    .sort((a, b) => a - b)[0];
}

/** DefaultTolerationSeconds for node.kubernetes.io/unreachable (LIFECYCLE G.4). */
const DEFAULT_UNREACHABLE_TOLERATION_SECONDS = 300;

export type Reconciler = (
  cluster: Cluster,
  workload: Workload,
  rollout: Rollout,
  at: number,
  spec: Doc,
) => void;

export const RECONCILERS: Record<WorkloadKind, Reconciler> = {
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
  const podSpec = podSpecOf(pod.template);
  const never = { scheduledAt: Infinity, sandboxAt: Infinity, pulledAt: Infinity, readyAt: Infinity };
  const missingClaim = claimsOf(podSpec).find(
    (claim) => !cluster.store.get(byKind('PersistentVolumeClaim'), workload.namespace, claim),
  );
  // Created Pending: the scheduler sweep binds it once a node fits (sweep.ts).
  rollout.pods.push({
    name: pod.name,
    workload,
    template: pod.template,
    hash: pod.hash,
    ordinal: pod.ordinal,
    createdAt: pod.at,
    times: missingClaim === undefined ? never : { ...never, missingClaim },
    needs: {
      podSpec: workload.kind === 'DaemonSet' ? withDaemonTolerations(podSpec) : podSpec,
      requests: podRequests(podSpec),
      ...(pod.node ? { boundNode: pod.node } : {}),
    },
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
