import type { PveClient } from './client.js';

/**
 * A slot is claimed by creating the Proxmox pool `<prefix>-<k>`: pool ids are unique and creation is
 * atomic, so two runners can never hold one slot, and the slot fixes VMIDs and addresses.
 * The pool's comment is the claim record: the twin that holds it, its identity as it was when claimed
 * (project, VMID range, address blocks and VIPs: destroy and the overlap checks read these, never the spec
 * of the moment) and, while its VMs are being created, the capacity it reserved on each PVE node, so twins
 * admitted at the same moment do not count the same free space twice.
 */
export interface SlotClaim {
  slot: number;
  poolId: string;
  twin?: string;
  claimedAt?: string;
  /** When the twin was last applied again (ISO time), if it was since its claim: the reaper's TTL counts from it. */
  activeAt?: string;
  /** Absent on claims made before the record existed: readers then fall back to the spec, and say so. */
  identity?: SlotIdentity;
  reserves?: Reservation[];
}

/** What a twin holds, fixed when its slot was claimed. */
export interface SlotIdentity {
  project: string;
  vmids: { first: number; last: number };
  /** Per cluster: the slot's address block (inclusive) and the cluster's VIP (inside it, or pinned). */
  networks: { cluster: string; first: string; last: string; vip: string }[];
}

/** Capacity a twin being built has claimed on one PVE node, not yet taken by its VMs. */
export interface Reservation {
  pveNode: string;
  memoryMiB: number;
  diskGiB: number;
}

interface PoolListItem {
  poolid: string;
  comment?: string;
}

const COMMENT =
  /^aggrik8s-twin slot of (\S+)(?: since (\S+))?(?: active (\S+))?(?: project (\S+) vmids (\d+)-(\d+) net (\S+))?(?: reserves (\S+))?$/;
const RESERVATION = /^([A-Za-z0-9.-]+)=(\d+)M\/(\d+)G$/;
const NETWORK = /^([a-z0-9][a-z0-9-]*)=([\d.]+)-([\d.]+)@([\d.]+)$/;

/**
 * `aggrik8s-twin slot of pr-7 since <ISO time> [active <ISO time>] project p vmids 7100-7119
 * net east=a-b@vip,... [reserves ...]`
 */
export function slotComment(
  twin: string,
  claimedAt: Date,
  reserves: Reservation[] = [],
  identity?: SlotIdentity,
  activeAt?: Date,
): string {
  const reserved = reserves.map((r) => `${r.pveNode}=${r.memoryMiB}M/${r.diskGiB}G`).join(',');
  const record = identity
    ? ` project ${identity.project} vmids ${identity.vmids.first}-${identity.vmids.last} net ` +
      identity.networks.map((n) => `${n.cluster}=${n.first}-${n.last}@${n.vip}`).join(',')
    : '';
  const active = activeAt ? ` active ${activeAt.toISOString()}` : '';
  return `aggrik8s-twin slot of ${twin} since ${claimedAt.toISOString()}${active}${record}${reserved ? ` reserves ${reserved}` : ''}`;
}

/** Whether `claim` was made before `mine`: the earlier claim is admitted first, ties go to the lower slot. */
export function claimedBefore(claim: SlotClaim, mine: SlotClaim): boolean {
  const [theirs, ours] = [Date.parse(claim.claimedAt ?? ''), Date.parse(mine.claimedAt ?? '')];
  if (Number.isNaN(theirs) || Number.isNaN(ours)) return true; // unknown age: count it, the safe side
  return theirs < ours || (theirs === ours && claim.slot < mine.slot);
}

function parseComment(comment: string | undefined): Omit<SlotClaim, 'slot' | 'poolId'> {
  const match = COMMENT.exec(comment ?? '');
  if (!match) return {};
  const reserves = (match[8] ?? '').split(',').flatMap((item) => {
    const parts = RESERVATION.exec(item);
    return parts ? [{ pveNode: parts[1]!, memoryMiB: Number(parts[2]), diskGiB: Number(parts[3]) }] : [];
  });
  const identity = parseIdentity(match[4], match[5], match[6], match[7]);
  return {
    twin: match[1],
    ...(match[2] ? { claimedAt: match[2] } : {}),
    ...(match[3] ? { activeAt: match[3] } : {}),
    ...(identity ? { identity } : {}),
    ...(reserves.length > 0 ? { reserves } : {}),
  };
}

function parseIdentity(
  project: string | undefined,
  first: string | undefined,
  last: string | undefined,
  networks: string | undefined,
): SlotIdentity | undefined {
  if (project === undefined || networks === undefined) return undefined;
  const parsed = networks.split(',').map((item) => NETWORK.exec(item));
  if (parsed.some((parts) => parts === null)) return undefined; // unreadable: treated as no record
  return {
    project,
    vmids: { first: Number(first), last: Number(last) },
    networks: parsed.map((parts) => ({
      cluster: parts![1]!,
      first: parts![2]!,
      last: parts![3]!,
      vip: parts![4]!,
    })),
  };
}

/**
 * The slot pools under any of `poolPrefixes` that exist now and the token may see, whoever holds them.
 * Slot k is one slot under every prefix (it fixes the VMIDs and addresses), so callers compare slot numbers
 * across prefixes. PVE lists only pools with Pool.Audit (P.7): a preview token sees none of production's.
 */
export async function listSlotClaims(
  client: PveClient,
  poolPrefixes: readonly string[],
): Promise<SlotClaim[]> {
  const pools = await client.get<PoolListItem[]>('/pools');
  const pattern = new RegExp(`^(?:${poolPrefixes.map(escapeRegExp).join('|')})-(\\d+)$`);
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
