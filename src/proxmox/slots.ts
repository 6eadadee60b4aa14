import type { PveClient } from './client.js';

/**
 * A slot is claimed by creating the Proxmox pool `<prefix>-<k>`: pool ids are unique and creation is
 * atomic, so two runners can never hold one slot, and the slot fixes VMIDs and addresses.
 * The pool's comment names the twin that holds it.
 */
export interface SlotClaim {
  slot: number;
  poolId: string;
  twin?: string;
  claimedAt?: string;
}

interface PoolListItem {
  poolid: string;
  comment?: string;
}

const COMMENT = /^aggrik8s-twin slot of (\S+)(?: since (\S+))?$/;

export function slotComment(twin: string, claimedAt: Date): string {
  return `aggrik8s-twin slot of ${twin} since ${claimedAt.toISOString()}`;
}

function parseComment(comment: string | undefined): { twin?: string; claimedAt?: string } {
  const match = COMMENT.exec(comment ?? '');
  if (!match) return {};
  return { twin: match[1], ...(match[2] ? { claimedAt: match[2] } : {}) };
}

/** The slot pools that exist now, whoever holds them. */
export async function listSlotClaims(client: PveClient, poolPrefix: string): Promise<SlotClaim[]> {
  const pools = await client.get<PoolListItem[]>('/pools');
  const pattern = new RegExp(`^${escapeRegExp(poolPrefix)}-(\\d+)$`);
  return pools.flatMap((pool) => {
    const match = pattern.exec(pool.poolid);
    if (!match) return [];
    return [{ slot: Number(match[1]), poolId: pool.poolid, ...parseComment(pool.comment) }];
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The slot a twin would use: the one it holds, else its pinned slot, else the lowest free one that is
 * not pinned by another environment. `undefined` when every slot is taken.
 */
export function chooseSlot(
  claims: SlotClaim[],
  twin: string,
  opts: { count: number; pinnedSlot?: number; reserved: number[] },
): { slot: number; held: boolean } | undefined {
  const held = claims.find((claim) => claim.twin === twin);
  if (held) return { slot: held.slot, held: true };
  if (opts.pinnedSlot !== undefined) return { slot: opts.pinnedSlot, held: false };
  const taken = new Set([...claims.map((claim) => claim.slot), ...opts.reserved]);
  for (let slot = 0; slot < opts.count; slot++) {
    if (!taken.has(slot)) return { slot, held: false };
  }
  return undefined;
}
