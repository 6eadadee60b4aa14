import type { Cluster, PodPlan, Workload } from './pod-plans.js';

/** Rook's Ceph daemons as the Deployments the operator creates for them (filled in below). */
export function cephWorkloads(_cluster: Cluster, _pods: PodPlan[]): Workload[] {
  return [];
}
