import { configLockPath, storageLockPath } from '../locks.js';
import { splitVolid } from '../state.js';
import type { StorageRecord, TaskRecord, VolumeRecord } from '../state.js';
import type { LabContext } from './context.js';
import { fail, paramError } from './context.js';
import { checkVolumeAccess, requirePrivs } from './permissions.js';
import { NEW_DISK, isCdromDrive, isDriveKey, parseDrive, printDrive } from './vm.js';
import {
  CLOUDINIT_DISK_BYTES,
  GIB,
  MIB,
  addVolume,
  cloudinitVolname,
  formatSize,
  freeDiskVolname,
  hasContent,
  parseVolname,
  renderBytes,
  spaceError,
  storageOf,
  volumePath,
} from './volumes.js';

/** A drive parameter of a create or config request. */
export interface DiskRequest {
  key: string;
  drive: Record<string, string>;
}

/** qm's `cdrom` is ide2 with media=cdrom (resolve_cdrom_alias). */
export function resolveCdromAlias(params: Record<string, string>): void {
  const cdrom = params.cdrom;
  if (cdrom === undefined) return;
  params.ide2 = /media=/.test(cdrom) ? cdrom : `${cdrom},media=cdrom`;
  delete params.cdrom;
}

/**
 * The checks create and config updates run before forking (check_storage_access, then
 * check_drive_param), with their errors. Returns the drives to work on, sorted by key.
 */
export function checkDiskParams(
  lab: LabContext,
  caller: Caller,
  params: Record<string, string>,
  defaultStorage?: string,
): DiskRequest[] {
  const { node } = caller;
  const requests = Object.keys(params)
    .filter(isDriveKey)
    .sort()
    .map((key) => ({ key, drive: parseDrive(lab, key, params[key] ?? '') }));
  for (const { key, drive } of requests) checkStorageAccess(lab, caller, key, drive, defaultStorage);
  for (const { key, drive } of requests) checkDriveParam(lab, node, key, drive);
  return requests;
}

/** Who asks for the drives, for which VM on which node (the permission checks need all three). */
export interface Caller {
  user: string;
  node: string;
  vmid: number;
}

function checkStorageAccess(
  lab: LabContext,
  { user, node, vmid }: Caller,
  key: string,
  drive: Record<string, string>,
  defaultStorage: string | undefined,
): void {
  const file = drive.file ?? '';
  const [, volname] = splitVolid(file);
  const newDisk = NEW_DISK.exec(file);
  const nothingToCheck = file === '' || file === 'none' || file === 'cloudinit' || volname === 'cloudinit';
  if (nothingToCheck || (isCdromDrive(drive) && file === 'cdrom')) {
    // checked by the worker, or the host's own drive
  } else if (!isCdromDrive(drive) && newDisk) {
    const target = newDisk[2] ?? defaultStorage;
    if (!target) fail('no storage ID specified (and no default storage)');
    requirePrivs(lab, user, `/storage/${target}`, ['Datastore.AllocateSpace']);
    const storage = storageOf(lab, node, target);
    if (!hasContent(storage, 'images'))
      paramError({ storage: `storage '${target}' does not support vm images` });
  } else {
    checkVolumeAccess(lab, user, node, file, vmid);
    const vtype = volumeType(lab, node, file);
    if (vtype !== 'images' && vtype !== 'iso')
      paramError({ [key]: "content type needs to be 'images' or 'iso'" });
  }
  const source = drive['import-from'];
  if (source !== undefined) {
    const vtype = volumeType(lab, node, source);
    if (vtype !== 'images' && vtype !== 'import') {
      paramError({ [key]: `${source} has wrong type '${vtype}' - needs to be 'images' or 'import'` });
    }
    // Another VM's disk is a clone of it; a file volume needs read access to its storage.
    const owner = vtype === 'images' ? sourceOwner(lab, node, source) : undefined;
    if (owner !== undefined) requirePrivs(lab, user, `/vms/${owner}`, ['VM.Clone']);
    else checkVolumeAccess(lab, user, node, source, vmid);
  }
}

function sourceOwner(lab: LabContext, node: string, volid: string): number | undefined {
  const [storeid, volname] = splitVolid(volid);
  return volname === undefined ? undefined : parseVolname(storageOf(lab, node, storeid), volname).vmid;
}

function checkDriveParam(lab: LabContext, node: string, key: string, drive: Record<string, string>): void {
  const file = drive.file ?? '';
  if (drive['import-from'] !== undefined) {
    const newDisk = NEW_DISK.exec(file);
    if (!newDisk || Number(newDisk[3]) !== 0) {
      paramError({
        [key]: "'import-from' requires special syntax - use <storage ID>:0,import-from=<source>",
      });
    }
  }
  const [, volname] = splitVolid(file);
  if (volname !== undefined && volname !== 'cloudinit' && !NEW_DISK.test(file)) {
    if (volumeType(lab, node, file) === 'iso' && drive.media !== 'cdrom') {
      paramError({ [key]: "explicit 'media=cdrom' is required for iso images" });
    }
  }
}

/** PVE::Storage::parse_volname's vtype of a volume id; paths are root-only in PVE. */
function volumeType(lab: LabContext, node: string, volid: string): string {
  const [storeid, volname] = splitVolid(volid);
  if (volname === undefined) fail('Only root can pass arbitrary filesystem paths.');
  return parseVolname(storageOf(lab, node, storeid), volname).vtype;
}

/** The outcome of a worker's disk work, planned on lab time. */
export interface DiskPlan {
  /** When the disk work is done (or failed). */
  cursor: number;
  /** key -> the drive string to write into the config. */
  created: Record<string, string>;
  /** Volumes allocated, freed again if the task fails. */
  volids: string[];
  failure?: string;
}

export interface PlanInput {
  lab: LabContext;
  task: TaskRecord;
  node: string;
  vmid: number;
  startAt: number;
  /** Fault injection: every step takes this many times longer. */
  slow: number;
}

/**
 * create_disks as a worker runs it: each new volume is allocated under the storage lock
 * (serialised per node and storage, 10 s timeout), imports are copied after that without it.
 * Volumes appear on the storage when their allocation is planned.
 */
export function planDiskWork(input: PlanInput, requests: DiskRequest[], defaultStorage?: string): DiskPlan {
  const plan: DiskPlan = { cursor: input.startAt, created: {}, volids: [] };
  for (const request of requests) {
    const failure = planOneDisk(input, plan, request, defaultStorage);
    if (failure !== undefined) return { ...plan, failure };
  }
  return plan;
}

function planOneDisk(
  input: PlanInput,
  plan: DiskPlan,
  request: DiskRequest,
  defaultStorage?: string,
): string | undefined {
  const { key } = request;
  const drive = { ...request.drive };
  const file = drive.file ?? '';
  const [storeid, volname] = splitVolid(file);
  const newDisk = NEW_DISK.exec(file);
  if (file === '' || file === 'none' || file === 'cdrom') {
    delete drive.size;
    plan.created[key] = printDrive(drive);
    return undefined;
  }
  if (volname === 'cloudinit' || file === 'cloudinit') {
    const target = volname === 'cloudinit' ? storeid : defaultStorage;
    if (!target) return 'no storage ID specified (and no default storage)';
    const storage = input.lab.state.storage(input.node, target);
    if (!storage) return `storage '${target}' does not exist`;
    const allocated = allocateVolume(
      input,
      plan,
      storage,
      cloudinitVolname(storage, input.vmid),
      CLOUDINIT_DISK_BYTES,
      {
        format: storage.type === 'dir' ? 'qcow2' : 'raw',
      },
    );
    if (typeof allocated !== 'string') return allocated.failure;
    drive.file = allocated;
    drive.media = 'cdrom';
    delete drive.format;
    return created(input, plan, key, drive);
  }
  if (newDisk && !isCdromDrive(drive)) {
    const target = newDisk[2] ?? defaultStorage;
    if (!target) return 'no storage ID specified (and no default storage)';
    const storage = input.lab.state.storage(input.node, target);
    if (!storage) return `storage '${target}' does not exist`;
    const source = drive['import-from'];
    delete drive['import-from'];
    const format = drive.format ?? 'raw';
    delete drive.format;
    if (source !== undefined) return planImport(input, plan, key, drive, storage, source, format);
    const bytes = fixedSize(key, drive) ?? Math.round(Number(newDisk[3]) * GIB);
    const allocated = allocateVolume(
      input,
      plan,
      storage,
      freeDiskVolname(storage, input.vmid, format),
      bytes,
      { format },
    );
    if (typeof allocated !== 'string') return allocated.failure;
    drive.file = allocated;
    drive.size = formatSize(bytes);
    return created(input, plan, key, drive);
  }
  // An existing volume: attached as it is.
  const volume = input.lab.state.volume(input.node, file);
  if (!volume) return `volume ${file} does not exist`;
  drive.size = formatSize(volume.sizeBytes);
  plan.created[key] = printDrive(drive);
  return undefined;
}

/** EFI vars and TPM state have sizes of their own (qemu-server OVMF.pm, Drive.pm). */
function fixedSize(key: string, drive: Record<string, string>): number | undefined {
  if (key === 'tpmstate0') return 4 * MIB;
  if (key === 'efidisk0') return drive.efitype === '4m' ? 528 * 1024 : 128 * 1024;
  return undefined;
}

function created(input: PlanInput, plan: DiskPlan, key: string, drive: Record<string, string>): undefined {
  plan.created[key] = printDrive(drive);
  input.task.log.push({ at: plan.cursor, text: `${key}: successfully created disk '${plan.created[key]}'` });
  return undefined;
}

/** vdisk_alloc: the storage lock for the allocation, then the volume exists. */
export function allocateVolume(
  input: PlanInput,
  plan: DiskPlan,
  storage: StorageRecord,
  volname: string,
  bytes: number,
  extra: { format: string; baseVolname?: string; holdSeconds?: number },
): string | { failure: string } {
  const { lab, task, node, vmid } = input;
  const lock = lab.locks.request({
    node,
    path: storageLockPath(storage.id),
    mode: 'exclusive',
    at: plan.cursor,
    timeoutMs: lab.timing.ms(lab.timing.profile.seconds.storageLockTimeout),
    holdMs:
      lab.timing.ms(extra.holdSeconds ?? lab.timing.profile.seconds.allocate[storage.type]) * input.slow,
    holder: task.upid,
  });
  if (!lock.ok) {
    plan.cursor = lock.failedAt;
    return { failure: lock.message };
  }
  plan.cursor = lock.until;
  const full = spaceError(storage, volname, bytes);
  if (full !== undefined) return { failure: full };
  const volume: VolumeRecord = {
    volname,
    vtype: 'images',
    format: extra.format,
    sizeBytes: bytes,
    vmid,
    ctime: Math.floor(plan.cursor / 1000),
    ...(extra.baseVolname ? { baseVolname: extra.baseVolname } : {}),
  };
  const volid = addVolume(storage, volume);
  plan.volids.push(volid);
  return volid;
}

/** import-from: qemu-img convert of an `import` or `images` volume into a new volume. */
function planImport(
  input: PlanInput,
  plan: DiskPlan,
  key: string,
  drive: Record<string, string>,
  storage: StorageRecord,
  source: string,
  format: string,
): string | undefined {
  const { lab, node } = input;
  const [sourceStoreid, sourceVolname = ''] = splitVolid(source);
  const sourceStorage = lab.state.storage(node, sourceStoreid);
  if (!sourceStorage) return `storage '${sourceStoreid}' does not exist`;
  const sourceVolume = sourceStorage.volumes[sourceVolname];
  if (!sourceVolume) {
    // Import volumes are untrusted, so file_size_info stats them first; images go through volume_size_info.
    return parseVolname(sourceStorage, sourceVolname).vtype === 'import'
      ? `failed to stat '${volumePath(sourceStorage, sourceVolname)}'`
      : `cannot import from '${source}' - could not get size of ${source}`;
  }
  const bytes = sourceVolume.sizeBytes;
  const allocated = allocateVolume(
    input,
    plan,
    storage,
    freeDiskVolname(storage, input.vmid, format),
    bytes,
    { format },
  );
  if (typeof allocated !== 'string') return `cannot import from '${source}' - ${allocated.failure}`;
  Object.assign(lab.state.volume(node, allocated) ?? {}, {
    importedFrom: sourceVolume.importedFrom ?? sourceVolume.sourceUrl ?? source,
  });
  const copyMs = lab.timing.transferMs(bytes, 'import') * input.slow;
  const owner = sourceVolume.vmid;
  if (sourceVolume.vtype === 'images' && owner !== undefined && owner !== input.vmid) {
    // The source VM's config stays locked (shared) while its disk is read.
    const lock = lab.locks.request({
      node,
      path: configLockPath(owner),
      mode: 'shared',
      at: plan.cursor,
      timeoutMs: lab.timing.ms(30),
      holdMs: copyMs,
      holder: input.task.upid,
    });
    if (!lock.ok) {
      plan.cursor = lock.failedAt;
      return `cannot import from '${source}' - ${lock.message}`;
    }
  }
  logTransfer(input.task, plan.cursor, copyMs, bytes);
  plan.cursor += copyMs;
  drive.file = allocated;
  drive.size = formatSize(bytes);
  return created(input, plan, key, drive);
}

/** qemu-img convert's progress lines as PVE relays them. */
export function logTransfer(task: TaskRecord, from: number, durationMs: number, bytes: number): void {
  for (const percent of [0, 25, 50, 75, 100]) {
    const done = (bytes * percent) / 100;
    task.log.push({
      at: from + (durationMs * percent) / 100,
      text: `transferred ${renderBytes(done)} of ${renderBytes(bytes)} (${percent.toFixed(2)}%)`,
    });
  }
}

/** Frees volumes a failed task had allocated. */
export function freeVolumes(lab: LabContext, node: string, volids: string[]): void {
  for (const volid of volids) {
    const [storeid, volname] = splitVolid(volid);
    const storage = lab.state.storage(node, storeid);
    if (storage && volname !== undefined) delete storage.volumes[volname];
  }
}
