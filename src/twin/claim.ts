import { refuseAddressOverlap } from './address-guard.js';
import { refuseLostState } from './lost-state.js';
import { ConfigurationError, errorMessage } from '../errors.js';
import type { TwinPlan } from '../plan/plan.js';
import { creationDemands, observeProxmox, planTwin } from '../plan/plan.js';
import { admit, afterReservations, reservationsOf } from '../proxmox/capacity.js';
import type { CapacityDemand } from '../proxmox/capacity.js';
import type { PveNodeCapacity } from '../proxmox/inventory.js';
import { claimedBefore, listSlotClaims, slotComment } from '../proxmox/slots.js';
import { POWER_TASKS, vmTasksInFlight } from '../proxmox/tasks.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import type { SlotClaim, SlotIdentity } from '../proxmox/slots.js';
import { refuseOverQuota } from '../spec/quota.js';
import type { TwinContext } from './context.js';
import { waitForVmTasks } from './in-flight.js';
import { readTwinRecord } from './outcome.js';
import type { TwinRecord } from './outcome.js';

/**
 * Plans against Proxmox, refuses conflicts and what does not fit, then claims the slot atomically with a
 * reservation of the capacity its new VMs take. Twins claimed at the same moment each saw the same free
 * space, so after claiming, a twin checks again against the reservations of twins claimed before it and
 * gives its slot back if it no longer fits: the earliest claim wins, nothing is half-built. A preview over
 * its quota is refused first, before any request.
 */
export async function claimAndPlan(ctx: TwinContext): Promise<ClaimedPlan> {
  const { spec } = ctx.twin;
  refuseOverQuota(ctx.twin);
  for (let attempt = 0; attempt < spec.proxmox.slots.count + 1; attempt++) {
    const view = await observeProxmox(ctx.client, spec);
    const plan = planTwin(ctx.twin, view);
    if (await waitForTasksInFlight(ctx, plan)) continue; // plan again once they ended
    refuseLayoutDrift(plan, view.claims);
    refuseConflicts(plan);
    await refuseLostState(ctx.store, plan);
    refuseIdentityChanges(plan, await readTwinRecord(ctx.store, plan.twin));
    await refuseAddressOverlap(ctx.client, ctx.twin, plan, view);
    const demands = creationDemands(plan);
    const others = view.claims.filter((claim) => claim.twin !== plan.twin);
    admitBeside(ctx, plan, demands, view, others);
    if (plan.slotState === 'held') {
      const activeAt = await markActive(ctx, plan, view.claims);
      return { plan, ...unreleasedReservation(view.claims, plan, activeAt) };
    }
    const claimedAt = new Date();
    const reserves = reservationsOf(demands);
    try {
      await ctx.client.post('/pools', {
        poolid: plan.pool,
        comment: slotComment(plan.twin, claimedAt, reserves, plan.identity),
      });
    } catch (error) {
      // Another runner took this slot a moment ago: plan again against what it did.
      const claims = await listSlotClaims(ctx.client, slotPoolPrefixes(spec));
      const holder = claims.find((claim) => claim.slot === plan.slot);
      if (holder?.twin === plan.twin) return { plan: { ...plan, slotState: 'held' } };
      if (!holder) throw error;
      ctx.log(`slot ${plan.slot} was just taken by ${holder.twin ?? 'another twin'}; choosing again`);
      continue;
    }
    ctx.log(`claimed slot ${plan.slot} (pool ${plan.pool})`);
    await admitAgainstEarlierClaims(ctx, plan, demands);
    return { plan: { ...plan, slotState: 'held' }, reservation: { claimedAt } };
  }
  throw new ConfigurationError(
    `could not claim a slot for twin ${ctx.twin.twin}: every attempt lost a race; try again`,
  );
}

export interface ClaimedPlan {
  plan: TwinPlan;
  /** Set when this run claimed the slot with a reservation, to be released once the VMs exist. */
  reservation?: { claimedAt: Date; activeAt?: Date };
}

/**
 * Tasks a killed or failed run left in flight on the twin's VMIDs: a create of a VMID the plan would create
 * (PVE writes the config with `lock: create` first and adds the VM to its pool only when the task ends, so
 * a pool-scoped token sees neither the VM nor its lock, P.7), or a power task (a reboot that applies a
 * resize, say) on a VM the twin has. Waits for them to end, bounded like a boot, with one task listing per
 * PVE node each time; returns whether it waited.
 */
async function waitForTasksInFlight(ctx: TwinContext, plan: TwinPlan): Promise<boolean> {
  const free = new Set(
    plan.vms
      .filter((vm) => vm.action === 'create' || (vm.action === 'conflict' && vm.lock))
      .map((vm) => vm.vmid),
  );
  const existing = new Set(
    plan.vms
      .filter((vm) => vm.action === 'keep' || vm.action === 'change' || vm.action === 'destroy')
      .map((vm) => vm.vmid),
  );
  if (free.size === 0 && existing.size === 0) return false;
  const ours = (task: { vmid: number; type: string }) =>
    (task.type === 'qmcreate' && free.has(task.vmid)) ||
    (POWER_TASKS.has(task.type) && existing.has(task.vmid));
  const waited = await waitForVmTasks(
    ctx,
    () => vmTasksInFlight(ctx.client, ctx.twin.spec.proxmox.nodes, ours),
    'apply again',
  );
  return waited.length > 0;
}

/** Admission against the free capacity that the reservations of `claims` leave. */
function admitBeside(
  ctx: TwinContext,
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

/** The check after claiming; on refusal the slot is given back before the error, so nothing is left. */
async function admitAgainstEarlierClaims(ctx: TwinContext, plan: TwinPlan, demands: CapacityDemand[]) {
  const { spec } = ctx.twin;
  const view = await observeProxmox(ctx.client, spec);
  const mine = view.claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
  const earlier = view.claims.filter(
    (claim) => claim.twin !== plan.twin && (!mine || claimedBefore(claim, mine)),
  );
  try {
    admitBeside(ctx, plan, demands, view, earlier);
  } catch (error) {
    await ctx.client.delete('/pools', { poolid: plan.pool });
    ctx.log(`gave slot ${plan.slot} back: twins claimed just before took the capacity`);
    throw error;
  }
}

/** A reservation an earlier run of this twin made and never dropped (it was killed): this run drops it. */
function unreleasedReservation(
  claims: SlotClaim[],
  plan: TwinPlan,
  activeAt: Date | undefined,
): Pick<ClaimedPlan, 'reservation'> {
  const mine = claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
  const claimedAt = Date.parse(mine?.claimedAt ?? '');
  if (!mine?.reserves || Number.isNaN(claimedAt)) return {};
  return { reservation: { claimedAt: new Date(claimedAt), ...(activeAt ? { activeAt } : {}) } };
}

/**
 * An apply of a twin that exists is activity: its claim records when (`active`), and the reaper's TTL
 * counts from there, so a pull request that keeps pushing keeps its preview. Returns the time recorded;
 * a failed write is logged only (the TTL then counts from the previous mark, the safe side for cost).
 */
async function markActive(ctx: TwinContext, plan: TwinPlan, claims: SlotClaim[]): Promise<Date | undefined> {
  const mine = claims.find((claim) => claim.slot === plan.slot && claim.twin === plan.twin);
  const claimedAt = Date.parse(mine?.claimedAt ?? '');
  if (!mine || Number.isNaN(claimedAt)) return undefined;
  const activeAt = new Date();
  const comment = slotComment(plan.twin, new Date(claimedAt), mine.reserves ?? [], mine.identity, activeAt);
  try {
    await ctx.client.put('/pools', { poolid: plan.pool, comment });
    return activeAt;
  } catch (error) {
    ctx.log(`slot ${plan.slot}: could not record this apply in pool ${plan.pool} (${errorMessage(error)})`);
    return undefined;
  }
}

/** Once the twin's VMs exist they hold their capacity themselves: the claim keeps only its name and age. */
export async function releaseReservation(
  ctx: TwinContext,
  plan: TwinPlan,
  reservation: NonNullable<ClaimedPlan['reservation']>,
): Promise<void> {
  try {
    // The identity stays recorded (on a claim older than the record, it is recorded now, with the VMs).
    const comment = slotComment(plan.twin, reservation.claimedAt, [], plan.identity, reservation.activeAt);
    await ctx.client.put('/pools', { poolid: plan.pool, comment });
  } catch (error) {
    // Only admission of other twins reads it, and a stale reservation errs on the safe side.
    ctx.log(
      `slot ${plan.slot}: the capacity reservation stays in pool ${plan.pool} (${errorMessage(error)}); ` +
        'the next apply or the destroy of this twin drops it',
    );
  }
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
