import { layoutTwin, slotIdentity } from '../plan/layout.js';
import type { VmInventoryItem } from '../proxmox/inventory.js';
import { listVms } from '../proxmox/inventory.js';
import type { ForeignVm, TwinHolding } from '../proxmox/ownership.js';
import { sortByOwnership } from '../proxmox/ownership.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import type { TwinContext } from './context.js';

export interface TwinOwnership {
  claims: SlotClaim[];
  holdings: TwinHolding[];
  owned: VmInventoryItem[];
  foreign: ForeignVm[];
}

/**
 * The twin's slot pools with what their claims recorded, and the VMs that are provably its own by them.
 * A claim made before the record existed is read with the spec of the moment, and the log says so.
 */
export async function observeOwnership(
  ctx: Pick<TwinContext, 'twin' | 'client' | 'log'>,
): Promise<TwinOwnership> {
  const twin = ctx.twin.twin;
  const claims = (await listSlotClaims(ctx.client, slotPoolPrefixes(ctx.twin.spec))).filter(
    (claim) => claim.twin === twin,
  );
  const holdings = claims.map((claim) => {
    if (claim.identity) return { twin, pool: claim.poolId, identity: claim.identity };
    ctx.log(`pool ${claim.poolId} has no identity record (claimed before records): using the spec's layout`);
    return { twin, pool: claim.poolId, identity: slotIdentity(ctx.twin, layoutTwin(ctx.twin, claim.slot)) };
  });
  const { owned, foreign } = sortByOwnership(await listVms(ctx.client), twin, holdings);
  return { claims, holdings, owned, foreign };
}
