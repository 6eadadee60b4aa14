import { describe, expect, it } from 'vitest';
import { rookClusterValues, rookOperatorValues } from '../../src/addons/rook.js';
import { rookPodsOnFullestWorker } from '../../src/sizing/rook-load.js';

/** The capacity check reads Rook's pods back from the rendered values: what they say is what it counts. */

const WORKER = { cores: 2, memoryMiB: 6144 };
const workers = [1, 2, 3].map((i) => ({ name: `w${i}`, extraDisks: 1 }));
const render = () => ({
  cluster: rookClusterValues({ cluster: 'east', workers, workerVm: WORKER }) as {
    cephClusterSpec: Record<string, unknown> & { resources: Record<string, unknown> };
  },
  operator: rookOperatorValues(WORKER) as { csi: Record<string, unknown> },
});
const byName = (pods: ReturnType<typeof rookPodsOnFullestWorker>) =>
  Object.fromEntries(pods.map((p) => [p.what, [p.count, p.each.cpuMilli, p.each.memoryMiB]]));

describe('rookPodsOnFullestWorker', () => {
  it('adds the log collector sidecar to mon, mgr and osd pods when the values turn it on', () => {
    const { cluster, operator } = render();
    cluster.cephClusterSpec.logCollector = { enabled: true };
    cluster.cephClusterSpec.resources.logcollector = { requests: { cpu: '100m', memory: '100Mi' } };
    expect(byName(rookPodsOnFullestWorker(cluster, operator))).toMatchObject({
      'Rook osd': [1, 600, 2148],
      'Rook mon': [1, 250, 484],
      'Rook mgr': [1, 200, 484],
    });
  });

  it('puts every mon on the worker when they may share one', () => {
    const { cluster, operator } = render();
    cluster.cephClusterSpec.mon = { count: 3, allowMultiplePerNode: true };
    expect(byName(rookPodsOnFullestWorker(cluster, operator))['Rook mon']).toEqual([3, 150, 384]);
  });

  it('counts what the values change: a provisioner replica more, no crash collector', () => {
    const { cluster, operator } = render();
    operator.csi.provisionerReplicas = 3;
    cluster.cephClusterSpec.crashCollector = { disable: true };
    const pods = byName(rookPodsOnFullestWorker(cluster, operator));
    expect(pods['RBD provisioner']).toEqual([3, 50, 256]);
    expect(pods['Rook crash collector']).toBeUndefined();
  });

  it('refuses values it cannot count: a daemon left to the chart default, or the CephFS driver', () => {
    const { cluster, operator } = render();
    delete cluster.cephClusterSpec.resources.mon;
    expect(() => rookPodsOnFullestWorker(cluster, operator)).toThrow(
      'the rendered Rook values lack cephClusterSpec.resources.mon: the chart default would apply',
    );
    const fresh = render();
    fresh.operator.csi.enableCephfsDriver = true;
    expect(() => rookPodsOnFullestWorker(fresh.cluster, fresh.operator)).toThrow(/enable CephFS/);
  });
});
