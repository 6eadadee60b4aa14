import { describe, expect, it } from 'vitest';
import { CommandError } from '../../../src/exec/runner.js';
import type { DisruptionBudget, NodeState } from '../../../src/kube/kubectl.js';
import type { Gate } from '../../../src/twin/layers/gates.js';
import {
  CORDONED_BY_ANNOTATION,
  RolloutStoppedError,
  rollOutCluster,
  rolloutSteps,
  type RolloutDeps,
  type RolloutKube,
} from '../../../src/twin/layers/rollout.js';
import type { NodeAction } from '../../../src/twin/layers/types.js';

/** A cluster of nodes in memory; every call is logged in order, actions included. */
function fakeCluster(names: string[]) {
  const log: string[] = [];
  const nodes = new Map<string, NodeState>(
    names.map((name) => [
      name,
      {
        name,
        ready: true,
        addresses: [],
        unschedulable: false,
        annotations: {},
        bootId: `${name}-boot-1`,
        capacity: {},
      },
    ]),
  );
  const budgets: DisruptionBudget[] = [];
  let drainError: Error | undefined;
  let boots = 1;
  const kube: RolloutKube = {
    nodes: async () => [...nodes.values()].map((node) => ({ ...node, annotations: { ...node.annotations } })),
    drain: async (node, timeoutSec) => {
      log.push(`drain ${node} ${timeoutSec}s`);
      if (drainError) throw drainError;
      nodes.get(node)!.unschedulable = true;
      return 'drained';
    },
    uncordon: async (node) => {
      log.push(`uncordon ${node}`);
      nodes.get(node)!.unschedulable = false;
    },
    annotateNode: async (node, annotations) => {
      log.push(`annotate ${node} ${JSON.stringify(annotations)}`);
      const target = nodes.get(node)!;
      for (const [key, value] of Object.entries(annotations)) {
        if (value === null) delete target.annotations[key];
        else target.annotations[key] = value;
      }
    },
    disruptionBudgets: async () => budgets,
  };
  /** An action that reboots its node: a new boot id, Ready again (unless told it never comes back). */
  const reboot = (
    node: string,
    role: NodeAction['role'],
    opts: { drain?: boolean; neverBack?: boolean } = {},
  ): NodeAction => ({
    cluster: 'east',
    node,
    role,
    describe: `reboot ${node}`,
    drain: opts.drain ?? true,
    run: async () => {
      log.push(`run ${node}`);
      const state = nodes.get(node)!;
      if (opts.neverBack) state.ready = false;
      else state.bootId = `${node}-boot-${++boots}`;
    },
  });
  return { log, nodes, kube, reboot, budgets, failDrainWith: (error: Error) => (drainError = error) };
}

function gate(name: string, log: string[], answers: () => true | string): Gate {
  return {
    name,
    timeoutMs: 50,
    check: async () => {
      log.push(`gate ${name}`);
      return answers();
    },
  };
}

function deps(kube: RolloutKube, gates: Gate[]): RolloutDeps {
  let clock = 0;
  return {
    cluster: 'east',
    kube,
    gates,
    drainTimeoutSec: 120,
    nodeBackTimeoutMs: 100,
    pollMs: 10,
    log: () => {},
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
  };
}

describe('rollout', () => {
  it('goes one node at a time, control planes first: gates, drain, action, uncordon, gates', async () => {
    const c = fakeCluster(['east-cp-1', 'east-w-1', 'east-cp-2']);
    const actions = [
      c.reboot('east-w-1', 'worker'),
      c.reboot('east-cp-1', 'controlplane'),
      c.reboot('east-cp-2', 'controlplane', { drain: false }),
    ];
    await rollOutCluster(deps(c.kube, [gate('etcd', c.log, () => true)]), actions);
    const mark = JSON.stringify({ [CORDONED_BY_ANNOTATION]: 'twin-rollout' });
    const unmark = JSON.stringify({ [CORDONED_BY_ANNOTATION]: null });
    expect(c.log).toEqual([
      'gate etcd',
      `annotate east-cp-1 ${mark}`,
      'drain east-cp-1 120s',
      'run east-cp-1',
      'uncordon east-cp-1',
      `annotate east-cp-1 ${unmark}`,
      'gate etcd',
      'gate etcd',
      'run east-cp-2',
      'gate etcd',
      'gate etcd',
      `annotate east-w-1 ${mark}`,
      'drain east-w-1 120s',
      'run east-w-1',
      'uncordon east-w-1',
      `annotate east-w-1 ${unmark}`,
      'gate etcd',
    ]);
    expect([...c.nodes.values()].every((node) => !node.unschedulable)).toBe(true);
  });

  it('titles each node step by what it does and chains them', () => {
    const c = fakeCluster(['east-cp-1', 'east-w-1']);
    const { steps, firstId, lastId } = rolloutSteps(
      deps(c.kube, []),
      [c.reboot('east-w-1', 'worker'), c.reboot('east-cp-1', 'controlplane')],
      ['talos-image:east'],
    );
    expect(steps.map((step) => [step.id, step.title, step.needs])).toEqual([
      [
        'rollout:east:prepare',
        'east: rollout: nodes an earlier run cordoned uncordoned',
        ['talos-image:east'],
      ],
      ['rollout:east:1:east-cp-1', 'east: east-cp-1: reboot east-cp-1', ['rollout:east:prepare']],
      ['rollout:east:2:east-w-1', 'east: east-w-1: reboot east-w-1', ['rollout:east:1:east-cp-1']],
    ]);
    expect([firstId, lastId]).toEqual(['rollout:east:prepare', 'rollout:east:2:east-w-1']);
  });

  it('stops before the next node when a gate no longer holds, naming that node', async () => {
    const c = fakeCluster(['east-cp-1', 'east-cp-2']);
    let checks = 0;
    const ceph = gate('Ceph', c.log, () => (++checks <= 2 ? true : 'HEALTH_WARN: OSD_DOWN: 1 osds down'));
    const run = rollOutCluster(deps(c.kube, [ceph]), [
      c.reboot('east-cp-1', 'controlplane'),
      c.reboot('east-cp-2', 'controlplane'),
    ]);
    await expect(run).rejects.toThrow(
      'east: rollout stopped at east-cp-2: before it went down, Ceph does not hold: HEALTH_WARN: OSD_DOWN: 1 osds down',
    );
    expect(c.log).not.toContain('run east-cp-2');
  });

  it('names the node after which a gate does not come back', async () => {
    const c = fakeCluster(['east-cp-1', 'east-cp-2']);
    let checks = 0;
    const etcd = gate('etcd', c.log, () =>
      ++checks <= 1 ? true : 'east-cp-1 sees 2 etcd members, expected 3',
    );
    const run = rollOutCluster(deps(c.kube, [etcd]), [
      c.reboot('east-cp-1', 'controlplane'),
      c.reboot('east-cp-2', 'controlplane'),
    ]);
    await expect(run).rejects.toThrow(
      'east: rollout stopped at east-cp-1: after it came back, etcd does not hold: east-cp-1 sees 2 etcd members, expected 3',
    );
    expect(c.log).not.toContain('run east-cp-2');
  });

  it('stops before the first node when a gate does not hold, and runs nothing', async () => {
    const c = fakeCluster(['east-cp-1']);
    const run = rollOutCluster(
      deps(c.kube, [gate('etcd', c.log, () => 'etcd on east-cp-2 does not answer')]),
      [c.reboot('east-cp-1', 'controlplane')],
    );
    await expect(run).rejects.toThrow(
      'rollout stopped at east-cp-1: before it went down, etcd does not hold: etcd on east-cp-2 does not answer',
    );
    expect(c.log.filter((line) => !line.startsWith('gate'))).toEqual([]);
  });

  it('names a node that does not come back and goes no further', async () => {
    const c = fakeCluster(['east-w-1', 'east-w-2']);
    const run = rollOutCluster(deps(c.kube, []), [
      c.reboot('east-w-1', 'worker', { neverBack: true }),
      c.reboot('east-w-2', 'worker'),
    ]);
    await expect(run).rejects.toBeInstanceOf(RolloutStoppedError);
    await expect(run).rejects.toThrow(
      /rollout stopped at east-w-1: did not come back after reboot east-w-1: timed out .* last observation: NotReady/,
    );
    expect(c.log).not.toContain('run east-w-2');
  });

  it('does not take a node still Ready from before its reboot for one that is back', async () => {
    const c = fakeCluster(['east-w-1']);
    const action = { ...c.reboot('east-w-1', 'worker'), run: async () => {} };
    await expect(rollOutCluster(deps(c.kube, []), [action])).rejects.toThrow(
      /last observation: Ready, not rebooted yet/,
    );
  });

  it('stops on a drain a PodDisruptionBudget blocks, naming node and budget, and gives the node back', async () => {
    const c = fakeCluster(['east-w-1']);
    c.budgets.push(
      { namespace: 'rook-ceph', name: 'rook-ceph-osd', disruptionsAllowed: 0 },
      { namespace: 'rook-ceph', name: 'rook-ceph-mon-pdb', disruptionsAllowed: 1 },
    );
    c.failDrainWith(
      new CommandError({
        tool: 'kubectl',
        args: ['drain', 'east-w-1'],
        exitCode: 1,
        stderrTail:
          'error when evicting pods/"rook-ceph-osd-0-5d9c" -n "rook-ceph" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.\n' +
          'error when evicting pods/"rook-ceph-osd-0-5d9c" -n "rook-ceph": global timeout reached: 2m0s',
      }),
    );
    await expect(rollOutCluster(deps(c.kube, []), [c.reboot('east-w-1', 'worker')])).rejects.toThrow(
      'east: rollout stopped at east-w-1: drain blocked for 120s by a PodDisruptionBudget (rook-ceph/rook-ceph-osd allow no disruption); pods not evicted: rook-ceph/rook-ceph-osd-0-5d9c',
    );
    expect(c.log).not.toContain('run east-w-1');
    expect(c.log).toContain('uncordon east-w-1');
    expect(c.nodes.get('east-w-1')!.annotations).toEqual({});
  });

  it('first uncordons the nodes a killed run left cordoned with its mark, and only those', async () => {
    const c = fakeCluster(['east-w-1', 'east-w-2']);
    Object.assign(c.nodes.get('east-w-1')!, {
      unschedulable: true,
      annotations: { [CORDONED_BY_ANNOTATION]: 'twin-rollout' },
    });
    Object.assign(c.nodes.get('east-w-2')!, { unschedulable: true }); // an operator's cordon: not ours to lift
    await rollOutCluster(deps(c.kube, []), []);
    expect(c.nodes.get('east-w-1')).toMatchObject({ unschedulable: false, annotations: {} });
    expect(c.nodes.get('east-w-2')!.unschedulable).toBe(true);
  });

  it('drains a node someone else cordoned, and leaves it cordoned and unmarked', async () => {
    const c = fakeCluster(['east-w-1']);
    c.nodes.get('east-w-1')!.unschedulable = true;
    await rollOutCluster(deps(c.kube, []), [c.reboot('east-w-1', 'worker')]);
    expect(c.log).toEqual(['drain east-w-1 120s', 'run east-w-1']);
    expect(c.nodes.get('east-w-1')!.unschedulable).toBe(true);
  });

  it('waits for an action to settle once its node is back', async () => {
    const c = fakeCluster(['east-w-1']);
    let looks = 0;
    const action = {
      ...c.reboot('east-w-1', 'worker'),
      settled: async () => (++looks < 3 ? 'kubelet reports 2 cores, want 4' : (true as const)),
    };
    await rollOutCluster(deps(c.kube, []), [action]);
    expect(looks).toBe(3);
    const never = {
      ...c.reboot('east-w-1', 'worker'),
      settled: async () => 'kubelet reports 2 cores, want 4',
    };
    await expect(rollOutCluster(deps(c.kube, []), [never])).rejects.toThrow(
      /east-w-1 settled; last observation: kubelet reports 2 cores, want 4/,
    );
  });
});
