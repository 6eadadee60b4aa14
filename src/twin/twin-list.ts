import { afterReservations } from '../proxmox/capacity.js';
import type { PveClient } from '../proxmox/client.js';
import { diskBytesByVm } from '../proxmox/disk-usage.js';
import type { PveNodeCapacity, VmInventoryItem } from '../proxmox/inventory.js';
import { listNodeCapacity, listVms } from '../proxmox/inventory.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import type { TwinSpec } from '../spec/schema.js';
import type { StateStore } from '../state/store.js';
import type { Expiry } from './expiry.js';
import { expiryOf, reapPolicyOf } from './expiry.js';
import type { KnownTwin } from './known-twins.js';
import { knownTwinsIn, observeTwins, vmsOfTwin } from './known-twins.js';

/** What a twin takes of the lab: its VMs as Proxmox configures them, and how many of them run. */
export interface TwinShare {
  vms: number;
  running: number;
  cores: number;
  memoryMiB: number;
  /** Every volume of its VMs on the disk storage; absent when the token could not list some VM's volumes. */
  diskGiB?: number;
}

export interface ListedTwin extends KnownTwin {
  /** When the reaper would destroy it for its age. */
  expiry: Expiry;
  share: TwinShare;
}

/** A PVE node's room for new twins: what admission counts, after what twins being built reserved. */
export interface NodeRoom extends PveNodeCapacity {
  reservedMemoryMiB: number;
  reservedDiskGiB: number;
}

export interface TwinListing {
  /** The state store asked, in words. */
  store: string;
  /** The storage the disks are on (proxmox.storage.disks). */
  diskStorage: string;
  twins: ListedTwin[];
  nodes: NodeRoom[];
}

const GIB = 1024 ** 3;

/**
 * Every twin of the project with its share of the lab and its expiry, and each PVE node's free capacity.
 * Requests: the slot pools, the VM list, the node list and the storage list once each, and one listing of
 * the disk storage per PVE node that hosts the project's VMs; no request per VM.
 */
export async function listTwins(client: PveClient, spec: TwinSpec, store: StateStore): Promise<TwinListing> {
  const observation = await observeTwins(client, spec, store);
  const diskStorage = spec.proxmox.storage.disks;
  const [known, disks, nodes] = await Promise.all([
    knownTwinsIn(observation, store),
    diskBytesByVm(client, diskStorage, hostsOf(observation.vms)),
    listNodeCapacity(client, diskStorage),
  ]);
  const policy = reapPolicyOf(spec);
  const twins = known.map((twin) => ({
    ...twin,
    expiry: expiryOf(twin.twin, claimOf(observation.claims, twin.twin), policy),
    share: shareOf(vmsOfTwin(observation.vms, twin.twin), disks),
  }));
  return { store: store.describe(), diskStorage, twins, nodes: roomOf(nodes, observation.claims) };
}

/**
 * One twin's share and expiry, for its job summary and comment: the slot pools, the VM list and the disk
 * storage of the nodes that host its VMs, read as `listTwins` reads them.
 */
export async function twinShareAndExpiry(
  client: PveClient,
  spec: TwinSpec,
  twin: string,
): Promise<{ share: TwinShare; expiry: Expiry }> {
  const [claims, all] = await Promise.all([listSlotClaims(client, slotPoolPrefixes(spec)), listVms(client)]);
  const vms = vmsOfTwin(
    all.filter((vm) => vm.tags.includes(spec.project)),
    twin,
  );
  return {
    share: shareOf(vms, await diskBytesByVm(client, spec.proxmox.storage.disks, hostsOf(vms))),
    expiry: expiryOf(twin, claimOf(claims, twin), reapPolicyOf(spec)),
  };
}

function claimOf(claims: SlotClaim[], twin: string): SlotClaim | undefined {
  return claims.find((claim) => claim.twin === twin);
}

function hostsOf(vms: VmInventoryItem[]): string[] {
  return [...new Set(vms.map((vm) => vm.node))].sort();
}

function shareOf(vms: VmInventoryItem[], diskBytes: Map<number, number>): TwinShare {
  const sum = (of: (vm: VmInventoryItem) => number) => vms.reduce((total, vm) => total + of(vm), 0);
  const known = vms.every((vm) => diskBytes.has(vm.vmid));
  return {
    vms: vms.length,
    running: vms.filter((vm) => vm.status === 'running').length,
    cores: sum((vm) => vm.cores),
    memoryMiB: sum((vm) => vm.memoryMiB),
    ...(known ? { diskGiB: Math.round(sum((vm) => diskBytes.get(vm.vmid)!) / GIB) } : {}),
  };
}

function roomOf(nodes: PveNodeCapacity[], claims: SlotClaim[]): NodeRoom[] {
  const reserves = claims.flatMap((claim) => claim.reserves ?? []);
  return afterReservations(nodes, reserves).map((node) => {
    const held = reserves.filter((r) => r.pveNode === node.name);
    return {
      ...node,
      reservedMemoryMiB: held.reduce((total, r) => total + r.memoryMiB, 0),
      reservedDiskGiB: held.reduce((total, r) => total + r.diskGiB, 0),
    };
  });
}
