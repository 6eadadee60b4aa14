import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestLab } from './helpers.js';
import { downloadTalosImage, startTestLab, talosCreateParams } from './helpers.js';

let t: TestLab;

beforeAll(async () => {
  t = await startTestLab();
  await downloadTalosImage(t.root);
  const create = await t.root.run(
    'POST',
    '/nodes/pve1/qemu',
    talosCreateParams(200, { scsi1: 'local-lvm:10' }),
  );
  expect(create.exitstatus).toBe('OK');
});
afterAll(() => t.stop());

const configLockTimeout = "can't lock file '/var/lock/qemu-server/lock-200.conf' - got timeout";

describe('the config lock of a VM', () => {
  it('makes changes racing a long task on the VM fail with PVE lock timeout', async () => {
    // A full clone reads the source's disks for a long time and holds its config lock meanwhile.
    const clone = await t.root.data('POST', '/nodes/pve1/qemu/200/clone', { newid: 201, full: 1 });
    const [first, second] = await Promise.all([
      t.root.put('/nodes/pve1/qemu/200/config', { description: 'first' }),
      t.root.put('/nodes/pve1/qemu/200/config', { description: 'second' }),
    ]);
    for (const res of [first, second]) {
      expect(res.status).toBe(500);
      expect(res.statusMessage).toBe(configLockTimeout);
      expect(res.body.message).toBe(`${configLockTimeout}\n`);
    }
    const viaTask = await t.root.run('POST', '/nodes/pve1/qemu/200/config', { description: 'third' });
    expect(viaTask.exitstatus).toBe(configLockTimeout);

    const target = await t.root.put('/nodes/pve1/qemu/201/config', { description: 'x' });
    expect(target.statusMessage).toBe('VM is locked (clone)');

    expect((await t.root.waitTask(clone)).exitstatus).toBe('OK');
    expect(await t.root.data('PUT', '/nodes/pve1/qemu/200/config', { description: 'after' })).toBeNull();
  });

  it('lets a change through when the holder finishes within the timeout', async () => {
    const start = await t.root.data('POST', '/nodes/pve1/qemu/200/status/start');
    const holdsUntil = t.lab.state.task(start)?.endsAt ?? 0;
    expect(await t.root.data('PUT', '/nodes/pve1/qemu/200/config', { description: 'waited' })).toBeNull();
    expect(Date.now()).toBeGreaterThanOrEqual(holdsUntil);
    expect((await t.root.data('GET', '/nodes/pve1/qemu/200/config')).description).toBe('waited');
    await t.root.run('POST', '/nodes/pve1/qemu/200/status/stop');
  });
});

describe('the storage lock', () => {
  it('serialises allocations on one storage, so many parallel creates time out as users report', async () => {
    const vmids = Array.from({ length: 12 }, (_, index) => 300 + index);
    const upids: string[] = await Promise.all(
      vmids.map((vmid) =>
        t.root.data('POST', '/nodes/pve2/qemu', {
          vmid,
          scsi0: 'local-lvm:8',
          scsi1: 'local-lvm:8',
          ide2: 'local-lvm:cloudinit',
        }),
      ),
    );
    const statuses = await Promise.all(upids.map((upid) => t.root.waitTask(upid)));
    const failed = statuses.filter((status) => status.exitstatus !== 'OK');
    expect(statuses.some((status) => status.exitstatus === 'OK')).toBe(true);
    expect(failed.length).toBeGreaterThan(0);
    for (const status of failed) {
      expect(status.exitstatus).toBe(
        `unable to create VM ${status.id} - can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout`,
      );
      // A failed create leaves nothing behind.
      expect(await t.root.data('GET', '/nodes/pve2/storage/local-lvm/content', { vmid: status.id })).toEqual(
        [],
      );
    }
  });

  it('is per node: creates on another node do not wait for it', async () => {
    const status = await t.root.run('POST', '/nodes/pve3/qemu', { vmid: 400, scsi0: 'local-lvm:8' });
    expect(status.exitstatus).toBe('OK');
  });
});
