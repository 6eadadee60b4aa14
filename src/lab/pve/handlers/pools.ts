import { errorMessage } from '../../../errors.js';
import { PermissionDenied } from '../access/check.js';
import { splitList } from '../property-string.js';
import type { PoolRecord } from '../state.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { boolParam, fail, ok, requireString } from './context.js';
import { vmStatus } from './usage.js';
import { usedBytes } from './volumes.js';

/** Pools as pve-access-control's API2/Pool.pm keeps them (nested ids like `twins/pr-7` allowed). */
export const poolHandlers: HandlerTable = {
  'GET /pools': listPools,
  'POST /pools': createPool,
  'PUT /pools': updatePool,
  'DELETE /pools': deletePool,
  'GET /pools/{poolid}': readPool,
  'PUT /pools/{poolid}': updatePool,
  'DELETE /pools/{poolid}': deletePool,
};

/**
 * lock_user_config: the change is written only when it completes, and a failure's die text is
 * prefixed with what was attempted.
 */
function userConfigChange(lab: LabContext, what: string, change: () => void): void {
  const config = lab.state.access.config;
  const before = structuredClone({ pools: config.pools, acl: config.acl });
  try {
    change();
  } catch (error) {
    Object.assign(config, before);
    // A permission failure inside lock_user_config is a plain die: HTTP 500 with the code in front.
    const text = error instanceof PermissionDenied ? `403 ${error.message}` : errorMessage(error);
    fail(`${what}: ${text}`);
  }
}

/** AccessControl::check_perm_modify on a member (PUT /pools), failing inside the user.cfg lock. */
function checkPermModify(lab: LabContext, user: string, path: string, privilege: string): void {
  const privs = ['Permissions.Modify', privilege];
  if (!lab.state.access.model.has(user, path, privs, true))
    throw new PermissionDenied(`${path}, ${privs.join('|')}`);
}

function existingPool(lab: LabContext, poolid: string): PoolRecord {
  const pool = lab.state.pool(poolid);
  if (!pool) throw new Error(`pool '${poolid}' does not exist`);
  return pool;
}

function members(lab: LabContext, pool: PoolRecord, type: string | undefined) {
  const vms = type === undefined || type === 'qemu' ? pool.vms : [];
  const vmMembers = vms.flatMap((vmid) => {
    const vm = lab.state.vm(vmid);
    if (!vm) return []; // destroyed guests are no members any more
    return [{ id: `qemu/${vmid}`, type: 'qemu', node: vm.node, ...vmStatus(lab, vm) }];
  });
  const storages = type === undefined || type === 'storage' ? pool.storage : [];
  const storageMembers = storages.flatMap((storeid) =>
    lab.state.nodeNames().flatMap((node) => {
      const storage = lab.state.storage(node, storeid);
      if (!storage) return [];
      const entry = {
        id: `storage/${node}/${storeid}`,
        type: 'storage',
        storage: storeid,
        node,
        status: 'available',
      };
      return [{ ...entry, disk: usedBytes(storage), maxdisk: storage.totalBytes }];
    }),
  );
  return [...vmMembers, ...storageMembers];
}

function poolEntry(pool: PoolRecord) {
  return { poolid: pool.poolid, ...(pool.comment !== undefined ? { comment: pool.comment } : {}) };
}

function listPools(lab: LabContext, req: ApiRequest) {
  const poolid = req.params.poolid;
  // Without poolid only pools the caller may audit; with it, PVE's check runs with noerr and is ignored (P.7).
  if (poolid === undefined) {
    const model = lab.state.access.model;
    const visible = lab.state
      .pools()
      .filter((pool) => model.has(req.user, `/pool/${pool.poolid}`, ['Pool.Audit']));
    return ok(visible.map(poolEntry));
  }
  const pool = lab.state.pool(poolid);
  if (!pool) fail(`pool '${poolid}' does not exist`);
  return ok([{ ...poolEntry(pool), members: members(lab, pool, req.params.type) }]);
}

/** The deprecated GET /pools/{poolid}: one object, no nested pools. */
function readPool(lab: LabContext, req: ApiRequest) {
  const poolid = requireString(req.params, 'poolid');
  const pool = lab.state.pool(poolid);
  if (!pool) fail(`pool '${poolid}' does not exist`);
  return ok({
    ...(pool.comment !== undefined ? { comment: pool.comment } : {}),
    members: members(lab, pool, req.params.type),
  });
}

function createPool(lab: LabContext, req: ApiRequest) {
  const poolid = requireString(req.params, 'poolid');
  userConfigChange(lab, 'create pool failed', () => {
    if (lab.state.pool(poolid)) throw new Error(`pool '${poolid}' already exists`);
    const parent = poolid.includes('/') ? poolid.slice(0, poolid.lastIndexOf('/')) : undefined;
    if (parent !== undefined && !lab.state.pool(parent))
      throw new Error(`parent '${parent}' of pool '${poolid}' does not exist`);
    // pve-manager 9 (Pool.pm): the leaf name must start with a letter.
    if (!/^[A-Za-z]/.test(poolid.slice(poolid.lastIndexOf('/') + 1)))
      throw new Error('pool name must start with a letter');
    const comment = req.params.comment;
    lab.state.access.config.pools[poolid] = { poolid, vms: [], storage: [], ...(comment ? { comment } : {}) };
  });
  return ok(null);
}

function updatePool(lab: LabContext, req: ApiRequest) {
  const poolid = requireString(req.params, 'poolid');
  const remove = boolParam(req.params, 'delete');
  const allowMove = boolParam(req.params, 'allow-move');
  userConfigChange(lab, 'update pools failed', () => {
    const pool = existingPool(lab, poolid);
    if (req.params.comment !== undefined) pool.comment = req.params.comment;
    for (const vmid of splitList(req.params.vms ?? '').map(Number)) {
      checkPermModify(lab, req.user, `/vms/${vmid}`, 'VM.Allocate');
      if (remove) {
        if (!pool.vms.includes(vmid)) throw new Error(`VM ${vmid} is not a pool member`);
        pool.vms = pool.vms.filter((member) => member !== vmid);
        continue;
      }
      if (pool.vms.includes(vmid)) throw new Error(`VM ${vmid} is already a pool member`);
      const current = lab.state.poolOfVm(vmid);
      if (current !== undefined) {
        if (!allowMove)
          throw new Error(`VM ${vmid} belongs already to pool '${current}' and 'allow-move' is not set`);
        if (!lab.state.access.model.has(req.user, `/pool/${current}`, ['Pool.Allocate']))
          throw new PermissionDenied(`/pool/${current}, Pool.Allocate`);
        const from = existingPool(lab, current);
        from.vms = from.vms.filter((member) => member !== vmid);
      }
      pool.vms.push(vmid);
    }
    for (const storeid of splitList(req.params.storage ?? '')) {
      checkPermModify(lab, req.user, `/storage/${storeid}`, 'Datastore.Allocate');
      if (remove) {
        if (!pool.storage.includes(storeid)) throw new Error(`Storage '${storeid}' is not a pool member`);
        pool.storage = pool.storage.filter((member) => member !== storeid);
      } else {
        if (pool.storage.includes(storeid)) throw new Error(`Storage '${storeid}' is already a pool member`);
        pool.storage.push(storeid);
      }
    }
  });
  return ok(null);
}

function deletePool(lab: LabContext, req: ApiRequest) {
  const poolid = requireString(req.params, 'poolid');
  userConfigChange(lab, 'delete pool failed', () => {
    const pool = existingPool(lab, poolid);
    const vmid = pool.vms.find((member) => lab.state.vm(member) !== undefined);
    if (vmid !== undefined) throw new Error(`pool '${poolid}' is not empty (contains VM ${vmid})`);
    const storeid = pool.storage[0];
    if (storeid !== undefined)
      throw new Error(`pool '${poolid}' is not empty (contains storage '${storeid}')`);
    // Approximation: nested pools block their parent's removal; the exact text was not read in the source.
    const child = lab.state.pools().find((other) => other.poolid.startsWith(`${poolid}/`));
    if (child) throw new Error(`pool '${poolid}' is not empty (contains pool '${child.poolid}')`);
    const config = lab.state.access.config;
    delete config.pools[poolid];
    // delete_pool_acl: the pool's ACL node and everything below it go with the pool.
    for (const path of Object.keys(config.acl))
      if (path === `/pool/${poolid}` || path.startsWith(`/pool/${poolid}/`)) delete config.acl[path];
  });
  return ok(null);
}

/** AccessControl::add_vm_to_pool, as create and clone call it. */
export function addVmToPool(lab: LabContext, vmid: number, poolid: string): void {
  const pool = lab.state.pool(poolid);
  if (pool && !pool.vms.includes(vmid)) pool.vms.push(vmid);
}

/** AccessControl::remove_vm_access: a destroyed VM leaves its pool. */
export function removeVmFromPools(lab: LabContext, vmid: number): void {
  for (const pool of lab.state.pools()) pool.vms = pool.vms.filter((member) => member !== vmid);
}
