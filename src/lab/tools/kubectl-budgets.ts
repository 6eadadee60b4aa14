import { createHash } from 'node:crypto';
import { budgetObject, disruptionBudgets } from '../kube/disruption.js';
import { byKind } from '../kube/kinds.js';
import { podsOf } from '../kube/workloads.js';
import type { Doc } from '../talos/yaml-docs.js';
import type { ApiItem } from './kubectl-api.js';
import type { ToolCall } from './runtime.js';

/** PodDisruptionBudgets as the API server lists them: applied ones and Rook's, each with its status. */
export function budgetItems(call: ToolCall, clusterId: string, namespace?: string): ApiItem[] {
  const now = call.now();
  const pods = podsOf(call.kube, clusterId, now);
  return disruptionBudgets(call.kube, clusterId, now)
    .filter((budget) => namespace === undefined || budget.namespace === namespace)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
    .map((budget): ApiItem => {
      const object = budgetObject(budget, pods);
      const metadata = object.metadata as Doc;
      metadata.uid = budget.stored?.uid ?? uidOf(`${clusterId}/pdb/${budget.namespace}/${budget.name}`);
      metadata.creationTimestamp = new Date(budget.createdAt).toISOString().replace(/\.\d+Z$/, 'Z');
      metadata.resourceVersion = String(Math.floor(budget.stored?.updatedAt ?? budget.createdAt));
      return {
        info: byKind('PodDisruptionBudget'),
        name: budget.name,
        namespace: budget.namespace,
        object,
        createdAt: budget.createdAt,
      };
    });
}

function uidOf(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
