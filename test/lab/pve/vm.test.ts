import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPID_REGEX } from '../../../src/lab/pve/upid.js';
import type { TestLab } from './helpers.js';
import { downloadTalosImage, startTestLab, talosCreateParams } from './helpers.js';

const GIB = 1024 ** 3;
let t: TestLab;

beforeAll(async () => {
  t = await startTestLab();
  await downloadTalosImage(t.root);
  await t.root.post('/pools', { poolid: 'twin-a' });
});
afterAll(() => t.stop());

describe('creating a VM', () => {
  it('holds `lock: create` while the task runs, then writes the config with normalised tags', async () => {
    const upid = await t.root.data(
      'POST',
      '/nodes/pve1/qemu',
      talosCreateParams(101, { tags: 'Talos;cp;CP;cluster-a', pool: 'twin-a' }),
    );
    expect(upid).toMatch(UPID_REGEX);
    expect(upid).toContain(':qmcreate:101:root@pam!lab:');
    const during = await t.root.put('/nodes/pve1/qemu/101/config', { description: 'too early' });
    expect(during.status).toBe(500);
    expect(during.statusMessage).toBe('VM is locked (create)');

    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    const config = await t.root.data('GET', '/nodes/pve1/qemu/101/config');
    expect(config.tags).toBe('cluster-a;cp;talos');
    expect(config.scsi0).toBe('local-lvm:vm-101-disk-0,discard=on,iothread=1,size=1246M,ssd=1');
    expect(config.scsi1).toBe('local-lvm:vm-101-disk-1,size=100G');
    expect(config.ide2).toBe('local-lvm:vm-101-cloudinit,media=cdrom');
    expect(config.net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0,tag=20$/);
    expect(config).toMatchObject({ cores: 2, onboot: 1, memory: '4096', boot: 'order=scsi0' });
    expect(config.lock).toBeUndefined();
    expect(config.digest).toMatch(/^[0-9a-f]{40}$/);
    const log = await t.root.taskLog(upid);
    expect(log).toContain(
      "scsi0: successfully created disk 'local-lvm:vm-101-disk-0,discard=on,iothread=1,size=1246M,ssd=1'",
    );
    expect(log.at(-1)).toBe('TASK OK');
  });

  it('refuses a VMID that exists anywhere in the cluster', async () => {
    const res = await t.root.post('/nodes/pve2/qemu', { vmid: 101 });
    expect(res.status).toBe(500);
    expect(res.statusMessage).toBe("unable to create VM 101 - VM 101 already exists on node 'pve1'");
  });

  it('answers for a VM on another node than the path as that node would', async () => {
    const res = await t.root.get('/nodes/pve2/qemu/101/config');
    expect(res.status).toBe(500);
    expect(res.statusMessage).toBe("Configuration file 'nodes/pve2/qemu-server/101.conf' does not exist");
  });

  it('refuses import-from an iso volume, and a pool that does not exist', async () => {
    await t.root.run('POST', '/nodes/pve1/storage/local/download-url', {
      url: 'https://example.org/talos.iso',
      content: 'iso',
      filename: 'talos.iso',
    });
    const iso = await t.root.post('/nodes/pve1/qemu', {
      vmid: 120,
      scsi0: 'local-lvm:0,import-from=local:iso/talos.iso',
    });
    expect(iso.status).toBe(400);
    expect(iso.body.errors).toEqual({
      scsi0: "local:iso/talos.iso has wrong type 'iso' - needs to be 'images' or 'import'",
    });
    const pool = await t.root.post('/nodes/pve1/qemu', { vmid: 120, pool: 'nope' });
    expect(pool.status).toBe(403);
    expect(pool.statusMessage).toBe("Permission check failed (pool 'nope' does not exist)");
  });

  it('fails the task when the import source is missing, and the VM is gone again', async () => {
    const status = await t.root.run('POST', '/nodes/pve1/qemu', {
      vmid: 121,
      scsi0: 'local-lvm:0,import-from=local:import/missing.qcow2',
    });
    expect(status.exitstatus).toBe(
      "unable to create VM 121 - failed to stat '/var/lib/vz/import/missing.qcow2'",
    );
    expect((await t.root.get('/nodes/pve1/qemu/121/config')).status).toBe(500);
    const volumes = await t.root.data('GET', '/nodes/pve1/storage/local-lvm/content', { vmid: 121 });
    expect(volumes).toEqual([]);
  });
});

describe('changing a VM', () => {
  it('PUT returns null, POST a UPID; digest guards against concurrent changes; delete= removes keys', async () => {
    const { digest } = await t.root.data('GET', '/nodes/pve1/qemu/101/config');
    expect(
      await t.root.data('PUT', '/nodes/pve1/qemu/101/config', { description: 'hello', digest }),
    ).toBeNull();
    const stale = await t.root.put('/nodes/pve1/qemu/101/config', { description: 'again', digest });
    expect(stale.status).toBe(500);
    expect(stale.statusMessage).toBe('checksum mismatch (file change by other user?)');

    const upid = await t.root.data('POST', '/nodes/pve1/qemu/101/config', {
      delete: 'description',
      tags: 'cp;B;a',
    });
    expect(upid).toContain(':qmconfig:101:');
    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    const config = await t.root.data('GET', '/nodes/pve1/qemu/101/config');
    expect(config.description).toBeUndefined();
    expect(config.tags).toBe('a;b;cp');
    expect(
      await t.root.data('POST', '/nodes/pve1/qemu/101/config', { tags: 'talos;cp', background_delay: 30 }),
    ).toBeNull();
  });

  it('warns when asked to delete a key that is not set', async () => {
    const upid = await t.root.data('POST', '/nodes/pve1/qemu/101/config', { delete: 'serial1' });
    expect((await t.root.waitTask(upid)).exitstatus).toBe('WARNINGS: 1');
    expect(await t.root.taskLog(upid)).toContain(
      "WARN: cannot delete 'serial1' - not set in current configuration!",
    );
  });

  it('resizes with a task, relative or absolute, and refuses to shrink', async () => {
    const upid = await t.root.data('PUT', '/nodes/pve1/qemu/101/resize', { disk: 'scsi0', size: '32G' });
    expect(upid).toContain(':resize:101:');
    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    expect(
      (await t.root.run('PUT', '/nodes/pve1/qemu/101/resize', { disk: 'scsi0', size: '+2G' })).exitstatus,
    ).toBe('OK');
    expect((await t.root.data('GET', '/nodes/pve1/qemu/101/config')).scsi0).toContain('size=34G');
    const shrink = await t.root.run('PUT', '/nodes/pve1/qemu/101/resize', { disk: 'scsi0', size: '1G' });
    expect(shrink.exitstatus).toBe('shrinking disks is not supported');
  });
});

describe('power and the guest agent', () => {
  it('starts the VM: status, memory accounting and /cluster/resources follow', async () => {
    const agentOff = await t.root.get('/nodes/pve1/qemu/101/agent/network-get-interfaces');
    expect(agentOff.statusMessage).toBe('VM 101 is not running');
    const upid = await t.root.data('POST', '/nodes/pve1/qemu/101/status/start');
    expect(upid).toContain(':qmstart:101:');
    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    expect(await t.root.data('GET', '/nodes/pve1/qemu/101/status/current')).toMatchObject({
      status: 'running',
      maxmem: 4 * GIB,
      agent: 1,
    });
    const node = await t.root.data('GET', '/nodes/pve1/status');
    expect(node.memory.used).toBe(6 * GIB); // 2 GiB for PVE itself + the VM
    const vms = await t.root.data('GET', '/cluster/resources', { type: 'vm' });
    expect(vms).toContainEqual(
      expect.objectContaining({
        id: 'qemu/101',
        type: 'qemu',
        vmid: 101,
        node: 'pve1',
        status: 'running',
        maxmem: 4 * GIB,
        tags: 'cp;talos',
        pool: 'twin-a',
      }),
    );
    const again = await t.root.run('POST', '/nodes/pve1/qemu/101/status/start');
    expect(again.exitstatus).toBe('VM 101 already running');
  });

  it('has no agent answer until the guest runs one, then the cloud-init address', async () => {
    const silent = await t.root.get('/nodes/pve1/qemu/101/agent/network-get-interfaces');
    expect(silent.status).toBe(500);
    expect(silent.statusMessage).toBe('QEMU guest agent is not running');
    t.lab.state.setGuestAgent(101, true);
    const { result } = await t.root.data('GET', '/nodes/pve1/qemu/101/agent/network-get-interfaces');
    const mac = (await t.root.data('GET', '/nodes/pve1/qemu/101/config')).net0.slice(
      'virtio='.length,
      'virtio='.length + 17,
    );
    expect(result[1]).toMatchObject({ name: 'eth0', 'hardware-address': mac.toLowerCase() });
    expect(result[1]['ip-addresses'][0]).toEqual({
      'ip-address-type': 'ipv4',
      'ip-address': '192.168.10.11',
      prefix: 24,
    });
    expect(await t.root.data('POST', '/nodes/pve1/qemu/101/agent/ping')).toEqual({ result: {} });
  });

  it('refuses to destroy a running VM', async () => {
    const res = await t.root.delete('/nodes/pve1/qemu/101');
    expect(res.status).toBe(500);
    expect(res.statusMessage).toBe('VM 101 is running - destroy failed');
  });

  it('fails a shutdown the guest ignores, unless forceStop', async () => {
    t.lab.state.setGuestShutdownResponse(101, false);
    const ignored = await t.root.run('POST', '/nodes/pve1/qemu/101/status/shutdown', { timeout: 5 });
    expect(ignored.exitstatus).toBe('VM quit/powerdown failed - got timeout');
    expect((await t.root.data('GET', '/nodes/pve1/qemu/101/status/current')).status).toBe('running');
    const forced = await t.root.run('POST', '/nodes/pve1/qemu/101/status/shutdown', {
      timeout: 5,
      forceStop: 1,
    });
    expect(forced.exitstatus).toBe('OK');
    expect((await t.root.data('GET', '/nodes/pve1/qemu/101/status/current')).status).toBe('stopped');
  });

  it('answers "No QEMU guest agent configured" for a VM without agent', async () => {
    await t.root.run('POST', '/nodes/pve1/qemu', { vmid: 130, memory: 512 });
    expect((await t.root.get('/nodes/pve1/qemu/130/agent/network-get-interfaces')).statusMessage).toBe(
      'No QEMU guest agent configured',
    );
  });
});

describe('pending changes', () => {
  it('apply fast-plug options at once on a running VM and keep the rest for the next start', async () => {
    await t.root.run('POST', '/nodes/pve1/qemu/130/status/start');
    expect(
      await t.root.data('PUT', '/nodes/pve1/qemu/130/config', { name: 'renamed', memory: 1024 }),
    ).toBeNull();
    const current = await t.root.data('GET', '/nodes/pve1/qemu/130/config', { current: 1 });
    expect(current).toMatchObject({ name: 'renamed', memory: '512' });
    expect((await t.root.data('GET', '/nodes/pve1/qemu/130/config')).memory).toBe('1024');
    await t.root.run('POST', '/nodes/pve1/qemu/130/status/stop');
    await t.root.run('POST', '/nodes/pve1/qemu/130/status/start');
    expect((await t.root.data('GET', '/nodes/pve1/qemu/130/config', { current: 1 })).memory).toBe('1024');
    expect((await t.root.data('GET', '/nodes/pve1/qemu/130/status/current')).maxmem).toBe(GIB);
    await t.root.run('POST', '/nodes/pve1/qemu/130/status/stop');
  });

  it('create with start=1 starts the VM in a qmstart task of its own', async () => {
    expect(
      (await t.root.run('POST', '/nodes/pve1/qemu', { vmid: 131, memory: 256, start: 1 })).exitstatus,
    ).toBe('OK');
    const start = t.lab.state.tasks().find((task) => task.type === 'qmstart' && task.id === '131');
    expect(start).toBeDefined();
    expect((await t.root.waitTask(start?.upid ?? '')).exitstatus).toBe('OK');
    expect((await t.root.data('GET', '/nodes/pve1/qemu/131/status/current')).status).toBe('running');
  });
});

describe('templates, clones and destroying', () => {
  it('makes a template whose linked clone shares its base volume', async () => {
    expect((await t.root.run('POST', '/nodes/pve1/qemu/101/template')).exitstatus).toBe('OK');
    const template = await t.root.data('GET', '/nodes/pve1/qemu/101/config');
    expect(template.template).toBe(1);
    expect(template.scsi0).toMatch(/^local-lvm:base-101-disk-0,/);

    const clone = await t.root.run('POST', '/nodes/pve1/qemu/101/clone', {
      newid: 111,
      name: 'clone-a',
      pool: 'twin-a',
    });
    expect(clone.type).toBe('qmclone');
    expect(clone.exitstatus).toBe('OK');
    const config = await t.root.data('GET', '/nodes/pve1/qemu/111/config');
    expect(config.scsi0).toMatch(/^local-lvm:base-101-disk-0\/vm-111-disk-\d,/);
    expect(config.name).toBe('clone-a');
    expect(config.template).toBeUndefined();
    expect(config.net0).not.toBe(template.net0);
  });

  it('refuses a linked clone of a VM that is no template', async () => {
    const res = await t.root.post('/nodes/pve1/qemu/111/clone', { newid: 112, full: 0 });
    expect(res.status).toBe(500);
    expect(res.statusMessage).toMatch(/^Linked clone feature is not supported for 'local-lvm:/);
  });

  it('destroys a VM with its volumes and pool membership; a second destroy finds no config', async () => {
    const pool = await t.root.delete('/pools', { poolid: 'twin-a' });
    expect(pool.statusMessage).toBe("delete pool failed: pool 'twin-a' is not empty (contains VM 101)");
    expect((await t.root.run('DELETE', '/nodes/pve1/qemu/111', { purge: 1 })).exitstatus).toBe('OK');
    expect(await t.root.data('GET', '/nodes/pve1/storage/local-lvm/content', { vmid: 111 })).toEqual([]);
    const [members] = await t.root.data('GET', '/pools', { poolid: 'twin-a' });
    expect(members.members.map((member: { vmid: number }) => member.vmid)).toEqual([101]);
    const again = await t.root.delete('/nodes/pve1/qemu/111');
    expect(again.status).toBe(500);
    expect(again.statusMessage).toBe("Configuration file 'nodes/pve1/qemu-server/111.conf' does not exist");
  });
});

describe('capacity of a node', () => {
  it('makes a start fail when the VM does not fit', async () => {
    const small = await startTestLab({ nodes: [{ name: 'pve1', memoryBytes: 8 * GIB }] });
    try {
      await small.root.run('POST', '/nodes/pve1/qemu', { vmid: 100, memory: 4096 });
      await small.root.run('POST', '/nodes/pve1/qemu', { vmid: 101, memory: 4096 });
      expect((await small.root.run('POST', '/nodes/pve1/qemu/100/status/start')).exitstatus).toBe('OK');
      const upid = await small.root.data('POST', '/nodes/pve1/qemu/101/status/start');
      expect((await small.root.waitTask(upid)).exitstatus).toBe('start failed: QEMU exited with code 1');
      expect(await small.root.taskLog(upid)).toContain(
        "kvm: cannot set up guest memory 'pc.ram': Cannot allocate memory",
      );
    } finally {
      await small.stop();
    }
  });

  it('makes a create fail when its disks do not fit the storage', async () => {
    const small = await startTestLab({
      nodes: [
        {
          name: 'pve1',
          storages: [{ id: 'local-lvm', type: 'lvmthin', content: ['images'], totalBytes: 10 * GIB }],
        },
      ],
    });
    try {
      const status = await small.root.run('POST', '/nodes/pve1/qemu', {
        vmid: 100,
        scsi0: 'local-lvm:8',
        scsi1: 'local-lvm:8',
      });
      expect(status.exitstatus).toBe(
        "unable to create VM 100 - lvcreate 'pve/vm-100-disk-1' error:   Cannot create new thin volume, free space in thin pool pve/data reached threshold.",
      );
      expect(await small.root.data('GET', '/nodes/pve1/storage/local-lvm/content')).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});
