import { describe, expect, it } from 'vitest';
import type { KubeNode } from '../../../src/lab/kube/clusters.js';
import { KubeClusters } from '../../../src/lab/kube/clusters.js';
import { byKind } from '../../../src/lab/kube/kinds.js';
import {
  nodeAllocatable,
  nodeCapacity,
  podRequests,
  qosClass,
  resourceList,
} from '../../../src/lab/kube/node-resources.js';
import type { PodView } from '../../../src/lab/kube/pods.js';
import { podsOf } from '../../../src/lab/kube/workloads.js';
import { TIME_PROFILES } from '../../../src/lab/profile.js';
import type { TalosNode, TalosNodes } from '../../../src/lab/talos/nodes.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';
import { get } from '../../../src/lab/talos/yaml-docs.js';
import { nodeItem } from '../../../src/lab/tools/kubectl-api.js';
import { schedulingEvents } from '../../../src/lab/tools/kubectl-events.js';
import type { ToolCall } from '../../../src/lab/tools/runtime.js';

/**
 * Scheduling by requests against the allocatable Talos leaves (LIFECYCLE F.7, G.1), on a KubeClusters over
 * Talos nodes held fixed: one control plane and two workers of chosen VM sizes, flannel as CNI, the
 * realistic profile at time scale 1 (nodes Ready at 95 s, pods ready 18 s after binding, 4 s to terminate).
 */

const CLUSTER = 'c1';
const S = 1000;
const MI = 1024 ** 2;

interface VmSize {
  cores: number;
  memoryMiB: number;
}

function talosNode(
  hostname: string,
  role: 'controlplane' | 'worker',
  size: VmSize,
  index: number,
): TalosNode {
  return {
    vm: {
      config: { cores: String(size.cores), memory: String(size.memoryMiB) },
    } as unknown as TalosNode['vm'],
    phase: 'running',
    upAt: 0,
    addresses: [`192.168.10.${11 + index}`],
    role,
    clusterId: CLUSTER,
    hostname,
    identity: `192.168.10.${11 + index}`,
    bootAt: 0,
    criUpAt: 0,
    timeSyncedAt: 0,
    timeServers: ['time.cloudflare.com'],
    servicesStartAt: 0,
    release: 'v1.11.6',
    bootId: 'boot-0',
    outages: [],
    config: {
      machine: { type: role },
      cluster: { network: { podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] } },
    },
  };
}

function kubeNode(role: 'controlplane' | 'worker', size: VmSize, config: Doc = {}): KubeNode {
  const talos = talosNode('n', role, size, 0);
  return {
    name: 'n',
    talos: { ...talos, config },
    registeredAt: 0,
    readyAt: 0,
    ready: true,
    unschedulable: false,
    cordons: [],
    outages: [],
    notReady: [],
  };
}

class Lab {
  readonly nodes: TalosNode[];
  readonly talos;
  readonly kube: KubeClusters;

  constructor(controlPlane: VmSize, worker: VmSize) {
    this.nodes = [
      talosNode('east-cp-1', 'controlplane', controlPlane, 0),
      talosNode('east-w-1', 'worker', worker, 1),
      talosNode('east-w-2', 'worker', worker, 2),
    ];
    this.talos = {
      now: () => 0,
      ms: (seconds: number) => seconds * S,
      seconds: TIME_PROFILES.realistic.seconds,
      all: () => this.nodes,
      cluster: () => ({ id: CLUSTER, name: 'east', bootstrappedAt: 0, bootstrapVmid: 101 }),
    };
    this.kube = KubeClusters.open(this.talos as unknown as TalosNodes, undefined);
  }

  apply(manifest: Doc): void {
    this.kube.objects(CLUSTER).apply(manifest, { defaultNamespace: 'default' });
  }

  pods(seconds: number, app?: string): PodView[] {
    return podsOf(this.kube, CLUSTER, seconds * S).filter((pod) => !app || pod.labels.app === app);
  }
}

/** A Deployment whose one container requests `cpu` and `memory`. */
function deployment(name: string, replicas: number, requests: { cpu?: string; memory?: string }): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27.1', resources: { requests } }] },
      },
    },
  };
}

const PREVIEW = { cores: 2, memoryMiB: 6144 };
const PRODUCTION = { cores: 4, memoryMiB: 8192 };

describe('allocatable on Talos VMs (F.7)', () => {
  it('leaves vCPUs x 1000m - 50m, and RAM less the kernel, systemReserved and the 100Mi eviction threshold', () => {
    const figures = (role: 'controlplane' | 'worker', size: VmSize) => {
      const node = kubeNode(role, size);
      return { capacity: resourceList(nodeCapacity(node)), allocatable: resourceList(nodeAllocatable(node)) };
    };
    // Kernel-reserved: RAM/64 + 64Mi (160Mi of 6 GiB, 192Mi of 8 GiB).
    expect(figures('worker', PREVIEW)).toEqual({
      capacity: { cpu: '2', memory: `${5984 * 1024}Ki`, pods: '110' },
      allocatable: { cpu: '1950m', memory: `${5500 * 1024}Ki`, pods: '110' },
    });
    expect(figures('controlplane', PREVIEW).allocatable).toEqual({
      cpu: '1950m',
      memory: `${5372 * 1024}Ki`,
      pods: '110',
    });
    expect(figures('worker', PRODUCTION)).toEqual({
      capacity: { cpu: '4', memory: `${8000 * 1024}Ki`, pods: '110' },
      allocatable: { cpu: '3950m', memory: `${7516 * 1024}Ki`, pods: '110' },
    });
    expect(figures('controlplane', PRODUCTION).allocatable).toEqual({
      cpu: '3950m',
      memory: `${7388 * 1024}Ki`,
      pods: '110',
    });
    // Within F.7's upper bounds (MemTotal is below the VM's RAM).
    expect(nodeAllocatable(kubeNode('worker', PREVIEW)).memory).toBeLessThanOrEqual(5660 * MI);
    expect(nodeAllocatable(kubeNode('controlplane', PRODUCTION)).memory).toBeLessThanOrEqual(7580 * MI);
  });

  it('takes systemReserved, kubeReserved, evictionHard and maxPods from machine.kubelet.extraConfig', () => {
    const extraConfig = {
      systemReserved: { cpu: '200m', memory: '1Gi' },
      kubeReserved: { cpu: '100m', memory: '256Mi' },
      evictionHard: { 'memory.available': '200Mi' },
      maxPods: 50,
    };
    const node = kubeNode('worker', PRODUCTION, { machine: { kubelet: { extraConfig } } });
    expect(resourceList(nodeAllocatable(node))).toEqual({
      cpu: '3700m',
      memory: `${(8000 - 1024 - 256 - 200) * 1024}Ki`,
      pods: '50',
    });
  });
});

describe('Node objects', () => {
  it('show capacity and allocatable in status, as `kubectl get node -o json` does', () => {
    const lab = new Lab(PRODUCTION, PREVIEW);
    const call = { now: () => 200 * S, kube: lab.kube } as unknown as ToolCall;
    const [controlPlane, worker] = lab.kube
      .nodes(CLUSTER, 200 * S)
      .map((node) => nodeItem(call, CLUSTER, node));
    expect(get(controlPlane!.object, 'status.allocatable')).toEqual({
      cpu: '3950m',
      memory: `${7388 * 1024}Ki`,
      pods: '110',
    });
    expect(get(worker!.object, 'status.capacity')).toEqual({
      cpu: '2',
      memory: `${5984 * 1024}Ki`,
      pods: '110',
    });
    expect(get(worker!.object, 'status.allocatable')).toEqual({
      cpu: '1950m',
      memory: `${5500 * 1024}Ki`,
      pods: '110',
    });
  });
});

describe('effective requests (G.1)', () => {
  it('takes the larger of the app containers sum and the largest init container, with sidecars and overhead', () => {
    const container = (cpu: string, memory: string, extra: Doc = {}) => ({
      name: 'c',
      image: 'x',
      resources: { requests: { cpu, memory } },
      ...extra,
    });
    expect(podRequests({ containers: [container('100m', '64Mi'), container('200m', '64Mi')] })).toEqual({
      cpu: 300,
      memory: 128 * MI,
      pods: 1,
    });
    // Cilium's agent: no request on the agent, 100m/10Mi on install-cni-binaries (I.3).
    expect(
      podRequests({
        initContainers: [container('100m', '10Mi'), { name: 'mount-cgroup', image: 'x' }],
        containers: [{ name: 'cilium-agent', image: 'x' }],
      }),
    ).toEqual({ cpu: 100, memory: 10 * MI, pods: 1 });
    // A restartable init container (sidecar) adds to the app containers; a limit stands in for a missing request.
    expect(
      podRequests({
        initContainers: [container('50m', '20Mi', { restartPolicy: 'Always' })],
        containers: [{ name: 'app', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
        overhead: { cpu: '10m', memory: '1Mi' },
      }),
    ).toEqual({ cpu: 1060, memory: 1045 * MI, pods: 1 });
  });
});

describe('QoS class', () => {
  it('is BestEffort without requests, Guaranteed when limits equal requests, Burstable otherwise', () => {
    const app = (resources: Doc) => ({ containers: [{ name: 'app', image: 'x', resources }] });
    expect(qosClass(app({}))).toBe('BestEffort');
    expect(qosClass(app({ limits: { cpu: '1', memory: '1Gi' } }))).toBe('Guaranteed');
    expect(
      qosClass(app({ requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })),
    ).toBe('Guaranteed');
    // CoreDNS: 100m/70Mi, memory limit 170Mi.
    expect(qosClass(app({ requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } }))).toBe(
      'Burstable',
    );
  });
});

describe('scheduling against allocatable (G.1)', () => {
  it('keeps a pod too big for every node Pending with the FailedScheduling message', () => {
    const lab = new Lab(PRODUCTION, PRODUCTION);
    lab.apply(deployment('huge', 1, { cpu: '4' }));
    const [pod] = lab.pods(200, 'huge');
    expect(pod).toMatchObject({ phase: 'Pending', status: 'Pending' });
    expect(pod!.nodeName).toBeUndefined();
    expect(pod!.reason).toMatch(/^0\/\d+ nodes are available:/);
    expect(pod!.reason).toMatch(/\d+ Insufficient cpu/);
    expect(pod!.reason).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, ' +
        '2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, ' +
        '2 No preemption victims found for incoming pod.',
    );
    const events = schedulingEvents(lab.pods(200), CLUSTER);
    expect(events.map((event) => event.object)).toEqual([
      expect.objectContaining({
        kind: 'Event',
        type: 'Warning',
        reason: 'FailedScheduling',
        source: { component: 'default-scheduler' },
        involvedObject: expect.objectContaining({ kind: 'Pod', name: pod!.name }),
        message: pod!.reason,
      }),
    ]);
  });

  it('counts both resources when a node lacks both, and what Talos and CoreDNS already hold', () => {
    const lab = new Lab(PREVIEW, PREVIEW);
    // 1900m fits a preview worker's 1950m alone, not beside the CoreDNS replica (100m) east-w-1 holds.
    lab.apply(deployment('tight', 2, { cpu: '1900m', memory: '5000Mi' }));
    const pods = lab.pods(200, 'tight');
    expect(pods.map((pod) => pod.nodeName ?? '-').sort()).toEqual(['-', 'east-w-2']);
    // The histogram is sorted as strings: "2 ..." comes after "1 node(s) ...".
    expect(pods.find((pod) => !pod.nodeName)!.reason).toBe(
      '0/3 nodes are available: 1 Insufficient memory, ' +
        '1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, ' +
        '2 No preemption victims found for incoming pod.',
    );
  });

  it('binds a Pending pod once a deleted pod has terminated and freed its node', () => {
    const lab = new Lab(PRODUCTION, PRODUCTION);
    lab.apply(deployment('first', 2, { cpu: '3' }));
    expect(
      lab
        .pods(150, 'first')
        .map((pod) => pod.nodeName)
        .sort(),
    ).toEqual(['east-w-1', 'east-w-2']);
    // At 150 s no worker has 3 cores left.
    const talosNow = lab.talos as { now: () => number };
    talosNow.now = () => 150 * S;
    lab.apply(deployment('second', 1, { cpu: '3' }));
    const [waiting] = lab.pods(200, 'second');
    expect(waiting).toMatchObject({ phase: 'Pending' });
    expect(waiting!.reason).toMatch(/: 1 node\(s\) had untolerated taint \{[^}]*\}, 2 Insufficient cpu\. /);
    talosNow.now = () => 300 * S;
    lab.kube.objects(CLUSTER).delete(byKind('Deployment'), 'default', 'first');
    // Terminating pods still hold their node for podTerminate (4 s).
    expect(lab.pods(302, 'second')[0]).toMatchObject({ phase: 'Pending' });
    const [bound] = lab.pods(305, 'second');
    expect(bound!.nodeName).toMatch(/^east-w-[12]$/);
    expect(bound!.status).toBe('ContainerCreating');
    expect(lab.pods(330, 'second')[0]).toMatchObject({ phase: 'Running', ready: true });
  });

  it("counts each Cilium agent's 100m/10Mi (its install-cni-binaries init container) on every node", () => {
    const fits = new Lab(PRODUCTION, PRODUCTION);
    // 3900m fits east-w-2 (3950m allocatable, nothing there); east-w-1 holds a CoreDNS replica.
    fits.apply(deployment('big', 1, { cpu: '3900m' }));
    expect(fits.pods(200, 'big')[0]!.nodeName).toBe('east-w-2');
    const withCilium = new Lab(PRODUCTION, PRODUCTION);
    withCilium.kube.putRelease(CLUSTER, {
      name: 'cilium',
      namespace: 'kube-system',
      chart: 'cilium',
      chartVersion: '1.19.6',
      appVersion: '1.19.6',
      revision: 1,
      status: 'deployed',
      values: {},
      firstDeployedAt: 0,
      deployedAt: 0,
      description: 'Install complete',
    });
    withCilium.apply(deployment('big', 1, { cpu: '3900m' }));
    const [pod] = withCilium.pods(200, 'big');
    expect(pod!.nodeName).toBeUndefined();
    expect(pod!.reason).toMatch(/: 1 node\(s\) had untolerated taint \{[^}]*\}, 2 Insufficient cpu\. /);
  });

  it('binds a Pending pod when a node joins', () => {
    const lab = new Lab(PRODUCTION, PRODUCTION);
    const third = talosNode('east-w-3', 'worker', PRODUCTION, 3);
    const boot = 400 * S;
    lab.nodes.push({ ...third, upAt: boot, criUpAt: boot, timeSyncedAt: boot, servicesStartAt: boot });
    lab.apply(deployment('wide', 3, { cpu: '3' }));
    expect(lab.pods(300, 'wide').filter((pod) => pod.phase === 'Pending')).toHaveLength(1);
    // The new node's kubelet registers 15 s after its services start, Ready 5 s later: the pod binds then.
    const late = lab.pods(450, 'wide').find((pod) => pod.nodeName === 'east-w-3');
    expect(late).toBeDefined();
  });
});
