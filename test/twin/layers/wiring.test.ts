import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rookClusterValues, rookOperatorValues } from '../../../src/addons/rook.js';
import { resolveTwin } from '../../../src/spec/environment.js';
import { loadSpec } from '../../../src/spec/load.js';
import { LocalStateStore } from '../../../src/state/store.js';
import type { ClusterWorkContext } from '../../../src/twin/context.js';
import { scaledPace } from '../../../src/twin/context.js';
import type { ClusterOutcome } from '../../../src/twin/outcome.js';
import { releaseDepsFor, rolloutDepsFor, wantedRookReleases } from '../../../src/twin/layers/wiring.js';
import { scriptedRunner } from '../../exec/scripted-runner.js';

const { spec } = loadSpec('examples/twin.yaml');
const twin = resolveTwin(spec, 'pr-41');

function context(): ClusterWorkContext {
  return {
    twin,
    store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'wiring-state-'))),
    runner: scriptedRunner().runner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    pace: scaledPace(0.01),
    workDir: mkdtempSync(join(tmpdir(), 'wiring-work-')),
    log: () => {},
  };
}

const east: ClusterOutcome = {
  name: twin.clusters[0]!.name,
  id: 1,
  vip: '10.0.0.10',
  endpoint: 'https://10.0.0.10:6443',
  pods: '10.244.0.0/16',
  kubeconfig: '/s/kubeconfig',
  talosconfig: '/s/talosconfig',
  nodes: [
    { name: 'cp-1', role: 'controlplane', address: '10.0.0.11', vmid: 1, pveNode: 'pve1', extraDisks: 0 },
    { name: 'w-1', role: 'worker', address: '10.0.0.14', vmid: 4, pveNode: 'pve1', extraDisks: 1 },
  ],
};

describe('layer wiring', () => {
  it('gates etcd always and Ceph when asked, at the run pace', () => {
    const ctx = context();
    expect(rolloutDepsFor(ctx, east, { ceph: true }).gates.map((g) => [g.name, g.timeoutMs])).toEqual([
      ['etcd', ctx.pace.apiTimeoutMs],
      ['Ceph', ctx.pace.cephTimeoutMs],
    ]);
    const deps = rolloutDepsFor(ctx, east, { ceph: false });
    expect(deps.gates.map((g) => g.name)).toEqual(['etcd']);
    expect(deps.drainTimeoutSec).toBe(5);
  });

  it("wants Rook's releases with the values day2 installs", () => {
    const releases = wantedRookReleases(context(), east);
    const workerVm = {
      cores: twin.clusters[0]!.workers.cores,
      memoryMiB: twin.clusters[0]!.workers.memoryMiB,
    };
    expect(releases.map((r) => [r.release, r.version, r.namespace])).toEqual(
      spec.addons.rook.enabled
        ? [
            ['rook-ceph', spec.addons.rook.version, 'rook-ceph'],
            ['rook-ceph-cluster', spec.addons.rook.version, 'rook-ceph'],
          ]
        : [],
    );
    if (releases.length === 0) return;
    expect(releases[0]!.values).toEqual(rookOperatorValues(workerVm));
    expect(releases[1]!.values).toEqual(
      rookClusterValues({ cluster: east.name, workers: [{ name: 'w-1', extraDisks: 1 }], workerVm }),
    );
  });

  it('writes values files private to the run', async () => {
    const ctx = context();
    const file = await releaseDepsFor(ctx, east).writeValues('cilium-values.yaml', { a: { b: 1 } });
    expect(file).toBe(join(ctx.workDir, `${east.name}-cilium-values.yaml`));
    expect(parse(readFileSync(file, 'utf8'))).toEqual({ a: { b: 1 } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
