import type { PveClient } from './client.js';
import { isPermissionFailure, isTransient } from './errors.js';

/** A volume as GET /nodes/{node}/storage/{storage}/content lists it (CONTRACTS: size in bytes, owner VMID). */
interface ContentItem {
  volid: string;
  size?: number;
  vmid?: number;
}

/**
 * The bytes each VM's volumes take on the disk storage, by VMID: one listing of the storage per PVE node
 * that hosts VMs (GET .../content?content=images), rather than one config read per VM. A VM's
 * `maxdisk` in /cluster/resources is its boot disk only, so extra disks (Ceph's OSDs) are counted here.
 * PVE lists a VM's volumes only with Datastore.Audit on the storage and VM.Config.Disk on the VM (P.6.5);
 * a node whose listing the token may not read, or that does not answer, is left out, so its VMs have no
 * entry: unknown, never counted as 0. A storage shared by nodes lists its volumes on each: counted once.
 */
export async function diskBytesByVm(
  client: PveClient,
  storage: string,
  pveNodes: readonly string[],
): Promise<Map<number, number>> {
  const listings = await Promise.all(pveNodes.map((node) => volumesOn(client, node, storage)));
  const seen = new Set<string>();
  const bytes = new Map<number, number>();
  for (const volume of listings.flat()) {
    if (volume.vmid === undefined || seen.has(volume.volid)) continue;
    seen.add(volume.volid);
    bytes.set(volume.vmid, (bytes.get(volume.vmid) ?? 0) + (volume.size ?? 0));
  }
  return bytes;
}

async function volumesOn(client: PveClient, node: string, storage: string): Promise<ContentItem[]> {
  try {
    return await client.get<ContentItem[]>(`/nodes/${node}/storage/${storage}/content`, {
      content: 'images',
    });
  } catch (error) {
    if (isPermissionFailure(error) || isTransient(error)) return [];
    throw error;
  }
}
