import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLab } from '../../../src/lab/lab.js';
import { LabClient, TEST_TIME_SCALE } from '../pve/helpers.js';
import type { ToolLab } from './helpers.js';
import { startToolLab } from './helpers.js';
import { bootstrapCluster, provision } from './cluster-flow.js';

describe('lab tools: a lab restarted on the same DIR', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('keeps its Talos nodes, the bootstrap and the Kubernetes API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twin-lab-restart-'));
    dirs.push(dir);
    const first: ToolLab = await startToolLab(dir);
    dirs.push(first.work);
    await bootstrapCluster(first, await provision(first, 1, 0));
    await first.lab.close();

    const again = await startLab({ dir, timeScale: TEST_TIME_SCALE });
    try {
      const t = { ...first, lab: again, api: new LabClient(again), run: first.rebind(again.binDir) };
      expect((await t.run('kubectl', ['--kubeconfig', 'kubeconfig', 'get', '--raw=/readyz'])).stdout).toBe(
        'ok',
      );
      const second = await t.run('talosctl', [
        '--talosconfig',
        'out/talosconfig',
        '-n',
        '192.168.10.11',
        '-e',
        '192.168.10.11',
        'bootstrap',
      ]);
      expect(second.stderr).toContain('code = AlreadyExists desc = etcd data directory is not empty');
    } finally {
      await again.close();
    }
  });
});
