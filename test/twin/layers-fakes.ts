import { Kubectl } from '../../src/kube/kubectl.js';
import { Talosctl } from '../../src/talos/talosctl.js';
import type { TalosNodeInput } from '../../src/talos/config.js';
import { scaledPace } from '../../src/twin/context.js';
import type { ClusterLayerDeps } from '../../src/twin/layers/steps.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';

/** A cluster's nodes as the layers see them: two control planes and a worker. */
export const NODES: TalosNodeInput[] = [
  {
    name: 'east-cp-1',
    role: 'controlplane',
    address: '10.0.0.11',
    prefixLength: 24,
    gateway: '10.0.0.1',
    dns: ['10.0.0.1'],
    vip: '10.0.0.10',
  },
  {
    name: 'east-cp-2',
    role: 'controlplane',
    address: '10.0.0.12',
    prefixLength: 24,
    gateway: '10.0.0.1',
    dns: ['10.0.0.1'],
    vip: '10.0.0.10',
  },
  {
    name: 'east-w-1',
    role: 'worker',
    address: '10.0.0.21',
    prefixLength: 24,
    gateway: '10.0.0.1',
    dns: ['10.0.0.1'],
  },
];

export const addressOf = (name: string) => NODES.find((node) => node.name === name)?.address ?? '';
export const nameOf = (address: string) => NODES.find((node) => node.address === address)?.name ?? '';

/** `talosctl version` stdout with a Server block per node. */
export function versionOutput(releases: Record<string, string>): string {
  return Object.entries(releases)
    .map(([node, tag]) => `Server:\n\tNODE:        ${node}\n\tTag:         ${tag}\n`)
    .join('');
}

export interface FakeKubeNode {
  name: string;
  ready: boolean;
  kubelet: string;
  bootId?: string;
}

/** `kubectl get nodes -o json` stdout. */
export function nodesOutput(nodes: FakeKubeNode[]): string {
  return JSON.stringify({
    items: nodes.map((node) => ({
      metadata: { name: node.name },
      status: {
        conditions: [{ type: 'Ready', status: node.ready ? 'True' : 'False' }],
        nodeInfo: { kubeletVersion: node.kubelet, ...(node.bootId ? { bootID: node.bootId } : {}) },
      },
    })),
  });
}

/** A fake clock: sleeping advances it, so waits run instantly and timeouts are exact. */
export function fakeClock() {
  const clock = { now: 0 };
  return { clock, now: () => clock.now, sleep: async (ms: number) => void (clock.now += ms) };
}

/** Layer deps over a scripted runner (talosctl and kubectl both), a fake clock and the lab-scale pace. */
export function layerDeps(script: Script, workDir: string) {
  const { runner, calls } = scriptedRunner(script);
  const { clock, now, sleep } = fakeClock();
  const logs: string[] = [];
  const deps: ClusterLayerDeps = {
    talosctl: new Talosctl(runner),
    kubectl: new Kubectl(runner, { kubeconfig: '/s/kubeconfig' }),
    pace: scaledPace(0.01),
    workDir,
    log: (line) => logs.push(line),
    now,
    sleep,
  };
  return { deps, calls, clock, logs };
}
