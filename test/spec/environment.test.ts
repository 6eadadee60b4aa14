import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  addressesNeeded,
  maxGroupCounts,
  maxVmsPerTwin,
  slotBlock,
  slotVmidRange,
} from '../../src/spec/derived.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import type { TwinSpec } from '../../src/spec/schema.js';

const { spec } = loadSpec(join(import.meta.dirname, '../../examples/twin.yaml'));

function withPreviewOverlay(overlay: TwinSpec['environments']['preview']['clusters']): TwinSpec {
  return {
    ...spec,
    environments: {
      ...spec.environments,
      preview: { ...spec.environments.preview, ttlHours: 24, clusters: overlay },
    },
  };
}

describe('resolveTwin', () => {
  it('gives production its pinned slot, VIPs and the base node groups', () => {
    const twin = resolveTwin(spec, 'production');
    expect(twin).toMatchObject({ twin: 'production', environment: 'production', pinnedSlot: 0 });
    expect(twin.ttlHours).toBeUndefined();
    expect(twin.clusters.map((cluster) => cluster.vip)).toEqual(['192.168.15.10', '192.168.20.10']);
    expect(twin.clusters[0]?.workers).toEqual({
      count: 3,
      cores: 4,
      memoryMiB: 8192,
      diskGiB: 32,
      extraDisks: [{ sizeGiB: 100 }],
    });
  });

  it('gives a preview its TTL and overlay, keeping the fields the overlay leaves out', () => {
    const twin = resolveTwin(spec, 'pr-7');
    expect(twin).toMatchObject({ twin: 'pr-7', environment: 'preview', ttlHours: 72 });
    expect(twin.pinnedSlot).toBeUndefined();
    expect(twin.clusters[0]?.vip).toBeUndefined();
    expect(twin.clusters[0]?.workers).toEqual({
      count: 3,
      cores: 2,
      memoryMiB: 6144,
      diskGiB: 32,
      extraDisks: [{ sizeGiB: 100 }],
    });
    expect(twin.clusters[0]?.controlPlanes).toEqual(spec.clusters[0]?.controlPlanes);
  });

  it('does not change the spec it resolves', () => {
    const before = JSON.stringify(spec);
    resolveTwin(spec, 'pr-8');
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('refuses an invalid twin name', () => {
    expect(() => resolveTwin(spec, 'Pr 7')).toThrow(ConfigurationError);
  });
});

describe('derived values', () => {
  it('addressesNeeded is 1 VIP plus the most control planes and workers of any environment', () => {
    expect(addressesNeeded(spec, 'east')).toBe(1 + 3 + 3);
    const bigPreview = withPreviewOverlay({ east: { workers: { count: 5 }, controlPlanes: { count: 1 } } });
    expect(addressesNeeded(bigPreview, 'east')).toBe(1 + 3 + 5);
    expect(addressesNeeded(bigPreview, 'west')).toBe(1 + 3 + 3);
    expect(() => addressesNeeded(spec, 'north')).toThrow(RangeError);
  });

  it('splits the address pool evenly into one block per slot', () => {
    const east = spec.clusters[0]!;
    expect(slotBlock(east, { count: 8 }, 0)).toEqual({ first: '192.168.15.64', size: 16 });
    expect(slotBlock(east, { count: 8 }, 7)).toEqual({ first: '192.168.15.176', size: 16 });
    expect(slotBlock(east, { count: 3 }, 2)).toEqual({ first: '192.168.15.148', size: 42 });
    expect(() => slotBlock(east, { count: 8 }, 8)).toThrow(RangeError);
  });

  it('gives each slot its own VMID range', () => {
    const slots = spec.proxmox.slots;
    expect(slotVmidRange(slots, 0)).toEqual({ first: 7000, last: 7099 });
    expect(slotVmidRange(slots, 7)).toEqual({ first: 7700, last: 7799 });
    expect(() => slotVmidRange(slots, -1)).toThrow(RangeError);
  });

  it('counts the VMIDs a slot must hold: per cluster, the most of any environment', () => {
    expect(maxVmsPerTwin(spec)).toBe(12);
    const mixed = withPreviewOverlay({ east: { workers: { count: 5 } } });
    mixed.environments.production = { branch: 'main', clusters: { west: { workers: { count: 4 } } } };
    expect(maxGroupCounts(mixed, 'east')).toEqual({ controlPlanes: 3, workers: 5 });
    expect(maxGroupCounts(mixed, 'west')).toEqual({ controlPlanes: 3, workers: 4 });
    expect(maxVmsPerTwin(mixed)).toBe(3 + 5 + 3 + 4);
  });
});
