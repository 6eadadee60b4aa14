import type { Doc } from '../talos/yaml-docs.js';
import { cephBlockPoolStatus, cephClusterStatus } from './ceph.js';
import type { KubeClusters } from './clusters.js';
import type { KindInfo } from './kinds.js';
import type { StoredObject } from './objects.js';
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
