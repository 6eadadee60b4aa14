import { describe, expect, it } from 'vitest';
import { ROOK_TIERS, rookTierFor } from '../../src/addons/rook-resources.js';
import { rookClusterValues } from '../../src/addons/rook.js';
import { memoryMiB } from '../../src/util/quantity.js';

/** Rook's requests follow the workers' allocatable (LIFECYCLE F.7, H.1). */

describe('rookTierFor', () => {
  it.each([
    ['a preview worker, 2 vCPU / 6 GiB', { cores: 2, memoryMiB: 6144 }, 'compact'],
    ['a production worker, 4 vCPU / 8 GiB', { cores: 4, memoryMiB: 8192 }, 'standard'],
    ['4 vCPU but only 6 GiB', { cores: 4, memoryMiB: 6144 }, 'compact'],
    ['8 vCPU / 16 GiB', { cores: 8, memoryMiB: 16384 }, 'large'],
    ['8 vCPU / 8 GiB: memory holds it at standard', { cores: 8, memoryMiB: 8192 }, 'standard'],
    [
      '1 vCPU / 2 GiB: the smallest tier (the capacity check refuses it)',
      { cores: 1, memoryMiB: 2048 },
      'compact',
    ],
  ])('%s: %s', (_what, worker, tier) => {
    expect(rookTierFor(worker).name).toBe(tier);
  });

  it.each(ROOK_TIERS.map((tier) => [tier.name, tier] as const))(
    '%s: every chart-defaulted key is set, and the OSD aims at its request with room above it',
    (_name, tier) => {
      for (const [daemon, resources] of Object.entries(tier.daemons)) {
        expect(resources.requests.cpu, daemon).toMatch(/^\d+m$/);
        expect(resources.requests.memory, daemon).toMatch(/^\d+(Mi|Gi)$/);
        // The chart gives every daemon but prepareosd a memory limit; helm would keep the default otherwise.
        if (daemon !== 'prepareosd') expect(resources.limits?.memory, daemon).toBeDefined();
      }
      const osd = tier.daemons.osd;
      const limit = memoryMiB(osd.limits!.memory);
      expect(limit).toBeGreaterThanOrEqual(2048); // Rook's recommended minimum OSD limit
      // osd_memory_target = min(request, 0.8 × limit): the request, so the OSD does not aim past it.
      expect(limit * 0.8).toBeGreaterThanOrEqual(memoryMiB(osd.requests.memory));
    },
  );

  it('keeps production at two mgrs, sized, and its OSD list untouched', () => {
    const workers = [1, 2, 3].map((i) => ({ name: `production-east-w${i}`, extraDisks: 1 }));
    const values = rookClusterValues({ cluster: 'east', workers, workerVm: { cores: 4, memoryMiB: 8192 } });
    expect(values.cephClusterSpec).toMatchObject({
      mon: { count: 3, allowMultiplePerNode: false },
      mgr: { count: 2, allowMultiplePerNode: false },
      storage: {
        useAllNodes: false,
        useAllDevices: false,
        nodes: workers.map((worker) => ({ name: worker.name, devices: [{ name: 'sdb' }] })),
      },
      resources: {
        mon: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
        osd: { requests: { cpu: '1000m', memory: '2560Mi' }, limits: { memory: '3200Mi' } },
      },
      logCollector: { enabled: false },
      dashboard: { enabled: false },
    });
  });
});
