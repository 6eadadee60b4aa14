import { rookClusterValues, rookOperatorValues } from '../addons/rook.js';
import { starwarsManifests } from '../addons/starwars.js';
import { meshCheckManifests } from '../mesh/mesh-check.js';
import type { NodeRole, Resources, VmSize } from './allocatable.js';
import { allocatable } from './allocatable.js';
import { NO_REQUESTS, addResources, deploymentPods, scaleResources } from './pod-requests.js';
import type { PlacedPods } from './rook-load.js';
import { rookPodsOnFullestWorker } from './rook-load.js';

/**
 * The most a node of each role of one cluster may be asked to hold: the twin's own pods, placed
 * conservatively, against that node's allocatable (LIFECYCLE F.7, G.1). A pod that may land on either
 * role (CoreDNS) is counted on both; every cluster-wide Deployment is counted on the one fullest worker.
 */

export interface ClusterSizing {
  cluster: string;
  /** Every cluster of the twin: with two or more, each runs the mesh check's two pods. */
  meshClusters: string[];
  controlPlanes: VmSize & { count: number };
  workers: VmSize & { count: number; extraDisks: number };
  rook: boolean;
  starwars: boolean;
}

export interface NodeLoad {
  cluster: string;
  role: NodeRole;
  vm: VmSize;
  allocatable: Resources;
  pods: PlacedPods[];
  requested: Resources;
}

/** kube-apiserver 200m/512Mi, kube-controller-manager 50m/256Mi, kube-scheduler 10m/64Mi (F.7). */
const TALOS_CONTROL_PLANE: PlacedPods = {
  what: 'Talos control plane pods',
  count: 1,
  each: { cpuMilli: 260, memoryMiB: 832 },
};
/** The install-cni-binaries init container is the agent pod's effective request (I.3). */
const CILIUM_AGENT: PlacedPods = { what: 'Cilium agent', count: 1, each: { cpuMilli: 100, memoryMiB: 10 } };
/**
 * Talos' CoreDNS: 2 replicas (F.7). Counted on both roles, both on one node: whether Talos' template
 * tolerates the control-plane taint was not read, and nothing forces the two apart.
 */
const COREDNS: PlacedPods = { what: 'CoreDNS', count: 2, each: { cpuMilli: 100, memoryMiB: 70 } };

export function clusterNodeLoads(input: ClusterSizing): NodeLoad[] {
  const anywhere = [COREDNS, ...demoPods(input)];
  const hasWorkers = input.workers.count > 0;
  // Without workers Talos lets pods onto the control planes (allowSchedulingOnControlPlanes).
  const controlPlane = [TALOS_CONTROL_PLANE, CILIUM_AGENT, ...(hasWorkers ? [COREDNS] : anywhere)];
  const loads = [nodeLoad(input.cluster, 'controlplane', input.controlPlanes, controlPlane)];
  if (hasWorkers) {
    loads.push(
      nodeLoad(input.cluster, 'worker', input.workers, [CILIUM_AGENT, ...anywhere, ...rookPods(input)]),
    );
  }
  return loads;
}

function nodeLoad(cluster: string, role: NodeRole, vm: VmSize, pods: PlacedPods[]): NodeLoad {
  const size = { cores: vm.cores, memoryMiB: vm.memoryMiB };
  return {
    cluster,
    role,
    vm: size,
    allocatable: allocatable(role, size),
    pods,
    requested: pods.map((p) => scaleResources(p.each, p.count)).reduce(addResources, NO_REQUESTS),
  };
}

/** The Star Wars demo and the mesh check, read from their manifests (each pod asks 10m/16Mi). */
function demoPods(input: ClusterSizing): PlacedPods[] {
  const objects = [
    ...(input.starwars ? starwarsManifests(input.cluster) : []),
    ...(input.meshClusters.length > 1 ? meshCheckManifests(input.cluster, input.meshClusters) : []),
  ];
  return deploymentPods(objects).map((pods) => ({ what: pods.name, count: pods.replicas, each: pods.each }));
}

/** Rook needs a worker with a disk for an OSD; without one it is not installed (and render refuses it). */
function rookPods(input: ClusterSizing): PlacedPods[] {
  const { workers } = input;
  if (!input.rook || workers.extraDisks === 0) return [];
  const workerVm = { cores: workers.cores, memoryMiB: workers.memoryMiB };
  const names = Array.from({ length: workers.count }, (_, i) => ({
    name: `w${i + 1}`,
    extraDisks: workers.extraDisks,
  }));
  return rookPodsOnFullestWorker(
    rookClusterValues({ cluster: input.cluster, workers: names, workerVm }),
    rookOperatorValues(workerVm),
  );
}
