import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownsTask } from '../../../src/lab/pve/handlers/task-api.js';
import { defaultStorages } from '../../../src/lab/pve/state.js';
import type { LabClient, TestLab } from './helpers.js';
import { TALOS_IMAGE, downloadTalosImage, startTestLab, talosCreateParams } from './helpers.js';

/**
 * What each token sees (PVE-PERMISSIONS.md P.6.5, P.7): list endpoints drop what the caller may not
 * see and never answer 403; the task API answers a task's owner, or anyone with Sys.Audit on the node.
 */
const SLOT = 'aggrik8s/slot-0';

/** The product's create: into the slot pool, without tags (qemu-server 9.2 checks those in the task). */
function productCreate(vmid: number) {
  const { tags: _tags, ...params } = talosCreateParams(vmid, { pool: SLOT });
  return params;
}

function editUserCfg(t: TestLab, edit: (text: string) => string): void {
  const file = join(t.dir, 'user.cfg');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

interface Item {
  id: string;
  type: string;
  vmid?: number;
  volid?: string;
  poolid?: string;
  [key: string]: unknown;
}

const resources = async (client: LabClient, type?: string): Promise<Item[]> =>
  client.data('GET', '/cluster/resources', type ? { type } : {});
const ids = (items: Item[]) => items.map((item) => item.id);
const vmids = async (client: LabClient, node: string) =>
  ((await client.data('GET', `/nodes/${node}/qemu`)) as Item[]).map((vm) => vm.vmid);
const volids = async (client: LabClient, storage: string) =>
  ((await client.data('GET', `/nodes/pve1/storage/${storage}/content`)) as Item[]).map((v) => v.volid);
const taskPath = (upid: string, what: 'status' | 'log', node = upid.split(':')[1]) =>
  `/nodes/${node}/tasks/${encodeURIComponent(upid)}/${what}`;

async function expectRefusal(
  pending: Promise<{ status: number; statusMessage: string; body: unknown }>,
  what: string,
) {
  const res = await pending;
  expect([res.status, res.statusMessage]).toEqual([403, `Permission check failed (${what})`]);
  expect(res.body).toEqual({ data: null, message: `Permission check failed (${what})\n` });
}

describe('the operator set-up of runner-setup (Sys.Audit on /nodes, rights on its pool)', () => {
  let t: TestLab;
  let rootCreate: string;
  let operatorCreate: string;
  beforeAll(async () => {
    // A slow create, so the test can look while it still runs.
    t = await startTestLab({ faults: { slowTasks: [{ type: 'qmcreate', rate: 1, multiplier: 4 }] } });
    await downloadTalosImage(t.api);
    expect((await t.api.post('/pools', { poolid: SLOT })).status).toBe(200);
    expect((await t.root.post('/pools', { poolid: 'other' })).status).toBe(200);
    rootCreate = await t.root.data('POST', '/nodes/pve1/qemu', {
      vmid: 500,
      memory: 512,
      name: 'important-db',
      scsi0: 'local-lvm:1',
    });
    expect((await t.root.waitTask(rootCreate)).exitstatus).toBe('OK');
  });
  afterAll(() => t.stop());

  it('does not see a VM outside its pools, and its config is 403', async () => {
    expect(ids(await resources(t.root, 'vm'))).toEqual(['qemu/500']);
    expect(await resources(t.api, 'vm')).toEqual([]);
    expect(await vmids(t.root, 'pve1')).toEqual([500]);
    expect(await vmids(t.api, 'pve1')).toEqual([]);
    await expectRefusal(t.api.get('/nodes/pve1/qemu/500/config'), '/vms/500, VM.Audit');
  });

  it('sees a VM it creates into the slot pool once the create task ended, not while it runs', async () => {
    operatorCreate = await t.api.data('POST', '/nodes/pve1/qemu', productCreate(501));
    // Running: the config holds only `lock: create` and the VM is no pool member yet.
    expect(await resources(t.api, 'vm')).toEqual([]);
    expect(await vmids(t.api, 'pve1')).toEqual([]);
    await expectRefusal(t.api.get('/nodes/pve1/qemu/501/config'), '/vms/501, VM.Audit');
    const during = (await resources(t.root, 'vm')).find((item) => item.id === 'qemu/501');
    expect(during).toMatchObject({ lock: 'create', status: 'stopped' });
    expect(during).not.toHaveProperty('pool');

    expect((await t.api.waitTask(operatorCreate)).exitstatus).toBe('OK');
    const seen = await resources(t.api, 'vm');
    expect(ids(seen)).toEqual(['qemu/501']);
    expect(seen[0]).toMatchObject({ name: 'talos-cp-501', node: 'pve1', pool: SLOT, status: 'stopped' });
    expect(seen[0]).not.toHaveProperty('lock');
    expect(ids(await resources(t.root, 'vm'))).toEqual(['qemu/500', 'qemu/501']);
    expect(await vmids(t.api, 'pve1')).toEqual([501]);
    expect(await vmids(t.api, 'pve2')).toEqual([]);
    expect((await t.api.get('/nodes/pve1/qemu/501/config')).status).toBe(200);
  });

  it('lists the pools it may audit, every node with its usage, the storages, no SDN zone it may only use', async () => {
    const mine = await resources(t.api);
    expect(mine.filter((item) => item.type === 'pool').map((item) => item.pool)).toEqual([
      'aggrik8s',
      'aggrik8s-production',
      SLOT,
    ]);
    // PVE's order: pools, VMs, nodes, storages (each node), SDN (none: SDN.Use is not SDN.Audit).
    expect(mine.map((item) => item.type)).toEqual([
      ...['pool', 'pool', 'pool', 'qemu', 'node', 'node', 'node'],
      ...Array(6).fill('storage'),
    ]);
    for (const node of mine.filter((item) => item.type === 'node')) expect(node.maxmem).toBe(64 * 1024 ** 3);
    const all = await resources(t.root);
    expect(all.filter((item) => item.type === 'pool').map((item) => item.pool)).toEqual([
      'aggrik8s',
      'aggrik8s-production',
      SLOT,
      'other',
    ]);
    expect(ids(all.filter((item) => item.type === 'sdn'))).toEqual([
      'sdn/pve1/localnetwork',
      'sdn/pve2/localnetwork',
      'sdn/pve3/localnetwork',
    ]);
    const pools = async (client: LabClient) =>
      ((await client.data('GET', '/pools')) as Item[]).map((pool) => pool.poolid);
    expect(await pools(t.api)).toEqual(['aggrik8s', 'aggrik8s-production', SLOT]);
    expect(await pools(t.root)).toEqual(['aggrik8s', 'aggrik8s-production', SLOT, 'other']);
  });

  it('lists the image and the disks of its own VMs, not the disks of root’s VM', async () => {
    const image = `local:import/${TALOS_IMAGE}`;
    expect(await volids(t.api, 'local')).toEqual([image]);
    expect(await volids(t.api, 'local-lvm')).toEqual([
      'local-lvm:vm-501-cloudinit',
      'local-lvm:vm-501-disk-0',
      'local-lvm:vm-501-disk-1',
    ]);
    expect(await volids(t.root, 'local-lvm')).toEqual([
      'local-lvm:vm-500-disk-0',
      'local-lvm:vm-501-cloudinit',
      'local-lvm:vm-501-disk-0',
      'local-lvm:vm-501-disk-1',
    ]);
  });

  it('deletes no volume without Datastore.Allocate on its storage', async () => {
    await t.root.run('POST', '/nodes/pve1/storage/local/download-url', {
      url: 'https://example.org/scratch.iso',
      content: 'iso',
      filename: 'scratch.iso',
    });
    const iso = '/nodes/pve1/storage/local/content/local:iso/scratch.iso';
    await expectRefusal(t.api.delete(iso), '/storage/local, Datastore.Allocate');
    await expectRefusal(
      t.api.delete('/nodes/pve1/storage/local-lvm/content/vm-501-disk-1'),
      '/storage/local-lvm, Datastore.Allocate',
    );
    expect((await t.root.run('DELETE', iso)).exitstatus).toBe('OK');
    expect(await volids(t.root, 'local')).toEqual([`local:import/${TALOS_IMAGE}`]);
  });

  it('reads its own tasks, and root’s because TwinNodes on /nodes propagates Sys.Audit to pve1', async () => {
    const own = await t.api.data('GET', taskPath(operatorCreate, 'status'));
    expect(own).toMatchObject({
      type: 'qmcreate',
      id: '501',
      user: 'twin@pve',
      tokenid: 'gha',
      exitstatus: 'OK',
    });
    const roots = await t.api.data('GET', taskPath(rootCreate, 'status'));
    expect(roots).toMatchObject({ type: 'qmcreate', id: '500', user: 'root@pam', tokenid: 'lab' });
    expect((await t.api.data('GET', taskPath(rootCreate, 'log'))).at(-1)).toEqual({
      n: expect.any(Number),
      t: 'TASK OK',
    });
  });
});

describe('Sys.Audit only on /nodes/pve2, VM.Audit on one VM of a pool it may not audit', () => {
  let t: TestLab;
  let rootCreate: string;
  beforeAll(async () => {
    const scratch = { id: 'scratch', type: 'dir' as const, content: ['iso'], totalBytes: 10 * 1024 ** 3 };
    t = await startTestLab({
      nodes: [
        { name: 'pve1', storages: [...defaultStorages(), scratch] },
        { name: 'pve2' },
        { name: 'pve3' },
      ],
    });
    expect((await t.root.post('/pools', { poolid: 'other' })).status).toBe(200);
    rootCreate = await t.root.data('POST', '/nodes/pve1/qemu', {
      vmid: 502,
      memory: 512,
      name: 'shared-db',
      pool: 'other',
    });
    expect((await t.root.waitTask(rootCreate)).exitstatus).toBe('OK');
    editUserCfg(
      t,
      (text) =>
        `${text.replace('acl:1:/nodes:', 'acl:1:/nodes/pve2:')}acl:0:/vms/502:twin@pve,twin@pve!gha:PVETemplateUser:\n`,
    );
  });
  afterAll(() => t.stop());

  it('shows that VM without its pool', async () => {
    const [mine] = await resources(t.api, 'vm');
    expect(mine).toMatchObject({ id: 'qemu/502', name: 'shared-db' });
    expect(mine).not.toHaveProperty('pool');
    expect((await resources(t.root, 'vm'))[0]).toMatchObject({ id: 'qemu/502', pool: 'other' });
    expect(await vmids(t.api, 'pve1')).toEqual([502]);
    expect((await t.api.get('/nodes/pve1/qemu/502/config')).status).toBe(200);
  });

  it('lists every node, with its usage only where it has Sys.Audit', async () => {
    const bare = (node: string) => ({
      id: `node/${node}`,
      type: 'node',
      node,
      status: 'online',
      level: '',
      ssl_fingerprint: t.lab.fingerprint,
    });
    const nodes = await t.api.data('GET', '/nodes');
    expect(nodes[0]).toEqual(bare('pve1'));
    expect(nodes[2]).toEqual(bare('pve3'));
    expect(nodes[1]).toMatchObject({ ...bare('pve2'), maxmem: 64 * 1024 ** 3, maxcpu: 16 });
    expect(Object.keys(nodes[1]).sort()).toEqual(
      [
        'cpu',
        'disk',
        'id',
        'level',
        'maxcpu',
        'maxdisk',
        'maxmem',
        'mem',
        'node',
        'ssl_fingerprint',
        'status',
      ]
        .concat(['type', 'uptime'])
        .sort(),
    );
    const { ssl_fingerprint: _fingerprint, ...resource } = bare('pve1');
    expect((await resources(t.api, 'node'))[0]).toEqual({ ...resource, 'cgroup-mode': 2 });
    expect((await t.root.data('GET', '/nodes'))[0]).toHaveProperty('maxmem', 64 * 1024 ** 3);
  });

  it('lists no storage it has no right on', async () => {
    const perNode = ['pve1', 'pve2', 'pve3'].flatMap((node) => [
      `storage/${node}/local`,
      `storage/${node}/local-lvm`,
    ]);
    expect(ids(await resources(t.api, 'storage'))).toEqual(perNode);
    expect(ids(await resources(t.root, 'storage'))).toEqual([
      ...perNode.slice(0, 2),
      'storage/pve1/scratch',
      ...perNode.slice(2),
    ]);
  });

  it('gets 403 for the status and log of root’s task on pve1, not for its own or for pve2', async () => {
    await expectRefusal(t.api.get(taskPath(rootCreate, 'status')), '/nodes/pve1, Sys.Audit');
    await expectRefusal(t.api.get(taskPath(rootCreate, 'log')), '/nodes/pve1, Sys.Audit');
    // Its own task on pve1: the owner needs no privilege (waitTask polls the status).
    const own = await t.api.run('POST', '/nodes/pve1/qemu', { vmid: 503, memory: 512, pool: 'aggrik8s' });
    expect(own).toMatchObject({ exitstatus: 'OK', user: 'twin@pve', tokenid: 'gha' });
    expect((await t.api.taskLog(own.upid)).at(-1)).toBe('TASK OK');
    const onPve2 = await t.root.run('POST', '/nodes/pve2/qemu', { vmid: 504, memory: 512 });
    expect((await t.api.data('GET', taskPath(onPve2.upid, 'status'))).exitstatus).toBe('OK');
  });

  it('applies $check_task_user: a token owns its tasks, a user its own and its tokens’, a token not its user’s', () => {
    expect(ownsTask('twin@pve!gha', 'twin@pve!gha')).toBe(true);
    expect(ownsTask('twin@pve', 'twin@pve!gha')).toBe(true);
    expect(ownsTask('twin@pve', 'twin@pve')).toBe(true);
    expect(ownsTask('twin@pve!gha', 'twin@pve')).toBe(false);
    expect(ownsTask('twin@pve!other', 'twin@pve!gha')).toBe(false);
    expect(ownsTask('root@pam!lab', 'twin@pve!gha')).toBe(false);
  });
});
