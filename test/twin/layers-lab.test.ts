import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRunner } from '../../src/exec/runner.js';
import { startLab, type LabHandle } from '../../src/lab/lab.js';
import { observeProxmox, planTwin } from '../../src/plan/plan.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import type { TwinSpec } from '../../src/spec/schema.js';
import { LocalStateStore } from '../../src/state/store.js';
import { applyTwin } from '../../src/twin/apply.js';
import { scaledPace, type TwinContext } from '../../src/twin/context.js';
import { diffKubernetes, planKubernetesLayer } from '../../src/twin/layers/kubernetes.js';
import { clusterLayerDeps } from '../../src/twin/layers/steps.js';
import { clusterBaseOf, talosNodeOf, wantedMembers } from '../../src/twin/layers/talos-inputs.js';
import {
  diffTalos,
  planTalosLayer,
  plannedTalosReleases,
  type TalosLayerCluster,
} from '../../src/twin/layers/talos.js';
import { operatorClient } from '../lab/operator-client.js';

/**
 * The Talos and Kubernetes layers observing a twin the product created in the lab: nothing to change
 * against its own spec (the configs generated for comparison are the ones it was created with), and the
 * paths to Talos v1.13.9 and Kubernetes 1.36.3 from what runs.
 */
const TIME_SCALE = 0.01;
const TWIN = 'pr-23';

/** The one-worker fixture cut to east alone. */
function eastOnly(): TwinSpec {
  const { spec } = loadSpec('test/fixtures/twins/one-worker.yaml');
  const preview = spec.environments.preview;
  return {
    ...spec,
    clusters: spec.clusters.filter((cluster) => cluster.name === 'east'),
    environments: {
      production: { ...spec.environments.production, clusters: {} },
      preview: { ...preview, clusters: { east: preview.clusters?.east ?? {} } },
    },
  };
}

describe('layers against a twin in the lab', { timeout: 300_000 }, () => {
  const spec = eastOnly();
  let lab: LabHandle;
  let ctx: TwinContext;
  let savedPath: string | undefined;

  beforeAll(async () => {
    lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'layers-lab-')), timeScale: TIME_SCALE });
    savedPath = process.env.PATH;
    process.env.PATH = `${lab.binDir}${delimiter}${savedPath}`;
    ctx = {
      twin: resolveTwin(spec, TWIN),
      client: operatorClient(lab),
      store: new LocalStateStore(mkdtempSync(join(tmpdir(), 'layers-state-'))),
      runner: execRunner,
      tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
      pace: scaledPace(TIME_SCALE),
      workDir: join(mkdtempSync(join(tmpdir(), 'layers-work-')), TWIN),
      log: () => undefined,
    };
    const outcome = await applyTwin(ctx);
    expect(outcome.failure).toBeUndefined();
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await lab?.close();
  });

  it('observes the twin as created: no change, no refusal; then plans the upgrade paths', async () => {
    const plan = planTwin(ctx.twin, await observeProxmox(ctx.client, spec));
    const planned = plan.clusters.find((cluster) => cluster.name === 'east')!;
    const key = (name: string) => ctx.store.pathOf({ twin: TWIN, cluster: 'east', name });
    const cluster: TalosLayerCluster = {
      cluster: 'east',
      base: clusterBaseOf(spec, plan, 'east'),
      nodes: wantedMembers(plan, 'east').map((vm) => talosNodeOf(vm, planned.vip)),
      schematic: spec.talos.schematic,
      talosconfig: key('talosconfig'),
      secretsFile: key('secrets.yaml'),
    };
    const deps = clusterLayerDeps(ctx, key('kubeconfig'));

    const talos = await planTalosLayer(deps, cluster, { version: spec.talos.version });
    expect(talos.diff.unobserved).toBeUndefined();
    expect(talos.diff.changes).toEqual([]);
    expect(talos.diff.running).toBe(`Talos v1.11.6 on ${cluster.nodes.length} nodes`);

    const kubernetesCluster = {
      cluster: 'east',
      talosconfig: key('talosconfig'),
      controlPlane: cluster.nodes[0]!.address,
    };
    const wanted = { version: spec.talos.kubernetesVersion, talosVersion: spec.talos.version };
    const kubernetes = await planKubernetesLayer(
      deps,
      kubernetesCluster,
      wanted,
      plannedTalosReleases(talos.observation, talos.diff),
    );
    expect(kubernetes.diff).toMatchObject({ running: 'Kubernetes 1.34.1', changes: [], refused: [] });

    const toV113 = diffTalos(talos.observation, { version: 'v1.13.9' });
    expect(new Set(toV113.changes.map((change) => change.to))).toEqual(new Set(['v1.12.11', 'v1.13.9']));
    expect(toV113.changes).toHaveLength(2 * cluster.nodes.length);
    const k8s136 = { version: '1.36.3', talosVersion: 'v1.13.9' };
    expect(
      diffKubernetes(
        kubernetes.observation,
        k8s136,
        plannedTalosReleases(talos.observation, toV113),
      ).changes.map((c) => c.to),
    ).toEqual(['1.35.4', '1.36.3']);
    const stayOnV111 = diffKubernetes(
      kubernetes.observation,
      { ...k8s136, talosVersion: 'v1.11.6' },
      plannedTalosReleases(talos.observation, talos.diff),
    );
    expect(stayOnV111.refused[0]?.reason).toBe(
      'Kubernetes 1.35 needs Talos v1.12 on every node: set talos.version to v1.12.x first',
    );
  });
});
