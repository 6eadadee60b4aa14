import { rm } from 'node:fs/promises';
import { errorMessage, isConfigurationError } from '../errors.js';
import { ensureMeshCa } from '../mesh/ca.js';
import type { Step, StepRecord } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import type { TwinPlan } from '../plan/plan.js';
import { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import { Talosctl } from '../talos/talosctl.js';
import { KeyedLimiter } from '../util/limit.js';
import { freshWorkDir } from '../util/work-dir.js';
import { claimAndPlan, releaseReservation } from './claim.js';
import type { ApplyRun } from './cluster-steps.js';
import { clusterSteps } from './cluster-steps.js';
import type { TwinContext } from './context.js';
import { clusterKeys, describeFailures } from './outcome.js';
import type { ClusterOutcome, TwinOutcome } from './outcome.js';
import { imageSteps, vmSteps } from './vm-steps.js';
import { convergeLayers, refuseLayerChanges, withConverge } from './converge.js';
import { withTwinLock } from './lock.js';

/**
 * Converges a twin: a missing twin is created, an existing one keeps every healthy node, gains or loses
 * workers, and is never bootstrapped twice. Every step checks what exists first, so a run that was killed
 * midway is finished by the next one. It holds the twin's lock throughout (destroy and the reaper take the
 * same), so no destroy or reap of the twin runs meanwhile.
 */
export async function applyTwin(ctx: TwinContext): Promise<TwinOutcome> {
  return withTwinLock(ctx, 'apply', () => applyHeld(ctx));
}

async function applyHeld(ctx: TwinContext): Promise<TwinOutcome> {
  const { plan, reservation } = await claimAndPlan(ctx).catch((error: unknown) => {
    if (isConfigurationError(error)) throw error;
    throw new Error(
      `stage plan, ${ctx.twin.twin}: reading Proxmox and claiming the slot: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  });
  const ca = await ensureMeshCa(ctx.store, ctx.twin.twin); // before clusters run in parallel: one CA per twin
  const work = ctx.workDir;
  await freshWorkDir(work);
  try {
    const running = runsAlready(plan);
    // What the real systems refuse is refused before anything changes (converge refuses the same again).
    if (running) await refuseLayerChanges(ctx, plan, outcome(ctx, plan, []).clusters, ca);
    const steps = buildSteps(ctx, plan, ca, work);
    const { records } = await runGraph(steps, ctx.events);
    if (reservation) await releaseReservation(ctx, plan, reservation);
    const built = outcome(ctx, plan, records);
    if (!running || !built.ok) return built;
    // Nodes that ran already: each layer brought to the spec in place (day 2's Rook releases are day 2's).
    const converged = await convergeLayers(ctx, plan, built.clusters, ca, { rook: false });
    return withConverge(built, converged);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function buildSteps(
  ctx: TwinContext,
  plan: TwinPlan,
  ca: { certPem: string; keyPem: string },
  work: string,
): Step[] {
  const vms = new VmLifecycle(ctx.client, { paceScale: ctx.pace.scale });
  // PVE serialises allocations on a storage behind one lock with a 10 s timeout; importing a Talos image
  // takes longer, so parallel creates on one node's storage only queue on that lock and time out. Queue here.
  const storageQueue = new KeyedLimiter(1);
  const talosctl = new Talosctl(ctx.runner, { path: ctx.tools.talosctl });
  const run: ApplyRun = { ctx, plan, vms, talosctl, ca, work, files: new Map() };
  const wanted = plan.vms.filter((vm) => vm.definition && vm.action !== 'conflict');
  return [
    ...imageSteps(ctx, plan, vms, wanted),
    ...wanted.flatMap((vm) => vmSteps(ctx, plan, vms, storageQueue, vm)),
    ...plan.clusters.flatMap((cluster) =>
      clusterSteps(
        run,
        cluster,
        wanted.filter((vm) => vm.cluster === cluster.name),
      ),
    ),
  ];
}

function outcome(ctx: TwinContext, plan: TwinPlan, records: StepRecord[]): TwinOutcome {
  const clusters: ClusterOutcome[] = plan.clusters.map((cluster) => ({
    name: cluster.name,
    id: cluster.id,
    endpoint: `https://${cluster.vip}:6443`,
    vip: cluster.vip,
    pods: cluster.pods,
    nodes: plan.vms
      .filter((vm) => vm.cluster === cluster.name && vm.action !== 'destroy')
      .map((vm) => ({
        name: vm.name,
        role: vm.role,
        address: vm.address!,
        vmid: vm.vmid,
        pveNode: vm.pveNode,
        extraDisks: vm.definition?.extraDisksGiB.length ?? 0,
      })),
    ...clusterKeys(ctx.store, plan.twin, cluster.name),
  }));
  const failed = records.filter((record) => record.state === 'failed');
  return {
    twin: plan.twin,
    environment: plan.environment,
    slot: plan.slot,
    pool: plan.pool,
    clusters,
    records,
    ok: failed.length === 0 && records.every((record) => record.state === 'done'),
    ...(failed.length > 0 ? { failure: describeFailures(records) } : {}),
  };
}

/** Whether some VM of the twin ran before this run: only then can a layer differ from the spec. */
function runsAlready(plan: TwinPlan): boolean {
  return plan.vms.some((vm) => vm.action === 'keep' || vm.action === 'change');
}
