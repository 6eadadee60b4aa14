import type { PveClient } from '../proxmox/client.js';
import type { VmInventoryItem } from '../proxmox/inventory.js';
import { listVms } from '../proxmox/inventory.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import { environmentOf, resolveTwin } from '../spec/environment.js';
import type { TwinSpec } from '../spec/schema.js';
import type { StateStore } from '../state/store.js';
import { TwinLockedError } from '../proxmox/twin-lock.js';
import type { Pace } from './context.js';
import { withTwinLock } from './lock.js';

/** One twin the lab or the state store knows of. */
export interface KnownTwin {
  twin: string;
  environment: 'production' | 'preview';
  slot?: number;
  pool?: string;
  claimedAt?: string;
  /** When it was last applied again, as its claim records it. */
  activeAt?: string;
  /** VMs carrying the project's and the twin's tags, as far as the token can see. */
  vms: number;
  /** Items the state store holds of it. */
  stateItems: number;
  /** The store holds state of a twin with neither a slot nor a VM: its secrets outlived it. */
  orphanedState: boolean;
}

/** What every listing of the project's twins is made of: one look at the store and at Proxmox. */
export interface TwinObservation {
  /** The twins the state store holds state of. */
  stored: string[];
  claims: SlotClaim[];
  /** The VMs carrying the project's tag, as far as the token can see. */
  vms: VmInventoryItem[];
}

/**
 * The store is asked first. A twin claims its slot before its first state item is written, so a twin whose
 * state was listed and that still exists is in the claims listed afterwards: a create running meanwhile is
 * never taken for an orphan.
 */
export async function observeTwins(
  client: PveClient,
  spec: TwinSpec,
  store: StateStore,
): Promise<TwinObservation> {
  const stored = await store.twins();
  const claims = await listSlotClaims(client, slotPoolPrefixes(spec));
  const vms = (await listVms(client)).filter((vm) => vm.tags.includes(spec.project));
  return { stored, claims, vms };
}

/** The VMs of `vms` that carry the twin's tag. */
export function vmsOfTwin(vms: VmInventoryItem[], twin: string): VmInventoryItem[] {
  return vms.filter((vm) => vm.tags.includes(`twin-${twin}`));
}

/** Every twin of the project: the slot pools, the tagged VMs and the twins the state store holds state of. */
export async function knownTwins(client: PveClient, spec: TwinSpec, store: StateStore): Promise<KnownTwin[]> {
  return knownTwinsIn(await observeTwins(client, spec, store), store);
}

/** The twins an observation names, sorted by name, with what the store holds of each. */
export async function knownTwinsIn(observation: TwinObservation, store: StateStore): Promise<KnownTwin[]> {
  const { stored, claims, vms } = observation;
  const names = new Set([
    ...stored,
    ...claims.flatMap((claim) => (claim.twin ? [claim.twin] : [])),
    ...vms.flatMap((vm) => vm.tags.filter((tag) => tag.startsWith('twin-')).map((tag) => tag.slice(5))),
  ]);
  const twins: KnownTwin[] = [];
  for (const twin of [...names].sort()) {
    const claim = claims.find((one) => one.twin === twin);
    const vmCount = vmsOfTwin(vms, twin).length;
    const stateItems = stored.includes(twin) ? (await store.list(twin)).length : 0;
    twins.push({
      twin,
      environment: environmentOf(twin),
      ...(claim ? { slot: claim.slot, pool: claim.poolId } : {}),
      ...(claim?.claimedAt ? { claimedAt: claim.claimedAt } : {}),
      ...(claim?.activeAt ? { activeAt: claim.activeAt } : {}),
      vms: vmCount,
      stateItems,
      orphanedState: stateItems > 0 && !claim && vmCount === 0,
    });
  }
  return twins;
}

/** Whether a slot pool or a tagged VM of the twin exists now: one look at Proxmox, not a whole listing. */
async function existsOnProxmox(client: PveClient, spec: TwinSpec, twin: string): Promise<boolean> {
  const claims = await listSlotClaims(client, slotPoolPrefixes(spec));
  if (claims.some((claim) => claim.twin === twin)) return true;
  return (await listVms(client)).some(
    (vm) => vm.tags.includes(spec.project) && vm.tags.includes(`twin-${twin}`),
  );
}

export interface OrphanSweep {
  removed: string[];
  /** Production's state is never removed unasked: a token that cannot see its pool would make it look gone. */
  kept: string[];
  /** `<twin>: <why>` for orphans whose lock another operation holds (an apply just begun): left for a later run. */
  skipped: string[];
}

/**
 * Removes the state of preview twins that no longer exist anywhere (the reaper's last task). Each one's
 * state goes only while the sweep holds the twin's lock (the one apply takes before it writes anything), and
 * only if, asked again under that lock, Proxmox has neither a slot nor a VM of it and the store still holds
 * its state: an apply that has just begun (lock taken, state written, slot not yet claimed) keeps its state,
 * and the orphan is skipped with the holder named. A dry run changes nothing, so it takes no lock either.
 */
export async function removeOrphanedState(
  client: PveClient,
  spec: TwinSpec,
  store: StateStore,
  opts: { dryRun: boolean; pace: Pace; log: (line: string) => void },
): Promise<OrphanSweep> {
  const sweep: OrphanSweep = { removed: [], kept: [], skipped: [] };
  for (const known of await knownTwins(client, spec, store)) {
    if (!known.orphanedState) continue;
    if (known.environment === 'production') {
      sweep.kept.push(known.twin);
      opts.log(
        `state of ${known.twin} is kept although no slot or VM of it is visible: production's state is ` +
          'removed only by destroying it (twin down)',
      );
      continue;
    }
    const verdict = await sweepOne(client, spec, store, known.twin, opts);
    if (verdict === 'removed') sweep.removed.push(known.twin);
    else if (verdict !== 'not-orphaned') sweep.skipped.push(`${known.twin}: ${verdict.skipped}`);
  }
  return sweep;
}

type SweepVerdict = 'removed' | 'not-orphaned' | { skipped: string };

/** One orphan: its state removed under its lock, found no orphan any more, or skipped while another holds the lock. */
async function sweepOne(
  client: PveClient,
  spec: TwinSpec,
  store: StateStore,
  twin: string,
  opts: { dryRun: boolean; pace: Pace; log: (line: string) => void },
): Promise<SweepVerdict> {
  if (opts.dryRun) return removeIfOrphaned(client, spec, store, twin, opts);
  const ctx = { twin: resolveTwin(spec, twin), client, pace: opts.pace, log: opts.log };
  try {
    return await withTwinLock(ctx, 'reap', () => removeIfOrphaned(client, spec, store, twin, opts));
  } catch (error) {
    if (!(error instanceof TwinLockedError)) throw error;
    opts.log(`state of ${twin} kept this time: ${error.message}`);
    return { skipped: error.message };
  }
}

/** Asks Proxmox and the store once more: a twin that reappeared, or whose state went meanwhile, is left. */
async function removeIfOrphaned(
  client: PveClient,
  spec: TwinSpec,
  store: StateStore,
  twin: string,
  opts: { dryRun: boolean; log: (line: string) => void },
): Promise<'removed' | 'not-orphaned'> {
  if (await existsOnProxmox(client, spec, twin)) return 'not-orphaned';
  const items = (await store.list(twin)).length;
  if (items === 0) return 'not-orphaned'; // removed by a destroy that ran meanwhile: nothing left to do
  opts.log(
    `${opts.dryRun ? 'would remove' : 'removing'} the state of ${twin} (${items} item(s)) ` +
      `from ${store.describe()}: no slot and no VM of it is left`,
  );
  if (!opts.dryRun) await store.removeTwin(twin);
  return 'removed';
}
