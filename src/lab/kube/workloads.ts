import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import { podAddressBlocks, podAddresses } from './addresses.js';
import type { KubeClusters } from './clusters.js';
import { downAt } from './node-state.js';
import type { KindInfo } from './kinds.js';
import type { StoredObject } from './objects.js';
import { labelsOf, nameOf, namespaceOf } from './objects.js';
import type { Cluster, PodPlan, Rollout, Workload } from './pod-plans.js';
import {
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
  PULL_BACKOFF_SECONDS,
  WORKLOAD_KINDS,
  isAlive,
  isPresent,
  isReady,
  ms,
  podSpecOf,
  replicasOf,
  revisionsOf,
  rollingBudget,
  specOf,
  templateHash,
  templateOf,
  templateSince,
} from './pod-plans.js';
import type { PodView } from './pods.js';
import { fittingNodes, unschedulableMessage, withDaemonTolerations } from './scheduling.js';
import type { Sweep } from './sweep.js';
import { clusterSweep, roomsAt, sweepPods } from './sweep.js';

export { podSuffix, templateHash } from './pod-plans.js';
export type { WorkloadKind } from './pod-plans.js';

/**
 * The pods of a cluster's Deployments, DaemonSets and StatefulSets (and Talos' CoreDNS, Rook's Ceph
 * daemons), as the cluster sweep (sweep.ts) made and bound them, shown as the API shows them now, and the
 * workloads' status blocks as their controllers write them. Cilium's own agents and operator are not here:
 * the cluster models them.
 */

/** Every pod of the cluster's workloads at `now`, all namespaces, sorted by namespace and name. */
export function podsOf(kube: KubeClusters, clusterId: string, now = kube.talos.now()): PodView[] {
  const sweep = clusterSweep(kube, clusterId, now);
  const viewed = sweepPods(sweep)
    .map((plan) => ({ plan, view: viewOf(sweep, plan) }))
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
  const sweep = clusterSweep(kube, clusterId, now);
  const workload = sweep.workloads.find(
    (candidate) => candidate.stored.uid === stored.uid && candidate.removedAt === undefined,
  );
  const rollout = (workload && sweep.rollouts.get(workload)) ?? { pods: [] };
  const shown: Workload = workload ?? {
    kind,
    stored,
    name: nameOf(stored),
    namespace: namespaceOf(stored) ?? 'default',
  };
  const { cluster } = sweep;
  if (kind === 'Deployment') return deploymentStatus(cluster, shown, rollout);
  if (kind === 'DaemonSet') return daemonSetStatus(cluster, shown, rollout);
  return statefulSetStatus(cluster, shown, rollout);
}

// ---- what a pod looks like now -------------------------------------------------------------------------

/** The pod as the API shows it now, or undefined once it is gone. */
function viewOf(sweep: Sweep, plan: PodPlan): PodView | undefined {
  const { cluster } = sweep;
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
    const { needs } = plan;
    const ask = { requests: needs.requests, ...(needs.boundNode ? { boundNode: needs.boundNode.name } : {}) };
    const reason = unschedulableMessage(
      cluster.nodes,
      needs.podSpec,
      now,
      times.missingClaim,
      ask,
      roomsAt(sweep, now),
    );
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
  // The node lifecycle controller marks the pods of a NotReady node not ready (G.4).
  const ready = isReady(plan, now) && !downAt(times.node!, now);
  return { ...base, ...started, phase: 'Running', ready, status: 'Running' };
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
