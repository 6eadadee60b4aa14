import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import type { PveClient } from '../../src/proxmox/client.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { parseSpec } from '../../src/spec/load.js';
import { quotaExcesses, twinFootprint } from '../../src/spec/quota.js';
import { claimAndPlan } from '../../src/twin/claim.js';
import type { TwinContext } from '../../src/twin/context.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../examples/twin.yaml'), 'utf8');

function specWithQuota(quota: Record<string, unknown> | undefined) {
  const spec = parse(EXAMPLE) as { environments: { preview: Record<string, unknown> } };
  if (quota) spec.environments.preview.quota = quota;
  return parseSpec(stringify(spec), 'twin.yaml').spec;
}

describe('quotas per preview', () => {
  it('sums every VM of the preview as its overlays make it: counts, cores, memory, system and extra disks', () => {
    const spec = specWithQuota(undefined);
    // 2 clusters x (3 control planes 2 vCPU/4 GiB/32 GiB + 3 workers 2 vCPU/6 GiB/32+100 GiB)
    expect(twinFootprint(resolveTwin(spec, 'pr-7'))).toEqual({
      vms: 12,
      cores: 24,
      memoryMiB: 61440,
      diskGiB: 984,
    });
  });

  it('names each quota field the preview exceeds, what it asks and the limit; none without a quota', () => {
    const spec = specWithQuota({ vms: 12, cores: 16, memoryMiB: 32768, diskGiB: 2000 });
    expect(quotaExcesses(resolveTwin(spec, 'pr-7'))).toEqual([
      'environments.preview.quota.cores: the twin asks 24 cores, the quota is 16',
      'environments.preview.quota.memoryMiB: the twin asks 61440 MiB, the quota is 32768',
    ]);
    expect(quotaExcesses(resolveTwin(spec, 'production'))).toEqual([]); // previews only
    expect(quotaExcesses(resolveTwin(specWithQuota(undefined), 'pr-7'))).toEqual([]);
  });

  it('is a spec field with the usual checks', () => {
    expect(() => specWithQuota({ vms: 0 })).toThrow(
      /environments\.preview\.quota\.vms: quota\.vms must be a whole number from 1/,
    );
    expect(() => specWithQuota({ cpus: 4 })).toThrow(/unknown key cpus/);
  });

  it('claimAndPlan refuses a preview over its quota before any Proxmox request', async () => {
    const requests: string[] = [];
    const client = new Proxy({} as PveClient, {
      get: (_target, method) => () => {
        requests.push(String(method));
        throw new Error('no request expected');
      },
    });
    const ctx = {
      twin: resolveTwin(specWithQuota({ vms: 8 }), 'pr-7'),
      client,
      log: () => {},
    } as unknown as TwinContext;
    const refusal = claimAndPlan(ctx);
    await expect(refusal).rejects.toThrow(ConfigurationError);
    await expect(refusal).rejects.toThrow(
      /^twin pr-7 asks more than a preview may take, so nothing was changed:\n {2}environments\.preview\.quota\.vms: the twin asks 12 VMs, the quota is 8\n.*raise environments\.preview\.quota/,
    );
    expect(requests).toEqual([]);
  });
});
