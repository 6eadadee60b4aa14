import { randomUUID } from 'node:crypto';
import type { PropertyFormat } from '../property-string.js';
import { parsePropertyString } from '../property-string.js';
import type { TaskAction, VmRecord } from '../state.js';
import { splitVolid } from '../state.js';
import type { TaskFinisher, TaskOutput } from '../tasks.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { boolParam, fail, ok, paramError, permissionError, refuseRootOnly, requireInt } from './context.js';
import type { DiskPlan, PlanInput } from './disks.js';
import { allocateVolume, freeVolumes, logTransfer } from './disks.js';
import { addVmToPool, removeVmFromPools } from './pools.js';
import {
  checkLock,
  configKeySchema,
  isCdromDrive,
  isCloudinitDrive,
  isDriveKey,
  loadVm,
  parseDrive,
  printDrive,
  printNet,
} from './vm.js';
import {
  cloudinitVolname,
  freeDiskVolname,
  hasContent,
  linkedClonesOf,
  parseVolname,
  storageOf,
} from './volumes.js';
import { failAt, forkWorker, holdVmLockUntil, lockVmConfig } from './worker.js';

export const lifecycleHandlers: HandlerTable = {
  'DELETE /nodes/{node}/qemu/{vmid}': destroyVm,
  'POST /nodes/{node}/qemu/{vmid}/clone': cloneVm,
  'POST /nodes/{node}/qemu/{vmid}/template': templateVm,
};

/** destroy_vm's $early_checks, run before forking and again under the lock. */
function destroyChecks(vm: VmRecord): void {
  if (vm.config.protection === '1') fail(`can't remove VM ${vm.vmid} - protection mode enabled`);
  if (vm.status === 'running') fail(`VM ${vm.vmid} is running - destroy failed`);
}

interface DestroyAction extends TaskAction {
  kind: 'qmdestroy';
  node: string;
  vmid: number;
  purge: boolean;
  unreferenced: boolean;
}

function destroyVm(lab: LabContext, req: ApiRequest) {
  refuseRootOnly(req, ['skiplock']);
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const vm = loadVm(lab, node, vmid);
  destroyChecks(vm);
  const seconds = lab.timing.profile.seconds;
  const volumeCount = ownedVolumes(lab, vm).length;
  const upid = forkWorker(lab, { node, type: 'qmdestroy', id: String(vmid), user: req.user }, (worker) => {
    const lock = lockVmConfig(lab, worker, node, vmid, seconds.configLockTimeout);
    if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
    const action: DestroyAction = {
      kind: 'qmdestroy',
      node,
      vmid,
      purge: boolParam(req.params, 'purge'),
      unreferenced: boolParam(req.params, 'destroy-unreferenced-disks'),
    };
    worker.task.action = action;
    const durationMs = lab.timing.ms(seconds.destroy + seconds.destroyPerVolume * volumeCount) * worker.slow;
    holdVmLockUntil(lab, worker, node, vmid, lock.grantedAt + durationMs);
  });
  return ok(upid);
}

/** The volumes a VM owns through its config (cloud-init included, attached ISOs not). */
function ownedVolumes(lab: LabContext, vm: VmRecord): string[] {
  return Object.keys(vm.config)
    .filter((key) => isDriveKey(key) || /^unused\d+$/.test(key))
    .map((key) => parseDrive(lab, key, vm.config[key] ?? ''))
    .filter((drive) => !isCdromDrive(drive) || isCloudinitDrive(drive))
    .map((drive) => drive.file ?? '')
    .filter((volid) => lab.state.volume(vm.node, volid)?.vmid === vm.vmid);
}

function destroyFinish(lab: LabContext, action: DestroyAction, out: TaskOutput): void {
  const vm = loadVm(lab, action.node, action.vmid);
  destroyChecks(vm);
  checkLock(vm);
  const volids = new Set(ownedVolumes(lab, vm));
  if (action.unreferenced) {
    for (const storage of Object.values(lab.state.node(vm.node)?.storages ?? {})) {
      for (const volume of Object.values(storage.volumes)) {
        if (volume.vtype === 'images' && volume.vmid === vm.vmid)
          volids.add(`${storage.id}:${volume.volname}`);
      }
    }
  }
  for (const volid of volids) {
    const [storeid, volname = ''] = splitVolid(volid);
    const storage = lab.state.storage(vm.node, storeid);
    if (!storage) continue;
    if (linkedClonesOf(storage, volname).length > 0) {
      out.warn(
        `Could not remove disk '${volid}', check manually: base volume '${volname}' is still in use by linked clones`,
      );
      continue;
    }
    delete storage.volumes[volname];
    if (storage.type === 'lvmthin')
      out.log(`  Logical volume "${volname.split('/').pop()}" successfully removed.`);
  }
  removeVmFromPools(lab, vm.vmid);
  if (action.purge) out.log(`purging VM ${vm.vmid} from related configurations..`);
  lab.state.removeVm(vm.vmid);
}

interface CloneDrive {
  key: string;
  drive: Record<string, string>;
  /** Copied into a new volume; false: a linked clone of a base volume. */
  full: boolean;
}

interface CloneAction extends TaskAction {
  kind: 'qmclone';
  node: string;
  vmid: number;
  newid: number;
  config: Record<string, string>;
  volids: string[];
  pool?: string;
}

/** clone_vm's $load_and_check, with its texts. */
function cloneChecks(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const newid = requireInt(req.params, 'newid');
  const { pool, storage, format } = req.params;
  const target = req.params.target === node ? undefined : req.params.target;
  if (pool !== undefined && !lab.state.pool(pool)) permissionError(`pool '${pool}' does not exist`);
  if (target !== undefined && !lab.state.node(target)) fail(`no such cluster node '${target}'`);
  if (storage !== undefined && !hasContent(storageOf(lab, node, storage), 'images')) {
    paramError({ storage: `storage '${storage}' does not support vm images` });
  }
  const vm = loadVm(lab, node, vmid);
  checkLock(vm);
  if (req.params.snapname) fail(`snapshot '${req.params.snapname}' does not exist`);
  const full = req.params.full === undefined ? vm.config.template !== '1' : boolParam(req.params, 'full');
  if (storage !== undefined && !full) fail("parameter 'storage' not allowed for linked clones");
  if (format !== undefined && !full) fail("parameter 'format' not allowed for linked clones");
  const drives: CloneDrive[] = [];
  for (const key of Object.keys(vm.config).filter(isDriveKey).sort()) {
    const drive = parseDrive(lab, key, vm.config[key] ?? '');
    if (isCdromDrive(drive) && !isCloudinitDrive(drive)) continue;
    const volid = drive.file ?? '';
    const copy = full || isCloudinitDrive(drive) || key === 'tpmstate0';
    const [storeid, volname = ''] = splitVolid(volid);
    const base =
      lab.state.storage(node, storeid) && parseVolname(storageOf(lab, node, storeid), volname).isBase;
    if (!copy && !base) fail(`Linked clone feature is not supported for '${volid}' (${key})`);
    drives.push({ key, drive, full: copy });
  }
  // Every storage of the lab is local to its node.
  if (target !== undefined) fail(`can't clone VM to node '${target}' (VM uses local storage)`);
  if (lab.state.vm(newid)) fail(`unable to create VM ${newid}: config file already exists`);
  return {
    node,
    vmid,
    newid,
    vm,
    drives,
    ...(pool !== undefined ? { pool } : {}),
    ...(storage ? { storage } : {}),
  };
}

function cloneVm(lab: LabContext, req: ApiRequest) {
  const checked = cloneChecks(lab, req);
  const { node, vmid, newid, vm, drives } = checked;
  const seconds = lab.timing.profile.seconds;
  const upid = forkWorker(lab, { node, type: 'qmclone', id: String(vmid), user: req.user }, (worker) => {
    const sourceMode = vm.status === 'running' ? 'exclusive' : 'shared';
    const source = lockVmConfig(lab, worker, node, vmid, seconds.cloneSourceLockTimeout, sourceMode);
    if (!source.ok) return failAt(worker, source.failedAt, source.message);
    const targetLock = lockVmConfig(
      lab,
      worker,
      node,
      newid,
      seconds.createLockTimeout,
      'exclusive',
      source.grantedAt,
    );
    const action: CloneAction = {
      kind: 'qmclone',
      node,
      vmid,
      newid,
      config: {},
      volids: [],
      ...(checked.pool ? { pool: checked.pool } : {}),
    };
    worker.task.action = action;
    if (!targetLock.ok) {
      holdVmLockUntil(lab, worker, node, vmid, targetLock.failedAt);
      return failAt(worker, targetLock.failedAt, targetLock.message);
    }
    lab.state.putVm({
      vmid: newid,
      node,
      config: { lock: 'clone' },
      pending: {},
      pendingDelete: [],
      status: 'stopped',
      guest: { agentRunning: false, reactsToShutdown: true },
    });
    worker.task.log.push({
      at: targetLock.grantedAt,
      text: `creating a clone of VM ${vmid} with ID ${newid}`,
    });
    const input: PlanInput = {
      lab,
      task: worker.task,
      node,
      vmid: newid,
      startAt: targetLock.grantedAt,
      slow: worker.slow,
    };
    const plan = planCloneDisks(input, drives, checked.storage);
    action.volids = plan.volids;
    action.config = { ...cloneConfig(lab, vm, req.params), ...plan.created };
    const end =
      plan.cursor + (plan.failure === undefined ? lab.timing.ms(seconds.configUpdate) * worker.slow : 0);
    holdVmLockUntil(lab, worker, node, vmid, end);
    holdVmLockUntil(lab, worker, node, newid, end);
    if (plan.failure !== undefined) failAt(worker, end, `clone failed: ${plan.failure}`);
  });
  return ok(upid);
}

/** clone_disk for each drive: full copies are allocated then copied, linked clones made from the base. */
function planCloneDisks(input: PlanInput, drives: CloneDrive[], targetStorage: string | undefined): DiskPlan {
  const { lab, task, node, vmid } = input;
  const plan: DiskPlan = { cursor: input.startAt, created: {}, volids: [] };
  for (const { key, drive, full } of drives) {
    const [storeid, volname = ''] = splitVolid(drive.file ?? '');
    const sourceStorage = lab.state.storage(node, storeid);
    const sourceVolume = sourceStorage?.volumes[volname];
    if (!sourceStorage || !sourceVolume) return { ...plan, failure: `volume '${drive.file}' does not exist` };
    task.log.push({
      at: plan.cursor,
      text: `create ${full ? 'full' : 'linked'} clone of drive ${key} (${drive.file})`,
    });
    const storage =
      (full && targetStorage ? lab.state.storage(node, targetStorage) : undefined) ?? sourceStorage;
    const newName = isCloudinitDrive(drive)
      ? cloudinitVolname(storage, vmid)
      : full
        ? freeDiskVolname(storage, vmid, sourceVolume.format)
        : `${volname}/${freeDiskVolname(storage, vmid, storage.type === 'dir' ? 'qcow2' : 'raw')}`;
    const allocated = allocateVolume(input, plan, storage, newName, sourceVolume.sizeBytes, {
      format: full ? sourceVolume.format : storage.type === 'dir' ? 'qcow2' : 'raw',
      ...(full ? {} : { baseVolname: volname, holdSeconds: lab.timing.profile.seconds.linkedClone }),
    });
    if (typeof allocated !== 'string') return { ...plan, failure: allocated.failure };
    if (full && !isCloudinitDrive(drive)) {
      const copyMs = lab.timing.transferMs(sourceVolume.sizeBytes, 'fullClone') * input.slow;
      logTransfer(task, plan.cursor, copyMs, sourceVolume.sizeBytes);
      plan.cursor += copyMs;
    }
    plan.created[key] = printDrive({ ...drive, file: allocated });
  }
  return plan;
}

/** The new VM's config: the source's, minus snapshot state, with new MACs, SMBIOS UUID and name. */
function cloneConfig(lab: LabContext, vm: VmRecord, params: Record<string, string>): Record<string, string> {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(vm.config)) {
    if (
      [
        'snapshots',
        'parent',
        'snaptime',
        'vmstate',
        'snapstate',
        'runningcpu',
        'runningmachine',
        'lock',
        'template',
      ].includes(key)
    ) {
      continue;
    }
    if (/^unused\d+$/.test(key) || isDriveKey(key)) {
      if (
        isDriveKey(key) &&
        isCdromDrive(parseDrive(lab, key, value)) &&
        !isCloudinitDrive(parseDrive(lab, key, value))
      ) {
        config[key] = value;
      }
      continue;
    }
    if (/^net\d+$/.test(key)) {
      const net = parsePropertyString(configKeySchema(lab, key)?.format as PropertyFormat, value);
      delete net.macaddr;
      config[key] = printNet(net);
      continue;
    }
    config[key] = value;
  }
  config.smbios1 = (config.smbios1 ?? '').replace(/(^|,)uuid=[^,]*/, '').replace(/^,/, '');
  config.smbios1 = [`uuid=${randomUUID()}`, config.smbios1].filter(Boolean).join(',');
  if (config.vmgenid) config.vmgenid = randomUUID();
  config.name = params.name ?? `Copy-of-VM-${vm.config.name ?? vm.vmid}`;
  if (params.description) config.description = params.description;
  return config;
}

interface TemplateAction extends TaskAction {
  kind: 'qmtemplate';
  node: string;
  vmid: number;
  disk?: string;
}

function templateChecks(vm: VmRecord, disk: string | undefined): void {
  checkLock(vm);
  if (vm.config.template === '1' && !disk) fail("you can't convert a template to a template");
  if (vm.status === 'running') fail("you can't convert a VM to template if VM is running");
}

function templateVm(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const disk = req.params.disk;
  templateChecks(loadVm(lab, node, vmid), disk);
  const upid = forkWorker(lab, { node, type: 'qmtemplate', id: String(vmid), user: req.user }, (worker) => {
    const lock = lockVmConfig(lab, worker, node, vmid, lab.timing.profile.seconds.configLockTimeout);
    if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
    worker.task.action = {
      kind: 'qmtemplate',
      node,
      vmid,
      ...(disk ? { disk } : {}),
    } satisfies TemplateAction;
    const durationMs = lab.timing.ms(lab.timing.profile.seconds.templateConvert) * worker.slow;
    holdVmLockUntil(lab, worker, node, vmid, lock.grantedAt + durationMs);
  });
  return ok(upid);
}

/** template_create: every disk volume becomes a read-only base-* volume. */
function templateFinish(lab: LabContext, action: TemplateAction, out: TaskOutput): void {
  const vm = loadVm(lab, action.node, action.vmid);
  templateChecks(vm, action.disk);
  vm.config.template = '1';
  for (const key of Object.keys(vm.config).filter(isDriveKey)) {
    if (action.disk && key !== action.disk) continue;
    const drive = parseDrive(lab, key, vm.config[key] ?? '');
    if (isCdromDrive(drive)) continue;
    const [storeid, volname = ''] = splitVolid(drive.file ?? '');
    const storage = lab.state.storage(vm.node, storeid);
    const volume = storage?.volumes[volname];
    if (!storage || !volume || volume.vmid !== vm.vmid || !/(^|\/)vm-\d+-disk-\d+/.test(volname)) continue;
    const baseName = volname.replace(/(^|\/)vm-(\d+-disk-\d+)/, '$1base-$2');
    delete storage.volumes[volname];
    storage.volumes[baseName] = { ...volume, volname: baseName };
    if (storage.type === 'lvmthin') out.log(`  Renamed "${volname}" to "${baseName}" in volume group "pve"`);
    vm.config[key] = printDrive({ ...drive, file: `${storeid}:${baseName}` });
  }
}

export function lifecycleFinishers(lab: LabContext): Record<string, TaskFinisher> {
  return {
    qmdestroy: { finish: (task, out) => destroyFinish(lab, task.action as DestroyAction, out) },
    qmclone: {
      finish(task) {
        const action = task.action as CloneAction;
        const vm = loadVm(lab, action.node, action.newid);
        vm.config = { ...action.config };
        if (action.pool) addVmToPool(lab, action.newid, action.pool);
      },
      fail(task) {
        const action = task.action as CloneAction;
        freeVolumes(lab, action.node, action.volids);
        if (lab.state.vm(action.newid)?.config.lock === 'clone') lab.state.removeVm(action.newid);
      },
    },
    qmtemplate: { finish: (task, out) => templateFinish(lab, task.action as TemplateAction, out) },
  };
}
