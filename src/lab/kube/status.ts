import type { Doc } from '../talos/yaml-docs.js';
import { cephBlockPoolStatus, cephClusterStatus } from './ceph.js';
import type { KubeClusters } from './clusters.js';
import type { KindInfo } from './kinds.js';
import type { StoredObject } from './objects.js';
import { nameOf, namespaceOf } from './objects.js';
import { workloadStatus } from './workloads.js';

/**
 * The `status` the cluster's controllers keep on an object, computed at `now` (the lab stores only what
 * was applied). One case per kind that has a modelled controller; kinds without one have no status.
 */
export function objectStatus(
  kube: KubeClusters,
  clusterId: string,
  info: KindInfo,
  stored: StoredObject,
  now: number,
): Doc | undefined {
  const cilium = ciliumStatus(kube, clusterId, info, stored, now);
  if (cilium) return cilium;
  switch (info.kind) {
    case 'Deployment':
    case 'DaemonSet':
    case 'StatefulSet':
      return workloadStatus(kube, clusterId, info, stored, now);
    case 'Namespace':
      return { phase: 'Active' };
    case 'Service':
      return { loadBalancer: {} };
    case 'CephCluster':
      return cephClusterStatus(kube, clusterId, stored, now);
    case 'CephBlockPool':
      return cephBlockPoolStatus(kube, clusterId, stored, now);
    default:
      return undefined;
  }
}

/**
 * Cilium's agent DaemonSet and operator Deployment: the lab models their pods in clusters.ts (one agent per
 * Node across chart revisions), so their status comes from there, as `kubectl rollout status` sees it.
 */
function ciliumStatus(
  kube: KubeClusters,
  clusterId: string,
  info: KindInfo,
  stored: StoredObject,
  now: number,
): Doc | undefined {
  if (namespaceOf(stored) !== 'kube-system') return undefined;
  const name = nameOf(stored);
  if (info.kind === 'DaemonSet' && name === 'cilium') {
    const agents = kube.ciliumDaemonSet(clusterId, now);
    if (!agents) return undefined;
    return {
      desiredNumberScheduled: agents.desired,
      currentNumberScheduled: agents.desired,
      numberReady: agents.ready,
      numberAvailable: agents.ready,
      updatedNumberScheduled: agents.updated ?? agents.desired,
      ...(agents.desired > agents.ready ? { numberUnavailable: agents.desired - agents.ready } : {}),
      observedGeneration: stored.generation,
    };
  }
  if (info.kind === 'Deployment' && name === 'cilium-operator') {
    const operator = kube.ciliumOperator(clusterId, now);
    if (!operator) return undefined;
    return {
      replicas: operator.desired,
      readyReplicas: operator.ready,
      availableReplicas: operator.ready,
      updatedReplicas: operator.updated ?? operator.desired,
      observedGeneration: stored.generation,
    };
  }
  return undefined;
}
