import { randomUUID } from 'node:crypto';
import type { TaskAction } from '../state.js';
import type { TaskFinisher } from '../tasks.js';
import type { ApiRequest, LabContext } from './context.js';
import { PermissionDenied, permissionText } from '../access/check.js';
import { ROOT } from '../access/evaluate.js';
import { boolParam, fail, ok, permissionError, requireInt } from './context.js';
import {
  checkBridgeAccess,
  checkConfigKeys,
  checkSerialPorts,
  may,
  netsOf,
  requirePrivs,
  requireVmPerm,
} from './permissions.js';
import { checkDiskParams, freeVolumes, planDiskWork, resolveCdromAlias } from './disks.js';
import { addVmToPool } from './pools.js';
import { forkStart } from './power.js';
import { addRandomMacs, defaultBootOrder, normalizeTags } from './vm.js';
import { failAt, forkWorker, holdVmLockUntil, lockVmConfig } from './worker.js';

/** The QEMU version the lab's PVE 9.1 reports in meta and running-qemu. */
const QEMU_VERSION = '10.1.2';

/** Parameters of POST /nodes/{node}/qemu that are not config keys. */
const CREATE_ONLY = [
  'node',
  'vmid',
  'pool',
  'start',
  'storage',
  'archive',
  'force',
  'unique',
  'live-restore',
  'bwlimit',
  'ha-managed',
  'import-working-storage',
];

interface CreateAction extends TaskAction {
  kind: 'qmcreate';
  node: string;
  vmid: number;
  config: Record<string, string>;
  volids: string[];
  pool?: string;
  start: boolean;
}

/**
 * API2/Qemu.pm create_vm: checks, then create_and_lock_config (the VM exists at once with
 * `lock: create`), then a qmcreate worker that allocates and imports disks and writes the config.
 */
export function createVm(lab: LabContext, req: ApiRequest) {
  const params = { ...req.params };
  const node = params.node ?? '';
  const vmid = requireInt(params, 'vmid');
  if (params.archive !== undefined)
    fail('the lab does not restore backups (archive): create the VM from its disks');
  const pool = params.pool;
  const start = boolParam(params, 'start');
  const defaultStorage = params.storage;
  for (const key of CREATE_ONLY) delete params[key];
  checkCreateRights(lab, req.user, { vmid, pool, start, defaultStorage });
  resolveCdromAlias(params);
  const disks = checkDiskParams(lab, { user: req.user, node, vmid }, params, defaultStorage);
  checkConfigKeys(lab, req.user, vmid, pool, Object.keys(params));
  checkSerialPorts(lab, req.user, vmid, pool, params);
  checkBridgeAccess(lab, req.user, netsOf(lab, params));
  addRandomMacs(lab, params);

  const existing = lab.state.vm(vmid);
  if (existing) fail(`unable to create VM ${vmid} - VM ${vmid} already exists on node '${existing.node}'`);
  lab.state.putVm({
    vmid,
    node,
    config: { lock: 'create' },
    pending: {},
    pendingDelete: [],
    status: 'stopped',
    guest: { agentRunning: false, reactsToShutdown: true },
  });

  const upid = forkWorker(lab, { node, type: 'qmcreate', id: String(vmid), user: req.user }, (worker) => {
    const action: CreateAction = {
      kind: 'qmcreate',
      node,
      vmid,
      config: {},
      volids: [],
      start,
      ...(pool ? { pool } : {}),
    };
    worker.task.action = action;
    const lock = lockVmConfig(lab, worker, node, vmid, lab.timing.profile.seconds.createLockTimeout);
    if (!lock.ok) return failAt(worker, lock.failedAt, lock.message);
    const input = { lab, task: worker.task, node, vmid, startAt: lock.grantedAt, slow: worker.slow };
    const plan = planDiskWork(input, disks, defaultStorage);
    action.volids = plan.volids;
    if (plan.failure !== undefined) {
      holdVmLockUntil(lab, worker, node, vmid, plan.cursor);
      return failAt(worker, plan.cursor, `unable to create VM ${vmid} - ${plan.failure}`);
    }
    action.config = newConfig(lab, params, plan.created, worker.startAt);
    const tagFailure = tagCheckInWorker(lab, req.user, vmid, params);
    if (tagFailure !== undefined) {
      holdVmLockUntil(lab, worker, node, vmid, plan.cursor);
      return failAt(worker, plan.cursor, `unable to create VM ${vmid} - ${tagFailure}`);
    }
    const writeMs = lab.timing.ms(lab.timing.profile.seconds.configUpdate) * worker.slow;
    holdVmLockUntil(lab, worker, node, vmid, plan.cursor + writeMs);
  });
  return ok(upid);
}

interface CreateRights {
  vmid: number;
  pool: string | undefined;
  start: boolean;
  defaultStorage: string | undefined;
}

/** create_vm's synchronous checks before the disks (P.6.1 items 1-5), in the handler's order. */
function checkCreateRights(
  lab: LabContext,
  user: string,
  { vmid, pool, start, defaultStorage }: CreateRights,
) {
  if (pool !== undefined && !lab.state.pool(pool)) permissionError(`pool '${pool}' does not exist`);
  if (defaultStorage !== undefined)
    requirePrivs(lab, user, `/storage/${defaultStorage}`, ['Datastore.AllocateSpace']);
  // qemu-server 9.1.10 checks start=1 on /vms/<vmid> only; 9.2.0 also accepts the pool.
  if (start) requireVmPerm(lab, user, vmid, lab.qemuServer === '9.2' ? pool : undefined, ['VM.PowerMgmt']);
  const allowed =
    may(lab, user, `/vms/${vmid}`, ['VM.Allocate']) ||
    (pool !== undefined && may(lab, user, `/pool/${pool}`, ['VM.Allocate']));
  if (!allowed) throw new PermissionDenied();
}

/**
 * qemu-server >= 9.2.0 runs assert_tag_permissions inside the worker, before add_vm_to_pool, on
 * /vms/<vmid> alone: a caller whose rights come from the pool fails here (P.6.1, P.9). 9.1 never checks.
 */
function tagCheckInWorker(lab: LabContext, user: string, vmid: number, params: Record<string, string>) {
  if (lab.qemuServer !== '9.2' || params.tags === undefined || user === ROOT) return undefined;
  const path = `/vms/${vmid}`;
  return may(lab, user, path, ['VM.Config.Options'])
    ? undefined
    : `403 ${permissionText(`${path}, VM.Config.Options`)}`;
}

/** The config create_vm writes: the given keys, the created drives and what PVE adds. */
function newConfig(
  lab: LabContext,
  params: Record<string, string>,
  drives: Record<string, string>,
  at: number,
): Record<string, string> {
  const config: Record<string, string> = { ...params, ...drives };
  config.boot ??= defaultBootOrder(lab, config);
  config.smbios1 ??= `uuid=${randomUUID()}`;
  if (config.vmgenid === undefined || config.vmgenid === '1') config.vmgenid = randomUUID();
  config.meta = `creation-qemu=${QEMU_VERSION},ctime=${Math.floor(at / 1000)}`;
  if (config.tags !== undefined) config.tags = normalizeTags(config.tags);
  return config;
}

export function createFinishers(lab: LabContext): Record<string, TaskFinisher> {
  return {
    qmcreate: {
      finish(task) {
        const action = task.action as CreateAction;
        const vm = lab.state.vm(action.vmid);
        if (!vm) throw new Error(`unable to create VM ${action.vmid} - config file vanished`);
        vm.config = { ...action.config };
        if (action.pool) addVmToPool(lab, action.vmid, action.pool);
        // create_vm's autostart calls the start API, which forks a qmstart task of its own.
        if (action.start) forkStart(lab, action.node, action.vmid, task.user);
      },
      fail(task) {
        const action = task.action as CreateAction;
        freeVolumes(lab, action.node, action.volids);
        lab.state.removeVm(action.vmid);
      },
    },
  };
}
