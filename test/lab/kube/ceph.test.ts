import { describe, expect, it } from 'vitest';
import {
  blockPoolRefusal,
  cephBlockPoolStatus,
  cephClusterStatus,
  cephView,
} from '../../../src/lab/kube/ceph.js';
import { byKind } from '../../../src/lab/kube/kinds.js';
import { ApiRejection } from '../../../src/lab/kube/objects.js';
import type { PodView } from '../../../src/lab/kube/pods.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';
import { schedulingEvents } from '../../../src/lab/tools/kubectl-events.js';
import { LATER, SECONDS, cluster } from './ceph-fixture.js';

/** The product's settings for one or two workers (ROOK deploy/examples/cluster-test.yaml). */
function smallValues(overrides: { poolReplicas?: Doc; cephConfig?: Doc } = {}): Doc {
  return {
    cephClusterSpec: {
      mon: { count: 1, allowMultiplePerNode: true },
      mgr: { count: 1, allowMultiplePerNode: true },
      cephConfig: {
        global: overrides.cephConfig ?? {
          osd_pool_default_size: '1',
          mon_warn_on_pool_no_redundancy: 'false',
        },
      },
    },
    cephBlockPools: [
      {
        name: 'ceph-blockpool',
        spec: {
          failureDomain: 'host',
          replicated: overrides.poolReplicas ?? { size: 1, requireSafeReplicaSize: false },
        },
        storageClass: { enabled: true, name: 'ceph-block', isDefault: true },
      },
    ],
    cephFileSystems: [],
    cephObjectStores: [],
  };
}

/** The operator pod is bound at once and runs after its image pull: Rook's first reconcile follows. */
const OPERATOR_AT = SECONDS.imagePull * 1000;

describe('Ceph on three workers with the chart defaults', () => {
  it('does nothing before the operator runs', () => {
    const lab = cluster(3, 3);
    expect(lab.status(lab.install({}, { operator: false }).createdAt + LATER)).toEqual({});
  });

  it('detects the version, starts mons one after another, then mgrs and OSDs, without health until created', () => {
    const lab = cluster(3, 3);
    lab.install({});
    const start = OPERATOR_AT + SECONDS.rookOperatorStart * 1000;
    const monsAt = start + (SECONDS.imagePull + SECONDS.podStart) * 1000;
    expect(lab.status(start)).toMatchObject({
      phase: 'Progressing',
      state: 'Creating',
      message: 'Detecting Ceph version',
    });
    const configuring = lab.status(monsAt + SECONDS.cephMonStart * 1000);
    expect(configuring).toMatchObject({ phase: 'Progressing', message: 'Configuring Ceph Mons' });
    expect(configuring.ceph).toBeUndefined();
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), monsAt + 2 * SECONDS.cephMonStart * 1000)!;
    expect(view.mons.map((mon) => [mon.name, mon.node])).toEqual([
      ['mon.a', 'east-w-1'],
      ['mon.b', 'east-w-2'],
      ['mon.c', 'east-w-3'],
    ]);
    expect(view.mons.map((mon) => mon.upAt! - monsAt)).toEqual(
      [1, 2, 3].map((i) => i * SECONDS.cephMonStart * 1000),
    );
  });

  it('starts the mons only once every canary is bound, then the mgrs and OSDs after them', () => {
    const lab = cluster(3, 3);
    const start = OPERATOR_AT + SECONDS.rookOperatorStart * 1000;
    const monsAt = start + (SECONDS.imagePull + SECONDS.podStart) * 1000;
    // The third worker joins a minute into Rook's canary wait: the third mon has no node until then.
    const joins = monsAt + 60_000;
    lab.nodes.find((node) => node.name === 'east-w-3')!.joinsAt = joins;
    lab.install({});
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    expect(view.mons.map((mon) => [mon.name, mon.node, mon.upAt! - joins])).toEqual([
      ['mon.a', 'east-w-1', SECONDS.cephMonStart * 1000],
      ['mon.b', 'east-w-2', 2 * SECONDS.cephMonStart * 1000],
      ['mon.c', 'east-w-3', 3 * SECONDS.cephMonStart * 1000],
    ]);
    const readyAt = joins + (3 * SECONDS.cephMonStart + SECONDS.cephMgrStart + SECONDS.cephOsdPrepare) * 1000;
    expect(view.readyAt).toBe(readyAt);
    expect(lab.status(readyAt - 1000)).toMatchObject({
      phase: 'Progressing',
      message: 'Configuring Ceph OSDs',
    });
    expect(lab.status(readyAt)).toMatchObject({ phase: 'Ready' });
    expect(view.osds.map((osd) => osd.upAt - readyAt)).toEqual(
      [1, 2, 3].map(() => SECONDS.cephOsdStart * 1000),
    );
  });

  it("prepares a node that fits only after the prepare jobs once Rook's node watcher acts: when the cluster is Ready", () => {
    const lab = cluster(3, 4);
    const fourth = lab.nodes.find((node) => node.name === 'east-w-4')!;
    const readyAt = () => cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!.readyAt!;
    const osdOf = (at: number) =>
      cephView(lab.kube(), 'east', lab.cephCluster(), at)!.osds.find((osd) => osd.node === 'east-w-4')!;
    const prepare = (SECONDS.podStart + SECONDS.cephOsdPrepare) * 1000;
    const start = SECONDS.cephOsdStart * 1000;
    // Joins while the prepare jobs run: the watcher sees it when the cluster turns Ready.
    fourth.joinsAt = 1;
    lab.install({});
    const ready = readyAt();
    fourth.joinsAt = ready - 10_000;
    lab.kube().revision++;
    expect(osdOf(LATER)).toMatchObject({ createdAt: ready + prepare, upAt: ready + prepare + start });
    // Joins later: seen when it joins.
    const joins = ready + 120_000;
    fourth.joinsAt = joins;
    expect(osdOf(LATER)).toMatchObject({ createdAt: joins + prepare, upAt: joins + prepare + start });
    expect(lab.status(LATER)).toMatchObject({ phase: 'Ready', ceph: { health: 'HEALTH_OK' } });
  });

  it('refused for too few nodes, starts at the first retry after the third node joined, not back-dated', () => {
    const lab = cluster(1, 2);
    const firstTry = OPERATOR_AT + SECONDS.rookOperatorStart * 1000;
    const joins = firstTry + 100_000;
    lab.nodes.find((node) => node.name === 'east-w-2')!.joinsAt = joins;
    lab.install({});
    expect(lab.status(joins + 1000)).toMatchObject({
      state: 'Error',
      message: expect.stringContaining('cannot start 3 mons on 2 node(s) when allowMultiplePerNode is false'),
    });
    // controller-runtime's backoff: tries 5 ms apart, doubling; the first at or after +100 s is the 16th,
    // 5 ms x (2^15 - 1) after the first.
    const retry = firstTry + 5 * (2 ** 15 - 1);
    expect(cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!.startedAt).toBe(retry);
  });

  it('keeps when its mons started once that passed, though a Node deleted and made again drops its old pods', () => {
    const lab = cluster(3, 3);
    lab.install({});
    const created = cephView(lab.kube(), 'east', lab.cephCluster(), LATER / 2)!;
    expect(lab.status(LATER / 2)).toMatchObject({ phase: 'Ready', ceph: { health: 'HEALTH_OK' } });
    // east-w-3 deleted and made again: the lab replays history with the new Node only, so the first
    // pod of mon.c now binds when it registers, long after Rook started the mons.
    lab.nodes.find((node) => node.name === 'east-w-3')!.joinsAt = LATER / 2 + 60_000;
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    expect(view.startedAt).toBe(created.startedAt);
    expect(view.readyAt).toBe(created.readyAt);
    expect(view.mons.map((mon) => mon.upAt)).toEqual(created.mons.map((mon) => mon.upAt));
    expect(lab.status(LATER)).toMatchObject({ phase: 'Ready', message: 'Cluster created successfully' });
  });

  it('is Ready and HEALTH_OK once the PGs settle, with 3 mons, 2 mgrs and an OSD per worker', () => {
    const lab = cluster(3, 3);
    lab.install({});
    const status = lab.status();
    expect(status).toMatchObject({
      phase: 'Ready',
      state: 'Created',
      message: 'Cluster created successfully',
    });
    expect(status.conditions).toMatchObject([{ type: 'Ready', status: 'True', reason: 'ClusterCreated' }]);
    const ceph = status.ceph as Doc;
    expect(ceph.health).toBe('HEALTH_OK');
    expect(ceph.details).toBeUndefined();
    const version = 'ceph version 19.2.3 (c92aebb279828e9c3c1f5d24613efca272649e62) squid (stable)';
    expect(ceph.versions).toEqual({
      mon: { [version]: 3 },
      mgr: { [version]: 2 },
      osd: { [version]: 3 },
      overall: { [version]: 8 },
    });
  });

  it('answers later questions with later facts when one lab asks again (the sweep is memoised per moment)', () => {
    const lab = cluster(3, 3);
    lab.install({});
    const kube = lab.kube();
    // The operator runs, Rook has not started on the CephCluster yet: nothing else is due then.
    const early = OPERATOR_AT + (SECONDS.podStart + 1) * 1000;
    expect(cephClusterStatus(kube, 'east', lab.cephCluster(), early)).toEqual({});
    const started = OPERATOR_AT + SECONDS.rookOperatorStart * 1000;
    expect(cephClusterStatus(kube, 'east', lab.cephCluster(), started)).toMatchObject({ state: 'Creating' });
    const later = cephClusterStatus(kube, 'east', lab.cephCluster(), LATER);
    expect((later.ceph as Doc).health).toBe('HEALTH_OK');
  });

  it('skips the Talos system disk and the cloud-init drive with their reasons, and takes sdb', () => {
    const lab = cluster(3, 3);
    lab.install({});
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    expect(view.osds.map((osd) => `${osd.id}:${osd.node}/${osd.device}`)).toEqual([
      '0:east-w-1/sdb',
      '1:east-w-2/sdb',
      '2:east-w-3/sdb',
    ]);
    const log = view.prepareLogs['east-w-1']!.join('\n');
    expect(log).toContain('I | cephosd: skipping device "sda": ["Has GPT headers", "Has partitions"].');
    expect(log).toContain('W | inventory: skipping device "sr0". unsupported diskType rom');
    expect(log).toContain('I | cephosd: device "sdb" is available.');
  });
});

describe('Ceph with too few nodes for the defaults', () => {
  it('refuses 3 mons on 2 nodes before creating anything', () => {
    const lab = cluster(1, 1);
    lab.install({});
    expect(lab.status()).toEqual({
      phase: 'Progressing',
      state: 'Error',
      message:
        'failed to perform validation before cluster creation: cannot start 3 mons on 2 node(s) when allowMultiplePerNode is false',
      conditions: [
        expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ClusterProgressing' }),
      ],
    });
  });

  it('waits for mon canaries it cannot place (control planes are tainted), then fails to schedule the mons', () => {
    const lab = cluster(3, 1);
    lab.install({});
    const monsAt = OPERATOR_AT + (SECONDS.rookOperatorStart + SECONDS.imagePull + SECONDS.podStart) * 1000;
    const waiting = lab.status(monsAt + 60_000);
    expect(waiting).toMatchObject({
      phase: 'Progressing',
      state: 'Creating',
      message: 'Configuring Ceph Mons',
    });
    expect(waiting.ceph).toBeUndefined();
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    expect(view.mons.every((mon) => mon.upAt === undefined)).toBe(true);
    expect(lab.status()).toMatchObject({
      phase: 'Progressing',
      state: 'Error',
      message:
        'failed to create cluster: failed to start ceph monitors: failed to assign pods to mons: failed to schedule mons',
    });
  });

  it('on two workers sharing mon nodes: size-3 pools are undersized, the 2+1 EC pool is inactive', () => {
    const lab = cluster(1, 2);
    lab.install({ cephClusterSpec: { mon: { count: 3, allowMultiplePerNode: true } } });
    const ceph = lab.status().ceph as Doc;
    expect(ceph.health).toBe('HEALTH_WARN');
    // .mgr 1 pg + block pool 8 + filesystem 2x8 + object store 8x8
    expect(ceph.details).toEqual({
      TOO_FEW_OSDS: { message: 'OSD count 2 < osd_pool_default_size 3', severity: 'HEALTH_WARN' },
      PG_AVAILABILITY: { message: 'Reduced data availability: 8 pgs inactive', severity: 'HEALTH_WARN' },
      PG_DEGRADED: { message: 'Degraded data redundancy: 89 pgs undersized', severity: 'HEALTH_WARN' },
    });
  });
});

describe('Ceph with the small-cluster settings on one worker', () => {
  it('is HEALTH_OK with one mon, one mgr, single-replica pools and the no-redundancy warning off', () => {
    const lab = cluster(1, 1);
    lab.install(smallValues());
    expect((lab.status().ceph as Doc).health).toBe('HEALTH_OK');
    const pool = lab.store.get(byKind('CephBlockPool'), 'rook-ceph', 'ceph-blockpool')!;
    expect(cephBlockPoolStatus(lab.kube(), 'east', pool, LATER)).toMatchObject({
      phase: 'Ready',
      info: { failureDomain: 'host', type: 'Replicated' },
    });
  });

  it('warns POOL_NO_REDUNDANCY without mon_warn_on_pool_no_redundancy: "false"', () => {
    const lab = cluster(1, 1);
    lab.install(smallValues({ cephConfig: { osd_pool_default_size: '1' } }));
    expect((lab.status().ceph as Doc).details).toEqual({
      POOL_NO_REDUNDANCY: { message: '2 pool(s) have no replicas configured', severity: 'HEALTH_WARN' },
    });
  });

  it('refuses a size-1 pool without requireSafeReplicaSize: false', () => {
    const lab = cluster(1, 1);
    lab.install(smallValues({ poolReplicas: { size: 1 } }));
    const pool = lab.store.get(byKind('CephBlockPool'), 'rook-ceph', 'ceph-blockpool')!;
    expect(cephBlockPoolStatus(lab.kube(), 'east', pool, LATER)).toEqual({ phase: 'Failure' });
    expect(blockPoolRefusal(pool)).toBe(
      'failed to reconcile CephBlockPool "rook-ceph/ceph-blockpool". invalid pool CR "ceph-blockpool" spec: error pool size is 1 and requireSafeReplicaSize is true, must be false',
    );
  });

  it('with the default osd_pool_default_size, one OSD is too few', () => {
    const lab = cluster(1, 1);
    lab.install(smallValues({ cephConfig: { mon_warn_on_pool_no_redundancy: 'false' } }));
    const details = (lab.status().ceph as Doc).details as Doc;
    expect(details.TOO_FEW_OSDS).toEqual({
      message: 'OSD count 1 < osd_pool_default_size 3',
      severity: 'HEALTH_WARN',
    });
    expect(details.PG_DEGRADED).toEqual({
      message: 'Degraded data redundancy: 1 pg undersized',
      severity: 'HEALTH_WARN',
    });
  });

  it('takes nothing when the named device is the system disk', () => {
    const lab = cluster(1, 1);
    const values = smallValues();
    (values.cephClusterSpec as Doc).storage = {
      useAllNodes: false,
      useAllDevices: false,
      nodes: [{ name: 'east-w-1', devices: [{ name: 'sda' }] }],
    };
    lab.install(values);
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    expect(view.osds).toEqual([]);
    expect(view.prepareLogs['east-w-1']!.at(-1)).toMatch(
      /W \| cephosd: skipping OSD configuration as no devices matched the storage settings for this node "east-w-1"$/,
    );
    expect((lab.status().ceph as Doc).details).toMatchObject({
      TOO_FEW_OSDS: { message: 'OSD count 0 < osd_pool_default_size 1' },
      PG_AVAILABILITY: { message: 'Reduced data availability: 9 pgs inactive' },
    });
  });

  it('skips a disk that holds an OSD of another Ceph cluster; a VM created again has blank disks', () => {
    const lab = cluster(1, 1);
    const first = lab.install(smallValues());
    expect((lab.status().ceph as Doc).health).toBe('HEALTH_OK');
    const firstFsid = cephView(lab.kube(), 'east', first, LATER)!.fsid;
    lab.store.delete(byKind('CephCluster'), 'rook-ceph', 'rook-ceph');
    lab.now = LATER;
    const second = lab.install(smallValues());
    const secondView = cephView(lab.kube(), 'east', second, 2 * LATER)!;
    expect(secondView.fsid).not.toBe(firstFsid);
    expect(secondView.osds).toEqual([]);
    expect(secondView.prepareLogs['east-w-1']!.join('\n')).toMatch(
      new RegExp(`skipping osd\\.0: "[0-9a-f-]+" belonging to a different ceph cluster "${firstFsid}"`),
    );
    lab.nodes[1]!.uuid = 'w-1-created-again';
    expect(cephView(lab.kube(), 'east', second, 2 * LATER)!.osds.map((osd) => osd.device)).toEqual(['sdb']);
  });
});

/** The example's preview workers (examples/twin.yaml): 2 vCPU / 6 GiB, allocatable 1950m / 5500Mi (F.7). */
const PREVIEW_WORKER = { cores: 2, memoryMiB: 6144 };

/** Requests small enough for preview workers, as single keys over the chart's (helm merges maps). */
const SMALL_RESOURCES: Doc = {
  mon: { requests: { cpu: '100m', memory: '256Mi' } },
  mgr: { requests: { cpu: '100m', memory: '256Mi' } },
  osd: { requests: { cpu: '300m', memory: '1Gi' } },
};

const pending = (pods: PodView[]) => pods.filter((pod) => pod.phase === 'Pending' && !pod.nodeName);

describe('Ceph scheduled by its requests on the preview workers (2 vCPU / 6 GiB)', () => {
  it('with the chart defaults leaves mons Pending (Insufficient cpu) and never reaches HEALTH_OK', () => {
    const lab = cluster(3, 3, PREVIEW_WORKER);
    lab.install({});
    const waiting = pending(lab.pods()).filter((pod) => pod.name.startsWith('rook-ceph-mon-'));
    expect(waiting.length).toBeGreaterThan(0);
    for (const pod of waiting) {
      expect(pod.reason).toMatch(/^0\/6 nodes are available: /);
      expect(pod.reason).toMatch(/\d+ Insufficient cpu/);
      expect(pod.reason).toMatch(/3 node\(s\) had untolerated taint/);
      expect(pod.reason).toMatch(
        /preemption: 0\/6 nodes are available: .*No preemption victims found for incoming pod/,
      );
    }
    const status = lab.status();
    expect(status).toMatchObject({ phase: 'Progressing', state: 'Error' });
    expect(status.message).toMatch(/failed to schedule mons/);
    expect((status.ceph as Doc | undefined)?.health).not.toBe('HEALTH_OK');
  });

  it('with small mons and mgrs but the default 1000m/4Gi OSDs, an OSD stays Pending and Ceph warns', () => {
    const lab = cluster(3, 3, PREVIEW_WORKER);
    lab.install(
      {
        cephClusterSpec: {
          resources: { mon: SMALL_RESOURCES.mon, mgr: SMALL_RESOURCES.mgr },
          logCollector: { enabled: false },
        },
      },
      { operatorValues: { csi: { enableCephfsDriver: false } } },
    );
    const osds = lab.pods().filter((pod) => pod.name.startsWith('rook-ceph-osd-'));
    expect(osds).toHaveLength(3);
    const waiting = pending(osds);
    expect(waiting.length).toBeGreaterThan(0);
    // An OSD pod is pinned to its host: the other workers do not match its selector, the control planes
    // are tainted (that filter runs first), and only its host could be helped by preemption.
    for (const pod of waiting)
      expect(pod.reason).toMatch(
        /^0\/6 nodes are available: 1 Insufficient (cpu|memory), .*2 node\(s\) didn't match Pod's node affinity\/selector, 3 node\(s\) had untolerated taint \{[^}]*\}\. preemption: 0\/6 nodes are available: 1 No preemption victims found for incoming pod, 5 Preemption is not helpful for scheduling\.$/,
      );
    const events = schedulingEvents(lab.pods(), 'east').filter((event) =>
      event.name.startsWith('rook-ceph-osd-'),
    );
    expect(events.map((event) => [event.object.reason, event.object.message])).toEqual(
      waiting.map((pod) => ['FailedScheduling', pod.reason]),
    );
    const view = cephView(lab.kube(), 'east', lab.cephCluster(), LATER)!;
    expect(view.osds.filter((osd) => osd.upAt > LATER)).toHaveLength(waiting.length);
    const ceph = lab.status().ceph as Doc;
    expect(ceph.health).toBe('HEALTH_WARN');
    expect(ceph.details).toMatchObject({
      TOO_FEW_OSDS: { message: `OSD count ${3 - waiting.length} < osd_pool_default_size 3` },
    });
  });

  it('with small enough cephClusterSpec.resources every daemon runs and Ceph is HEALTH_OK', () => {
    const lab = cluster(3, 3, PREVIEW_WORKER);
    lab.install(
      {
        cephClusterSpec: { resources: SMALL_RESOURCES, logCollector: { enabled: false } },
        cephFileSystems: [],
        cephObjectStores: [],
      },
      { operatorValues: { csi: { enableCephfsDriver: false } } },
    );
    expect(pending(lab.pods())).toEqual([]);
    const ceph = lab.status().ceph as Doc;
    expect(ceph.health).toBe('HEALTH_OK');
    const version = 'ceph version 19.2.3 (c92aebb279828e9c3c1f5d24613efca272649e62) squid (stable)';
    expect(ceph.versions).toMatchObject({
      mon: { [version]: 3 },
      mgr: { [version]: 2 },
      osd: { [version]: 3 },
    });
  });
});

describe('a CephCluster spec changed after creation (Rook reconciles each generation)', () => {
  const statusAt = (lab: ReturnType<typeof cluster>, at: number) => lab.status(at) as Doc & { ceph?: Doc };
  const monsAt = (lab: ReturnType<typeof cluster>, at: number) =>
    cephView(lab.kube(), 'east', lab.cephCluster(), at)!.mons.map((mon) => [mon.name, mon.upAt! - LATER]);

  it('adds mons from when the change came, Progressing until they are up, then Ready at the new generation', () => {
    const lab = cluster(3, 3);
    lab.install({ cephClusterSpec: { mon: { count: 1, allowMultiplePerNode: true } } });
    expect(statusAt(lab, LATER)).toMatchObject({ phase: 'Ready', observedGeneration: 1 });
    lab.now = LATER;
    lab.install({});
    // Still the old generation: Progressing, with the health Ceph reports meanwhile and the Ready condition kept.
    const during = statusAt(lab, LATER + 1000);
    expect(during).toMatchObject({
      phase: 'Progressing',
      message: 'Configuring Ceph Mons',
      observedGeneration: 1,
    });
    expect((during.conditions as Doc[]).map((c) => [c.type, c.status])).toEqual([
      ['Ready', 'True'],
      ['Progressing', 'True'],
    ]);
    expect(during.ceph).toMatchObject({ health: 'HEALTH_OK' });
    // The new mons start after the change, one after another, not at the cluster's creation.
    const detect = SECONDS.podStart * 1000;
    const mon = SECONDS.cephMonStart * 1000;
    expect(monsAt(lab, LATER + 1000)).toEqual([['mon.a', expect.any(Number)]]);
    expect(monsAt(lab, 2 * LATER)).toEqual([
      ['mon.a', expect.any(Number)],
      ['mon.b', detect + mon],
      ['mon.c', detect + 2 * mon],
    ]);
    const readyAt = detect + 2 * mon + SECONDS.cephOsdPrepare * 1000;
    expect(statusAt(lab, LATER + readyAt - 1000)).toMatchObject({
      phase: 'Progressing',
      observedGeneration: 1,
    });
    expect(statusAt(lab, LATER + readyAt)).toMatchObject({ phase: 'Ready', observedGeneration: 2 });
  });

  it('removes the mons beyond a smaller count and never reuses their letters', () => {
    const lab = cluster(3, 3);
    lab.install({});
    lab.now = LATER;
    lab.install({ cephClusterSpec: { mon: { count: 1, allowMultiplePerNode: true } } });
    expect(monsAt(lab, LATER + 60_000).map(([name]) => name)).toEqual(['mon.a']);
    lab.now = 2 * LATER;
    lab.install({});
    expect(monsAt(lab, 3 * LATER).map(([name]) => name)).toEqual(['mon.a', 'mon.d', 'mon.e']);
    expect(statusAt(lab, 3 * LATER)).toMatchObject({ phase: 'Ready', observedGeneration: 3 });
    expect(statusAt(lab, 3 * LATER).ceph).toMatchObject({ health: 'HEALTH_OK' });
  });

  it("stops with Rook's validation error when the new count does not fit the nodes", () => {
    const lab = cluster(3, 3);
    lab.install({});
    lab.now = LATER;
    lab.install({ cephClusterSpec: { mon: { count: 7 } } });
    expect(statusAt(lab, LATER + 1000)).toMatchObject({
      phase: 'Progressing',
      state: 'Error',
      message: expect.stringContaining('cannot start 7 mons on 6 node(s) when allowMultiplePerNode is false'),
      observedGeneration: 1,
    });
  });
});

describe("Rook's CRD rules at the API server", () => {
  it('refuses more than 9 mons', () => {
    const lab = cluster(1, 3);
    expect(() => lab.install({ cephClusterSpec: { mon: { count: 10 } } })).toThrow(
      new ApiRejection(
        'The CephCluster "rook-ceph" is invalid: spec.mon.count: Invalid value: 10: spec.mon.count in body should be less than or equal to 9',
      ),
    );
  });
});
