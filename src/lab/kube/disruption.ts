import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import { cephView } from './ceph.js';
import type { KubeClusters } from './clusters.js';
import { byKind } from './kinds.js';
import type { StoredObject } from './objects.js';
import { nameOf, namespaceOf } from './objects.js';
import type { PodView } from './pods.js';
import { resolveBudget } from './pod-plans.js';
import { rookBudgets } from './rook-disruption.js';
import { podsOf } from './workloads.js';

/**
 * PodDisruptionBudgets (policy/v1): those applied, and those Rook keeps (rook-disruption.ts); their status
 * as the disruption controller computes it, and the eviction API's answer to a pod (LIFECYCLE G.2, K8S
 * `pkg/registry/core/pod/storage/eviction.go`): 429 when the budget allows no disruption now, 500 for a pod
 * under more than one budget, and no check for a pod that is not running (canIgnorePDB).
 */

export interface Budget {
  namespace: string;
  name: string;
  selector: Doc;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  createdAt: number;
  generation: number;
  /** The applied object; Rook's budgets have none in the lab's store. */
  stored?: StoredObject;
}

export interface BudgetStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

export type EvictionAnswer = { ok: true } | { ok: false; code: 429 | 500; message: string; cause?: string };

export const PDB_REFUSAL = "Cannot evict pod as it would violate the pod's disruption budget.";
export const SEVERAL_PDBS =
  'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';

/** Every budget of the cluster at `now`: applied ones, then Rook's for each CephCluster. */
export function disruptionBudgets(kube: KubeClusters, clusterId: string, now: number): Budget[] {
  const store = kube.objects(clusterId);
  const applied = store.list(byKind('PodDisruptionBudget')).map((stored): Budget => {
    const spec = isMap(stored.object.spec) ? stored.object.spec : {};
    return {
      namespace: namespaceOf(stored) ?? 'default',
      name: nameOf(stored),
      selector: isMap(spec.selector) ? spec.selector : {},
      ...(spec.minAvailable === undefined ? {} : { minAvailable: spec.minAvailable as number | string }),
      ...(spec.maxUnavailable === undefined
        ? {}
        : { maxUnavailable: spec.maxUnavailable as number | string }),
      createdAt: stored.createdAt,
      generation: stored.generation,
      stored,
    };
  });
  const recoveryMs = kube.talos.ms(kube.talos.seconds.cephRecovery);
  const rook = store.list(byKind('CephCluster')).flatMap((cluster) => {
    const view = cephView(kube, clusterId, cluster, now);
    if (!view) return [];
    return rookBudgets(cluster, view, kube.nodes(clusterId, now), now, recoveryMs).map((budget): Budget => ({
      namespace: budget.namespace,
      name: budget.name,
      selector: { matchLabels: budget.selector },
      maxUnavailable: budget.maxUnavailable,
      createdAt: budget.createdAt,
      generation: 1,
    }));
  });
  return [...applied, ...rook].filter((budget) => budget.createdAt <= now);
}

/** A LabelSelector (matchLabels, matchExpressions) against labels; an empty one selects every pod. */
export function selectorMatches(selector: Doc, labels: Record<string, string>): boolean {
  const wanted = isMap(selector.matchLabels) ? selector.matchLabels : {};
  if (!Object.entries(wanted).every(([key, value]) => labels[key] === String(value))) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isMap) : [];
  return expressions.every((expression) => {
    const value = labels[String(expression.key)];
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}

export function budgetsOfPod(budgets: Budget[], pod: PodView): Budget[] {
  return budgets.filter(
    (budget) => budget.namespace === pod.namespace && selectorMatches(budget.selector, pod.labels),
  );
}

/** The disruption controller's counts: healthy = running and ready; expected = the pods not terminating. */
export function budgetStatus(budget: Budget, pods: PodView[]): BudgetStatus {
  const selected = pods.filter(
    (pod) =>
      pod.namespace === budget.namespace &&
      pod.phase !== 'Terminating' &&
      selectorMatches(budget.selector, pod.labels),
  );
  const expectedPods = selected.length;
  const currentHealthy = selected.filter((pod) => pod.phase === 'Running' && pod.ready).length;
  const desiredHealthy =
    budget.minAvailable !== undefined
      ? resolveBudget(budget.minAvailable, expectedPods, true, '0')
      : Math.max(0, expectedPods - resolveBudget(budget.maxUnavailable ?? 0, expectedPods, true, '0'));
  return {
    expectedPods,
    currentHealthy,
    desiredHealthy,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
  };
}

/**
 * The eviction API at one moment: each successful eviction uses up one allowed disruption of its budget,
 * as the API server records it in the budget's disruptedPods.
 */
export class EvictionApi {
  readonly pods: PodView[];
  private readonly budgets: Budget[];
  private readonly allowed = new Map<Budget, number>();
  private readonly statuses = new Map<Budget, BudgetStatus>();

  constructor(kube: KubeClusters, clusterId: string, at: number) {
    this.pods = podsOf(kube, clusterId, at);
    this.budgets = disruptionBudgets(kube, clusterId, at);
    for (const budget of this.budgets) {
      const status = budgetStatus(budget, this.pods);
      this.statuses.set(budget, status);
      this.allowed.set(budget, status.disruptionsAllowed);
    }
  }

  evict(pod: PodView): EvictionAnswer {
    // canIgnorePDB: a pod that is not running (or already terminating) is evicted without a check.
    if (pod.phase !== 'Running') return { ok: true };
    const budgets = budgetsOfPod(this.budgets, pod);
    if (budgets.length > 1) return { ok: false, code: 500, message: SEVERAL_PDBS };
    const [budget] = budgets;
    if (!budget) return { ok: true };
    const left = this.allowed.get(budget) ?? 0;
    if (left <= 0) {
      const status = this.statuses.get(budget)!;
      return {
        ok: false,
        code: 429,
        message: PDB_REFUSAL,
        cause: `The disruption budget ${budget.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
      };
    }
    this.allowed.set(budget, left - 1);
    return { ok: true };
  }
}

/** The PodDisruptionBudget as the API server returns it, with the disruption controller's status. */
export function budgetObject(budget: Budget, pods: PodView[]): Doc {
  const status = budgetStatus(budget, pods);
  const spec = budget.stored
    ? structuredClone(budget.stored.object.spec as Doc)
    : { maxUnavailable: budget.maxUnavailable, selector: budget.selector };
  const allowed = status.disruptionsAllowed > 0;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      ...(budget.stored ? (budget.stored.object.metadata as Doc) : {}),
      name: budget.name,
      namespace: budget.namespace,
      generation: budget.generation,
    },
    spec,
    status: {
      ...status,
      observedGeneration: budget.generation,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: allowed ? 'True' : 'False',
          reason: allowed ? 'SufficientPods' : 'InsufficientPods',
          message: '',
        },
      ],
    },
  };
}
