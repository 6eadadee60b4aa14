import { beforeEach, describe, expect, it } from 'vitest';
import { EvictionApi, budgetStatus, disruptionBudgets } from '../../../src/lab/kube/disruption.js';
import { TALOS_DRAIN_TIMEOUT_SECONDS, talosDrainSeconds } from '../../../src/lab/kube/talos-drain.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';
import { CLUSTER, FixedNodes, S, placement, workload } from './fixed-nodes.js';

/**
 * PodDisruptionBudgets and the eviction API (LIFECYCLE G.2), and Talos' in-node drain that uses them (F.1).
 * Three `web` replicas on two workers: two on east-w-1 (the spread's tie goes to the first by name).
 */

function pdb(name: string, spec: Doc): Doc {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  };
}

describe('lab kube: disruption budgets and evictions', () => {
  let lab: FixedNodes;
  const web = (at: number) => lab.pods(at).filter((pod) => pod.owner.name === 'web');
  beforeEach(() => {
    lab = new FixedNodes(2);
    lab.at(100).apply(workload('Deployment', 'web', { replicas: 3 }));
  });

  it('counts healthy pods against the budget: maxUnavailable 1 of 3 allows one disruption', () => {
    lab.apply(pdb('web', { maxUnavailable: 1 }));
    const [budget] = disruptionBudgets(lab.kube, CLUSTER, 190 * S);
    expect(budgetStatus(budget!, web(190))).toEqual({
      expectedPods: 3,
      currentHealthy: 3,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
    });
    expect(budgetStatus(budget!, web(110))).toMatchObject({ currentHealthy: 0, disruptionsAllowed: 0 });
  });

  it('answers 429 with the budget in the cause once the allowed disruption is used, 500 for two budgets', () => {
    lab.apply(pdb('web', { maxUnavailable: 1 }));
    const api = new EvictionApi(lab.kube, CLUSTER, 190 * S);
    const [first, second] = api.pods.filter((pod) => pod.owner.name === 'web');
    expect(api.evict(first!)).toEqual({ ok: true });
    expect(api.evict(second!)).toEqual({
      ok: false,
      code: 429,
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      cause: 'The disruption budget web needs 2 healthy pods and has 3 currently',
    });
    lab.apply(pdb('web-too', { minAvailable: 1 }));
    const twice = new EvictionApi(lab.kube, CLUSTER, 190 * S);
    expect(twice.evict(twice.pods.find((pod) => pod.owner.name === 'web')!)).toMatchObject({
      ok: false,
      code: 500,
      message:
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    });
  });

  it("Talos' drain evicts one pod, waits for its replacement to be ready, then the other", () => {
    lab.apply(pdb('web', { maxUnavailable: 1 }));
    expect(placement(web(190))).toEqual(['Running east-w-1', 'Running east-w-1', 'Running east-w-2']);
    const node = lab.nodes.find((candidate) => candidate.hostname === 'east-w-1')!;
    const seconds = talosDrainSeconds(lab.kube, node, 200 * S);
    // The first eviction at 200 s; its replacement is ready 18 s later; the retry at 220 s passes; 4 s to go.
    expect(seconds).toBe(24);
    expect(lab.node('east-w-1', 201)?.unschedulable).toBe(true);
    expect(placement(web(230))).toEqual([
      'ContainerCreating east-w-2',
      'Running east-w-2',
      'Running east-w-2',
    ]);
    expect(placement(web(240))).toEqual(['Running east-w-2', 'Running east-w-2', 'Running east-w-2']);
  });

  it("Talos' drain gives up on a budget that never allows a disruption after 5 minutes", () => {
    lab.apply(pdb('web', { minAvailable: 3 }));
    const node = lab.nodes.find((candidate) => candidate.hostname === 'east-w-1')!;
    const seconds = talosDrainSeconds(lab.kube, node, 200 * S);
    expect(seconds).toBe(TALOS_DRAIN_TIMEOUT_SECONDS);
    expect(placement(web(400))).toEqual(['Running east-w-1', 'Running east-w-1', 'Running east-w-2']);
  });

  it("Talos' drain without a budget evicts everything at once and waits only for the pods to terminate", () => {
    const node = lab.nodes.find((candidate) => candidate.hostname === 'east-w-1')!;
    expect(talosDrainSeconds(lab.kube, node, 200 * S)).toBe(4);
    expect(placement(web(201))).toEqual([
      'ContainerCreating east-w-2',
      'ContainerCreating east-w-2',
      'Running east-w-2',
      'Terminating east-w-1',
      'Terminating east-w-1',
    ]);
  });
});
