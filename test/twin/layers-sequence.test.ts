import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/plan/executor.js';
import { sequenceClusterWork } from '../../src/twin/layers/sequence.js';
import type { LayerStep } from '../../src/twin/layers/steps.js';
import type { Change, NodeAction } from '../../src/twin/layers/types.js';

const nodes = [
  { name: 'cp-1', role: 'controlplane' as const },
  { name: 'w-1', role: 'worker' as const },
  { name: 'w-2', role: 'worker' as const },
];
const done: string[] = [];
const noop = async () => undefined;

function change(layer: Change['layer'], target: string, kind: string, from: string, to: string): Change {
  return { layer, cluster: 'east', target, kind, from, to, disruptive: layer === 'talos' };
}
function action(node: (typeof nodes)[number], describe: string): NodeAction {
  return { cluster: 'east', node: node.name, role: node.role, describe, drain: false, run: noop };
}
// Worker first in the layer's list: the sequence still takes control planes first within a hop.
const talos: LayerStep[] = ['v1.12.11', 'v1.13.9'].flatMap((to, hop) =>
  [nodes[1]!, nodes[0]!, nodes[2]!].map((node) => ({
    change: change('talos', node.name, 'talos-upgrade', hop === 0 ? 'v1.11.6' : 'v1.12.11', to),
    action: action(node, `Talos -> ${to}`),
  })),
);
const kubernetes: LayerStep[] = [
  ['1.34.1', '1.35.4'],
  ['1.35.4', '1.36.3'],
].map(([from, to]) => ({
  change: change('kubernetes', 'east', 'kubernetes-upgrade', from!, to!),
  run: noop,
}));
const step = (id: string, title: string): Step => ({
  id,
  title,
  doing: `doing ${title}`,
  stage: 'release',
  needs: [],
  run: noop,
});

function sequence(extra: { ciliumNow?: string; vmActions?: NodeAction[]; refresh?: boolean } = {}) {
  return sequenceClusterWork({
    cluster: 'east',
    prepare: step('converge:east:prepare', 'prepare'),
    disks: [step('vm-disks:east:w-1', 'east: w-1: scsi1 100 -> 120 GiB')],
    talos,
    kubernetes,
    vmActions: extra.vmActions ?? [],
    releases: [
      step('release:east:cilium-preflight', 'east: Cilium 1.20.0 pre-flight'),
      step('release:east:cilium', 'east: cilium chart 1.19.6 -> chart 1.20.0'),
    ],
    talosNow: new Map(nodes.map((node) => [node.name, 'v1.11.6'])),
    ...(extra.ciliumNow ? { ciliumNow: extra.ciliumNow } : {}),
    rollOut: async (a) => void done.push(a.node),
    ...(extra.refresh ? { refreshConfigs: async () => void done.push('configs') } : {}),
  });
}

describe("one cluster's converge chain", () => {
  it('runs Talos hop by hop (control planes first), each Kubernetes minor once the nodes take it, Cilium before the minor it is not tested with', () => {
    const steps = sequence({
      ciliumNow: '1.19.6',
      vmActions: [action(nodes[2]!, 'VM 2 cores -> 3 cores')],
    });
    expect(steps.map((s) => s.title)).toEqual([
      'prepare',
      'east: w-1: scsi1 100 -> 120 GiB',
      'east: w-2: VM 2 cores -> 3 cores',
      'east: cp-1: Talos -> v1.12.11',
      'east: w-1: Talos -> v1.12.11',
      'east: w-2: Talos -> v1.12.11',
      'east: kubernetes-upgrade 1.34.1 -> 1.35.4',
      'east: cp-1: Talos -> v1.13.9',
      'east: w-1: Talos -> v1.13.9',
      'east: w-2: Talos -> v1.13.9',
      'east: Cilium 1.20.0 pre-flight',
      'east: cilium chart 1.19.6 -> chart 1.20.0',
      'east: kubernetes-upgrade 1.35.4 -> 1.36.3',
    ]);
    // one chain: each step needs the one before
    steps.slice(1).forEach((s, i) => expect(s.needs).toEqual([steps[i]!.id]));
  });

  it('leaves Cilium last when the running release is tested with every Kubernetes minor on the path', () => {
    const titles = sequence({ ciliumNow: '1.20.0' }).map((s) => s.title);
    expect(titles.at(-3)).toBe('east: kubernetes-upgrade 1.35.4 -> 1.36.3');
    expect(titles.slice(-2)).toEqual([
      'east: Cilium 1.20.0 pre-flight',
      'east: cilium chart 1.19.6 -> chart 1.20.0',
    ]);
  });

  it("refreshes the nodes' configs right after the last Talos hop (upgrade leaves install.image behind)", () => {
    const titles = sequence({ ciliumNow: '1.20.0', refresh: true }).map((s) => s.title);
    const last = titles.indexOf('east: w-2: Talos -> v1.13.9');
    expect(titles[last + 1]).toBe('east: node configs for v1.13.9 (installer image; no reboot)');
  });

  it('runs node actions through the rollout', async () => {
    const steps = sequence();
    done.length = 0;
    for (const s of steps) await s.run();
    expect(done).toEqual(['cp-1', 'w-1', 'w-2', 'cp-1', 'w-1', 'w-2']);
  });
});
