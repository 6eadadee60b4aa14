import { ConfigurationError } from '../errors.js';
import type { ResolvedTwin } from '../spec/environment.js';
import type { PveClient } from '../proxmox/client.js';
import type { CapacityDemand } from '../proxmox/capacity.js';
import type { PveNodeCapacity, VmInventoryItem } from '../proxmox/inventory.js';
import type { PreflightReport } from '../proxmox/preflight.js';
import { listNodeCapacity, listVms } from '../proxmox/inventory.js';
import { sortByOwnership } from '../proxmox/ownership.js';
import { placeVms } from '../proxmox/placement.js';
import type { SlotClaim, SlotIdentity } from '../proxmox/slots.js';
import { chooseSlot, listSlotClaims } from '../proxmox/slots.js';
import type { PoolPrefixSpec } from '../spec/pools.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import type { TalosVm } from '../proxmox/vm-config.js';
import type { TalosImage } from '../talos/image.js';
import { talosNocloudImage } from '../talos/image.js';
import type { NodeLayout, TwinLayout } from './layout.js';
import { allNodes, layoutTwin, slotIdentity } from './layout.js';

/** What Proxmox holds now, read once per plan. */
export interface ProxmoxView {
  vms: VmInventoryItem[];
  nodes: PveNodeCapacity[];
  claims: SlotClaim[];
}

/** Claims are read under every environment's prefix: slot numbers are one space across them. */
export async function observeProxmox(
  client: PveClient,
  spec: PoolPrefixSpec & { proxmox: { storage: { disks: string } } },
): Promise<ProxmoxView> {
  const [vms, nodes, claims] = await Promise.all([
    listVms(client),
    listNodeCapacity(client, spec.proxmox.storage.disks),
    listSlotClaims(client, slotPoolPrefixes(spec)),
  ]);
  return { vms, nodes, claims };
}

export type VmAction = 'create' | 'keep' | 'change' | 'destroy' | 'conflict';

export interface PlannedVm {
  action: VmAction;
  name: string;
  cluster: string;
  role: string;
  vmid: number;
  pveNode: string;
  address?: string;
  tags: string[];
  cores: number;
  memoryMiB: number;
  /** Why a VM changes or conflicts, in words. */
  reasons: string[];
  /** A conflict's PVE lock (e.g. `create`): a task in flight holds the VMID and may still finish or vanish. */
  lock?: string;
  /** The full definition, for VMs the twin wants (not for ones it destroys). */
  definition?: TalosVm;
}

export interface TwinPlan {
  twin: string;
  environment: ResolvedTwin['environment'];
  slot: number;
  /** `held`: the twin owns its slot pool already; `claim`: applying creates the pool. */
  slotState: 'held' | 'claim';
  pool: string;
  /** What the slot holds by this spec: recorded in the claim when the slot is claimed. */
  identity: SlotIdentity;
  image: TalosImage;
  clusters: { name: string; id: number; vip: string; pods: string; services: string }[];
  vms: PlannedVm[];
  /** False when planned without Proxmox: placement ignores memory and nothing is compared. */
  observed: boolean;
  /** What the token may not do that applying needs (the preflight), when `twin plan` asked Proxmox. */
  rights?: PreflightReport;
}

/**
 * Desired state against observed state: every VM the twin wants (create, keep, change), every VM it
 * owns but no longer wants (destroy), and any foreign VM sitting on one of its VMIDs (conflict).
 */
export function planTwin(
  resolved: ResolvedTwin,
  view: ProxmoxView | undefined,
  opts: { slot?: number } = {},
): TwinPlan {
  const { spec } = resolved;
  const slot = resolveSlot(resolved, view, opts.slot);
  const layout = layoutTwin(resolved, slot.slot);
  const identity = slotIdentity(resolved, layout);
  // Only VMs provably the twin's are kept, changed or removed (an untagged one in its pool, range and
  // name too: a run killed before the tags); a VM that only carries its tags is never touched.
  const recorded = view?.claims.find((c) => c.slot === slot.slot && c.twin === resolved.twin)?.identity;
  const holding = { twin: resolved.twin, pool: layout.pool, identity: recorded ?? identity };
  const owned = sortByOwnership(view?.vms ?? [], resolved.twin, [holding]).owned;
  const ownedIds = new Set(owned.map((vm) => vm.vmid));
  const byVmid = new Map((view?.vms ?? []).map((vm) => [vm.vmid, vm]));
  const placement = placeVms(
    allNodes(layout).map((node) => ({
      vmid: node.vmid,
      cluster: node.cluster,
      role: node.role,
      memoryMiB: node.memoryMiB,
    })),
    usableNodes(resolved, view),
    new Map(owned.map((vm) => [vm.vmid, vm.node])),
  );
  const wanted = allNodes(layout).map((node) =>
    plannedVm(node, layout, placement.get(node.vmid) ?? '', byVmid.get(node.vmid), ownedIds),
  );
  const wantedIds = new Set(wanted.map((vm) => vm.vmid));
  const unwanted = owned.filter((vm) => !wantedIds.has(vm.vmid)).map(destroyedVm);
  return {
    twin: resolved.twin,
    environment: resolved.environment,
    slot: slot.slot,
    slotState: slot.held ? 'held' : 'claim',
    pool: layout.pool,
    identity,
    image: talosNocloudImage(spec.talos),
    clusters: layout.clusters.map(({ name, id, vip, pods, services }) => ({ name, id, vip, pods, services })),
    vms: [...wanted, ...unwanted],
    observed: view !== undefined,
  };
}

function resolveSlot(resolved: ResolvedTwin, view: ProxmoxView | undefined, requested: number | undefined) {
  const { slots } = resolved.spec.proxmox;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 0 || requested >= slots.count) {
      throw new ConfigurationError(
        `--slot ${requested} is outside 0..${slots.count - 1}: pick a slot below proxmox.slots.count`,
      );
    }
    return { slot: requested, held: false };
  }
  if (!view && resolved.pinnedSlot === undefined) {
    throw new ConfigurationError(
      `twin ${resolved.twin} has no pinned slot, so its addresses depend on which slots are free: ` +
        'connect to Proxmox (--lab DIR or --endpoint URL) or pass --slot N',
    );
  }
  const productionSlot = resolved.spec.environments.production.slot;
  const reserved =
    resolved.environment === 'production' || productionSlot === undefined ? [] : [productionSlot];
  const chosen = chooseSlot(view?.claims ?? [], resolved.twin, {
    count: slots.count,
    reserved,
    ...(resolved.pinnedSlot === undefined ? {} : { pinnedSlot: resolved.pinnedSlot }),
  });
  if (!chosen) {
    const holders = (view?.claims ?? []).map((claim) => `${claim.slot}:${claim.twin ?? '?'}`).join(', ');
    throw new ConfigurationError(
      `all ${slots.count} twin slots are taken (${holders}): destroy a twin or raise proxmox.slots.count`,
    );
  }
  const holder = view?.claims.find((claim) => claim.slot === chosen.slot && claim.twin !== resolved.twin);
  if (holder) {
    throw new ConfigurationError(
      `slot ${chosen.slot} pinned for ${resolved.twin} is held by twin ${holder.twin ?? '(unknown)'} (pool ${holder.poolId}): ` +
        'destroy that twin or pin another slot',
    );
  }
  return chosen;
}

function usableNodes(resolved: ResolvedTwin, view: ProxmoxView | undefined) {
  const allowed = resolved.spec.proxmox.nodes;
  if (!view) return allowed.map((name) => ({ name }));
  const known = new Map(view.nodes.map((node) => [node.name, node]));
  const missing = allowed.filter((name) => !known.has(name));
  if (missing.length > 0) {
    throw new ConfigurationError(
      `proxmox.nodes lists ${missing.join(', ')}, which the Proxmox cluster does not have ` +
        `(it has ${[...known.keys()].join(', ')}): fix proxmox.nodes`,
    );
  }
  const online = allowed.filter((name) => known.get(name)?.online);
  if (online.length === 0)
    throw new ConfigurationError(`none of proxmox.nodes (${allowed.join(', ')}) is online`);
  return online.map((name) => ({ name, freeMemoryMiB: known.get(name)!.freeMemoryMiB }));
}

function definitionOf(node: NodeLayout, layout: TwinLayout): TalosVm {
  const cluster = layout.clusters.find((candidate) => candidate.name === node.cluster)!;
  return {
    vmid: node.vmid,
    name: node.name,
    description: `aggrik8s-twin: twin ${layout.twin}, cluster ${node.cluster}, ${node.role} ${node.index}`,
    cores: node.cores,
    memoryMiB: node.memoryMiB,
    diskGiB: node.diskGiB,
    extraDisksGiB: node.extraDisksGiB,
    address: node.address,
    prefixLength: cluster.prefixLength,
    gateway: cluster.gateway,
    dns: cluster.dns,
    vlan: cluster.vlan,
    tags: node.tags,
  };
}

function plannedVm(
  node: NodeLayout,
  layout: TwinLayout,
  pveNode: string,
  existing: VmInventoryItem | undefined,
  ownedIds: Set<number>,
): PlannedVm {
  const base = {
    name: node.name,
    cluster: node.cluster,
    role: node.role,
    vmid: node.vmid,
    address: node.address,
    tags: node.tags,
    cores: node.cores,
    memoryMiB: node.memoryMiB,
    definition: definitionOf(node, layout),
  };
  if (!existing) return { ...base, action: 'create', pveNode, reasons: [] };
  if (!ownedIds.has(existing.vmid) || existing.name !== node.name) {
    return {
      ...base,
      action: 'conflict',
      pveNode: existing.node,
      ...(existing.lock ? { lock: existing.lock } : {}),
      reasons: [
        `VMID ${node.vmid} is held by VM "${existing.name}" (tags ${existing.tags.join(';') || 'none'}), not by this twin`,
      ],
    };
  }
  const reasons = [
    ...(node.tags.every((tag) => existing.tags.includes(tag)) ? [] : ['ownership tags to set']),
    ...(existing.memoryMiB !== node.memoryMiB
      ? [`memory ${existing.memoryMiB} -> ${node.memoryMiB} MiB`]
      : []),
    ...(existing.cores !== node.cores ? [`cores ${existing.cores} -> ${node.cores}`] : []),
  ];
  return { ...base, action: reasons.length > 0 ? 'change' : 'keep', pveNode: existing.node, reasons };
}

function destroyedVm(vm: VmInventoryItem): PlannedVm {
  const tag = (prefix: string) => vm.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? '?';
  return {
    action: 'destroy',
    name: vm.name,
    cluster: tag('cluster-'),
    role: tag('role-'),
    vmid: vm.vmid,
    pveNode: vm.node,
    tags: vm.tags,
    cores: vm.cores,
    memoryMiB: vm.memoryMiB,
    reasons: ['no longer in the spec'],
  };
}

/** What the VMs the plan creates take from their PVE nodes: memory, and disk on the VM storage. */
export function creationDemands(plan: TwinPlan): CapacityDemand[] {
  return plan.vms
    .filter((vm) => vm.action === 'create')
    .map((vm) => ({
      pveNode: vm.pveNode,
      name: vm.name,
      memoryMiB: vm.memoryMiB,
      diskGiB: vm.definition!.diskGiB + vm.definition!.extraDisksGiB.reduce((a, b) => a + b, 0),
    }));
}
