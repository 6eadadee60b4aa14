import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { meshCaKey, parseMeshCa } from '../mesh/ca.js';
import { freshWorkDir } from '../util/work-dir.js';
import { ConfigurationError, errorMessage } from '../errors.js';
import type { Step, StepRecord } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import type { TwinPlan } from '../plan/plan.js';
import type { TwinContext } from './context.js';
import type { ClusterLayers, LayerScope, MeshCa } from './layers/cluster-layers.js';
import { observeClusterLayers } from './layers/cluster-layers.js';
import { pendingSummary, refusedLine, refusals } from './layers/describe.js';
import { releaseSteps } from './layers/release.js';
import { rollOutNode, uncordonOurs } from './layers/rollout.js';
import { sequenceClusterWork } from './layers/sequence.js';
import type { LayerDiff } from './layers/types.js';
import { diskGrowthSteps, vmResizeActions } from './layers/vm.js';
import { probeFor, releaseDepsFor, rolloutDepsFor, vmActionDepsFor } from './layers/wiring.js';
import type { ClusterOutcome, TwinOutcome } from './outcome.js';
import { loadTwinRecord, readTwinRecord } from './outcome.js';
import { loadPlatformReport } from './platform.js';
import type { ProbeFigures } from './probe.js';

/** What converging a running twin's layers did: its steps, what still differs, and availability meanwhile. */
export interface ConvergeReport {
  records: StepRecord[];
  /** The layers observed again after the run: empty changes everywhere when the twin matches the spec. */
  after: LayerDiff[];
  /** Requests to the demo's global service and the mesh check during the run, per cluster (when probed). */
  availability?: ProbeFigures[];
  /** Failed steps, or what still differs. */
  failure?: string;
}

/** Observes every layer of every running cluster (see cluster-layers.ts). */
export async function observeTwinLayers(
  ctx: TwinContext,
  plan: TwinPlan,
  clusters: ClusterOutcome[],
  ca: MeshCa,
  scope: LayerScope,
): Promise<ClusterLayers[]> {
  return Promise.all(
    clusters.map((cluster) => observeClusterLayers(ctx, plan, clusters, cluster, ca, scope)),
  );
}

/**
 * Converges the layers of a twin whose clusters are up: observe, refuse what the real systems refuse before
 * anything changes, run each cluster's ordered chain (clusters side by side, nodes one at a time inside a
 * cluster, health gates between nodes), probe availability meanwhile, then observe again: the run is done
 * only when no layer differs from the spec any more.
 */
export async function convergeLayers(
  ctx: TwinContext,
  plan: TwinPlan,
  clusters: ClusterOutcome[],
  ca: MeshCa,
  scope: LayerScope,
): Promise<ConvergeReport> {
  const layers = await observeTwinLayers(ctx, plan, clusters, ca, scope);
  refuseRefusals(
    plan.twin,
    layers.flatMap((cluster) => cluster.diffs),
  );
  const steps = layers.flatMap((cluster) => clusterWork(ctx, cluster, scope));
  const disruptive = steps.some((step) => !step.id.endsWith(':prepare'));
  const probe = disruptive ? await availabilityProbe(ctx, clusters) : undefined;
  probe?.start();
  const { records } = await runGraph(steps, ctx.events);
  const availability = await probe?.stop();
  const failed = records.filter((record) => record.state === 'failed');
  const after = (await observeTwinLayers(ctx, plan, clusters, ca, scope)).flatMap((cluster) => cluster.diffs);
  const failure =
    failed.length > 0
      ? failed
          .map((record) => `${record.title}: ${String((record.error as Error)?.message ?? record.error)}`)
          .join('\n')
      : pendingSummary(after);
  return { records, after, ...(availability ? { availability } : {}), ...(failure ? { failure } : {}) };
}

/** Observes a running twin and refuses, before any change, what the real systems would refuse. */
export async function refuseLayerChanges(
  ctx: TwinContext,
  plan: TwinPlan,
  clusters: ClusterOutcome[],
  ca: MeshCa,
): Promise<void> {
  const ready = clusters.filter(
    (cluster) => existsSync(cluster.kubeconfig) && existsSync(cluster.talosconfig),
  );
  if (ready.length === 0) return; // a run killed before any cluster answered: nothing runs to compare
  const layers = await Promise.all(ready.map((cluster) => observeIfAnswering(ctx, plan, ready, cluster, ca)));
  refuseRefusals(
    plan.twin,
    layers.flatMap((cluster) => cluster?.diffs ?? []),
  );
}

/**
 * A cluster a killed run left half-built may not answer yet (its VIP comes with etcd, after the boots this
 * run's build steps wait for): it cannot be compared now, and the converge after the build steps observes
 * it again and refuses there, before any layer change.
 */
async function observeIfAnswering(
  ctx: TwinContext,
  plan: TwinPlan,
  clusters: ClusterOutcome[],
  cluster: ClusterOutcome,
  ca: MeshCa,
): Promise<ClusterLayers | undefined> {
  try {
    return await observeClusterLayers(ctx, plan, clusters, cluster, ca, { rook: false });
  } catch (error) {
    ctx.log(
      `${cluster.name}: its layers cannot be read yet (${errorMessage(error)}); ` +
        'they are compared once the build steps have it up',
    );
    return undefined;
  }
}

/** The provision outcome with the converge steps, availability and what still differs. */
export function withConverge(built: TwinOutcome, report: ConvergeReport): TwinOutcome {
  return {
    ...built,
    records: [...built.records, ...report.records],
    ok: report.failure === undefined,
    ...(report.availability ? { availability: report.availability } : {}),
    ...(report.failure ? { failure: report.failure } : {}),
  };
}

function refuseRefusals(twin: string, diffs: LayerDiff[]): void {
  const refused = refusals(diffs);
  if (refused.length === 0) return;
  throw new ConfigurationError(
    `twin ${twin}: the spec asks for changes the real systems refuse; nothing was changed:\n  ` +
      refused.map(refusedLine).join('\n  '),
  );
}

function clusterWork(ctx: TwinContext, layers: ClusterLayers, scope: LayerScope): Step[] {
  const { cluster } = layers;
  // Between nodes Ceph must be healthy again wherever it runs, whether or not this run converges its releases.
  const rollout = rolloutDepsFor(ctx, cluster, { ceph: ctx.twin.spec.addons.rook.enabled });
  const releases = layers.releases.filter(
    (release) => scope.rook || !release.wanted.release.startsWith('rook'),
  );
  const cilium = layers.releases.find((release) => release.wanted.release === 'cilium');
  return sequenceClusterWork({
    cluster: cluster.name,
    prepare: {
      id: `converge:${cluster.name}:prepare`,
      title: `${cluster.name}: nodes an earlier run cordoned uncordoned`,
      doing: `uncordoning the nodes of ${cluster.name} an earlier run left cordoned`,
      stage: 'rollout',
      needs: [],
      run: async () => void (await uncordonOurs(rollout)),
    },
    disks: diskGrowthSteps(ctx.client, cluster.name, layers.vms),
    talos: layers.talos.steps,
    kubernetes: layers.kubernetes.steps,
    vmActions: vmResizeActions(vmActionDepsFor(ctx, ctx.client, cluster), layers.vms),
    releases: releaseSteps(releaseDepsFor(ctx, cluster), releases),
    talosNow: new Map(
      layers.talos.observation.nodes.flatMap((node) =>
        node.release ? [[node.node.name, node.release]] : [],
      ),
    ),
    ...(cilium?.status?.chartVersion ? { ciliumNow: cilium.status.chartVersion } : {}),
    rollOut: (action) => rollOutNode(rollout, action),
    refreshConfigs: () => layers.talos.refresh(),
  });
}

/** The demo's global service and the mesh check, probed from every cluster, when an earlier run deployed them. */
async function availabilityProbe(ctx: TwinContext, clusters: ClusterOutcome[]) {
  const report = await loadPlatformReport(ctx.store, ctx.twin.twin);
  const starwars =
    ctx.twin.spec.addons.starwars.enabled && report.checks.some((check) => check.id.startsWith('starwars'));
  const mesh = report.mesh.length > 0;
  if (!starwars && !mesh) return undefined;
  return probeFor(ctx, clusters, { starwars, mesh });
}

/**
 * Every layer of a twin that runs, compared with the spec (for `plan` and `up`'s last check), or undefined
 * when nothing of it runs yet (a new twin is created at the spec's releases). Changes nothing; generated
 * configs live in the operation's private scratch folder and are removed.
 */
export async function observeRunningTwin(
  ctx: TwinContext,
  plan: TwinPlan,
  scope: LayerScope = { rook: ctx.twin.spec.addons.rook.enabled },
): Promise<LayerDiff[] | undefined> {
  if (plan.slotState !== 'held' || !plan.vms.some((vm) => vm.action === 'keep' || vm.action === 'change'))
    return undefined;
  const record = await readTwinRecord(ctx.store, plan.twin);
  const caText = await ctx.store.read(meshCaKey(plan.twin));
  if (!record || caText === undefined) return undefined;
  const ca = parseMeshCa(caText, ctx.store.pathOf(meshCaKey(plan.twin)));
  const clusters = (await loadTwinRecord(ctx.store, plan.twin)).filter(
    (cluster) => existsSync(cluster.kubeconfig) && existsSync(cluster.talosconfig),
  );
  if (clusters.length === 0) return undefined;
  await freshWorkDir(ctx.workDir);
  try {
    const layers = await observeTwinLayers(ctx, plan, clusters, ca, scope);
    return layers.flatMap((cluster) => cluster.diffs);
  } finally {
    await rm(ctx.workDir, { recursive: true, force: true });
  }
}
