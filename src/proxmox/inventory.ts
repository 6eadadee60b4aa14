import type { PveClient } from './client.js';

/** A VM as GET /cluster/resources?type=vm reports it (CONTRACTS A.3): memory in bytes, tags `;`-joined. */
interface ClusterResource {
  type: string;
  vmid?: number | string;
  name?: string;
  node?: string;
  status?: string;
  tags?: string;
  pool?: string;
  lock?: string;
  template?: number | string;
  maxmem?: number;
  maxcpu?: number;
  maxdisk?: number;
}

export interface VmInventoryItem {
  vmid: number;
  name: string;
  node: string;
  status: string;
  tags: string[];
  pool?: string;
  lock?: string;
  template: boolean;
  memoryMiB: number;
  cores: number;
}

const MIB = 1024 * 1024;

/** PVE may normalise tags (lower case, sorted, `;`); compare sets, never strings (CONTRACTS A.4). */
export function parseTags(tags: string | undefined): string[] {
  return (tags ?? '')
    .split(/[;,\s]+/)
    .filter((tag) => tag !== '')
    .map((tag) => tag.toLowerCase());
}

function toItem(resource: ClusterResource): VmInventoryItem {
  return {
    vmid: Number(resource.vmid),
    name: resource.name ?? '',
    node: resource.node ?? '',
    status: resource.status ?? 'unknown',
    tags: parseTags(resource.tags),
    ...(resource.pool ? { pool: resource.pool } : {}),
    ...(resource.lock ? { lock: resource.lock } : {}),
    template: Number(resource.template ?? 0) === 1, // Perl booleans arrive as 0/1 or strings
    memoryMiB: Math.round((resource.maxmem ?? 0) / MIB),
    cores: resource.maxcpu ?? 0,
  };
}

/** Every VM of the Proxmox cluster, on every node. */
export async function listVms(client: PveClient): Promise<VmInventoryItem[]> {
  const resources = await client.get<ClusterResource[]>('/cluster/resources', { type: 'vm' });
  return resources.filter((resource) => resource.type === 'qemu').map(toItem);
}

/** A VM belongs to a twin only when it carries both the project's tag and the twin's. */
export function ownedByTwin(vm: VmInventoryItem, project: string, twin: string): boolean {
  return vm.tags.includes(project) && vm.tags.includes(`twin-${twin}`);
}

export interface PveNodeCapacity {
  name: string;
  online: boolean;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
}

interface NodeListItem {
  node: string;
  status: string;
  maxmem?: number;
  mem?: number;
}

/** Memory per node as GET /nodes reports it (bytes), for placement and admission. */
export async function listNodeCapacity(client: PveClient): Promise<PveNodeCapacity[]> {
  const nodes = await client.get<NodeListItem[]>('/nodes');
  return nodes.map((node) => ({
    name: node.node,
    online: node.status === 'online',
    totalMemoryMiB: Math.floor((node.maxmem ?? 0) / MIB),
    freeMemoryMiB: Math.floor(((node.maxmem ?? 0) - (node.mem ?? 0)) / MIB),
  }));
}
