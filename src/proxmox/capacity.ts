import { ConfigurationError } from '../errors.js';
import type { PveNodeCapacity } from './inventory.js';

export interface CapacityDemand {
  pveNode: string;
  memoryMiB: number;
  name: string;
}

export interface Shortfall {
  pveNode: string;
  neededMiB: number;
  freeMiB: number;
  vms: string[];
}

/** Memory each PVE node would need for the VMs placed on it, against what it has free now. */
export function memoryShortfalls(demands: CapacityDemand[], nodes: PveNodeCapacity[]): Shortfall[] {
  const free = new Map(nodes.map((node) => [node.name, node.freeMemoryMiB]));
  const byNode = new Map<string, CapacityDemand[]>();
  for (const demand of demands) byNode.set(demand.pveNode, [...(byNode.get(demand.pveNode) ?? []), demand]);
  return [...byNode.entries()]
    .map(([pveNode, placed]) => ({
      pveNode,
      neededMiB: placed.reduce((total, demand) => total + demand.memoryMiB, 0),
      freeMiB: free.get(pveNode) ?? 0,
      vms: placed.map((demand) => demand.name),
    }))
    .filter((shortfall) => shortfall.neededMiB > shortfall.freeMiB)
    .sort((a, b) => a.pveNode.localeCompare(b.pveNode));
}

/**
 * Admission before anything is created: a twin that does not fit is refused whole, naming each node
 * and its shortfall, rather than failing at the first VM that cannot start.
 */
export function admitMemory(twin: string, demands: CapacityDemand[], nodes: PveNodeCapacity[]): void {
  const shortfalls = memoryShortfalls(demands, nodes);
  if (shortfalls.length === 0) return;
  const lines = shortfalls.map(
    (s) =>
      `${s.pveNode} needs ${s.neededMiB} MiB for ${s.vms.length} VM(s) but has ${s.freeMiB} MiB free ` +
      `(short by ${s.neededMiB - s.freeMiB} MiB)`,
  );
  throw new ConfigurationError(
    `twin ${twin} does not fit the Proxmox nodes' free memory, so nothing was created:\n  ${lines.join('\n  ')}\n` +
      'free memory on those nodes, add nodes to proxmox.nodes, or make the environment smaller (memoryMiB, counts)',
  );
}
