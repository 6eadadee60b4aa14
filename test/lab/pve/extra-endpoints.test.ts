import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStorages } from '../../../src/lab/pve/state.js';
import type { LabClient, Params, TestLab } from './helpers.js';
import { downloadTalosImage, startTestLab } from './helpers.js';

/**
 * The endpoints of contracts/pve-api-extra.json: storage configuration and status, a VM's pending
 * changes and reboot, the task lists and the datacenter options, each as the operator's token and as
 * root see them (PVE-PERMISSIONS.md P.6.3, P.6.5, P.7).
 */
const GIB = 1024 ** 3;
const DIGEST = expect.stringMatching(/^[0-9a-f]{40}$/);

interface Entry {
  [key: string]: unknown;
}

async function expectFailure(
  pending: Promise<{ status: number; statusMessage: string }>,
  status: number,
  message: string,
) {
  const res = await pending;
  expect([res.status, res.statusMessage]).toEqual([status, message]);
}

function editUserCfg(t: TestLab, edit: (text: string) => string): void {
  const file = join(t.dir, 'user.cfg');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

describe('storage configuration and per-node status', () => {
  let t: TestLab;
  beforeAll(async () => {
    const scratch = { id: 'scratch', type: 'dir' as const, content: ['iso'], totalBytes: 10 * GIB };
    t = await startTestLab({
      nodes: [
        { name: 'pve1', storages: [...defaultStorages(), scratch] },
        { name: 'pve2' },
        { name: 'pve3' },
      ],
    });
  });
  afterAll(() => t.stop());

  const local = {
    storage: 'local',
    type: 'dir',
    path: '/var/lib/vz',
    content: 'iso,vztmpl,import,images,snippets',
    digest: DIGEST,
  };
  const localLvm = {
    storage: 'local-lvm',
    type: 'lvmthin',
    thinpool: 'data',
    vgname: 'pve',
    content: 'images,rootdir',
    digest: DIGEST,
  };
  const scratch = {
    storage: 'scratch',
    type: 'dir',
    path: '/mnt/pve/scratch',
    nodes: 'pve1',
    content: 'iso',
    digest: DIGEST,
  };

  it('GET /storage lists the storages the caller may audit or allocate on, with the file’s digest', async () => {
    expect(await t.api.data('GET', '/storage')).toEqual([local, localLvm]);
    const all: Entry[] = await t.root.data('GET', '/storage');
    expect(all).toEqual([local, localLvm, scratch]);
    expect(new Set(all.map((entry) => entry.digest)).size).toBe(1);
    expect(await t.root.data('GET', '/storage', { type: 'lvmthin' })).toEqual([localLvm]);
  });

  it('GET /storage/{storage} needs Datastore.Allocate', async () => {
    await expectFailure(
      t.api.get('/storage/local'),
      403,
      'Permission check failed (/storage/local, Datastore.Allocate)',
    );
    expect(await t.root.data('GET', '/storage/scratch')).toEqual(scratch);
    await expectFailure(t.root.get('/storage/nope'), 500, "storage 'nope' does not exist");
  });

  const status = (storage: string, type: string, content: string, total: number) => ({
    storage,
    type,
    content,
    shared: 0,
    total,
    used: 0,
    avail: total,
    active: 1,
    enabled: 1,
    used_fraction: 0,
  });
  const localStatus = status('local', 'dir', local.content, 100 * GIB);
  const lvmStatus = status('local-lvm', 'lvmthin', localLvm.content, 400 * GIB);
  const scratchHere = status('scratch', 'dir', 'iso', 10 * GIB);
  /** storage_info for a storage whose `nodes` leave this node out: listed, not enabled, no usage. */
  const { used_fraction: _fraction, ...scratchIdle } = scratchHere;
  const scratchElsewhere = { ...scratchIdle, total: 0, avail: 0, active: 0, enabled: 0 };

  it('GET /nodes/{node}/storage: state and usage on that node, filtered like GET /storage', async () => {
    expect(await t.api.data('GET', '/nodes/pve1/storage')).toEqual([localStatus, lvmStatus]);
    expect(await t.root.data('GET', '/nodes/pve1/storage')).toEqual([localStatus, lvmStatus, scratchHere]);
    expect(await t.root.data('GET', '/nodes/pve2/storage')).toEqual([
      localStatus,
      lvmStatus,
      scratchElsewhere,
    ]);
    // `enabled` only drops storages disabled in storage.cfg, not those of other nodes.
    expect(await t.root.data('GET', '/nodes/pve2/storage', { enabled: 1 })).toContainEqual(scratchElsewhere);
  });

  it('GET /nodes/{node}/storage filters on content, storage and target', async () => {
    const names = async (node: string, params: Params) =>
      ((await t.root.data('GET', `/nodes/${node}/storage`, params)) as Entry[]).map((entry) => entry.storage);
    expect(await names('pve1', { content: 'iso' })).toEqual(['local', 'scratch']);
    expect(await names('pve2', { content: 'iso' })).toEqual(['local']);
    expect(await names('pve1', { content: 'images,vztmpl' })).toEqual(['local', 'local-lvm']);
    expect(await names('pve2', { storage: 'scratch' })).toEqual(['scratch']);
    expect(await names('pve1', { target: 'pve2' })).toEqual([]);
    expect(await names('pve1', { target: 'pve1' })).toEqual(['local', 'local-lvm', 'scratch']);
    for (const params of [{ storage: 'nope' }, { storage: 'scratch', content: 'images' }] as Params[]) {
      const res = await t.root.get('/nodes/pve1/storage', params);
      expect([res.status, res.body.errors]).toEqual([400, { storage: 'No such storage.' }]);
    }
  });

  it('GET /nodes/{node}/storage?format=1 adds the formats, and the deprecated tuple', async () => {
    const [dir, lvm] = await t.api.data('GET', '/nodes/pve1/storage', { format: 1 });
    expect(dir).toMatchObject({
      formats: { supported: ['qcow2', 'raw', 'subvol', 'vmdk'], default: 'raw' },
      format: [{ qcow2: 1, raw: 1, subvol: 1, vmdk: 1 }, 'raw'],
    });
    expect(lvm).toMatchObject({
      formats: { supported: ['raw'], default: 'raw' },
      format: [{ raw: 1 }, 'raw'],
    });
  });
});

/** Polls until `check` passes on the answer of `read` (tasks end on lab time, a few ms here). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await read();
    if (check(value)) return value;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error('the lab never reached the expected state');
}

describe('pending changes and reboot', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startTestLab();
    await t.root.run('POST', '/nodes/pve1/qemu', {
      vmid: 600,
      memory: 512,
      cores: 1,
      name: 'web',
      ostype: 'l26',
    });
    await t.root.run('POST', '/nodes/pve1/qemu', { vmid: 601, memory: 512 });
    await t.root.run('POST', '/nodes/pve1/qemu/600/status/start');
  });
  afterAll(() => t.stop());

  const pendingOf = async (client: LabClient, keys: string[]) =>
    ((await client.data('GET', '/nodes/pve1/qemu/600/pending')) as Entry[]).filter((item) =>
      keys.includes(String(item.key)),
    );

  it('GET …/pending shows current values beside pending ones and pending deletions', async () => {
    await t.root.put('/nodes/pve1/qemu/600/config', {
      cores: 2,
      memory: 1024,
      name: 'web2',
      delete: 'ostype',
    });
    const { digest } = await t.root.data('GET', '/nodes/pve1/qemu/600/config');
    // A running VM takes the name at once; cores and memory wait for the next start, so does the delete.
    expect(await pendingOf(t.root, ['cores', 'digest', 'memory', 'name', 'ostype'])).toEqual([
      { key: 'cores', value: 1, pending: 2 },
      { key: 'digest', value: digest },
      { key: 'memory', value: '512', pending: '1024' },
      { key: 'name', value: 'web2' },
      { key: 'ostype', value: 'l26', delete: 1 },
    ]);
    await expectFailure(
      t.api.get('/nodes/pve1/qemu/600/pending'),
      403,
      'Permission check failed (/vms/600, VM.Audit)',
    );
    await expectFailure(
      t.root.get('/nodes/pve2/qemu/600/pending'),
      500,
      "Configuration file 'nodes/pve2/qemu-server/600.conf' does not exist",
    );
  });

  it('refuses to reboot a stopped VM, a VM it may not power, a VM that is not there', async () => {
    await expectFailure(t.root.post('/nodes/pve1/qemu/601/status/reboot'), 500, 'VM 601 not running');
    await expectFailure(
      t.root.post('/nodes/pve1/qemu/699/status/reboot'),
      500,
      "unable to find configuration file for VM 699 on node 'pve1'",
    );
    await expectFailure(
      t.api.post('/nodes/pve1/qemu/600/status/reboot'),
      403,
      'Permission check failed (/vms/600, VM.PowerMgmt)',
    );
  });

  it('reboots in a qmreboot task; qmeventd starts the VM again as root@pam, applying the pending changes', async () => {
    const reboot = await t.root.run('POST', '/nodes/pve1/qemu/600/status/reboot');
    expect(reboot).toMatchObject({ type: 'qmreboot', id: '600', exitstatus: 'OK' });
    const starts = await eventually(
      async () =>
        (await t.root.data('GET', '/nodes/pve1/tasks', { typefilter: 'qmstart', vmid: 600 })) as Entry[],
      (tasks) => tasks.length === 2,
    );
    // Newest first: the restart by root@pam itself (no token), then the first start by the lab's token.
    expect(starts.map((task) => [task.user, task.tokenid, task.status])).toEqual([
      ['root@pam', undefined, 'OK'],
      ['root@pam', 'lab', 'OK'],
    ]);
    expect((await t.root.data('GET', '/nodes/pve1/qemu/600/status/current')).status).toBe('running');
    expect(await pendingOf(t.root, ['cores', 'memory', 'ostype'])).toEqual([
      { key: 'cores', value: 2 },
      { key: 'memory', value: '1024' },
    ]);
  });
});

describe('task lists', () => {
  let t: TestLab;
  let failed: string;
  beforeAll(async () => {
    // qmstart takes long enough here to be seen running.
    t = await startTestLab({ faults: { slowTasks: [{ type: 'qmstart', rate: 1, multiplier: 40 }] } });
    await downloadTalosImage(t.api);
    await t.api.run('POST', '/nodes/pve1/qemu', { vmid: 700, memory: 512, pool: 'aggrik8s' });
    await t.root.run('POST', '/nodes/pve1/qemu', { vmid: 701, memory: 512 });
    const status = await t.root.run('POST', '/nodes/pve1/qemu', {
      vmid: 702,
      scsi0: 'local-lvm:0,import-from=local:import/missing.qcow2',
    });
    failed = status.upid;
  });
  afterAll(() => t.stop());

  const summary = (tasks: Entry[]) => tasks.map((task) => `${task.type}:${task.id}:${String(task.user)}`);

  it('GET /cluster/tasks: everything with Sys.Audit on /; a token without it not even its own tasks', async () => {
    expect(await t.api.data('GET', '/cluster/tasks')).toEqual([]);
    const all: Entry[] = await t.root.data('GET', '/cluster/tasks');
    expect(summary(all).sort()).toEqual(
      [
        'download:talos-v1.11.6-nocloud-amd64.qcow2:twin@pve',
        'qmcreate:700:twin@pve',
        'qmcreate:701:root@pam',
        'qmcreate:702:root@pam',
      ].sort(),
    );
    const download = all.find((task) => task.type === 'download');
    expect(download).toEqual({
      upid: expect.stringContaining(':download:'),
      node: 'pve1',
      starttime: expect.any(Number),
      type: 'download',
      id: 'talos-v1.11.6-nocloud-amd64.qcow2',
      user: 'twin@pve',
      tokenid: 'gha',
      saved: '1',
      endtime: expect.any(Number),
      status: 'OK',
    });
  });

  it('GET /nodes/{node}/tasks: all of the node’s tasks with Sys.Audit there (TwinNodes on /nodes propagates)', async () => {
    const mine: Entry[] = await t.api.data('GET', '/nodes/pve1/tasks');
    expect(summary(mine)).toEqual([
      'qmcreate:702:root@pam',
      'qmcreate:701:root@pam',
      'qmcreate:700:twin@pve',
      'download:talos-v1.11.6-nocloud-amd64.qcow2:twin@pve',
    ]);
    expect(mine[0]).toEqual({
      upid: failed,
      node: 'pve1',
      pid: expect.any(Number),
      pstart: expect.any(Number),
      starttime: expect.any(Number),
      type: 'qmcreate',
      id: '702',
      user: 'root@pam',
      tokenid: 'lab',
      endtime: expect.any(Number),
      status: expect.stringMatching(/^unable to create VM 702 - /),
    });
    expect(await t.api.data('GET', '/nodes/pve2/tasks')).toEqual([]);
  });

  it('honours typefilter, vmid, userfilter, errors, statusfilter, since/until and start/limit with total', async () => {
    const list = async (params: Params) => summary(await t.root.data('GET', '/nodes/pve1/tasks', params));
    expect(await list({ typefilter: 'download' })).toEqual([
      'download:talos-v1.11.6-nocloud-amd64.qcow2:twin@pve',
    ]);
    expect(await list({ vmid: 701 })).toEqual(['qmcreate:701:root@pam']);
    expect(await list({ userfilter: 'TWIN' })).toEqual([
      'qmcreate:700:twin@pve',
      'download:talos-v1.11.6-nocloud-amd64.qcow2:twin@pve',
    ]);
    expect(await list({ errors: 1 })).toEqual(['qmcreate:702:root@pam']);
    expect(await list({ statusfilter: 'ok', typefilter: 'qmcreate' })).toEqual([
      'qmcreate:701:root@pam',
      'qmcreate:700:twin@pve',
    ]);
    const future = Math.floor(Date.now() / 1000) + 3600;
    expect(await list({ since: future })).toEqual([]);
    expect((await list({ until: future })).length).toBe(4);
    const page = await t.root.get('/nodes/pve1/tasks', { start: 1, limit: 2 });
    expect(summary(page.body.data)).toEqual(['qmcreate:701:root@pam', 'qmcreate:700:twin@pve']);
    expect(page.body.total).toBe(4);
  });

  it('source=active lists running tasks as RUNNING, with the token id unsplit', async () => {
    const upid = await t.root.data('POST', '/nodes/pve1/qemu/701/status/start');
    const active: Entry[] = await t.api.data('GET', '/nodes/pve1/tasks', { source: 'active' });
    expect(active).toEqual([
      {
        upid,
        node: 'pve1',
        pid: expect.any(Number),
        pstart: expect.any(Number),
        starttime: expect.any(Number),
        type: 'qmstart',
        id: '701',
        user: 'root@pam!lab',
        saved: '0',
        status: 'RUNNING',
      },
    ]);
    expect((await t.root.data('GET', '/nodes/pve1/tasks', { source: 'all' })).length).toBe(5);
    const broadcast = ((await t.root.data('GET', '/cluster/tasks')) as Entry[])[0];
    expect(broadcast).toMatchObject({
      upid,
      pid: expect.any(Number),
      saved: '0',
      user: 'root@pam',
      tokenid: 'lab',
    });
    expect(broadcast).not.toHaveProperty('status');
    await t.root.waitTask(upid);
  });

  it('GET /nodes/{node}/tasks without Sys.Audit on the node: only the caller’s own tasks', async () => {
    editUserCfg(t, (text) => text.replace('acl:1:/nodes:', 'acl:1:/nodes/pve2:'));
    try {
      expect(summary(await t.api.data('GET', '/nodes/pve1/tasks'))).toEqual([
        'qmcreate:700:twin@pve',
        'download:talos-v1.11.6-nocloud-amd64.qcow2:twin@pve',
      ]);
      expect(await t.api.data('GET', '/nodes/pve1/tasks', { source: 'active' })).toEqual([]);
    } finally {
      editUserCfg(t, (text) => text.replace('acl:1:/nodes/pve2:', 'acl:1:/nodes:'));
    }
  });
});

describe('GET /cluster/options', () => {
  let t: TestLab;
  beforeAll(async () => {
    t = await startTestLab();
  });
  afterAll(() => t.stop());

  it('gives everything with Sys.Audit on /, otherwise only allowed-tags: the tags of the VMs it may audit', async () => {
    const datacenter = { keyboard: 'en-us', description: '', mac_prefix: 'BC:24:11' };
    expect(await t.api.data('GET', '/cluster/options')).toEqual({ 'allowed-tags': [] });
    expect(await t.root.data('GET', '/cluster/options')).toEqual({ ...datacenter, 'allowed-tags': [] });

    await t.root.run('POST', '/nodes/pve1/qemu', { vmid: 800, memory: 512, tags: 'secret;db' });
    await t.api.run('POST', '/nodes/pve1/qemu', { vmid: 801, memory: 512, pool: 'aggrik8s' });
    expect((await t.api.put('/nodes/pve1/qemu/801/config', { tags: 'talos;cp' })).status).toBe(200);

    expect(await t.api.data('GET', '/cluster/options')).toEqual({ 'allowed-tags': ['cp', 'talos'] });
    expect(await t.root.data('GET', '/cluster/options')).toEqual({
      ...datacenter,
      'allowed-tags': ['cp', 'db', 'secret', 'talos'],
    });
  });
});
