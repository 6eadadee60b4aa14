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

export interface PveNodeCapacity {
  name: string;
  online: boolean;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  /** Free space of the VM disk storage on this node (0 when the node has no such storage). */
  freeDiskGiB: number;
}

interface NodeListItem {
  node: string;
  status: string;
  maxmem?: number;
  mem?: number;
}

/** The names of every node of the Proxmox cluster (GET /nodes lists them all, whatever the caller's rights). */
export async function listNodeNames(client: PveClient): Promise<string[]> {
  return (await client.get<NodeListItem[]>('/nodes')).map((node) => node.node);
}

interface StorageResource {
  type: string;
  storage?: string;
  node?: string;
  disk?: number;
  maxdisk?: number;
}

const GIB = 1024 ** 3;

/**
 * Memory per node (GET /nodes, bytes) and free space of the disk storage per node (/cluster/resources),
 * read once per plan for placement and admission.
 */
export async function listNodeCapacity(client: PveClient, diskStorage: string): Promise<PveNodeCapacity[]> {
  const [nodes, storages] = await Promise.all([
    client.get<NodeListItem[]>('/nodes'),
    client.get<StorageResource[]>('/cluster/resources', { type: 'storage' }),
  ]);
  return nodes.map((node) => {
    const storage = storages.find(
      (s) => s.type === 'storage' && s.node === node.node && s.storage === diskStorage,
    );
    return {
      name: node.node,
      online: node.status === 'online',
      totalMemoryMiB: Math.floor((node.maxmem ?? 0) / MIB),
      freeMemoryMiB: Math.floor(((node.maxmem ?? 0) - (node.mem ?? 0)) / MIB),
      freeDiskGiB: storage ? Math.floor(((storage.maxdisk ?? 0) - (storage.disk ?? 0)) / GIB) : 0,
    };
  });
}
