import { sleep } from '../../clock.js';
import { configLockPath } from '../locks.js';
import { splitList } from '../property-string.js';
import type { TaskAction, TaskRecord, VmRecord } from '../state.js';
import { splitVolid } from '../state.js';
import { ROOT } from '../access/evaluate.js';
import type { TaskFinisher, TaskOutput } from '../tasks.js';
import { stringifyError } from '../tasks.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import {
  boolParam,
  fail,
  intParam,
  ok,
  paramError,
  refuseRootOnly,
  requireInt,
  requireString,
} from './context.js';
import type { DiskRequest } from './disks.js';
import { checkDiskParams, freeVolumes, planDiskWork, resolveCdromAlias } from './disks.js';
import {
  addRandomMacs,
  checkLock,
  configDigest,
  configKeySchema,
  driveSizeBytes,
  effectiveConfig,
  isCdromDrive,
  isCloudinitDrive,
  isDriveKey,
  loadVm,
  memoryMiB,
  normalizeTags,
  parseDrive,
  printDrive,
  typedConfig,
} from './vm.js';
import { formatSize, renderBytes, spaceError } from './volumes.js';
import { checkBridgeAccess, checkConfigKeys, netsOf, requirePrivs } from './permissions.js';
import type { WorkerPlan } from './worker.js';
import { failAt, forkWorker, holdVmLockUntil, lockVmConfig, waitBriefly, waitForVmLock } from './worker.js';

export const configHandlers: HandlerTable = {
  'GET /nodes/{node}/qemu/{vmid}/config': readConfig,
  'POST /nodes/{node}/qemu/{vmid}/config': (lab, req) => updateVm(lab, req, false),
  'PUT /nodes/{node}/qemu/{vmid}/config': (lab, req) => updateVm(lab, req, true),
  'PUT /nodes/{node}/qemu/{vmid}/resize': resizeVm,
};

function readConfig(lab: LabContext, req: ApiRequest) {
  const vm = loadVm(lab, req.params.node ?? '', requireInt(req.params, 'vmid'));
  const snapshot = req.params.snapshot;
  const current = boolParam(req.params, 'current');
  if (snapshot && current) {
    const message = "cannot use 'snapshot' parameter with 'current'";
    paramError({ snapshot: message, current: message });
  }
  if (snapshot) fail(`snapshot '${snapshot}' does not exist`);
  const config = typedConfig(lab, current ? vm.config : effectiveConfig(vm));
  if (config.cipassword !== undefined) config.cipassword = '**********';
  return ok({ ...config, digest: configDigest(vm) });
}

/** A config change as the worker applies it; drive values are final (volumes allocated). */
interface ConfigChange {
  set: Record<string, string>;
  delete: string[];
  revert: string[];
  force: boolean;
}

interface ConfigAction extends TaskAction {
  kind: 'qmconfig';
  node: string;
  vmid: number;
  digest?: string;
  change: ConfigChange;
  volids: string[];
}

/** Parameters of the config API that are not config keys. */
const UPDATE_ONLY = [
  'node',
  'vmid',
  'digest',
  'background_delay',
  'skip_cloud_init',
  'import-working-storage',
  'skiplock',
];

/** Keys qemu-server changes on a running VM at once (fast-plug options); others wait for a restart. */
const FAST_PLUG = new Set([
  'description',
  'hookscript',
  'lock',
  'name',
  'onboot',
  'protection',
  'shares',
  'startup',
  'tags',
  'vmstatestorage',
]);

/** $update_vm_api: the checks before forking, then PUT works under the lock, POST forks qmconfig. */
async function updateVm(lab: LabContext, req: ApiRequest, sync: boolean) {
  const params = { ...req.params };
  const node = params.node ?? '';
  const vmid = requireInt(params, 'vmid');
  const digest = params.digest;
  const paramLog = Object.keys(params)
    .filter(
      (key) =>
        !['node', 'vmid', 'digest', 'background_delay', 'skip_cloud_init', 'import-working-storage'].includes(
          key,
        ),
    )
    .sort()
    .map((key) => `-${key} ${key === 'cipassword' ? '<hidden>' : params[key]}`)
    .join(' ');
  refuseRootOnly(req, ['skiplock']);
  for (const key of UPDATE_ONLY) delete params[key];
  const change = parseChange(lab, params);
  // Declared: any VM.Config.* on /vms/<vmid>; then each key on /vms/<vmid> (no pool here), P.6.2.
  checkConfigKeys(lab, req.user, vmid, undefined, [...change.delete, ...Object.keys(change.set)]);
  const disks = checkDiskParams(lab, { user: req.user, node, vmid }, change.set);
  checkBridgeAccess(lab, req.user, netsOf(lab, change.set));
  addRandomMacs(lab, change.set);
  checkTarget(lab, node, vmid, digest, change);

  if (sync) {
    const holder = `sync:${req.user}:${lab.clock.now()}`;
    await waitForVmLock(lab, node, vmid, holder);
    checkTarget(lab, node, vmid, digest, change);
    checkInsideUpdate(lab, req.user, loadVm(lab, node, vmid), change);
    const volids = await syncDiskWork(lab, req, { node, vmid, holder }, disks, change);
    const vm = lab.state.vm(vmid) as VmRecord;
    try {
      applyChange(lab, vm, change, { at: lab.clock.now(), log: () => undefined, warn: () => undefined });
    } catch (error) {
      freeVolumes(lab, node, volids);
      throw error;
    }
    return ok(null);
  }
  const upid = forkWorker(lab, { node, type: 'qmconfig', id: String(vmid), user: req.user }, (worker) =>
    planUpdate(lab, worker, { node, vmid, digest, change, disks, paramLog, user: req.user }),
  );
  return ok(
    await waitBriefly(lab, upid, intParam(req.params, 'background_delay'), `failed to update VM ${vmid}: `),
  );
}

/** Splits the request into keys to set, delete and revert, with PVE's parameter errors. */
function parseChange(lab: LabContext, params: Record<string, string>): ConfigChange {
  const deleteList = params.delete;
  const revertList = params.revert;
  const force = boolParam(params, 'force');
  delete params.delete;
  delete params.revert;
  delete params.force;
  if (!deleteList && !revertList && Object.keys(params).length === 0) fail('no options specified');
  resolveCdromAlias(params);
  const known = (key: string) => configKeySchema(lab, key) !== undefined;
  const revert: string[] = [];
  for (const opt of splitList(revertList ?? '')) {
    if (!known(opt)) paramError({ revert: `unknown option '${opt}'` });
    if (params[opt] !== undefined)
      paramError({ delete: `you can't use '-${opt}' and -revert ${opt}' at the same time` });
    revert.push(opt);
  }
  const deletes: string[] = [];
  for (const raw of splitList(deleteList ?? '')) {
    const opt = raw === 'cdrom' ? 'ide2' : raw;
    if (params[opt] !== undefined)
      paramError({ delete: `you can't use '-${opt}' and -delete ${opt}' at the same time` });
    if (revert.includes(opt))
      paramError({ revert: `you can't use '-delete ${opt}' and -revert ${opt}' at the same time` });
    if (!known(opt)) paramError({ delete: `unknown option '${opt}'` });
    deletes.push(opt);
  }
  return { set: params, delete: deletes, revert, force };
}

/** $load_and_check_config: the VM exists here, the digest matches, no lock, the balloon fits. */
function checkTarget(
  lab: LabContext,
  node: string,
  vmid: number,
  digest: string | undefined,
  change: ConfigChange,
): void {
  const vm = loadVm(lab, node, vmid);
  if (digest && digest !== configDigest(vm)) fail('checksum mismatch (file change by other user?)');
  checkLock(vm);
  if (change.set.memory !== undefined || change.set.balloon !== undefined) {
    const memory = memoryMiB({ memory: change.set.memory ?? vm.pending.memory ?? vm.config.memory ?? '512' });
    const balloon = Number(change.set.balloon ?? vm.pending.balloon ?? vm.config.balloon ?? 0);
    if (balloon > memory) fail('balloon value too large (must be smaller than assigned memory)');
  }
}

/** PUT with new disks allocates them inside the request, holding the VM's lock meanwhile. */
async function syncDiskWork(
  lab: LabContext,
  req: ApiRequest,
  target: { node: string; vmid: number; holder: string },
  disks: DiskRequest[],
  change: ConfigChange,
): Promise<string[]> {
  if (disks.length === 0) return [];
  const { node, vmid } = target;
  // The request works like a worker without a task: a scratch task record carries its log.
  const task = lab.tasks.begin({ node, type: 'qmconfig', id: String(vmid), user: req.user });
  const plan = planDiskWork({ lab, task, node, vmid, startAt: lab.clock.now(), slow: 1 }, disks);
  lab.locks.holdUntil(node, configLockPath(vmid), target.holder, plan.cursor);
  await sleep(plan.cursor - lab.clock.now());
  if (plan.failure !== undefined) {
    freeVolumes(lab, node, plan.volids);
    fail(plan.failure);
  }
  Object.assign(change.set, plan.created);
  return plan.volids;
}

interface UpdatePlan {
  node: string;
  vmid: number;
  digest: string | undefined;
  change: ConfigChange;
  disks: DiskRequest[];
  paramLog: string;
  user: string;
}

/**
 * The updatefn's own checks under the lock (P.6.2): drives need VM.Config.Disk, a CD-ROM
 * VM.Config.CDROM, a cloud-init drive both Cloudinit and CDROM; tags go through
 * assert_tag_permissions (VM.Config.Options on /vms/<vmid>); a changed NIC needs SDN.Use on its old VLAN.
 */
function checkInsideUpdate(lab: LabContext, user: string, vm: VmRecord, change: ConfigChange): void {
  if (user === ROOT) return;
  const path = `/vms/${vm.vmid}`;
  for (const key of [...change.delete, ...Object.keys(change.set)]) {
    if (key === 'tags') requirePrivs(lab, user, path, ['VM.Config.Options']);
    if (!isDriveKey(key) || /^unused\d+$/.test(key)) continue;
    const value = change.set[key] ?? vm.config[key] ?? vm.pending[key] ?? '';
    const drive = parseDrive(lab, key, value);
    if (isCloudinitDrive(drive)) requirePrivs(lab, user, path, ['VM.Config.Cloudinit', 'VM.Config.CDROM']);
    else if (isCdromDrive(drive)) requirePrivs(lab, user, path, ['VM.Config.CDROM']);
    else requirePrivs(lab, user, path, ['VM.Config.Disk']);
  }
  const oldNets = Object.keys(change.set)
    .filter((key) => /^net\d+$/.test(key) && vm.config[key] !== undefined)
    .map((key) => ({ [key]: vm.config[key] ?? '' }));
  checkBridgeAccess(
    lab,
    user,
    oldNets.flatMap((net) => netsOf(lab, net)),
  );
}

function planUpdate(lab: LabContext, worker: WorkerPlan, update: UpdatePlan): void {
  const { node, vmid, change } = update;
  const action: ConfigAction = {
    kind: 'qmconfig',
    node,
    vmid,
    change,
    volids: [],
    ...(update.digest ? { digest: update.digest } : {}),
  };
  worker.task.action = action;
  const lock = lockVmConfig(lab, worker, node, vmid, lab.timing.profile.seconds.configLockTimeout);
  if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
  worker.task.log.push({ at: lock.grantedAt, text: `update VM ${vmid}: ${update.paramLog}` });
  const denied = messageOf(() => checkInsideUpdate(lab, update.user, loadVm(lab, node, vmid), change));
  if (denied !== undefined) return failAt(worker, lock.grantedAt, denied);
  const plan = planDiskWork(
    { lab, task: worker.task, node, vmid, startAt: lock.grantedAt, slow: worker.slow },
    update.disks,
  );
  action.volids = plan.volids;
  Object.assign(change.set, plan.created);
  const writeMs = lab.timing.ms(lab.timing.profile.seconds.configUpdate) * worker.slow;
  holdVmLockUntil(lab, worker, node, vmid, plan.cursor + (plan.failure === undefined ? writeMs : 0));
  if (plan.failure !== undefined) failAt(worker, plan.cursor, plan.failure);
}

/** The error text a check throws, or undefined when it passes. */
function messageOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    return stringifyError(error);
  }
}

/** The first unusedN key free in a config. */
function freeUnusedKey(vm: VmRecord): string {
  let index = 0;
  while (vm.config[`unused${index}`] !== undefined || vm.pending[`unused${index}`] !== undefined) index++;
  return `unused${index}`;
}

function freeVolume(lab: LabContext, vm: VmRecord, volid: string): void {
  const [storeid, volname] = splitVolid(volid);
  const storage = lab.state.storage(vm.node, storeid);
  if (storage && volname !== undefined) delete storage.volumes[volname];
}

/** A drive leaving the config: its volume becomes unusedN, or is destroyed (force, cloud-init). */
function detachDrive(lab: LabContext, vm: VmRecord, value: string, key: string, force: boolean): void {
  const drive = parseDrive(lab, key, value);
  const volid = drive.file ?? '';
  if (!volid.includes(':') || (isCdromDrive(drive) && !isCloudinitDrive(drive))) return;
  if (force || isCloudinitDrive(drive)) freeVolume(lab, vm, volid);
  else vm.config[freeUnusedKey(vm)] = volid;
}

/**
 * The updatefn: changes go to the pending section first, then apply at once on a stopped VM;
 * a running VM takes the fast-plug options, NICs and SCSI/VirtIO disks and keeps the rest pending.
 */
function applyChange(lab: LabContext, vm: VmRecord, change: ConfigChange, out: TaskOutput): void {
  checkBootOrder(vm, change);
  for (const opt of change.delete) {
    const value = vm.config[opt] ?? vm.pending[opt];
    if (value === undefined) {
      out.warn(`cannot delete '${opt}' - not set in current configuration!`);
      continue;
    }
    delete vm.pending[opt];
    removeFromBootOrder(vm, opt);
    if (/^unused\d+$/.test(opt)) {
      freeVolume(lab, vm, parseDrive(lab, opt, value).file ?? '');
      delete vm.config[opt];
    } else if (opt === 'tags') {
      delete vm.config.tags;
    } else if (!vm.pendingDelete.includes(opt)) {
      vm.pendingDelete.push(opt);
    }
  }
  for (const opt of change.revert) {
    if (vm.config[opt] !== undefined) change.set[opt] = vm.config[opt];
    else delete vm.pending[opt];
  }
  for (const [key, value] of Object.entries(change.set)) {
    vm.pending[key] = key === 'tags' ? normalizeTags(value) : value;
    vm.pendingDelete = vm.pendingDelete.filter((opt) => opt !== key);
  }
  for (const [key, value] of Object.entries(vm.pending)) if (vm.config[key] === value) delete vm.pending[key];
  const hotpluggable = (key: string) => FAST_PLUG.has(key) || /^(net|scsi|virtio)\d+$/.test(key);
  applyPending(lab, vm, vm.status === 'running' ? hotpluggable : () => true, change.force);
}

/** vmconfig_apply_pending / hotplug: moves pending keys that `applies` into the config. */
function applyPending(lab: LabContext, vm: VmRecord, applies: (key: string) => boolean, force = false): void {
  for (const opt of vm.pendingDelete.filter(applies)) {
    const old = vm.config[opt];
    if (old !== undefined && isDriveKey(opt)) detachDrive(lab, vm, old, opt, force);
    delete vm.config[opt];
  }
  vm.pendingDelete = vm.pendingDelete.filter((opt) => !applies(opt));
  for (const [key, value] of Object.entries(vm.pending)) {
    if (!applies(key)) continue;
    const old = vm.config[key];
    if (
      old !== undefined &&
      isDriveKey(key) &&
      parseDrive(lab, key, old).file !== parseDrive(lab, key, value).file
    ) {
      detachDrive(lab, vm, old, key, false);
    }
    vm.config[key] = value;
    delete vm.pending[key];
  }
}

function bootOrderOf(config: Record<string, string>): string[] | undefined {
  const order = /(?:^|,)order=([^,]+)/.exec(config.boot ?? '')?.[1];
  return order === undefined ? undefined : splitList(order);
}

/** A new boot order may only name devices the VM has (die text as in qemu-server, typo included). */
function checkBootOrder(vm: VmRecord, change: ConfigChange): void {
  const order = change.set.boot === undefined ? undefined : bootOrderOf({ boot: change.set.boot });
  for (const device of order ?? []) {
    const exists = vm.config[device] ?? vm.pending[device] ?? change.set[device];
    if (exists === undefined || change.delete.includes(device)) {
      throw new Error(`invalid bootorder: device '${device}' does not exist'`);
    }
  }
}

function removeFromBootOrder(vm: VmRecord, opt: string): void {
  const order = bootOrderOf(vm.config);
  if (!order?.includes(opt)) return;
  vm.pending.boot = `order=${order.filter((device) => device !== opt).join(';')}`;
}

interface ResizeAction extends TaskAction {
  kind: 'resize';
  node: string;
  vmid: number;
  disk: string;
  size: string;
  digest?: string;
}

/** PUT resize: in PVE 9 a `resize` worker does everything, the checks included. */
function resizeVm(lab: LabContext, req: ApiRequest) {
  refuseRootOnly(req, ['skiplock']);
  const node = req.params.node ?? '';
  const vmid = requireInt(req.params, 'vmid');
  const digest = req.params.digest;
  const action: ResizeAction = {
    kind: 'resize',
    node,
    vmid,
    disk: requireString(req.params, 'disk'),
    size: requireString(req.params, 'size'),
    ...(digest ? { digest } : {}),
  };
  const upid = forkWorker(lab, { node, type: 'resize', id: String(vmid), user: req.user }, (worker) => {
    worker.task.action = action;
    const lock = lockVmConfig(lab, worker, node, vmid, lab.timing.profile.seconds.configLockTimeout);
    if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
    if (lock.grantedAt === worker.startAt) {
      const problem = messageOf(() => resolveResize(lab, action, req.user));
      if (problem !== undefined) return failAt(worker, lock.grantedAt, problem);
    }
    holdVmLockUntil(
      lab,
      worker,
      node,
      vmid,
      lock.grantedAt + lab.timing.ms(lab.timing.profile.seconds.resize) * worker.slow,
    );
  });
  return ok(upid);
}

/** resize_vm's updatefn checks; returns what to change. */
function resolveResize(lab: LabContext, action: ResizeAction, user: string) {
  const vm = loadVm(lab, action.node, action.vmid);
  if (action.digest && action.digest !== configDigest(vm))
    throw new Error('checksum mismatch (file change by other user?)');
  checkLock(vm);
  const value = vm.config[action.disk];
  if (value === undefined) throw new Error(`disk '${action.disk}' does not exist`);
  const drive = parseDrive(lab, action.disk, value);
  const volid = drive.file ?? '';
  if (!volid) throw new Error(`disk '${action.disk}' has no associated volume`);
  if (isCdromDrive(drive)) throw new Error("you can't resize a cdrom");
  const [storeid, volname = ''] = splitVolid(volid);
  const storage = lab.state.storage(vm.node, storeid);
  const volume = storage?.volumes[volname];
  const size = volume?.sizeBytes ?? driveSizeBytes(drive);
  if (!storage || !volume) throw new Error(`Could not determine current size of volume '${volid}'`);
  // The resize worker checks the disk's storage itself (P.6.3): a refusal fails the task.
  requirePrivs(lab, user, `/storage/${storeid}`, ['Datastore.AllocateSpace']);
  const match = /^(\+)?(\d+(?:\.\d+)?)([KMGT])?$/.exec(action.size);
  if (!match) throw new Error('internal error');
  const unit = ['', 'K', 'M', 'G', 'T'].indexOf(match[3] ?? '');
  const requested = Math.floor(Number(match[2]) * 1024 ** unit + (match[1] ? size : 0));
  if (requested < size) throw new Error('shrinking disks is not supported');
  const growth = spaceError(storage, volname, requested - size);
  if (growth !== undefined) throw new Error(growth);
  return { vm, drive, storage, volume, size, requested };
}

function resizeFinish(lab: LabContext, task: TaskRecord, out: TaskOutput): void {
  const action = task.action as ResizeAction;
  const { vm, drive, storage, volume, size, requested } = resolveResize(lab, action, task.user);
  if (requested === size) return;
  if (storage.type === 'lvmthin') {
    const extents = (bytes: number) => Math.ceil(bytes / (4 * 1024 * 1024));
    out.log(
      `  Size of logical volume pve/${volume.volname} changed from ${renderBytes(size)} (${extents(size)} extents) to ${renderBytes(requested)} (${extents(requested)} extents).`,
    );
    out.log(`  Logical volume pve/${volume.volname} successfully resized.`);
  }
  volume.sizeBytes = requested;
  drive.size = formatSize(requested);
  vm.config[action.disk] = printDrive(drive);
}

export function configFinishers(lab: LabContext): Record<string, TaskFinisher> {
  return {
    qmconfig: {
      finish(task, out) {
        const action = task.action as ConfigAction;
        checkTarget(lab, action.node, action.vmid, action.digest, action.change);
        applyChange(lab, loadVm(lab, action.node, action.vmid), action.change, out);
      },
      fail(task) {
        const action = task.action as ConfigAction;
        freeVolumes(lab, action.node, action.volids);
      },
    },
    resize: { finish: (task, out) => resizeFinish(lab, task, out) },
  };
}
