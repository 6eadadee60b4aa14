import type { NodeOutage } from '../../../src/lab/kube/clusters.js';
import { KubeClusters } from '../../../src/lab/kube/clusters.js';
import { byKind } from '../../../src/lab/kube/kinds.js';
import type { PodView } from '../../../src/lab/kube/pods.js';
import { podsOf } from '../../../src/lab/kube/workloads.js';
import { TIME_PROFILES } from '../../../src/lab/profile.js';
import type { TalosNode, TalosNodes } from '../../../src/lab/talos/nodes.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';

/**
 * A KubeClusters over Talos nodes the test holds (one control plane, `workers` workers, flannel), with
 * the realistic profile at time scale 1: nodes register at 90 s and are Ready at 95 s; a pod takes 18 s
 * to be ready once bound and 4 s to terminate. Outages are put on the Talos nodes as lab-talos does.
 */

export const CLUSTER = 'c1';
export const S = 1000;

function talosNode(hostname: string, role: 'controlplane' | 'worker', address: string): TalosNode {
  return {
    vm: {
      vmid: 100 + Number(address.split('.')[3]),
      config: role === 'controlplane' ? { cores: '2', memory: '4096' } : { cores: '4', memory: '8192' },
    } as unknown as TalosNode['vm'],
    phase: 'running',
    upAt: 0,
    addresses: [address],
    role,
    clusterId: CLUSTER,
    hostname,
    identity: address,
    bootAt: 0,
    criUpAt: 0,
    timeSyncedAt: 0,
    timeServers: ['time.cloudflare.com'],
    servicesStartAt: 0,
    release: 'v1.11.6',
    bootId: `boot-${hostname}`,
    kubernetes: { kubelet: '1.34.1', ...(role === 'controlplane' ? { apiServer: '1.34.1' } : {}) },
    outages: [],
    config: {
      machine: { type: role },
      cluster: { network: { podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] } },
    },
  };
}

export class FixedNodes {
  now = 0;
  readonly nodes: TalosNode[];
  readonly talos;
  readonly kube: KubeClusters;

  constructor(workers = 2) {
    this.nodes = [
      talosNode('east-cp-1', 'controlplane', '192.168.10.11'),
      ...Array.from({ length: workers }, (_, i) =>
        talosNode(`east-w-${i + 1}`, 'worker', `192.168.10.${12 + i}`),
      ),
    ];
    this.talos = {
      now: () => this.now,
      ms: (seconds: number) => seconds * S,
      seconds: TIME_PROFILES.realistic.seconds,
      all: () => this.nodes,
      cluster: () => ({ id: CLUSTER, name: 'east', bootstrappedAt: 0, bootstrapVmid: 101 }),
    };
    this.kube = KubeClusters.open(this.talos as unknown as TalosNodes, undefined);
  }

  at(seconds: number): this {
    this.now = seconds * S;
    return this;
  }

  apply(manifest: Doc): void {
    this.kube.objects(CLUSTER).apply(manifest, { defaultNamespace: 'default' });
  }

  /** The node goes down from `from` until its kubelet is back at `until` (seconds). */
  outage(hostname: string, from: number, until: number, cause: NodeOutage['cause'] = 'reboot'): void {
    const node = this.nodes.find((candidate) => candidate.hostname === hostname)!;
    node.outages = [...(node.outages ?? []), { from: from * S, until: until * S, cause }];
    this.kube.save(); // what the sweep memo keys on changes with the nodes, as a Talos change does
  }

  /** The workloads' pods (Talos' CoreDNS left out). */
  pods(seconds: number): PodView[] {
    return podsOf(this.kube, CLUSTER, seconds * S).filter(
      (pod) => !(pod.namespace === 'kube-system' && pod.owner.name === 'coredns'),
    );
  }

  node(name: string, seconds: number) {
    return this.kube.nodes(CLUSTER, seconds * S).find((node) => node.name === name);
  }

  stored(kind: string, name: string, namespace = 'default') {
    return this.kube.objects(CLUSTER).get(byKind(kind), namespace, name);
  }
}

export function workload(
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet',
  name: string,
  opts: { replicas?: number; pod?: Doc; labels?: Record<string, string> } = {},
): Doc {
  const labels = { app: name, ...opts.labels };
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas: opts.replicas ?? 2 }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27.1' }], ...opts.pod },
      },
    },
  };
}

/** `<status> <node>` of each pod, sorted. */
export const placement = (pods: PodView[]) =>
  pods.map((pod) => `${pod.status} ${pod.nodeName ?? '-'}`).sort();
