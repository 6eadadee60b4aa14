import { describe, expect, it } from 'vitest';
import { planTwin } from '../../src/plan/plan.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { clusterBaseOf, talosNodeOf, wantedMembers } from '../../src/twin/layers/talos-inputs.js';

const { spec } = loadSpec('examples/twin.yaml');

describe('Talos inputs of a planned cluster', () => {
  it('are what apply.ts creates nodes with: networks, worker count, time and mirrors; the VIP on control planes only', () => {
    const plan = planTwin(resolveTwin(spec, 'pr-7'), undefined, { slot: 2 });
    const cluster = plan.clusters[0]!;
    const members = wantedMembers(plan, cluster.name);
    const base = clusterBaseOf(spec, plan, cluster.name);
    expect(base).toMatchObject({
      name: cluster.name,
      vip: cluster.vip,
      pods: cluster.pods,
      services: cluster.services,
    });
    expect(base.workers).toBe(members.filter((vm) => vm.role !== 'controlplane').length);
    expect(base.timeServers).toEqual(spec.talos.timeServers);
    for (const vm of members) {
      const node = talosNodeOf(vm, cluster.vip);
      expect(node).toMatchObject({ name: vm.name, address: vm.definition!.address });
      expect(node.vip).toBe(vm.role === 'controlplane' ? cluster.vip : undefined);
    }
    expect(() => clusterBaseOf(spec, plan, 'nowhere')).toThrow(/no cluster nowhere/);
  });
});
