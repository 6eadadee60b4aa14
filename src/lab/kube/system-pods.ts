import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeClusters, KubeNode } from './clusters.js';
import type { Resources } from './node-resources.js';
import { NO_RESOURCES, podRequests } from './node-resources.js';
import type { Workload } from './pod-plans.js';

/**
 * The pods a cluster runs before anything is applied to it (LIFECYCLE F.7, I.3): Talos' control-plane
 * static pods and its CoreDNS Deployment, and Cilium's agents and operator, which the cluster models from
 * the Cilium release. They count against the nodes' allocatable like any other pod.
 */

const MI = 1024 ** 2;

/** A pod bound to a node without the scheduler (a static pod or a DaemonSet pod), from `since` on. */
export interface BoundLoad {
  node: string;
  since: number;
  requests: Resources;
}

/**
 * kube-apiserver 200m/512Mi, kube-controller-manager 50m/256Mi, kube-scheduler 10m/64Mi
 * (control_plane_static_pod.go lines 444, 625, 780): 260m/832Mi and 3 pods per control plane, there
 * from the kubelet's start. Not scheduled, not shown as mirror pods by the lab.
 */
const CONTROL_PLANE_STATIC_PODS: Resources = { cpu: 260, memory: 832 * MI, pods: 3 };
/** The operator requests nothing (operator.resources `{}`), but it is a pod. */
const CILIUM_OPERATOR: Resources = { ...NO_RESOURCES, pods: 1 };

/** The pods bound to nodes outside the workloads' sweep: static pods, Cilium's agents and operator. */
export function boundLoads(kube: KubeClusters, clusterId: string, nodes: KubeNode[]): BoundLoad[] {
  const staticPods = nodes
    .filter((node) => node.talos.role === 'controlplane')
    .map((node) => ({ node: node.name, since: node.registeredAt, requests: CONTROL_PLANE_STATIC_PODS }));
  const cilium = kube.release(clusterId, 'kube-system', 'cilium');
  const values = kube.ciliumValues(clusterId)?.values;
  if (!cilium || !values) return staticPods;
  const agent = podRequests(ciliumAgentSpec(values, `v${cilium.chartVersion}`));
  const agents = nodes.map((node) => ({
    node: node.name,
    since: Math.max(cilium.firstDeployedAt, node.registeredAt),
    requests: agent,
  }));
  // The lab's cilium-operator replicas sit on the first nodes by name (kubectl-api ciliumPods).
  const desired = kube.ciliumOperator(clusterId)?.desired ?? 0;
  const operators = nodes.slice(0, desired).map((node) => ({
    node: node.name,
    since: Math.max(cilium.firstDeployedAt, node.registeredAt),
    requests: CILIUM_OPERATOR,
  }));
  return [...staticPods, ...agents, ...operators];
}

/**
 * The cilium agent pod's spec as far as scheduling reads it: the install-cni-binaries init container with
 * `cni.resources` (100m/10Mi by default, its effective request, I.3) and the agent with `resources` (none).
 */
export function ciliumAgentSpec(values: Doc, tag: string): Doc {
  const resources = (path: string) => (isMap(get(values, path)) ? get(values, path) : {});
  const image = `quay.io/cilium/cilium:${tag}`;
  return {
    hostNetwork: true,
    initContainers: [{ name: 'install-cni-binaries', image, resources: resources('cni.resources') }],
    containers: [{ name: 'cilium-agent', image, resources: resources('resources') }],
  };
}

/**
 * Talos' CoreDNS Deployment (internal/app/machined/pkg/controllers/k8s/internal/k8stemplates/testdata/
 * coredns-deployment.yaml at v1.11.6): 2 replicas of 100m/70Mi (limit 170Mi), tolerating the control-plane
 * taint, created once the API server is up. The lab keeps it outside the object store (Talos' manifests).
 */
export function corednsWorkload(kube: KubeClusters, clusterId: string): Workload | undefined {
  const createdAt = kube.apiUpAt(clusterId);
  if (!Number.isFinite(createdAt)) return undefined;
  const labels = { 'k8s-app': 'kube-dns' };
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns:v1.12.4',
              resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
            },
          ],
          dnsPolicy: 'Default',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'coredns',
          tolerations: [
            { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' },
            {
              effect: 'NoSchedule',
              key: 'node.cloudprovider.kubernetes.io/uninitialized',
              operator: 'Exists',
            },
          ],
        },
      },
    },
  };
  const stored = {
    object,
    uid: `talos-coredns-${clusterId}`,
    createdAt,
    updatedAt: createdAt,
    generation: 1,
  };
  return { kind: 'Deployment', stored, name: 'coredns', namespace: 'kube-system' };
}
