import { recordedClusters } from '../../diagnostics/bundle.js';
import { errorMessage, isConfigurationError } from '../../errors.js';
import { specFolder } from '../../spec/files.js';
import { platformTables } from '../../github/platform-report.js';
import type { StepRecord } from '../../plan/executor.js';
import type { TwinContext } from '../../twin/context.js';
import { twinPlatform } from '../../twin/platform-graph.js';
import type { TwinOutcome } from '../../twin/outcome.js';
import { saveTwinRecord, stageTimingTable } from '../../twin/outcome.js';
import { loadRunTimings, runTimingsOf, saveRunTimings } from '../../twin/run-timings.js';
import type { PlatformReport } from '../../twin/platform.js';
import { loadPlatformReport, savePlatformReport } from '../../twin/platform.js';
import { applyTwin } from '../../twin/apply.js';
import { observeProxmox, planTwin } from '../../plan/plan.js';
import { observeRunningTwin } from '../../twin/converge.js';
import type { LayerScope } from '../../twin/layers/cluster-layers.js';
import { pendingSummary } from '../../twin/layers/describe.js';
import { formatProbeFigures } from '../../twin/probe.js';
import { destroyTwin } from '../../twin/destroy.js';
import { describeForeign } from '../../proxmox/ownership.js';
import type { Parsed } from '../args.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseCommandLine, requiredOption } from '../args.js';
import type { Ask } from '../confirm.js';
import { confirmDown, terminalAsk } from '../confirm.js';
import { diagnoseFailedUp } from '../diagnostics.js';
import { liveView } from '../live.js';
import type { Io } from '../output.js';
import { table } from '../output.js';
import { runSummaryLines } from '../up-summary.js';
import { LAYOUT_OPTIONS, LAYOUT_USAGE, STATE_OPTIONS, STATE_USAGE, twinContext } from '../twin-context.js';

export const TWIN_OPTIONS = {
  env: { type: 'string' },
  ...STATE_OPTIONS,
  ...LAYOUT_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const;

export const UP_USAGE = `usage: twin up SPEC --env TWIN [--no-platform] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  Converges the twin: creates what is missing, keeps what is healthy, scales workers, never bootstraps twice;
  joins the clusters into one Cilium Cluster Mesh and installs day 2 (Rook Ceph, the Star Wars demo with its
  cross-cluster checks, the spec's extras) in the same step graph, and prints the checks.
  --no-platform stops after the clusters are usable. A run that was interrupted is finished by the next one.
  First checks the token's rights as twin doctor does: a missing one stops it, named, before any change.
  A run that fails leaves a diagnostics bundle, as twin diagnose writes it, and names its path.
${STATE_USAGE}
${LAYOUT_USAGE}
${CONNECTION_USAGE}`;

export const DOWN_USAGE = `usage: twin down SPEC --env TWIN [--yes] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  Destroys the twin: its VMs, its slot pool and its stored credentials, then proves that nothing of it is
  left. A VM is the twin's only when it is in the twin's slot pool, inside the VMID range its claim recorded,
  named and tagged as the twin's; a VM that matches only in part is left alone and named. A twin that does
  not exist is said so (exit 0: nothing to do). First checks the token has the rights destroy uses, takes
  the twin's lock (refused while an apply or destroy of it runs) and waits for VM creates a killed run left
  running in the twin's VMIDs.
  --yes                      needed to destroy production (at a terminal, typing its name will do)
${STATE_USAGE}
${LAYOUT_USAGE}
${CONNECTION_USAGE}`;

export const UP_OPTIONS = { ...TWIN_OPTIONS, 'no-platform': { type: 'boolean' } } as const;
export const DOWN_OPTIONS = { ...TWIN_OPTIONS, yes: { type: 'boolean' } } as const;

export async function upCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, UP_OPTIONS, ['SPEC'], UP_USAGE);
  const started = Date.now();
  const view = liveView(io, { ...(process.stdout.isTTY ? { terminal: process.stdout } : {}), started });
  let ctx: TwinContext;
  let run: UpRun;
  try {
    // Log lines go through the view: on a terminal they are printed above its frame, not over it.
    ctx = await twinContext(parsed, UP_USAGE, view.io, { events: view, rights: 'apply' });
    const opened = ctx;
    view.useLastRun(await loadRunTimings(opened.store, opened.twin.twin));
    run = await converge(opened, parsed, new Date(started)).catch(async (error: unknown) => {
      // A refusal changed nothing and says why; anything else leaves a bundle to look at, then propagates.
      if (!isConfigurationError(error)) {
        const clusters = await recordedClusters(opened.store, opened.twin.twin);
        await diagnoseFailedUp(parsed, opened, clusters, { failure: errorMessage(error) }, view.io);
      }
      throw error;
    });
  } finally {
    view.stop();
  }
  const { outcome, platform } = run;
  // Ready only when no layer differs from the spec any more (Rook's releases only once day 2 ran).
  const remaining =
    outcome.ok && !platform?.failure
      ? await stillDiffers(ctx, { rook: platform !== undefined && ctx.twin.spec.addons.rook.enabled })
      : undefined;
  const failure = outcome.failure ?? platform?.failure ?? remaining;
  const ended = Date.now();
  const records = [...outcome.records, ...(platform?.records ?? [])];
  if (failure === undefined)
    await saveRunTimings(ctx.store, outcome.twin, runTimingsOf(records, started, ended));
  io.out('');
  io.out(describeOutcome(outcome, ctx.pace.scale));
  if (platform) io.out(`\n${describePlatform(platform, ctx.pace.scale)}`);
  if (remaining) io.out(`\ntwin ${outcome.twin}: NOT ready: ${remaining}`);
  const summary = { args, twin: ctx.twin, startedAt: started, endedAt: ended, scale: ctx.pace.scale };
  io.out(
    `\n${runSummaryLines({ ...summary, ready: failure === undefined, dayTwo: platform !== undefined }).join('\n')}`,
  );
  if (failure === undefined) return 0;
  io.err(`twin up: error: ${failure}`);
  await diagnoseFailedUp(parsed, ctx, outcome.clusters, { failure, records }, io);
  return 1;
}

interface UpRun {
  outcome: TwinOutcome;
  platform?: PlatformRun;
}

/**
 * The clusters and (unless --no-platform) the mesh and day 2 in one graph: each step starts once what it
 * needs is up. A twin that runs already gets its layers converged first, then the platform.
 */
async function converge(ctx: TwinContext, parsed: Parsed, appliedAt: Date): Promise<UpRun> {
  const platform =
    parsed.values['no-platform'] === true ? undefined : twinPlatform(ctx, specFolder(parsed.positionals[0]!));
  const outcome = await applyTwin(ctx, platform);
  if (!outcome.ok) return { outcome };
  await saveTwinRecord(ctx.store, outcome, appliedAt);
  if (!outcome.platform) return { outcome };
  const { report, records, failure } = outcome.platform;
  const saved = await savePlatformReport(
    ctx.store,
    outcome.twin,
    report,
    await loadPlatformReport(ctx.store, outcome.twin),
  );
  return { outcome, platform: { report: saved, records, ...(failure === undefined ? {} : { failure }) } };
}

async function stillDiffers(ctx: TwinContext, scope: LayerScope): Promise<string | undefined> {
  const plan = planTwin(ctx.twin, await observeProxmox(ctx.client, ctx.twin.spec));
  const vmsLeft = plan.vms.filter((vm) => vm.action !== 'keep');
  const layers = await observeRunningTwin({ ...ctx, log: () => {} }, plan, scope);
  const parts = [
    ...vmsLeft.map(
      (vm) => `VM ${vm.name}: ${vm.action}${vm.reasons.length ? ` (${vm.reasons.join('; ')})` : ''}`,
    ),
    ...(layers ? [pendingSummary(layers)].filter((part) => part !== undefined) : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

interface PlatformRun {
  report: PlatformReport;
  records: StepRecord[];
  failure?: string;
}

function describePlatform(run: PlatformRun, scale: number): string {
  const tables = platformTables(run.report);
  const timings = stageTimingTable(run.records, scale);
  const section = (title: string, rows: string[][]) =>
    rows.length > 1 ? [title, table(rows[0]!, rows.slice(1)), ''] : [];
  return [
    ...section('mesh:', tables.mesh),
    ...section('ceph:', tables.ceph),
    ...section('checks:', tables.checks),
    scale < 1 ? 'platform stage timings (on the simulated lab):' : 'platform stage timings:',
    table(timings.header, timings.rows),
  ].join('\n');
}

export function describeOutcome(outcome: TwinOutcome, scale: number): string {
  const nodes = outcome.clusters.flatMap((cluster) =>
    cluster.nodes.map((node) => [
      cluster.name,
      node.name,
      node.role,
      node.address,
      node.pveNode,
      String(node.vmid),
    ]),
  );
  const timings = stageTimingTable(outcome.records, scale);
  return [
    `twin ${outcome.twin} (${outcome.environment}), slot ${outcome.slot}, pool ${outcome.pool}: ${outcome.ok ? 'ready' : 'NOT ready'}`,
    ...(outcome.availability
      ? [
          'availability while nodes changed (demo and mesh services, from each cluster):',
          ...formatProbeFigures(outcome.availability).map((line) => `  ${line}`),
        ]
      : []),
    ...outcome.clusters.map((c) => `  ${c.name}: API ${c.endpoint}, kubeconfig ${c.kubeconfig}`),
    '',
    table(['CLUSTER', 'NODE', 'ROLE', 'ADDRESS', 'PVE NODE', 'VMID'], nodes),
    '',
    scale < 1 ? 'stage timings (on the simulated lab):' : 'stage timings:',
    table(timings.header, timings.rows),
  ].join('\n');
}

export async function downCommand(args: string[], io: Io, ask: Ask = terminalAsk()): Promise<number> {
  const parsed = parseCommandLine(args, DOWN_OPTIONS, ['SPEC'], DOWN_USAGE);
  await confirmDown(requiredOption(parsed, 'env', DOWN_USAGE), parsed.values.yes === true, io, ask);
  const ctx = await twinContext(parsed, DOWN_USAGE, io, { rights: 'destroy' });
  const result = await destroyTwin(ctx);
  for (const vm of result.foreign)
    io.err(`twin down: warning: left alone, not this twin's: ${describeForeign(vm)}`);
  const state = `${result.stateEntries} state entr${result.stateEntries === 1 ? 'y' : 'ies'}`;
  io.out(
    result.existed
      ? `twin ${result.twin} destroyed: ${result.vms.length} VM(s), pool(s) ${result.pools.join(', ') || 'none'}, ` +
          `${state}; nothing of it is left`
      : `twin ${result.twin} does not exist: nothing to destroy (no slot pool, no VM of it)` +
          (result.stateEntries > 0 ? `; removed ${state} left from it` : ''),
  );
  return 0;
}
