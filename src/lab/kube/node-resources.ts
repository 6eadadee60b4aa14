import { cpuCount, memoryMiB } from '../pve/handlers/vm.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeNode } from './clusters.js';

/**
 * What a node offers the scheduler and what a pod asks of it (LIFECYCLE F.7, G.1): the capacity of the
 * Talos VM, the allocatable the kubelet leaves after Talos' reservations, and a pod's effective requests.
 */

/** CPU in millicores, memory in bytes, and a pod count. */
export interface Resources {
  cpu: number;
  memory: number;
  pods: number;
}

const MI = 1024 ** 2;
export const NO_RESOURCES: Resources = { cpu: 0, memory: 0, pods: 0 };

/** Talos' kubelet defaults (kubelet_spec.go 369–381, constants.go 442–455, F.7). */
const SYSTEM_RESERVED = {
  controlplane: { cpu: 50, memory: 512 * MI },
  worker: { cpu: 50, memory: 384 * MI },
};
/** The kubelet's DefaultEvictionHard `memory.available: 100Mi`, the only threshold that cuts allocatable memory. */
const EVICTION_HARD_MEMORY = 100 * MI;
/** The kubelet's default maxPods; Talos does not override it (F.7, UNCONFIRMED in Talos code). */
const MAX_PODS = 110;

/**
 * The memory the kernel keeps from the VM's RAM, so that MemTotal (the kubelet's capacity) is below the
 * configured size. Not measured on a Talos VM (F.7 marks MemTotal UNCONFIRMED); modelled as the page
 * descriptors (x86_64 `struct page` is 64 bytes per 4 KiB page: 1/64 of RAM) plus 64 MiB for the kernel image,
 * firmware-reserved ranges and early boot allocations. A defensible estimate, to be replaced by a measurement.
 */
export function kernelReservedBytes(ramBytes: number): number {
  return Math.floor(ramBytes / 64) + 64 * MI;
}

/** The node's capacity: its vCPUs, the VM's RAM less what the kernel keeps, 110 pods. */
export function nodeCapacity(node: KubeNode): Resources {
  const config = node.talos.vm.config;
  const ram = memoryMiB(config) * MI;
  return { cpu: cpuCount(config) * 1000, memory: ram - kernelReservedBytes(ram), pods: maxPods(node) };
}

/** Capacity less systemReserved (Talos' defaults unless `machine.kubelet.extraConfig` sets them), kubeReserved, eviction. */
export function nodeAllocatable(node: KubeNode): Resources {
  const capacity = nodeCapacity(node);
  const extra = get(node.talos.config, 'machine.kubelet.extraConfig');
  const defaults = SYSTEM_RESERVED[node.talos.role === 'controlplane' ? 'controlplane' : 'worker'];
  const systemReserved = reserved(get(extra, 'systemReserved'), defaults);
  const kubeReserved = reserved(get(extra, 'kubeReserved'), { cpu: 0, memory: 0 });
  const evictionHard = get(extra, 'evictionHard');
  const eviction = isMap(evictionHard) ? evictionHard['memory.available'] : undefined;
  const evictionMemory = typeof eviction === 'string' ? quantityBytes(eviction) : EVICTION_HARD_MEMORY;
  return {
    cpu: Math.max(0, capacity.cpu - systemReserved.cpu - kubeReserved.cpu),
    memory: Math.max(0, capacity.memory - systemReserved.memory - kubeReserved.memory - evictionMemory),
    pods: capacity.pods,
  };
}

function maxPods(node: KubeNode): number {
  const configured = get(node.talos.config, 'machine.kubelet.extraConfig.maxPods');
  return typeof configured === 'number' && configured > 0 ? configured : MAX_PODS;
}

function reserved(
  value: unknown,
  fallback: { cpu: number; memory: number },
): { cpu: number; memory: number } {
  if (!isMap(value)) return fallback;
  return {
    cpu: value.cpu === undefined ? 0 : quantityMillicores(value.cpu),
    memory: value.memory === undefined ? 0 : quantityBytes(value.memory),
  };
}

const BINARY: Record<string, number> = { Ki: 1024, Mi: MI, Gi: 1024 ** 3, Ti: 1024 ** 4 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };

/** A Kubernetes quantity (`512Mi`, `1G`, `100M`, `1e3`) in bytes. */
export function quantityBytes(value: unknown): number {
  const match = /^([0-9.]+(?:e[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(String(value).trim());
  if (!match) return 0;
  const unit = match[2] ?? '';
  return Math.ceil(Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1));
}

/** A CPU quantity (`250m`, `1`, `0.5`) in millicores. */
export function quantityMillicores(value: unknown): number {
  const text = String(value).trim();
  if (text.endsWith('m')) return Math.ceil(Number(text.slice(0, -1)) || 0);
  return Math.ceil((Number(text) || 0) * 1000);
}

/** How kubectl shows the figures: cpu in cores or millicores, memory in Ki, pods as a count. */
export function resourceList(resources: Resources): Doc {
  const cpu = resources.cpu % 1000 === 0 ? String(resources.cpu / 1000) : `${resources.cpu}m`;
  return { cpu, memory: `${Math.floor(resources.memory / 1024)}Ki`, pods: String(resources.pods) };
}

function containersOf(podSpec: Doc, key: 'containers' | 'initContainers'): Doc[] {
  const list = podSpec[key];
  return Array.isArray(list) ? list.filter(isMap) : [];
}

/** One container's requests; a container without one asks for 0 in the fit check (G.1). */
function containerRequests(container: Doc): { cpu: number; memory: number } {
  const requests = get(container, 'resources.requests');
  const limits = get(container, 'resources.limits');
  // The API server defaults a missing request to the container's limit.
  const pick = (key: string) =>
    (isMap(requests) ? requests[key] : undefined) ?? (isMap(limits) ? limits[key] : undefined);
  const cpu = pick('cpu');
  const memory = pick('memory');
  return {
    cpu: cpu === undefined ? 0 : quantityMillicores(cpu),
    memory: memory === undefined ? 0 : quantityBytes(memory),
  };
}

/**
 * The pod's effective requests (K8S-DOCS effective-pod-requests-limits): the larger of the app containers'
 * sum (plus restartable init containers, the sidecars) and the peak of the init phase, plus overhead.
 */
export function podRequests(podSpec: Doc): Resources {
  let sidecars = { cpu: 0, memory: 0 };
  let initPeak = { cpu: 0, memory: 0 };
  for (const init of containersOf(podSpec, 'initContainers')) {
    const asks = containerRequests(init);
    const running = { cpu: sidecars.cpu + asks.cpu, memory: sidecars.memory + asks.memory };
    initPeak = {
      cpu: Math.max(initPeak.cpu, running.cpu),
      memory: Math.max(initPeak.memory, running.memory),
    };
    if (init.restartPolicy === 'Always') sidecars = running;
  }
  const apps = containersOf(podSpec, 'containers')
    .map(containerRequests)
    .reduce((sum, asks) => ({ cpu: sum.cpu + asks.cpu, memory: sum.memory + asks.memory }), sidecars);
  const overhead = containerRequests({ resources: { requests: get(podSpec, 'overhead') } });
  return {
    cpu: Math.max(apps.cpu, initPeak.cpu) + overhead.cpu,
    memory: Math.max(apps.memory, initPeak.memory) + overhead.memory,
    pods: 1,
  };
}

export function addResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory, pods: a.pods + b.pods };
}

/** NodeResourcesFit's reasons, in its order, for a pod that does not fit beside what the node holds. */
export function insufficient(allocatable: Resources, used: Resources, asks: Resources): string[] {
  return [
    ...(used.pods + asks.pods > allocatable.pods ? ['Too many pods'] : []),
    ...(asks.cpu > 0 && used.cpu + asks.cpu > allocatable.cpu ? ['Insufficient cpu'] : []),
    ...(asks.memory > 0 && used.memory + asks.memory > allocatable.memory ? ['Insufficient memory'] : []),
  ];
}

const amount = (name: string, value: unknown) =>
  name === 'cpu' ? quantityMillicores(value) : quantityBytes(value);

/**
 * The pod's QoS class as the API server sets it: BestEffort without any cpu/memory request or limit,
 * Guaranteed when every container's limits cover both and its requests (defaulted to them) equal them.
 */
export function qosClass(podSpec: Doc): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const containers = [...containersOf(podSpec, 'initContainers'), ...containersOf(podSpec, 'containers')];
  const block = (container: Doc, key: string): Doc => {
    const value = get(container, `resources.${key}`);
    return isMap(value) ? value : {};
  };
  const named = (values: Doc) => ['cpu', 'memory'].filter((name) => values[name] !== undefined);
  if (containers.every((c) => named(block(c, 'requests')).length + named(block(c, 'limits')).length === 0))
    return 'BestEffort';
  const guaranteed = containers.every((container) => {
    const [requests, limits] = [block(container, 'requests'), block(container, 'limits')];
    return ['cpu', 'memory'].every(
      (name) =>
        limits[name] !== undefined &&
        (requests[name] === undefined || amount(name, requests[name]) === amount(name, limits[name])),
    );
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
