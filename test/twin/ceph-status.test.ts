import { describe, expect, it } from 'vitest';
import { cephStatus } from '../../src/twin/ceph-wait.js';

const versions = { mon: { 'ceph version 19.2.3': 3 }, osd: { 'ceph version 19.2.3': 3 } };

describe("cephStatus reads Rook's CephCluster", () => {
  it('counts mons and OSDs and passes Ready with HEALTH_OK through when Rook saw the newest spec', () => {
    const object = {
      metadata: { generation: 2 },
      status: { phase: 'Ready', observedGeneration: 2, ceph: { health: 'HEALTH_OK', versions } },
    };
    expect(cephStatus('east', object)).toEqual({
      cluster: 'east',
      health: 'HEALTH_OK',
      phase: 'Ready',
      mons: 3,
      osds: 3,
      details: [],
    });
  });

  it('takes a Ready written for an older generation as Progressing, saying which generation waits', () => {
    const object = {
      metadata: { generation: 3 },
      status: { phase: 'Ready', observedGeneration: 2, ceph: { health: 'HEALTH_OK', versions } },
    };
    expect(cephStatus('east', object)).toMatchObject({
      phase: 'Progressing',
      details: ['Rook: generation 3 of the spec is not reconciled yet (2 is)'],
    });
  });

  it('is absent without an object and Pending without a status', () => {
    expect(cephStatus('east', undefined)).toMatchObject({ phase: 'absent', health: 'UNKNOWN' });
    expect(cephStatus('east', { metadata: { generation: 1 } })).toMatchObject({ phase: 'Pending' });
  });
});
