import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeClusters, KubeNode } from './clusters.js';
import type { Resources } from './node-resources.js';
import type { ObjectStore, StoredObject } from './objects.js';

/**
 * The shapes the workload controllers, the scheduler sweep and the pod views share: a cluster at a moment,
 * its workloads with their spec history, and the pods planned for them with when each step of their start
 * happens.
 */

export type WorkloadKind = 'Deployment' | 'DaemonSet' | 'StatefulSet';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'DaemonSet', 'StatefulSet'];
/** Cilium's agents and operator, which the cluster models from the Cilium release itself. */
export const CILIUM_OWN = new Set(['DaemonSet/kube-system/cilium', 'Deployment/kube-system/cilium-operator']);
/** The kubelet's first image pull back-off: ErrImagePull shows until then, ImagePullBackOff after. */
export const PULL_BACKOFF_SECONDS = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
/** A guard against a history that would never settle; real histories take a few dozen steps. */
export const MAX_STEPS = 10_000;

export interface Cluster {
  kube: KubeClusters;
  clusterId: string;
  now: number;
  nodes: KubeNode[];
  store: ObjectStore;
  /** `<namespace>/<pod>` -> when the eviction API deleted it. */
  evictions: Record<string, number>;
}

export interface Workload {
  kind: WorkloadKind;
  stored: StoredObject;
  name: string;
  namespace: string;
  /** When the workload was deleted: its pods are garbage-collected from then on. */
  removedAt?: number;
}

export interface Revision {
  spec: Doc;
  since: number;
}

/** When each step of a pod's start happens; Infinity for a step that has not happened by now. */
export interface PodTimes {
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

/** A pod's scheduling needs: the spec the scheduler filters with, its effective requests, a DaemonSet's node. */
export interface PodNeeds {
  podSpec: Doc;
  requests: Resources;
  boundNode?: KubeNode;
}

export interface PodPlan {
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
  needs: PodNeeds;
}

export interface Rollout {
  pods: PodPlan[];
  /** The API server's last refusal of a pod, while creations still fail. */
  failure?: { message: string; since: number };
}

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

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isMap(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

export function clusterAt(kube: KubeClusters, clusterId: string, now: number): Cluster {
  return {
    kube,
    clusterId,
    now,
    nodes: kube.nodes(clusterId, now),
    store: kube.objects(clusterId),
    evictions: kube.evictions(clusterId),
  };
}

export function ms(cluster: Cluster, seconds: number): number {
  return cluster.kube.talos.ms(seconds);
}

export function terminationMs(cluster: Cluster): number {
  return ms(cluster, cluster.kube.talos.seconds.podTerminate);
}

// ---- spec fields -------------------------------------------------------------------------------------

export const specOf = (object: Doc): Doc => (isMap(object.spec) ? object.spec : {});
export const templateOf = (spec: Doc): Doc => (isMap(spec.template) ? spec.template : {});
export const podSpecOf = (template: Doc): Doc => (isMap(template.spec) ? template.spec : {});
export const replicasOf = (spec: Doc): number => (typeof spec.replicas === 'number' ? spec.replicas : 1);

/** The specs a workload had, each with when it took effect (history kept by the object store). */
export function revisionsOf(stored: StoredObject): Revision[] {
  const history = stored.history ?? [];
  const specs = [...history.map((change) => (isMap(change.spec) ? change.spec : {})), specOf(stored.object)];
  const sinces = [stored.createdAt, ...history.map((change) => change.replacedAt)];
  return specs.map((spec, index) => ({ spec, since: sinces[index] ?? stored.createdAt }));
}

export function specAt(revisions: Revision[], at: number): Doc {
  return [...revisions].reverse().find((revision) => revision.since <= at)?.spec ?? revisions[0]?.spec ?? {};
}

/** When the current template took over (its last run of revisions). */
export function templateSince(revisions: Revision[], hash: string): number {
  let since = revisions[revisions.length - 1]?.since ?? 0;
  for (let i = revisions.length - 1; i >= 0; i--) {
    const revision = revisions[i]!;
    if (templateHash(templateOf(revision.spec)) !== hash) break;
    since = revision.since;
  }
  return since;
}

/** An int-or-percent of a RollingUpdate budget resolved against the replica count. */
export function resolveBudget(value: unknown, total: number, roundUp: boolean, fallback: string): number {
  const raw = value === undefined ? fallback : value;
  if (typeof raw === 'number') return raw;
  const percent = /^(\d+)%$/.exec(String(raw));
  if (!percent) return Number(raw) || 0;
  const exact = (Number(percent[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function rollingBudget(spec: Doc, replicas: number): { surge: number; unavailable: number } {
  const rolling = get(spec, 'strategy.rollingUpdate');
  const surge = resolveBudget(get(rolling, 'maxSurge'), replicas, true, '25%');
  const unavailable = resolveBudget(get(rolling, 'maxUnavailable'), replicas, false, '25%');
  return surge === 0 && unavailable === 0 ? { surge: 1, unavailable: 0 } : { surge, unavailable };
}

export const isAlive = (pod: PodPlan) => pod.deletedAt === undefined;
export const isReady = (pod: PodPlan, at: number) => pod.times.readyAt <= at;

/** Still holding its name or node at `at`: alive, or terminating after it had been scheduled. */
export function isPresent(cluster: Cluster, pod: PodPlan, at: number): boolean {
  if (pod.deletedAt === undefined) return true;
  return pod.times.scheduledAt <= pod.deletedAt && at < pod.deletedAt + terminationMs(cluster);
}

export function remove(pod: PodPlan, at: number): void {
  pod.deletedAt ??= at;
}
