import { describe, expect, it } from 'vitest';
import { waitForCeph } from '../../src/twin/ceph-wait.js';
import type { CephClusterStatus } from '../../src/twin/platform.js';

/** A CephCluster as Rook writes it, with `osds` OSDs up. */
function cephCluster(phase: string, health: string, osds = 3, generation = 1, observed = 1) {
  return {
    metadata: { generation },
    status: {
      phase,
      observedGeneration: observed,
      ceph: { health, versions: { mon: { v19: 3 }, osd: { v19: osds } }, details: {} },
    },
  };
}

/** A kubectl whose reads return `objects` in turn (the last one again), recording every call. */
function fakeKubectl(objects: (Record<string, unknown> | undefined)[], waitMet = true) {
  const calls: string[] = [];
  let read = 0;
  return {
    calls,
    kubectl: {
      async getObject() {
        calls.push('get');
        return objects[Math.min(read++, objects.length - 1)];
      },
      async waitForField(_target: unknown, field: string, value: string, timeoutSec: number) {
        calls.push(`wait ${field}=${value} ${timeoutSec}s`);
        return waitMet;
      },
    },
  };
}

describe('waitForCeph', () => {
  const pace = { cephTimeoutMs: 120_000, pollMs: 1 };

  it('watches the health, then the phase, reading the CephCluster between waits', async () => {
    const { kubectl, calls } = fakeKubectl([
      cephCluster('Progressing', 'HEALTH_WARN'),
      cephCluster('Progressing', 'HEALTH_OK'),
      cephCluster('Ready', 'HEALTH_OK'),
    ]);
    const seen: CephClusterStatus[] = [];
    await waitForCeph(pace, kubectl, 'east', (status) => seen.push(status));
    expect(calls).toEqual([
      'get',
      'wait {.status.ceph.health}=HEALTH_OK 10s',
      'get',
      'wait {.status.phase}=Ready 10s',
      'get',
    ]);
    expect(seen.map((status) => `${status.phase} ${status.health}`)).toEqual([
      'Progressing HEALTH_WARN',
      'Progressing HEALTH_OK',
      'Ready HEALTH_OK',
    ]);
  });

  it('polls while there is nothing kubectl could watch: no CephCluster yet, or a Ready of an older spec', async () => {
    const { kubectl, calls } = fakeKubectl([
      undefined,
      cephCluster('Ready', 'HEALTH_OK', 3, 2, 1),
      cephCluster('Ready', 'HEALTH_OK', 3, 2, 2),
    ]);
    await waitForCeph(pace, kubectl, 'east', () => {});
    expect(calls).toEqual(['get', 'get', 'get']);
  });

  it('gives up at the timeout with the last status and Ceph health detail', async () => {
    const stuck = cephCluster('Ready', 'HEALTH_WARN', 2);
    stuck.status.ceph.details = {
      TOO_FEW_OSDS: { message: 'OSD count 2 < osd_pool_default_size 3' },
    } as never;
    const { kubectl, calls } = fakeKubectl([stuck], false);
    await expect(waitForCeph({ cephTimeoutMs: 1_500, pollMs: 1 }, kubectl, 'west', () => {})).rejects.toThrow(
      /waiting for Ceph HEALTH_OK in west; last observation: Ready HEALTH_WARN, 3 mon\(s\), 2 OSD\(s\); Ceph health detail:\n {2}TOO_FEW_OSDS: OSD count 2/,
    );
    expect(calls.filter((call) => call === 'get').length).toBeGreaterThan(1);
  });
});
