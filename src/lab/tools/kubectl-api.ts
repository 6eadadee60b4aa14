import { createHash } from 'node:crypto';
import { nodePodCidrs, serviceClusterIps } from '../kube/addresses.js';
import type { KubeNode } from '../kube/clusters.js';
import type { KindInfo } from '../kube/kinds.js';
import { apiVersionOf, byKind } from '../kube/kinds.js';
import type { StoredObject } from '../kube/objects.js';
import { nodeAllocatable, nodeCapacity, qosClass, resourceList } from '../kube/node-resources.js';
import { nameOf, namespaceOf } from '../kube/objects.js';
import type { PodView } from '../kube/pods.js';
import { nodeLabels, nodeTaints } from '../kube/scheduling.js';
import { objectStatus } from '../kube/status.js';
import { ciliumAgentSpec } from '../kube/system-pods.js';
import { budgetItems } from './kubectl-budgets.js';
import { schedulingEvents } from './kubectl-events.js';
import { podSuffix, podsOf } from '../kube/workloads.js';
import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import type { ToolCall } from './runtime.js';

/**
 * Objects as the API server returns them to kubectl: what was applied plus the server's metadata,
 * defaults and status; Nodes and Pods, which the lab computes, in the same shape.
 */

export interface ApiItem {
  info: KindInfo;
  name: string;
  namespace?: string;
  object: Doc;
  createdAt: number;
  /** Pods: the lab's view, which the table prints from. */
  pod?: PodView;
}

/** What a node reports before lab-talos gives its versions (Talos v1.11.6's defaults). */
const DEFAULT_KUBELET = '1.34.1';
const DEFAULT_TALOS_RELEASE = 'v1.11.6';

export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Every object of a kind in `namespace` (undefined: all namespaces). */
export function listItems(call: ToolCall, clusterId: string, info: KindInfo, namespace?: string): ApiItem[] {
  if (info.kind === 'Node') return call.kube.nodes(clusterId).map((node) => nodeItem(call, clusterId, node));
  if (info.kind === 'Namespace') return namespaceItems(call, clusterId);
  if (info.kind === 'PodDisruptionBudget') return budgetItems(call, clusterId, namespace);
  if (info.kind === 'Event')
    return [
      ...schedulingEvents(allPods(call, clusterId), clusterId)
        .filter((event) => namespace === undefined || event.namespace === namespace)
        .map((event) => ({ info, ...event })),
      ...storedItems(call, clusterId, info, namespace),
    ];
  if (info.kind === 'Pod')
    return allPods(call, clusterId)
      .filter((pod) => namespace === undefined || pod.namespace === namespace)
      .map((pod) => podItem(call, clusterId, pod));
  return storedItems(call, clusterId, info, namespace);
}

function storedItems(call: ToolCall, clusterId: string, info: KindInfo, namespace?: string): ApiItem[] {
  return call.kube
    .objects(clusterId)
    .list(info, namespace)
    .map((stored) => storedItem(call, clusterId, info, stored));
}

export function findItem(
  call: ToolCall,
  clusterId: string,
  info: KindInfo,
  namespace: string,
  name: string,
): ApiItem | undefined {
  if (['Node', 'Pod', 'Namespace', 'Event', 'PodDisruptionBudget'].includes(info.kind))
    return listItems(call, clusterId, info, info.namespaced ? namespace : undefined).find(
      (item) => item.name === name,
    );
  const stored = call.kube.objects(clusterId).get(info, info.namespaced ? namespace : undefined, name);
  return stored ? storedItem(call, clusterId, info, stored) : undefined;
}

/** The namespaces the API server creates itself. */
const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Stored namespaces and the built-in ones, by name. */
function namespaceItems(call: ToolCall, clusterId: string): ApiItem[] {
  const info = byKind('Namespace');
  const stored = call.kube
    .objects(clusterId)
    .list(info)
    .map((object) => storedItem(call, clusterId, info, object));
  const createdAt = call.kube.apiUpAt(clusterId);
  const builtIn = BUILT_IN_NAMESPACES.filter((name) => !stored.some((item) => item.name === name)).map(
    (name): ApiItem => ({
      info,
      name,
      createdAt,
      object: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name,
          labels: { 'kubernetes.io/metadata.name': name },
          uid: uidOf(`${clusterId}/namespace/${name}`),
          creationTimestamp: timestamp(createdAt),
          resourceVersion: String(Math.floor(createdAt)),
        },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
    }),
  );
  return [...stored, ...builtIn].sort((a, b) => a.name.localeCompare(b.name));
}

/** Pods of the workloads and Cilium's own, sorted by namespace and name. */
export function allPods(call: ToolCall, clusterId: string): PodView[] {
  return [...podsOf(call.kube, clusterId), ...ciliumPods(call, clusterId)].sort((a, b) =>
    `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
  );
}

/**
 * Cilium's agents (one per node) and operator replicas, as the cluster models them from the release's
 * revisions (kube/cilium-rollout.ts): a pod made by a later template generation has a new name.
 */
export function ciliumPods(call: ToolCall, clusterId: string): PodView[] {
  const values = call.kube.ciliumValues(clusterId)?.values;
  const operator = call.kube.ciliumOperator(clusterId);
  if (!values || !operator) return [];
  const nodes = call.kube.nodes(clusterId);
  const seed = (base: string, generation: number) => (generation === 0 ? base : `${base}/${generation}`);
  const agentPods = call.kube.ciliumAgentPods(clusterId).map(({ node, ...agent }): PodView => {
    const container = { name: 'cilium-agent', image: agent.image };
    const running = !node.ciliumFailure && agent.ready;
    return {
      name: `cilium-${podSuffix(seed(`${clusterId}/${node.name}`, agent.generation))}`,
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/name': 'cilium-agent', 'k8s-app': 'cilium' },
      owner: { kind: 'DaemonSet', name: 'cilium' },
      nodeName: node.name,
      phase: running ? 'Running' : 'Pending',
      ready: running,
      status: node.ciliumFailure?.status ?? (running ? 'Running' : 'Init:0/6'),
      ...(node.ciliumFailure
        ? { reason: `${node.ciliumFailure.container}: ${node.ciliumFailure.reason}` }
        : {}),
      containers: [container],
      spec: ciliumAgentSpec(values, agent.image.split(':').pop() ?? ''),
      ...(node.talos.addresses[0] ? { ip: node.talos.addresses[0] } : {}),
      createdAt: agent.createdAt,
    };
  });
  const operatorPods = call.kube.ciliumOperatorPods(clusterId).map((replica, i): PodView => {
    const running = replica.ready;
    const node = nodes[i];
    const container = {
      name: 'cilium-operator',
      image: replica.image,
    };
    const template = seed(`${clusterId}/operator`, replica.generation);
    return {
      name: `cilium-operator-${podSuffix(template, 10)}-${podSuffix(`${template}/${i}`)}`,
      namespace: 'kube-system',
      labels: {
        'app.kubernetes.io/name': 'cilium-operator',
        'io.cilium/app': 'operator',
        name: 'cilium-operator',
      },
      owner: { kind: 'Deployment', name: 'cilium-operator' },
      ...(node ? { nodeName: node.name } : {}),
      phase: running ? 'Running' : 'Pending',
      ready: running,
      status: operator.failure?.status ?? (running ? 'Running' : node ? 'ContainerCreating' : 'Pending'),
      containers: [container],
      spec: { hostNetwork: true, containers: [container] },
      ...(node?.talos.addresses[0] ? { ip: node.talos.addresses[0] } : {}),
      createdAt: replica.createdAt,
    };
  });
  return [...agentPods, ...operatorPods];
}

function uidOf(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A stored object with the server's metadata, defaults and the status its controller keeps. */
export function storedItem(call: ToolCall, clusterId: string, info: KindInfo, stored: StoredObject): ApiItem {
  const object = structuredClone(stored.object);
  const namespace = info.namespaced ? (namespaceOf(stored) ?? 'default') : undefined;
  object.apiVersion = apiVersionOf(info);
  object.kind = info.kind;
  object.metadata = {
    ...(object.metadata as Doc),
    ...(namespace === undefined ? {} : { namespace }),
    uid: stored.uid,
    creationTimestamp: timestamp(stored.createdAt),
    resourceVersion: String(Math.floor(stored.updatedAt)),
    ...(isMap(object.spec) ? { generation: stored.generation } : {}),
  };
  applyDefaults(call, clusterId, info, object);
  const status = objectStatus(call.kube, clusterId, info, stored, call.now());
  if (status) object.status = status;
  return {
    info,
    name: nameOf(stored),
    ...(namespace ? { namespace } : {}),
    object,
    createdAt: stored.createdAt,
  };
}

/** The defaults the API server fills in, for the fields kubectl's printers and rollout viewers read. */
function applyDefaults(call: ToolCall, clusterId: string, info: KindInfo, object: Doc): void {
  const spec = isMap(object.spec) ? object.spec : undefined;
  switch (info.kind) {
    case 'Deployment':
      if (spec) {
        spec.replicas ??= 1;
        spec.revisionHistoryLimit ??= 10;
        spec.progressDeadlineSeconds ??= 600;
        spec.strategy ??= {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
        };
      }
      return;
    case 'StatefulSet':
      if (spec) {
        spec.replicas ??= 1;
        spec.podManagementPolicy ??= 'OrderedReady';
        spec.revisionHistoryLimit ??= 10;
        spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      }
      return;
    case 'DaemonSet':
      if (spec) {
        spec.revisionHistoryLimit ??= 10;
        spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } };
      }
      return;
    case 'Secret':
      object.type ??= 'Opaque';
      return;
    case 'Namespace': {
      const metadata = object.metadata as Doc;
      metadata.labels = {
        ...(isMap(metadata.labels) ? metadata.labels : {}),
        'kubernetes.io/metadata.name': metadata.name,
      };
      object.spec = { finalizers: ['kubernetes'], ...(spec ?? {}) };
      return;
    }
    case 'Service':
      if (spec) serviceDefaults(call, clusterId, object, spec);
      return;
  }
}

function serviceDefaults(call: ToolCall, clusterId: string, object: Doc, spec: Doc): void {
  const metadata = object.metadata as Doc;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type === 'ExternalName') return;
  const ip = serviceClusterIps(call.kube, clusterId).get(
    `${String(metadata.namespace)}/${String(metadata.name)}`,
  );
  if (ip) {
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.internalTrafficPolicy ??= 'Cluster';
  if (Array.isArray(spec.ports)) {
    spec.ports = spec.ports
      .filter(isMap)
      .map((port) => ({ protocol: 'TCP', targetPort: port.port, ...port }));
  }
}

/** A Node as the kubelet registered it, with its podCIDR from kube-controller-manager. */
export function nodeItem(call: ToolCall, clusterId: string, node: KubeNode): ApiItem {
  const now = call.now();
  const podCidr = nodePodCidrs(call.kube, clusterId, now).get(node.name);
  const at = (ms: number) => timestamp(Math.min(ms, now));
  const down = node.notReady.find((window) => window.from <= now && now < window.until);
  const readyCondition = down
    ? {
        // The node lifecycle controller's words once the kubelet stops posting (G.4).
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastTransitionTime: at(down.from),
      }
    : node.ready
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastTransitionTime: at(
            Math.max(node.readyAt, ...node.notReady.map((window) => window.until).filter((t) => t <= now)),
          ),
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'KubeletNotReady',
          message:
            'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          lastTransitionTime: at(node.registeredAt),
        };
  const taints = nodeTaints(node, now).map((taint) => ({
    effect: taint.effect,
    key: taint.key,
    ...(taint.effect === 'NoExecute' ? { timeAdded: at(down?.from ?? now) } : {}),
  }));
  const object: Doc = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: nodeLabels(node),
      ...annotationsOf(call.kube.nodeAnnotations(clusterId, node.name)),
      creationTimestamp: at(node.registeredAt),
      uid: uidOf(`${clusterId}/${node.name}/${node.registeredAt}`),
    },
    spec: {
      ...(podCidr ? { podCIDR: podCidr, podCIDRs: [podCidr] } : {}),
      ...(node.unschedulable ? { unschedulable: true } : {}),
      ...(taints.length > 0 ? { taints } : {}),
    },
    status: {
      addresses: [
        ...node.talos.addresses.map((address) => ({ type: 'InternalIP', address })),
        { type: 'Hostname', address: node.name },
      ],
      // What the kubelet reports: capacity from the VM, allocatable after Talos' reservations (F.7).
      capacity: resourceList(nodeCapacity(node)),
      allocatable: resourceList(nodeAllocatable(node)),
      conditions: [readyCondition],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://2.1.5',
        kernelVersion: '6.12.57-talos',
        kubeletVersion: `v${node.talos.kubernetes?.kubelet ?? DEFAULT_KUBELET}`,
        operatingSystem: 'linux',
        osImage: `Talos (${node.talos.release ?? DEFAULT_TALOS_RELEASE})`,
      },
    },
  };
  return { info: byKind('Node'), name: node.name, object, createdAt: node.registeredAt };
}

/** A Pod object from the lab's view of it. */
export function podItem(call: ToolCall, clusterId: string, pod: PodView): ApiItem {
  const node = pod.nodeName
    ? call.kube.nodes(clusterId).find((candidate) => candidate.name === pod.nodeName)
    : undefined;
  const gracePeriod = 30;
  const metadata: Doc = {
    name: pod.name,
    namespace: pod.namespace,
    labels: pod.labels,
    uid: uidOf(`${clusterId}/${pod.namespace}/${pod.name}/${pod.createdAt}`),
    creationTimestamp: timestamp(pod.createdAt),
    ownerReferences: [ownerReference(pod)],
    ...(pod.deletedAt === undefined
      ? {}
      : {
          deletionTimestamp: timestamp(pod.deletedAt + gracePeriod * 1000),
          deletionGracePeriodSeconds: gracePeriod,
        }),
  };
  const object: Doc = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { ...pod.spec, ...(pod.nodeName ? { nodeName: pod.nodeName } : {}) },
    status: podStatus(pod, node),
  };
  return {
    info: byKind('Pod'),
    name: pod.name,
    namespace: pod.namespace,
    object,
    createdAt: pod.createdAt,
    pod,
  };
}

function ownerReference(pod: PodView): Doc {
  const hash = pod.labels['pod-template-hash'];
  const replicaSet = pod.owner.kind === 'Deployment' && hash !== undefined;
  return {
    apiVersion: 'apps/v1',
    kind: replicaSet ? 'ReplicaSet' : pod.owner.kind,
    name: replicaSet ? `${pod.owner.name}-${hash}` : pod.owner.name,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function podStatus(pod: PodView, node: KubeNode | undefined): Doc {
  const running = pod.status === 'Running' || (pod.phase === 'Terminating' && pod.startedAt !== undefined);
  const condition = (type: string, status: boolean, extra: Doc = {}) => ({
    type,
    status: status ? 'True' : 'False',
    ...extra,
  });
  if (!pod.nodeName) {
    return {
      phase: 'Pending',
      conditions: [
        condition('PodScheduled', false, {
          reason: 'Unschedulable',
          ...(pod.reason ? { message: pod.reason } : {}),
        }),
      ],
      qosClass: qosClass(pod.spec),
    };
  }
  const state = running
    ? { running: { startedAt: timestamp(pod.startedAt ?? pod.createdAt) } }
    : { waiting: { reason: pod.status, ...(pod.reason ? { message: pod.reason } : {}) } };
  const address = node?.talos.addresses[0];
  return {
    phase: pod.phase === 'Terminating' ? 'Running' : pod.phase,
    conditions: [
      condition('PodScheduled', true),
      condition('Initialized', true),
      condition('ContainersReady', pod.ready),
      condition('Ready', pod.ready),
    ],
    ...(address ? { hostIP: address, hostIPs: [{ ip: address }] } : {}),
    ...(pod.ip ? { podIP: pod.ip, podIPs: [{ ip: pod.ip }] } : {}),
    startTime: timestamp(pod.createdAt),
    containerStatuses: pod.containers.map((container) => ({
      name: container.name,
      image: container.image,
      ready: pod.ready,
      restartCount: 0,
      started: running,
      state,
    })),
    qosClass: qosClass(pod.spec),
  };
}

function annotationsOf(annotations: Record<string, string>): { annotations?: Record<string, string> } {
  return Object.keys(annotations).length > 0 ? { annotations } : {};
}
