import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestLab } from './helpers.js';
import { servedImageBytes, servedImageDigest } from '../../../src/lab/pve/served-image.js';
import { TALOS_IMAGE_URL, startTestLab } from './helpers.js';

let t: TestLab;
beforeAll(async () => {
  t = await startTestLab();
});
afterAll(() => t.stop());

const download = (params: Record<string, string>) =>
  t.root.post('/nodes/pve1/storage/local/download-url', {
    url: TALOS_IMAGE_URL,
    content: 'import',
    ...params,
  });
/** The sha256 of the file the lab serves at the image URL: `lab-image:<url>`. */
const SHA = servedImageDigest(TALOS_IMAGE_URL, 'sha256');

describe('download-url', () => {
  it('downloads into import content as a task named after the file, taking its time', async () => {
    const res = await download({
      filename: 'talos image.qcow2',
      checksum: SHA,
      'checksum-algorithm': 'sha256',
    });
    const upid: string = res.body.data;
    expect(upid).toContain(':download:talos_image.qcow2:');
    expect((await t.root.data('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).status).toBe(
      'running',
    );
    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    const log = await t.root.taskLog(upid);
    expect(log[0]).toBe(`downloading ${TALOS_IMAGE_URL} to /var/lib/vz/import/talos_image.qcow2`);
    expect(log).toContain('calculating checksum...OK, checksum verified');
    const content = await t.root.data('GET', '/nodes/pve1/storage/local/content', { content: 'import' });
    expect(content).toEqual([
      expect.objectContaining({
        volid: 'local:import/talos_image.qcow2',
        format: 'qcow2',
        content: 'import',
        size: 1246 * 1024 ** 2,
      }),
    ]);
  });

  it('serves `lab-image:<url>` at every URL, so a checksum is checked against those bytes', () => {
    expect(SHA).toBe(createHash('sha256').update(`lab-image:${TALOS_IMAGE_URL}`).digest('hex'));
    expect(servedImageBytes(TALOS_IMAGE_URL).toString()).toBe(`lab-image:${TALOS_IMAGE_URL}`);
  });

  it('fails a download whose checksum is not that of the bytes served, as PVE does, storing nothing', async () => {
    const wrong = 'a'.repeat(64);
    const upid = (
      await download({ filename: 'wrong.qcow2', checksum: wrong, 'checksum-algorithm': 'sha256' })
    ).body.data;
    const status = await t.root.waitTask(upid);
    expect(status.exitstatus).toBe(`checksum mismatch: got '${SHA}' != expect '${wrong}'`);
    expect(await t.root.taskLog(upid)).toContain('calculating checksum...');
    const sha512 = servedImageDigest(TALOS_IMAGE_URL, 'sha512');
    const right512 = await t.root.waitTask(
      (
        await download({
          filename: 'sha512.qcow2',
          checksum: sha512.toUpperCase(),
          'checksum-algorithm': 'sha512',
        })
      ).body.data,
    );
    expect(right512.exitstatus).toBe('OK');
    const content = await t.root.data('GET', '/nodes/pve1/storage/local/content', { content: 'import' });
    expect(content.map((item: { volid: string }) => item.volid).sort()).toEqual([
      'local:import/sha512.qcow2',
      'local:import/talos_image.qcow2',
    ]);
  });

  it('is idempotent with the same checksum', async () => {
    const upid = (
      await download({ filename: 'talos_image.qcow2', checksum: SHA, 'checksum-algorithm': 'sha256' })
    ).body.data;
    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    expect(await t.root.taskLog(upid)).toContain(
      'calculating checksum of existing file...OK, got correct file already, no need to download',
    );
  });

  it('fails on a different checksum, and refuses to overwrite without one', async () => {
    const other = 'b'.repeat(64);
    const mismatch = await t.root.waitTask(
      (await download({ filename: 'talos_image.qcow2', checksum: other, 'checksum-algorithm': 'sha256' }))
        .body.data,
    );
    expect(mismatch.exitstatus).toBe(`checksum mismatch: got '${SHA}' != expect '${other}', aborting`);
    const none = await t.root.waitTask((await download({ filename: 'talos_image.qcow2' })).body.data);
    expect(none.exitstatus).toBe("refusing to override existing file '/var/lib/vz/import/talos_image.qcow2'");
  });

  it('checks content type, extension and URL before starting', async () => {
    const content = await download({ filename: 'x.qcow2', content: 'images' });
    expect(content.status).toBe(400);
    expect(Object.keys(content.body.errors)).toEqual(['content']);
    const extension = await download({ filename: 'talos.img' });
    expect(extension.body.errors).toEqual({ filename: 'invalid filename or wrong extension' });
    const url = await download({ filename: 'x.qcow2', url: 'ftp://example.org/x.qcow2' });
    expect(Object.keys(url.body.errors)).toEqual(['url']);
    const block = await t.root.post('/nodes/pve1/storage/local-lvm/download-url', {
      url: TALOS_IMAGE_URL,
      content: 'import',
      filename: 'x.qcow2',
    });
    expect(block.statusMessage).toBe("can't upload to storage type 'lvmthin', not a file based storage!");
  });

  it('decompresses only ISO images', async () => {
    const status = await t.root.waitTask(
      (await download({ filename: 'talos.raw', compression: 'zst' })).body.data,
    );
    expect(status.exitstatus).toBe('decompression not supported for import');
  });

  it('stores an unparsable name like x.raw.xz, which no VM can import afterwards', async () => {
    const status = await t.root.waitTask((await download({ filename: 'talos.raw.xz' })).body.data);
    expect(status.exitstatus).toBe('OK');
    const names = (await t.root.data('GET', '/nodes/pve1/storage/local/content')).map(
      (item: { volid: string }) => item.volid,
    );
    expect(names).not.toContain('local:import/talos.raw.xz');
    const create = await t.root.post('/nodes/pve1/qemu', {
      vmid: 150,
      scsi0: 'local-lvm:0,import-from=local:import/talos.raw.xz',
    });
    expect(create.statusMessage).toBe("unable to parse directory volume name 'import/talos.raw.xz'");
  });
});

describe('deleting a volume', () => {
  it('runs an imgdel task, and warns when the file is already gone', async () => {
    const upid = await t.root.data(
      'DELETE',
      '/nodes/pve1/storage/local/content/local:import/talos_image.qcow2',
    );
    expect(upid).toContain(':imgdel:local:');
    expect((await t.root.waitTask(upid)).exitstatus).toBe('OK');
    expect(await t.root.taskLog(upid)).toContain("Removed volume 'local:import/talos_image.qcow2'");
    const again = await t.root.data('DELETE', '/nodes/pve1/storage/local/content/import/talos_image.qcow2');
    expect((await t.root.waitTask(again)).exitstatus).toBe('WARNINGS: 1');
  });

  it('answers null when the task ends within `delay`', async () => {
    await t.root.run('POST', '/nodes/pve1/storage/local/download-url', {
      url: TALOS_IMAGE_URL,
      content: 'import',
      filename: 'short-lived.qcow2',
    });
    expect(
      await t.root.data('DELETE', '/nodes/pve1/storage/local/content/import/short-lived.qcow2', {
        delay: 30,
      }),
    ).toBeNull();
  });
});

describe('a storage without the content type', () => {
  it("refuses the download with pve-storage's text", async () => {
    const lab = await startTestLab({
      nodes: [
        {
          name: 'pve1',
          storages: [{ id: 'local', type: 'dir', content: ['iso'], totalBytes: 10 * 1024 ** 3 }],
        },
      ],
    });
    try {
      const res = await lab.root.post('/nodes/pve1/storage/local/download-url', {
        url: TALOS_IMAGE_URL,
        content: 'import',
        filename: 'x.qcow2',
      });
      expect(res.status).toBe(500);
      expect(res.statusMessage).toBe("storage 'local' is not configured for content-type 'import'");
    } finally {
      await lab.stop();
    }
  });
});
