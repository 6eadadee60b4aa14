import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestLab } from './helpers.js';
import { downloadTalosImage, startTestLab, talosCreateParams } from './helpers.js';

/**
 * PVE's permission model as the operator's least-privilege token meets it (PVE-PERMISSIONS.md):
 * declared checks before anything else, handler checks, the create task's tag check of qemu-server 9.2,
 * pool membership that moves with create and delete, and user.cfg edits taking effect at once.
 */
const SLOT = 'aggrik8s/slot-0';

/** The create the product sends: in the slot pool, on VLAN 1500, without tags unless asked. */
function productCreate(vmid: number, extra: Record<string, string | number> = {}) {
  const { tags: _tags, ...params } = talosCreateParams(vmid, {
    pool: SLOT,
    net0: 'virtio,bridge=vmbr0,tag=1500',
  });
  return { ...params, ...extra };
}

function editUserCfg(t: TestLab, edit: (text: string) => string): void {
  const file = join(t.dir, 'user.cfg');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

describe('the operator token on qemu-server 9.2 (the lab default)', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startTestLab();
    await downloadTalosImage(t.api);
    expect((await t.api.post('/pools', { poolid: SLOT })).status).toBe(200);
  });
  afterAll(() => t.stop());

  it('answers 403 for a VM outside its pools before looking at the VM or the parameters', async () => {
    await t.root.run('POST', '/nodes/pve1/qemu', { vmid: 900, memory: 512, name: 'important-db' });
    const config = await t.api.get('/nodes/pve1/qemu/900/config');
    expect(config.status).toBe(403);
    expect(config.statusMessage).toBe('Permission check failed (/vms/900, VM.Audit)');
    expect(config.body).toEqual({ data: null, message: 'Permission check failed (/vms/900, VM.Audit)\n' });
    // The same answer for a VMID nobody has, and before parameter validation (P.5 order).
    expect((await t.api.get('/nodes/pve1/qemu/777/config')).statusMessage).toBe(
      'Permission check failed (/vms/777, VM.Audit)',
    );
    const invalid = await t.api.post('/nodes/pve1/qemu/900/status/start', { timeout: 'soon' });
    expect([invalid.status, invalid.statusMessage]).toEqual([
      403,
      'Permission check failed (/vms/900, VM.PowerMgmt)',
    ]);
    expect((await t.root.get('/nodes/pve1/qemu/900/config')).status).toBe(200);
  });

  it('creates in the slot pool: invisible while the task runs, a member with its rights once it ended', async () => {
    const upid = await t.api.data('POST', '/nodes/pve1/qemu', productCreate(7000));
    expect((await t.api.get('/nodes/pve1/qemu/7000/config')).status).toBe(403);
    expect((await t.api.waitTask(upid)).exitstatus).toBe('OK');
    expect(t.lab.state.pool(SLOT)?.vms).toEqual([7000]);
    expect((await t.api.get('/nodes/pve1/qemu/7000/config')).status).toBe(200);
    // Tags after create: VM.Config.Options now comes from the pool.
    expect((await t.api.put('/nodes/pve1/qemu/7000/config', { tags: 'aggrik8s;twin-pr-1' })).status).toBe(
      200,
    );
    expect((await t.api.data('GET', '/nodes/pve1/qemu/7000/config')).tags).toBe('aggrik8s;twin-pr-1');
  });

  it('fails a create with tags inside the task, after the import, and removes the VM (P.6.1, P.9)', async () => {
    const status = await t.api.run('POST', '/nodes/pve1/qemu', productCreate(7001, { tags: 'aggrik8s' }));
    expect(status.exitstatus).toBe(
      'unable to create VM 7001 - 403 Permission check failed (/vms/7001, VM.Config.Options)',
    );
    expect(t.lab.state.vm(7001)).toBeUndefined();
    expect(t.lab.state.pool(SLOT)?.vms).not.toContain(7001);
  });

  it('refuses what the role does not grant, with the texts of the handlers', async () => {
    const { pool: _pool, ...withoutPool } = productCreate(7002);
    const bare = await t.api.post('/nodes/pve1/qemu', withoutPool);
    expect([bare.status, bare.statusMessage]).toEqual([403, 'Permission check failed']);
    const otherBridge = await t.api.post(
      '/nodes/pve1/qemu',
      productCreate(7002, { net0: 'virtio,bridge=vmbr1,tag=1500' }),
    );
    expect(otherBridge.statusMessage).toBe(
      'Permission check failed (/sdn/zones/localnetwork/vmbr1/1500, SDN.Use)',
    );
    const missingPool = await t.api.post(
      '/nodes/pve1/qemu',
      productCreate(7002, { pool: 'aggrik8s/slot-9' }),
    );
    expect(missingPool.statusMessage).toBe("Permission check failed (pool 'aggrik8s/slot-9' does not exist)");
    const otherPool = await t.api.post('/pools', { poolid: 'databases' });
    expect(otherPool.statusMessage).toBe('Permission check failed (/pool/databases, Pool.Allocate)');
    const startAtCreate = await t.api.post('/nodes/pve1/qemu', productCreate(7002, { startup: 'order=1' }));
    expect(startAtCreate.statusMessage).toBe('Permission check failed (/, Sys.Modify)');
    const adopt = await t.api.put('/pools', { poolid: SLOT, vms: '900' });
    expect([adopt.status, adopt.statusMessage]).toEqual([
      500,
      'update pools failed: 403 Permission check failed (/vms/900, Permissions.Modify|VM.Allocate)',
    ]);
    expect(t.lab.state.vm(7002)).toBeUndefined();
  });

  it('shows only what the token may see', async () => {
    const vms = await t.api.data('GET', '/cluster/resources', { type: 'vm' });
    expect(vms.map((vm: { vmid: number }) => vm.vmid)).toEqual([7000]);
    const pools = await t.api.data('GET', '/pools');
    // Both parent pools of runner-setup/README.md: the token's ACLs are on each.
    expect(pools.map((pool: { poolid: string }) => pool.poolid)).toEqual([
      'aggrik8s',
      'aggrik8s-production',
      SLOT,
    ]);
    const perms = await t.api.data('GET', '/access/permissions', { path: '/vms/7000' });
    expect(perms['/vms/7000']['VM.Config.Options']).toBe(0); // pool-derived: never propagated
    expect(await t.api.data('GET', '/access/permissions', { path: '/vms/900' })).toEqual({ '/vms/900': {} });
  });

  it('takes an edit of user.cfg at the next request, as pmxcfs does', async () => {
    editUserCfg(t, (text) => text.replace('role:TwinDisks:Datastore.AllocateSpace,', 'role:TwinDisks:'));
    const resize = await t.api.run('PUT', '/nodes/pve1/qemu/7000/resize', { disk: 'scsi0', size: '+1G' });
    expect(resize.exitstatus).toBe(
      '403 Permission check failed (/storage/local-lvm, Datastore.AllocateSpace)',
    );
    editUserCfg(t, (text) => text.replace('role:TwinDisks:', 'role:TwinDisks:Datastore.AllocateSpace,'));
    const again = await t.api.run('PUT', '/nodes/pve1/qemu/7000/resize', { disk: 'scsi0', size: '+1G' });
    expect(again.exitstatus).toBe('OK');
  });

  it('forgets the membership on delete: the VMID answers 403 again', async () => {
    expect((await t.api.run('DELETE', '/nodes/pve1/qemu/7000', { purge: 1 })).exitstatus).toBe('OK');
    expect(t.lab.state.pool(SLOT)?.vms).toEqual([]);
    expect((await t.api.delete('/nodes/pve1/qemu/7000')).statusMessage).toBe(
      'Permission check failed (/vms/7000, VM.Allocate)',
    );
  });

  it('rejects a wrong secret and a token that user.cfg no longer has', async () => {
    expect(
      (await t.api.withToken(`${t.lab.tokenId}=00000000-0000-4000-8000-000000000000`).get('/version')).status,
    ).toBe(401);
    editUserCfg(t, (text) => text.replace(/^token:twin@pve!gha:.*\n/m, ''));
    expect((await t.api.get('/version')).status).toBe(401);
  });
});

describe('qemu-server 9.1', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startTestLab({ qemuServer: '9.1' });
    await downloadTalosImage(t.api);
    await t.api.post('/pools', { poolid: SLOT });
  });
  afterAll(() => t.stop());

  it('does not check tags at create, so a pool-scoped create with tags succeeds', async () => {
    const status = await t.api.run('POST', '/nodes/pve1/qemu', productCreate(7000, { tags: 'aggrik8s' }));
    expect(status.exitstatus).toBe('OK');
    expect((await t.api.data('GET', '/nodes/pve1/qemu/7000/config')).tags).toBe('aggrik8s');
  });
});
