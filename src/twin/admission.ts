import { ConfigurationError, isConfigurationError } from '../errors.js';
import type { ProxmoxView, TwinPlan } from '../plan/plan.js';
import { creationDemands } from '../plan/plan.js';
import { admit, afterReservations } from '../proxmox/capacity.js';
import type { CapacityDemand } from '../proxmox/capacity.js';
import type { PveNodeCapacity } from '../proxmox/inventory.js';
import type { SlotClaim, SlotIdentity } from '../proxmox/slots.js';
import { refuseOverQuota } from '../spec/quota.js';
import { refuseAddressOverlap } from './address-guard.js';
import type { TwinContext } from './context.js';
import { refuseLostState } from './lost-state.js';
import { readTwinRecord } from './outcome.js';
import type { TwinRecord } from './outcome.js';

/** What admission reads: the twin, Proxmox and the state store; it writes to none of them. */
export type AdmissionContext = Pick<TwinContext, 'twin' | 'client' | 'store'>;

/**
 * The checks `up` runs on its plan before it claims a slot or changes anything, in its order: the slot's
 * recorded layout, VMIDs held by others, state the store lost, identity changes Cilium cannot take, addresses
 * held by others, then the new VMs against the free capacity that other twins' reservations leave. Read-only,
 * so `plan` runs the same to tell whether `up` would go ahead. Returns what the new VMs take, for the claim.
 */
export async function refuseInadmissible(
  ctx: AdmissionContext,
  plan: TwinPlan,
  view: ProxmoxView,
): Promise<CapacityDemand[]> {
  refuseLayoutDrift(plan, view.claims);
  refuseConflicts(plan);
  await refuseLostState(ctx.store, plan);
  refuseIdentityChanges(plan, await readTwinRecord(ctx.store, plan.twin));
  await refuseAddressOverlap(ctx.client, ctx.twin, plan, view);
  const demands = creationDemands(plan);
  const others = view.claims.filter((claim) => claim.twin !== plan.twin);
  admitBeside(ctx, plan, demands, view, others);
  return demands;
}

/**
 * `up`'s verdict on the plan without its claim: the reason `up` would refuse the twin with (its quota first,
 * then refuseInadmissible), word for word, or undefined when `up` would go ahead.
 */
export async function admissionRefusal(
  ctx: AdmissionContext,
  plan: TwinPlan,
  view: ProxmoxView,
): Promise<string | undefined> {
  try {
    refuseOverQuota(ctx.twin);
    await refuseInadmissible(ctx, plan, view);
    return undefined;
  } catch (error) {
    if (isConfigurationError(error)) return error.message;
    throw error;
  }
}

/** Admission against the free capacity that the reservations of `claims` leave. */
export function admitBeside(
  ctx: Pick<TwinContext, 'twin'>,
  plan: TwinPlan,
  demands: CapacityDemand[],
  view: { nodes: PveNodeCapacity[] },
  claims: SlotClaim[],
): void {
  const building = claims.filter((claim) => claim.reserves);
  admit(
    plan.twin,
    demands,
    afterReservations(
      view.nodes,
      building.flatMap((claim) => claim.reserves ?? []),
    ),
    ctx.twin.spec.proxmox.storage.disks,
    building.map((claim) => claim.twin ?? claim.poolId),
  );
}

/**
 * A running cluster keeps its Cilium cluster id and pod CIDR: Cilium fixes both at install (identities and
 * the mesh are derived from the id; every pod address from the CIDR), so a spec that changes them for an
 * existing cluster is refused before anything changes, rather than half-applied.
 */
function refuseIdentityChanges(plan: TwinPlan, record: TwinRecord | undefined): void {
  if (!record) return;
  const changes = plan.clusters.flatMap((cluster) => {
    const before = record.clusters.find((known) => known.name === cluster.name);
    if (!before) return [];
    return [
      ...(before.id !== cluster.id ? [`cluster ${cluster.name}: id ${before.id} -> ${cluster.id}`] : []),
      ...(before.pods !== cluster.pods
        ? [`cluster ${cluster.name}: pods ${before.pods} -> ${cluster.pods}`]
        : []),
    ];
  });
  if (changes.length === 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} cannot take these changes in place, nothing was changed:\n  ${changes.join('\n  ')}\n` +
      "Cilium fixes a cluster's id and pod CIDR at install: restore them in the spec, or destroy the twin " +
      '(operation destroy) and apply it again',
  );
}

/**
 * A held slot keeps its pool and what its claim recorded: a spec that now puts the twin's slot in another
 * pool (environments.production.poolPrefix set or changed: its VMs are members of the pool they were created
 * in), or gives it another project, VMID range, or another address block or VIP for a cluster it already has
 * is refused, since destroy and every other twin go by the record. Clusters the record does not know yet are
 * new and take their place from the slot.
 */
function refuseLayoutDrift(plan: TwinPlan, claims: SlotClaim[]): void {
  const held = claims.find((claim) => claim.twin === plan.twin && claim.slot === plan.slot);
  if (!held) return;
  const drift = [
    ...(held.poolId === plan.pool ? [] : [`pool ${held.poolId} -> ${plan.pool}`]),
    ...(held.identity ? identityDrift(held.identity, plan.identity) : []),
  ];
  if (drift.length === 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} holds slot ${plan.slot} (pool ${held.poolId}) as recorded when it was claimed, and the spec ` +
      `now places it elsewhere; nothing was changed:\n  ${drift.join('\n  ')}\n` +
      'restore project, proxmox.slots, environments.production.poolPrefix and clusters[].network.addressPool / ' +
      'vip in the spec, or destroy the twin and apply it again',
  );
}

function identityDrift(recorded: SlotIdentity, now: SlotIdentity): string[] {
  const shown = (n: SlotIdentity['networks'][number]) => `${n.first}-${n.last} (VIP ${n.vip})`;
  return [
    ...(recorded.project !== now.project ? [`project ${recorded.project} -> ${now.project}`] : []),
    ...(recorded.vmids.first !== now.vmids.first || recorded.vmids.last !== now.vmids.last
      ? [`VMIDs ${recorded.vmids.first}-${recorded.vmids.last} -> ${now.vmids.first}-${now.vmids.last}`]
      : []),
    ...recorded.networks.flatMap((before) => {
      const after = now.networks.find((n) => n.cluster === before.cluster);
      return after && shown(after) !== shown(before)
        ? [`cluster ${before.cluster}: addresses ${shown(before)} -> ${shown(after)}`]
        : [];
    }),
  ];
}

function refuseConflicts(plan: TwinPlan): void {
  const conflicts = plan.vms.filter((vm) => vm.action === 'conflict');
  if (conflicts.length === 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} cannot be applied, nothing was changed:\n  ${conflicts.flatMap((vm) => vm.reasons).join('\n  ')}\n` +
      'remove those VMs or move this twin to another slot',
  );
}
