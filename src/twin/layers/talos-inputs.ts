import type { PlannedVm, TwinPlan } from '../../plan/plan.js';
import type { TwinSpec } from '../../spec/schema.js';
import type { TalosNodeInput } from '../../talos/config.js';
import type { ClusterBase } from '../../talos/machine-configs.js';

/**
 * The Talos inputs of a planned cluster, as apply.ts builds them for creating nodes (its talos-config step
 * and nodeConfig()), so a node is compared with exactly the config it would be created with.
 */

/** The wanted VMs of one cluster (not destroyed, not conflicting, with a definition). */
export function wantedMembers(plan: TwinPlan, cluster: string): PlannedVm[] {
  return plan.vms.filter(
    (vm) => vm.cluster === cluster && vm.definition && vm.action !== 'conflict' && vm.action !== 'destroy',
  );
}

/** The cluster's config input apart from the releases. */
export function clusterBaseOf(spec: TwinSpec, plan: TwinPlan, cluster: string): ClusterBase {
  const planned = plan.clusters.find((candidate) => candidate.name === cluster);
  if (!planned) throw new RangeError(`the plan has no cluster ${cluster}`);
  const members = wantedMembers(plan, cluster);
  return {
    name: planned.name,
    vip: planned.vip,
    pods: planned.pods,
    services: planned.services,
    workers: members.filter((vm) => vm.role !== 'controlplane').length,
    timeServers: spec.talos.timeServers,
    registryMirrors: spec.talos.registryMirrors,
  };
}

/** One node's patch input (hostname, static address, the VIP on control planes). */
export function talosNodeOf(vm: PlannedVm, vip: string): TalosNodeInput {
  const node = vm.definition;
  if (!node) throw new RangeError(`VM ${vm.name} has no definition: it is not wanted`);
  const role = vm.role === 'controlplane' ? 'controlplane' : 'worker';
  return {
    name: node.name,
    role,
    address: node.address,
    prefixLength: node.prefixLength,
    gateway: node.gateway,
    dns: node.dns,
    ...(role === 'controlplane' ? { vip } : {}),
  };
}
