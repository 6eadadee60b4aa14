import { describe, expect, it } from 'vitest';
import { allocatable, kernelReserveMiB } from '../../src/sizing/allocatable.js';
import type { ClusterSizing } from '../../src/sizing/node-load.js';
import { clusterNodeLoads } from '../../src/sizing/node-load.js';
import { cpuMilli, memoryMiB } from '../../src/util/quantity.js';

/** The example's east cluster (examples/twin.yaml): 3 control planes 2 vCPU / 4 GiB, 3 workers with one OSD disk. */
function east(workers: {
  cores: number;
  memoryMiB: number;
  count?: number;
  extraDisks?: number;
}): ClusterSizing {
  return {
    cluster: 'east',
    meshClusters: ['east', 'west'],
    controlPlanes: { count: 3, cores: 2, memoryMiB: 4096 },
    workers: { count: 3, extraDisks: 1, ...workers },
    rook: true,
    starwars: true,
  };
}

const loadOf = (input: ClusterSizing, role: 'controlplane' | 'worker') =>
  clusterNodeLoads(input).find((load) => load.role === role)!;
const pods = (input: ClusterSizing, role: 'controlplane' | 'worker') =>
  Object.fromEntries(
    loadOf(input, role).pods.map((p) => [p.what, [p.count, p.each.cpuMilli, p.each.memoryMiB]]),
  );

describe('quantities', () => {
  it.each([
    ['250m', 250],
    ['1', 1000],
    ['0.5', 500],
    [2, 2000],
  ])('cpu %s = %im', (quantity, milli) => expect(cpuMilli(quantity)).toBe(milli));
  it.each([
    ['512Mi', 512],
    ['2Gi', 2048],
    ['1536Ki', 2],
    ['50M', 48],
    ['1G', 954],
  ])('memory %s = %iMi, rounded up', (quantity, mib) => expect(memoryMiB(quantity)).toBe(mib));
  it('refuses what is not a quantity', () => {
    expect(() => cpuMilli('two')).toThrow('"two" is not a CPU quantity');
    expect(() => memoryMiB('4GB')).toThrow('"4GB" is not a memory quantity');
  });
});

describe('allocatable (LIFECYCLE F.7)', () => {
  it('takes 50m, the role reserve, 100Mi eviction and the kernel share (200 MiB + 2% of RAM)', () => {
    expect(kernelReserveMiB(6144)).toBe(323);
    expect(allocatable('worker', { cores: 2, memoryMiB: 6144 })).toEqual({ cpuMilli: 1950, memoryMiB: 5337 });
    expect(allocatable('worker', { cores: 4, memoryMiB: 8192 })).toEqual({ cpuMilli: 3950, memoryMiB: 7344 });
    expect(allocatable('controlplane', { cores: 2, memoryMiB: 4096 })).toEqual({
      cpuMilli: 1950,
      memoryMiB: 3202,
    });
  });

  it('stays below the F.7 upper bounds (MemTotal unknown, so RAM minus reserves is the most it can be)', () => {
    expect(allocatable('worker', { cores: 2, memoryMiB: 6144 }).memoryMiB).toBeLessThan(5660);
    expect(allocatable('worker', { cores: 4, memoryMiB: 8192 }).memoryMiB).toBeLessThan(7708);
    expect(allocatable('controlplane', { cores: 2, memoryMiB: 6144 }).memoryMiB).toBeLessThan(5532);
  });
});

describe('clusterNodeLoads', () => {
  it('a preview worker (2 vCPU / 6 GiB) holds the twin with about 30% to spare', () => {
    const worker = loadOf(east({ cores: 2, memoryMiB: 6144 }), 'worker');
    expect(worker.allocatable).toEqual({ cpuMilli: 1950, memoryMiB: 5337 });
    expect(worker.requested).toEqual({ cpuMilli: 1350, memoryMiB: 3784 });
    expect(pods(east({ cores: 2, memoryMiB: 6144 }), 'worker')).toEqual({
      'Cilium agent': [1, 100, 10],
      CoreDNS: [2, 100, 70],
      'rebel-base': [2, 10, 16],
      'x-wing': [2, 10, 16],
      'echo-east': [1, 10, 16],
      'mesh-probe': [1, 10, 16],
      'Rook osd': [1, 500, 2048],
      'Rook osd-prepare job': [1, 50, 50],
      'Rook mon': [1, 150, 384],
      'Rook mgr': [1, 100, 384],
      'Rook crash collector': [1, 10, 32],
      'Rook exporter': [1, 10, 32],
      'Rook operator': [1, 50, 128],
      'ceph-csi operator': [1, 10, 64],
      'RBD nodeplugin': [1, 60, 160],
      'RBD provisioner': [1, 50, 256],
    });
  });

  it('a production worker (4 vCPU / 8 GiB) holds the standard tier: two mgrs with their sidecar, two provisioners', () => {
    const input = east({ cores: 4, memoryMiB: 8192 });
    expect(loadOf(input, 'worker')).toMatchObject({
      allocatable: { cpuMilli: 3950, memoryMiB: 7344 },
      requested: { cpuMilli: 2700, memoryMiB: 5406 },
    });
    expect(pods(input, 'worker')).toMatchObject({
      'Rook mgr': [1, 270, 552], // one per node (anti-affinity): mgr 250m/512Mi + watch-active 20m/40Mi
      'RBD provisioner': [2, 100, 256], // both replicas counted on the fullest worker
      'Rook osd': [1, 1000, 2560],
    });
  });

  it('a control plane holds Talos static pods, the Cilium agent and CoreDNS only', () => {
    const input = east({ cores: 2, memoryMiB: 6144 });
    expect(loadOf(input, 'controlplane')).toMatchObject({
      allocatable: { cpuMilli: 1950, memoryMiB: 3202 },
      requested: { cpuMilli: 560, memoryMiB: 982 },
    });
    expect(Object.keys(pods(input, 'controlplane'))).toEqual([
      'Talos control plane pods',
      'Cilium agent',
      'CoreDNS',
    ]);
  });

  it('counts every OSD of the fullest worker, and one of each per-node daemon', () => {
    const twoDisks = pods(east({ cores: 4, memoryMiB: 8192, extraDisks: 2 }), 'worker');
    expect(twoDisks['Rook osd']).toEqual([2, 1000, 2560]);
    expect(twoDisks['Rook osd-prepare job']).toEqual([1, 100, 50]);
  });

  it('a small Ceph cluster (1 worker) puts its one mon and one mgr on that worker', () => {
    const one = pods(east({ cores: 2, memoryMiB: 6144, count: 1 }), 'worker');
    expect(one['Rook mon']).toEqual([1, 150, 384]);
    expect(one['Rook mgr']).toEqual([1, 100, 384]);
  });

  it('leaves Rook out without OSD disks, and the demo out when it is off', () => {
    const bare = {
      ...east({ cores: 2, memoryMiB: 6144, extraDisks: 0 }),
      starwars: false,
      meshClusters: ['east'],
    };
    expect(loadOf(bare, 'worker').requested).toEqual({ cpuMilli: 300, memoryMiB: 150 });
  });

  it('without workers the control planes take what would go to workers', () => {
    const input = { ...east({ cores: 2, memoryMiB: 6144, count: 0 }), rook: false };
    const loads = clusterNodeLoads(input);
    expect(loads.map((load) => load.role)).toEqual(['controlplane']);
    expect(loads[0]!.requested).toEqual({ cpuMilli: 620, memoryMiB: 1078 });
  });
});
