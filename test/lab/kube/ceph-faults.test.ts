import { describe, expect, it } from 'vitest';
import { cephView } from '../../../src/lab/kube/ceph.js';
import { FaultInjector } from '../../../src/lab/faults.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';
import { LATER, cluster } from './ceph-fixture.js';

/**
 * Fault foreignOsdDisks: raw disks reused without a wipe still carry another Ceph cluster's OSD, so Rook's
 * prepare job skips them (CONTRACTS D: "To reuse disks, wipe them") and Ceph never gets healthy.
 */
const SMALL: Doc = {
  cephClusterSpec: {
    mon: { count: 1, allowMultiplePerNode: true },
    mgr: { count: 1, allowMultiplePerNode: true },
    cephConfig: { global: { osd_pool_default_size: '1', mon_warn_on_pool_no_redundancy: 'false' } },
  },
  cephBlockPools: [
    {
      name: 'ceph-blockpool',
      spec: { failureDomain: 'host', replicated: { size: 1, requireSafeReplicaSize: false } },
      storageClass: { enabled: true, name: 'ceph-block', isDefault: true },
    },
  ],
  cephFileSystems: [],
  cephObjectStores: [],
};

describe('fault foreignOsdDisks', () => {
  it("skips every raw disk as another cluster's OSD, never the install disk: no OSD, HEALTH_WARN", () => {
    const lab = cluster(1, 1, undefined, { foreignOsdDisks: [{ rate: 1 }] });
    const stored = lab.install(SMALL);
    const view = cephView(lab.kube(), 'east', stored, LATER)!;
    expect(view.osds).toEqual([]);
    const log = view.prepareLogs['east-w-1']!.join('\n');
    expect(log).toMatch(/skipping device "sdb", detected an existing OSD/);
    expect(log).toMatch(/skipping osd\.0: "[0-9a-f-]+" belonging to a different ceph cluster "[0-9a-f-]+"/);
    expect(log).toMatch(/skipping device "sda": \["Has GPT headers", "Has partitions"\]/);
    const ceph = lab.status().ceph as Doc;
    expect(ceph.health).toBe('HEALTH_WARN');
    expect(ceph.details).toMatchObject({
      TOO_FEW_OSDS: { message: 'OSD count 0 < osd_pool_default_size 1' },
    });
  });

  it('is decided per disk, the same for every look: a rate between 0 and 1 picks some disks for good', () => {
    const faults = new FaultInjector({ foreignOsdDisks: [{ rate: 0.5 }] }, 7);
    const keys = Array.from({ length: 40 }, (_, i) => `uuid-${i}/vm-${i}-disk-1`);
    const first = keys.map((key) => faults.foreignOsdDisk(key));
    expect(keys.map((key) => faults.foreignOsdDisk(key))).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(5);
    expect(first.filter((hit) => !hit).length).toBeGreaterThan(5);
    expect(new FaultInjector({}).foreignOsdDisk(keys[0]!)).toBe(false);
  });

  it('without the fault, the same disks become OSDs', () => {
    const lab = cluster(1, 1);
    expect(cephView(lab.kube(), 'east', lab.install(SMALL), LATER)!.osds.map((osd) => osd.device)).toEqual([
      'sdb',
    ]);
  });
});
