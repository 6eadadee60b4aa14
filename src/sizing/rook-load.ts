import { parse } from 'yaml';
import type { Resources } from './allocatable.js';
import { NO_REQUESTS, addResources, containerRequests } from './pod-requests.js';

/**
 * Rook's pods on the fullest worker, read back from the values the twin renders for the two charts, and
 * placed as Rook places them (LIFECYCLE H.1): one mon and one mgr per node unless allowMultiplePerNode,
 * every OSD of the node's disks with its prepare job (the operator re-runs it on every reconcile, while
 * the OSDs run), a crash collector and an exporter on each Ceph node, the RBD nodeplugin on every worker.
 * The operator, the ceph-csi operator and every provisioner replica are counted on that same worker:
 * nothing stops them from landing there together.
 */

export interface PlacedPods {
  what: string;
  count: number;
  each: Resources;
}

/** ceph-csi-operator's controller-manager (subchart v0.4.1 values lines 7-32); the twin keeps its default. */
const CSI_OPERATOR_REQUESTS: Resources = { cpuMilli: 10, memoryMiB: 64 };

interface ClusterValues {
  cephClusterSpec: {
    mon: { count: number; allowMultiplePerNode: boolean };
    mgr: { count: number; allowMultiplePerNode: boolean };
    storage: { nodes: { devices: unknown[] }[] };
    resources: Record<string, unknown>;
    logCollector?: { enabled?: boolean };
    crashCollector?: { disable?: boolean };
  };
}

interface OperatorValues {
  resources: unknown;
  csi: {
    enableCephfsDriver?: boolean;
    provisionerReplicas: number;
    csiRBDProvisionerResource: string;
    csiRBDPluginResource: string;
  };
}

export function rookPodsOnFullestWorker(
  clusterValues: Record<string, unknown>,
  operatorValues: Record<string, unknown>,
): PlacedPods[] {
  const spec = (clusterValues as unknown as ClusterValues).cephClusterSpec;
  const operator = operatorValues as unknown as OperatorValues;
  if (operator.csi.enableCephfsDriver !== false) {
    throw new Error('the capacity check counts the RBD driver only, but the rendered values enable CephFS');
  }
  const daemon = (key: string): Resources => {
    if (!(key in spec.resources)) {
      throw new Error(
        `the rendered Rook values lack cephClusterSpec.resources.${key}: the chart default would apply`,
      );
    }
    return containerRequests(spec.resources[key]);
  };
  const log = spec.logCollector?.enabled === false ? NO_REQUESTS : daemon('logcollector');
  const osds = Math.max(0, ...spec.storage.nodes.map((node) => node.devices.length));
  const mgrSidecar = spec.mgr.count > 1 ? daemon('mgr-sidecar') : NO_REQUESTS;
  const replicas = operator.csi.provisionerReplicas;
  const pods: PlacedPods[] = [
    { what: 'Rook osd', count: osds, each: addResources(daemon('osd'), log) },
    { what: 'Rook osd-prepare job', count: osds > 0 ? 1 : 0, each: daemon('prepareosd') },
    { what: 'Rook mon', count: perNode(spec.mon), each: addResources(daemon('mon'), log) },
    {
      what: 'Rook mgr',
      count: perNode(spec.mgr),
      each: [daemon('mgr'), mgrSidecar, log].reduce(addResources),
    },
    {
      what: 'Rook crash collector',
      count: spec.crashCollector?.disable === true ? 0 : 1,
      each: daemon('crashcollector'),
    },
    { what: 'Rook exporter', count: 1, each: daemon('exporter') },
    { what: 'Rook operator', count: 1, each: containerRequests(operator.resources) },
    { what: 'ceph-csi operator', count: 1, each: CSI_OPERATOR_REQUESTS },
    { what: 'RBD nodeplugin', count: 1, each: csiPodRequests(operator.csi.csiRBDPluginResource) },
    {
      what: 'RBD provisioner',
      count: replicas,
      each: csiPodRequests(operator.csi.csiRBDProvisionerResource),
    },
  ];
  return pods.filter((pods) => pods.count > 0);
}

/** Rook spreads mons and mgrs one per node unless told otherwise; then all of them may share one. */
function perNode(daemon: { count: number; allowMultiplePerNode: boolean }): number {
  return daemon.allowMultiplePerNode ? daemon.count : Math.min(1, daemon.count);
}

/** A csi.*Resource string: every listed container runs in the pod (the twin lists only those it deploys). */
function csiPodRequests(list: string): Resources {
  const containers = parse(list) as { name: string; resource?: unknown }[];
  return containers
    .map((container) => containerRequests(container.resource))
    .reduce(addResources, NO_REQUESTS);
}
