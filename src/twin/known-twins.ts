import type { PveClient } from '../proxmox/client.js';
import { listVms } from '../proxmox/inventory.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import { environmentOf } from '../spec/environment.js';
import type { TwinSpec } from '../spec/schema.js';
import type { StateStore } from '../state/store.js';

/** One twin the lab or the state store knows of. */
export interface KnownTwin {
  twin: string;
  environment: 'production' | 'preview';
  slot?: number;
  pool?: string;
  claimedAt?: string;
  /** VMs carrying the project's and the twin's tags, as far as the token can see. */
  vms: number;
  /** Items the state store holds of it. */
  stateItems: number;
  /** The store holds state of a twin with neither a slot nor a VM: its secrets outlived it. */
  orphanedState: boolean;
}

/**
 * Every twin of the project: the slot pools, the tagged VMs and the twins the state store holds state of.
 * The store is asked first. A twin claims its slot before its first state item is written, so a twin whose
 * state was listed and that still exists is in the claims listed afterwards: a create running meanwhile is
 * never taken for an orphan.
 */
export async function knownTwins(client: PveClient, spec: TwinSpec, store: StateStore): Promise<KnownTwin[]> {
  const stored = await store.twins();
  const claims = await listSlotClaims(client, slotPoolPrefixes(spec));
  const vms = (await listVms(client)).filter((vm) => vm.tags.includes(spec.project));
  const names = new Set([
    ...stored,
    ...claims.flatMap((claim) => (claim.twin ? [claim.twin] : [])),
    ...vms.flatMap((vm) => vm.tags.filter((tag) => tag.startsWith('twin-')).map((tag) => tag.slice(5))),
  ]);
  const twins: KnownTwin[] = [];
  for (const twin of [...names].sort()) {
    const claim = claims.find((one) => one.twin === twin);
    const vmCount = vms.filter((vm) => vm.tags.includes(`twin-${twin}`)).length;
    const stateItems = stored.includes(twin) ? (await store.list(twin)).length : 0;
    twins.push({
      twin,
      environment: environmentOf(twin),
      ...(claim ? { slot: claim.slot, pool: claim.poolId } : {}),
      ...(claim?.claimedAt ? { claimedAt: claim.claimedAt } : {}),
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
}

/**
 * Removes the state of preview twins that no longer exist anywhere (the reaper's last task). Proxmox is
 * asked again just before each one's state goes, so a twin that reappeared meanwhile keeps it (the store
 * is not listed again: only Proxmox can change that verdict).
 */
export async function removeOrphanedState(
  client: PveClient,
  spec: TwinSpec,
  store: StateStore,
  opts: { dryRun: boolean; log: (line: string) => void },
): Promise<OrphanSweep> {
  const sweep: OrphanSweep = { removed: [], kept: [] };
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
    if (await existsOnProxmox(client, spec, known.twin)) continue; // it reappeared meanwhile
    opts.log(
      `${opts.dryRun ? 'would remove' : 'removing'} the state of ${known.twin} (${known.stateItems} item(s)) ` +
        `from ${store.describe()}: no slot and no VM of it is left`,
    );
    if (!opts.dryRun) await store.removeTwin(known.twin);
    sweep.removed.push(known.twin);
  }
  return sweep;
}
