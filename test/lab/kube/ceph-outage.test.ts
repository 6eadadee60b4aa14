import { describe, expect, it } from 'vitest';
import { cephView } from '../../../src/lab/kube/ceph.js';
import { EvictionApi, disruptionBudgets } from '../../../src/lab/kube/disruption.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';
import { LATER, SECONDS, cluster } from './ceph-fixture.js';

/**
 * Ceph through a worker's outage and drain (LIFECYCLE G.4, H.2): three workers with a mon and an OSD
 * each (the chart defaults), settled by LATER. A daemon's replacement pod starts once its node is back
 * (pinned there) and is ready imagePull + podStart later; the PGs are clean cephRecovery after that.
 */

const S = 1000;
const BACK = (SECONDS.imagePull + SECONDS.podStart) * S;
const RECOVERY = SECONDS.cephRecovery * S;
const details = (status: Doc) => ((status.ceph as Doc).details ?? {}) as Record<string, { message: string }>;
const codes = (status: Doc) => Object.keys(details(status)).sort();
/** Rook refreshes the CR's health once a minute from the cluster's creation: the first refresh at or after t. */
const CHECK = 60 * S;
const refreshedAt = (lab: ReturnType<typeof cluster>, t: number) => {
  const readyAt = cephView(lab.kube(), 'east', lab.cephCluster(), t)!.readyAt!;
  return readyAt + Math.ceil((t - readyAt) / CHECK) * CHECK;
};

describe('Ceph while a worker reboots', () => {
  it('warns with the OSD, host and mon down and undersized PGs, and is HEALTH_OK once back and recovered', () => {
    const lab = cluster(3, 3);
    lab.install({});
    expect((lab.status(LATER).ceph as Doc).health).toBe('HEALTH_OK');
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    const mon = view.mons.find((candidate) => candidate.node === 'east-w-1')!.name.replace('mon.', '');
    const quorum = view.mons
      .filter((candidate) => candidate.node !== 'east-w-1')
      .map((candidate) => candidate.name.replace('mon.', ''));
    lab.nodes[3]!.outages = [{ from: LATER, until: LATER + 120 * S, cause: 'reboot' }];
    const seen = (t: number) => lab.status(refreshedAt(lab, t));

    // Until Rook's next refresh the CR still shows what it saw before the node went down.
    const stale = lab.status(refreshedAt(lab, LATER) - S);
    expect((stale.ceph as Doc).health).toBe('HEALTH_OK');
    expect(Date.parse(String((stale.ceph as Doc).lastChecked))).toBeLessThan(LATER);
    const down = seen(LATER + S);
    expect((down.ceph as Doc).health).toBe('HEALTH_WARN');
    expect(details(down).OSD_DOWN?.message).toBe('1 osds down');
    expect(details(down).OSD_HOST_DOWN?.message).toBe('1 host (1 osds) down');
    expect(details(down).MON_DOWN?.message).toBe(`1/3 mons down, quorum ${quorum.join(',')}`);
    expect(details(down).PG_DEGRADED?.message).toMatch(/^Degraded data redundancy: \d+ pgs undersized$/);
    // The chart's object store keeps its data in an erasure-coded 2+1 pool (min_size 3): inactive meanwhile.
    expect(details(down).PG_AVAILABILITY?.message).toMatch(/^Reduced data availability: \d+ pgs inactive$/);
    expect(details(down).OSD_FLAGS).toBeUndefined(); // a reboot is no drain: Rook sets no noout
    expect(mon).not.toBe('');
    const version = Object.keys(((down.ceph as Doc).versions as Doc).mon as Doc)[0]!;
    expect((down.ceph as Doc).versions).toMatchObject({ mon: { [version]: 2 }, osd: { [version]: 2 } });

    // Still down just before the kubelet is back plus the pod's start; recovering after.
    const back = LATER + 120 * S + BACK;
    expect(codes(lab.status(back - S))).toContain('OSD_DOWN');
    expect(codes(seen(back))).toEqual(['PG_DEGRADED']);
    expect((seen(back + RECOVERY).ceph as Doc).health).toBe('HEALTH_OK');
  });
});

describe("Rook's disruption budgets while a worker is drained (H.2)", () => {
  const managed = { cephClusterSpec: { disruptionManagement: { managePodBudgets: true } } };
  const budgets = (lab: ReturnType<typeof cluster>, at: number) =>
    disruptionBudgets(lab.kube(), 'east', at)
      .map((budget) => `${budget.name} ${String(budget.maxUnavailable)}`)
      .sort();

  it('keeps mon, mgr and one OSD budget (the chart default); none without managePodBudgets', () => {
    const lab = cluster(3, 3);
    lab.install({});
    expect(budgets(lab, LATER)).toEqual(['rook-ceph-mgr-pdb 1', 'rook-ceph-mon-pdb 1', 'rook-ceph-osd 1']);
    const unmanaged = cluster(3, 3);
    unmanaged.install({ cephClusterSpec: { disruptionManagement: { managePodBudgets: false } } });
    expect(budgets(unmanaged, LATER)).toEqual([]);
  });

  it('blocks the other hosts while a drained OSD is down, sets noout, and returns to the default once clean', () => {
    const lab = cluster(3, 3);
    lab.install(managed);
    const osd = lab
      .pods(LATER)
      .find((pod) => pod.labels.app === 'rook-ceph-osd' && pod.nodeName === 'east-w-1')!;
    lab.nodes[3]!.cordons = [{ from: LATER, until: LATER + 60 * S }];
    lab.evictions[`rook-ceph/${osd.name}`] = LATER;

    expect(budgets(lab, LATER + 10 * S)).toEqual([
      'rook-ceph-mgr-pdb 1',
      'rook-ceph-mon-pdb 1',
      'rook-ceph-osd-host-east-w-2 0',
      'rook-ceph-osd-host-east-w-3 0',
    ]);
    const status = lab.status(refreshedAt(lab, LATER + S));
    expect(details(status).OSD_FLAGS?.message).toBe(
      '1 OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set',
    );
    expect(details(status).OSD_DOWN?.message).toBe('1 osds down');
    // Another host's OSD cannot be evicted until Ceph heals.
    const api = new EvictionApi(lab.kube(), 'east', LATER + 10 * S);
    const other = api.pods.find((pod) => pod.labels.app === 'rook-ceph-osd' && pod.nodeName === 'east-w-2')!;
    expect(api.evict(other)).toMatchObject({
      ok: false,
      code: 429,
      cause: 'The disruption budget rook-ceph-osd-host-east-w-2 needs 1 healthy pods and has 1 currently',
    });

    // Uncordoned at +60 s: the OSD starts again, noout goes; the default budget returns once the PGs are clean.
    const back = LATER + 60 * S + BACK;
    expect(codes(lab.status(refreshedAt(lab, back)))).toEqual(['PG_DEGRADED']);
    expect(budgets(lab, back + S)).toContain('rook-ceph-osd-host-east-w-2 0');
    expect(budgets(lab, back + RECOVERY + S)).toEqual([
      'rook-ceph-mgr-pdb 1',
      'rook-ceph-mon-pdb 1',
      'rook-ceph-osd 1',
    ]);
    expect((lab.status(refreshedAt(lab, back + RECOVERY)).ceph as Doc).health).toBe('HEALTH_OK');
  });
});
