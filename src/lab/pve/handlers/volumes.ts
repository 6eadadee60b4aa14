import type { StorageRecord, VolumeRecord } from '../state.js';
import type { LabContext } from './context.js';
import { fail } from './context.js';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/** qemu-server Cloudinit.pm CLOUDINIT_DISK_SIZE. */
export const CLOUDINIT_DISK_BYTES = 4 * MIB;

/** The LVM volume group and thin pool PVE's installer creates for local-lvm. */
const LVM_VG = 'pve';

/** PVE::Storage::storage_config: the storage must exist (on this node, in the lab). */
export function storageOf(lab: LabContext, node: string, storeid: string): StorageRecord {
  const storage = lab.state.storage(node, storeid);
  if (!storage) fail(`storage '${storeid}' does not exist`);
  return storage;
}

export function hasContent(storage: StorageRecord, content: string): boolean {
  return storage.content.includes(content);
}

/** The mount point of a file-based storage (`local` is /var/lib/vz); block storages have none. */
export function storagePath(storage: StorageRecord): string | undefined {
  if (storage.type !== 'dir') return undefined;
  return storage.id === 'local' ? '/var/lib/vz' : `/mnt/pve/${storage.id}`;
}

const SUBDIRS: Record<string, string> = {
  images: 'images',
  iso: 'template/iso',
  vztmpl: 'template/cache',
  snippets: 'snippets',
  import: 'import',
};

/** The file or device behind a volume, as PVE prints it in errors. */
export function volumePath(storage: StorageRecord, volname: string): string {
  const root = storagePath(storage);
  if (!root) return `/dev/${LVM_VG}/${volname.split('/').pop() ?? volname}`;
  const [kind = '', ...rest] = volname.split('/');
  if (/^\d+$/.test(kind)) return `${root}/images/${volname.split('/').slice(-2).join('/')}`;
  return `${root}/${SUBDIRS[kind] ?? kind}/${rest.join('/')}`;
}

export interface ParsedVolname {
  vtype: VolumeRecord['vtype'];
  vmid?: number;
  format: string;
  isBase: boolean;
}

/** Plugin.pm / LvmThinPlugin.pm parse_volname, with their die texts. */
export function parseVolname(storage: StorageRecord, volname: string): ParsedVolname {
  const parsed = storage.type === 'lvmthin' ? parseLvmVolname(volname) : parseDirVolname(volname);
  if (parsed) return parsed;
  return fail(
    storage.type === 'lvmthin'
      ? `unable to parse lvm volume name '${volname}'`
      : `unable to parse directory volume name '${volname}'`,
  );
}

function parseLvmVolname(volname: string): ParsedVolname | undefined {
  const match = /^(?:(base-\d+-\S+)\/)?((base|vm)-(\d+)-\S+)$/.exec(volname);
  if (!match) return undefined;
  return { vtype: 'images', vmid: Number(match[4]), format: 'raw', isBase: match[3] === 'base' };
}

function parseDirVolname(volname: string): ParsedVolname | undefined {
  const image = /^(?:\d+\/[^/\s]+\/)?(\d+)\/((base-)?[^/\s]+\.(raw|qcow2|vmdk|subvol))$/.exec(volname);
  if (image)
    return { vtype: 'images', vmid: Number(image[1]), format: image[4] ?? 'raw', isBase: Boolean(image[3]) };
  if (/^iso\/[^/]+\.(?:iso|img)$/i.test(volname)) return { vtype: 'iso', format: 'iso', isBase: false };
  const template = /^vztmpl\/[^/]+\.tar\.(gz|xz|zst|bz2)$/i.exec(volname);
  if (template) return { vtype: 'vztmpl', format: `t${(template[1] ?? 'gz').toLowerCase()}`, isBase: false };
  if (/^snippets\/[^/]+$/.test(volname)) return { vtype: 'snippets', format: 'snippet', isBase: false };
  const imported = /^import\/[ a-zA-Z0-9\-.+=_]+\.(ova|ovf|qcow2|raw|vmdk)$/.exec(volname);
  if (imported) return { vtype: 'import', format: imported[1] ?? 'raw', isBase: false };
  return undefined;
}

/** Bytes the lab counts as used on a storage: every volume at its full size (thick accounting). */
export function usedBytes(storage: StorageRecord): number {
  return Object.values(storage.volumes).reduce((sum, volume) => sum + volume.sizeBytes, 0);
}

/**
 * The error an allocation of `bytes` gets on a full storage, or undefined when it fits.
 * Approximation: real LVM-thin over-commits and fails later; the lab refuses at allocation with
 * the text LVM prints when a thin pool is out of space (dir storages: qemu-img's ENOSPC text).
 */
export function spaceError(storage: StorageRecord, volname: string, bytes: number): string | undefined {
  if (usedBytes(storage) + bytes <= storage.totalBytes) return undefined;
  if (storage.type === 'lvmthin') {
    return `lvcreate '${LVM_VG}/${volname}' error:   Cannot create new thin volume, free space in thin pool ${LVM_VG}/data reached threshold.`;
  }
  const path = volumePath(storage, volname);
  return `unable to create image: qemu-img: ${path}: Could not create '${path}': No space left on device`;
}

/** Plugin.pm find_free_diskname: the lowest free vm-<vmid>-disk-<n> on the storage. */
export function freeDiskVolname(storage: StorageRecord, vmid: number, format: string): string {
  const used = new Set<number>();
  for (const volname of Object.keys(storage.volumes)) {
    const match = new RegExp(`(?:vm|base)-${vmid}-disk-(\\d+)`).exec(volname);
    if (match) used.add(Number(match[1]));
  }
  let index = 0;
  while (used.has(index)) index++;
  const name = `vm-${vmid}-disk-${index}`;
  return storage.type === 'dir' ? `${vmid}/${name}.${format}` : name;
}

export function cloudinitVolname(storage: StorageRecord, vmid: number): string {
  return storage.type === 'dir' ? `${vmid}/vm-${vmid}-cloudinit.qcow2` : `vm-${vmid}-cloudinit`;
}

export function addVolume(storage: StorageRecord, volume: VolumeRecord): string {
  storage.volumes[volume.volname] = volume;
  return `${storage.id}:${volume.volname}`;
}

/** Linked clones still built on `volname` (vdisk_free refuses to remove such a base). */
export function linkedClonesOf(storage: StorageRecord, volname: string): string[] {
  return Object.values(storage.volumes)
    .filter((volume) => volume.baseVolname === volname)
    .map((volume) => volume.volname);
}

/** PVE's format_size as print_drive uses it: the largest unit that divides the size exactly. */
export function formatSize(bytes: number): string {
  let value = bytes;
  for (const unit of ['', 'K', 'M', 'G', 'T']) {
    if (value % 1024 !== 0 || unit === 'T') return `${value}${unit}`;
    value /= 1024;
  }
  return `${value}T`;
}

/** render_bytes style for logs: "1.22 GiB". */
export function renderBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 2)} ${units[unit]}`;
}
