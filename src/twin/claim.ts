import { ConfigurationError, errorMessage } from '../errors.js';
import type { TwinPlan } from '../plan/plan.js';
import { observeProxmox, planTwin } from '../plan/plan.js';
import { reservationsOf } from '../proxmox/capacity.js';
import type { CapacityDemand } from '../proxmox/capacity.js';
import { claimedBefore, listSlotClaims, slotComment } from '../proxmox/slots.js';
import { POWER_TASKS, vmTasksInFlight } from '../proxmox/tasks.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { refuseOverQuota } from '../spec/quota.js';
import { admitBeside, refuseInadmissible } from './admission.js';
import type { TwinContext } from './context.js';
import { waitForVmTasks } from './in-flight.js';

/**
 * Plans against Proxmox, refuses what admission refuses (src/twin/admission.ts: conflicts, lost state,
 * addresses held by others, what does not fit), then claims the slot atomically with a reservation of the
 * capacity its new VMs take. Twins claimed at the same moment each saw the same free
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
    const demands = await refuseInadmissible(ctx, plan, view);
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
