import { ConfigurationError } from '../errors.js';
import type { PveNodeCapacity } from './inventory.js';
import type { Reservation } from './slots.js';

/** What one new VM takes from its PVE node: memory, and space on the disk storage. */
export interface CapacityDemand {
  pveNode: string;
  name: string;
  memoryMiB: number;
  diskGiB: number;
}

export interface Shortfall {
  pveNode: string;
  resource: 'memory' | 'disk';
  needed: number;
  free: number;
  unit: 'MiB' | 'GiB';
  vms: number;
}

/** Each node's need for the VMs placed on it, against what it has free now; only the ones that do not fit. */
export function shortfalls(demands: CapacityDemand[], nodes: PveNodeCapacity[]): Shortfall[] {
  const result: Shortfall[] = [];
  for (const pveNode of [...new Set(demands.map((d) => d.pveNode))].sort()) {
    const placed = demands.filter((d) => d.pveNode === pveNode);
    const node = nodes.find((n) => n.name === pveNode);
    const has = { memoryMiB: node?.freeMemoryMiB ?? 0, diskGiB: node?.freeDiskGiB ?? 0 };
    const memory = placed.reduce((total, d) => total + d.memoryMiB, 0);
    const disk = placed.reduce((total, d) => total + d.diskGiB, 0);
    if (memory > has.memoryMiB)
      result.push({
        pveNode,
        resource: 'memory',
        needed: memory,
        free: has.memoryMiB,
        unit: 'MiB',
        vms: placed.length,
      });
    if (disk > has.diskGiB)
      result.push({
        pveNode,
        resource: 'disk',
        needed: disk,
        free: has.diskGiB,
        unit: 'GiB',
        vms: placed.length,
      });
  }
  return result;
}

/**
 * Admission before anything is created: a twin that does not fit is refused whole, naming each node
 * and its shortfall, rather than failing at the first VM that cannot be created or started.
 */
export function admit(
  twin: string,
  demands: CapacityDemand[],
  nodes: PveNodeCapacity[],
  diskStorage: string,
  reservedFor: string[] = [],
): void {
  const missing = shortfalls(demands, nodes);
  if (missing.length === 0) return;
  const reserved =
    reservedFor.length > 0 ? ` (free after what twins being built reserved: ${reservedFor.join(', ')})` : '';
  const lines = missing.map(
    (s) =>
      `${s.pveNode} needs ${s.needed} ${s.unit} of ${s.resource === 'disk' ? `disk on ${diskStorage}` : 'memory'} ` +
      `for ${s.vms} VM(s) but has ${s.free} ${s.unit} free (short by ${s.needed - s.free} ${s.unit})`,
  );
  throw new ConfigurationError(
    `twin ${twin} does not fit the Proxmox nodes' free capacity${reserved}, so nothing was created:\n  ${lines.join('\n  ')}\n` +
      'free capacity on those nodes, add nodes to proxmox.nodes, or make the environment smaller (memoryMiB, diskGiB, counts)',
  );
}

/** Free capacity once other twins' reservations are set aside. */
export function afterReservations(nodes: PveNodeCapacity[], reserves: Reservation[]): PveNodeCapacity[] {
  return nodes.map((node) => {
    const held = reserves.filter((r) => r.pveNode === node.name);
    return {
      ...node,
      freeMemoryMiB: node.freeMemoryMiB - held.reduce((total, r) => total + r.memoryMiB, 0),
      freeDiskGiB: node.freeDiskGiB - held.reduce((total, r) => total + r.diskGiB, 0),
    };
  });
}

/** What the demands take on each node, as the slot claim records it. */
export function reservationsOf(demands: CapacityDemand[]): Reservation[] {
  const byNode = new Map<string, Reservation>();
  for (const demand of demands) {
    const reservation = byNode.get(demand.pveNode) ?? { pveNode: demand.pveNode, memoryMiB: 0, diskGiB: 0 };
    reservation.memoryMiB += demand.memoryMiB;
    reservation.diskGiB += demand.diskGiB;
    byNode.set(demand.pveNode, reservation);
  }
  return [...byNode.values()].sort((a, b) => a.pveNode.localeCompare(b.pveNode));
}
