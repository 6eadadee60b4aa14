import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaultConfig } from '../../../src/lab/faults.js';
import { TALOS_IMAGE_URL, downloadTalosImage, startTestLab, talosCreateParams } from './helpers.js';

describe('a lab restarted on the same dir', () => {
  it('keeps its CA, token, VMs, pools and the tasks that were still running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twin-lab-'));
    try {
      const first = await startTestLab({}, dir);
      await downloadTalosImage(first.root);
      await first.root.post('/pools', { poolid: 'kept' });
      expect(
        (await first.root.run('POST', '/nodes/pve1/qemu', talosCreateParams(101, { pool: 'kept' })))
          .exitstatus,
      ).toBe('OK');
      const inFlight = await first.root.data('POST', '/nodes/pve1/storage/local/download-url', {
        url: TALOS_IMAGE_URL,
        content: 'import',
        filename: 'second.qcow2',
      });
      const identity = {
        token: first.lab.token,
        fingerprint: first.lab.fingerprint,
        caFile: first.lab.caFile,
      };
      await first.stop();
      expect(statSync(join(dir, 'pve-token.json')).mode & 0o777).toBe(0o600);

      const second = await startTestLab({}, dir);
      try {
        expect({
          token: second.lab.token,
          fingerprint: second.lab.fingerprint,
          caFile: second.lab.caFile,
        }).toEqual(identity);
        expect((await second.root.data('GET', '/nodes/pve1/qemu/101/config')).tags).toBe(
          'cluster-a;cp;talos',
        );
        const [pool] = await second.root.data('GET', '/pools', { poolid: 'kept' });
        expect(pool.members.map((member: { vmid: number }) => member.vmid)).toEqual([101]);
        expect((await second.root.waitTask(inFlight)).exitstatus).toBe('OK');
        const content = await second.root.data('GET', '/nodes/pve1/storage/local/content', {
          content: 'import',
        });
        expect(content.map((item: { volid: string }) => item.volid)).toContain('local:import/second.qcow2');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fault injection', () => {
  const statuses = async (faults: FaultConfig, seed: number) => {
    const lab = await startTestLab({ faults, seed });
    try {
      const result: number[] = [];
      for (let i = 0; i < 16; i++) result.push((await lab.root.get('/cluster/resources')).status);
      return result;
    } finally {
      await lab.stop();
    }
  };

  it('answers 5xx on the matching endpoint, the same way for the same seed', async () => {
    const faults: FaultConfig = { httpErrors: [{ match: 'GET /cluster/resources', rate: 0.5, status: 503 }] };
    const first = await statuses(faults, 42);
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await statuses(faults, 42)).toEqual(first);
  });

  it('drops connections, fails tasks and stalls locks as configured', async () => {
    const lab = await startTestLab({
      faults: {
        dropConnections: [{ match: 'GET /version', rate: 1 }],
        taskFailures: [{ type: 'qmstop', rate: 1, message: 'VM 100 qmp command failed - got timeout' }],
        lockStalls: [{ type: 'qmstart', rate: 1, seconds: 60 }],
      },
    });
    try {
      await expect(lab.root.get('/version')).rejects.toThrow();
      await lab.root.run('POST', '/nodes/pve1/qemu', { vmid: 100, memory: 512 });
      const start = await lab.root.data('POST', '/nodes/pve1/qemu/100/status/start');
      const blocked = await lab.root.put('/nodes/pve1/qemu/100/config', { description: 'x' });
      expect(blocked.statusMessage).toBe(
        "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
      );
      expect((await lab.root.waitTask(start)).exitstatus).toBe('OK');
      const stop = await lab.root.run('POST', '/nodes/pve1/qemu/100/status/stop');
      expect(stop.exitstatus).toBe('VM 100 qmp command failed - got timeout');
    } finally {
      await lab.stop();
    }
  });
});
