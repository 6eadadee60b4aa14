import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionsDownloadCache } from '../../src/tools/download-cache.js';

const SERVICE_VARS = ['ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2'];

describe('actionsDownloadCache without the Actions cache service', () => {
  let saved: Record<string, string | undefined>;
  let dir: string;

  beforeEach(() => {
    saved = Object.fromEntries(SERVICE_VARS.map((name) => [name, process.env[name]]));
    for (const name of SERVICE_VARS) delete process.env[name];
    dir = mkdtempSync(join(tmpdir(), 'twin-cache-'));
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('misses and skips saving, quietly', async () => {
    const warnings: string[] = [];
    const file = join(dir, 'kubectl');
    writeFileSync(file, 'bytes');

    expect(
      await actionsDownloadCache.restore('aggrik8s-twin-kubectl-v1.34.1-linux-amd64', file, (l) =>
        warnings.push(l),
      ),
    ).toBe(false);
    await actionsDownloadCache.save('aggrik8s-twin-kubectl-v1.34.1-linux-amd64', file, (l) =>
      warnings.push(l),
    );
    expect(warnings).toEqual([]);
  });
});
