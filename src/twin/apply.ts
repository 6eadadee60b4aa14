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
import type { ClaimedPlan } from './claim.js';
import type { ApplyRun } from './cluster-steps.js';
import { clusterSteps } from './cluster-steps.js';
import { buildWaits } from './build-waits.js';
import type { TwinContext } from './context.js';
import { clusterKeys, describeFailures } from './outcome.js';
import type { ClusterOutcome, TwinOutcome } from './outcome.js';
import { imageSteps, vmSteps } from './vm-steps.js';
import { convergeLayers, refuseLayerChanges, withConverge } from './converge.js';
import { withTwinLock } from './lock.js';
import { AFTER_BUILD, platformOutcome } from './platform-steps.js';
import type { BuildGates, PlatformSteps } from './platform-steps.js';

/**
 * Converges a twin: a missing twin is created, an existing one keeps every healthy node, gains or loses
 * workers, and is never bootstrapped twice. Every step checks what exists first, so a run that was killed
 * midway is finished by the next one. It holds the twin's lock throughout (destroy and the reaper take the
 * same), so no destroy or reap of the twin runs meanwhile. With `platform`, the mesh and day 2 too.
 */
export async function applyTwin(ctx: TwinContext, platform?: PlatformSteps): Promise<TwinOutcome> {
  return withTwinLock(ctx, 'apply', () => applyHeld(ctx, platform));
}

async function applyHeld(ctx: TwinContext, platform: PlatformSteps | undefined): Promise<TwinOutcome> {
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
    const clusters = outcome(ctx, plan, []).clusters;
    // What the real systems refuse is refused before anything changes (converge refuses the same again).
    if (running) await refuseLayerChanges(ctx, plan, clusters, ca);
    const build = buildSteps(ctx, plan, ca, work);
    const release = reservation ? [reservationStep(ctx, plan, reservation, build)] : [];
    // A new twin: the platform's steps start as soon as what they need is up, in the same graph.
    const joined = platform && !running ? platform(clusters, buildGates(build)) : undefined;
    const { records } = await runGraph([...build, ...release, ...(joined?.steps ?? [])], ctx.events);
    if (reservation && records.find((r) => r.id === RELEASE_STEP)?.state !== 'done')
      await releaseReservation(ctx, plan, reservation);
    const built = outcome(ctx, plan, recordsOf(records, build));
    if (joined) return { ...built, platform: platformOutcome(recordsOf(records, joined.steps), joined) };
    if (!running || !built.ok) return built;
    // Nodes that ran already: each layer brought to the spec in place (day 2's Rook releases are day 2's).
    const converged = withConverge(
      built,
      await convergeLayers(ctx, plan, built.clusters, ca, { rook: false }),
    );
    if (!platform || !converged.ok) return converged;
    const after = platform(converged.clusters, { ...AFTER_BUILD, meshRequirementsStep: true });
    const { records: platformRecords } = await runGraph(after.steps, ctx.events);
    return { ...converged, platform: platformOutcome(platformRecords, after) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const RELEASE_STEP = 'capacity-reservation';

/** The slot's capacity reservation is dropped once every VM exists: from then on PVE counts them itself. */
function reservationStep(
  ctx: TwinContext,
  plan: TwinPlan,
  reservation: NonNullable<ClaimedPlan['reservation']>,
  build: Step[],
): Step {
  return {
    id: RELEASE_STEP,
    title: 'capacity reservation released',
    doing: 'releasing the capacity reservation of the new VMs',
    stage: 'vm',
    needs: build.filter((step) => step.id.startsWith('vm-create:')).map((step) => step.id),
    run: () => releaseReservation(ctx, plan, reservation),
  };
}

/** The build steps a platform step joined to them waits for (none where the cluster has no such step). */
function buildGates(build: Step[]): BuildGates {
  const ids = new Set(build.map((step) => step.id));
  const gate = (id: string) => (ids.has(id) ? [id] : []);
  return {
    meshRequirementsStep: true,
    api: (cluster) => gate(`api:${cluster}`),
    ready: (cluster) => gate(`ready:${cluster}`),
    meshed: [],
  };
}

function recordsOf(records: StepRecord[], steps: Step[]): StepRecord[] {
  const ids = new Set(steps.map((step) => step.id));
  return records.filter((record) => ids.has(record.id));
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
  const run: ApplyRun = { ctx, plan, vms, talosctl, ca, work, files: new Map(), waits: buildWaits(ctx.pace) };
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
