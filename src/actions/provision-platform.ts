import { currentJob } from '../github/context.js';
import { setPlatformOutputs, writePlatformSummary } from '../github/platform-report.js';
import { specFolder } from '../spec/files.js';
import type { TwinContext } from '../twin/context.js';
import type { TwinOutcome } from '../twin/outcome.js';
import { loadPlatformReport, markPlatformRun, savePlatformReport } from '../twin/platform.js';
import type { PlatformSteps } from '../twin/platform-steps.js';
import { workspaceRoot } from './step-context.js';

/**
 * The mesh and day 2 as steps of provision's graph (input `platform: true`); loaded only then, so a provision
 * step without them evaluates none of their code.
 */
export async function platformForApply(ctx: TwinContext, specFile: string): Promise<PlatformSteps> {
  const { twinPlatform } = await import('../twin/platform-graph.js');
  return twinPlatform(ctx, specFolder(specFile, workspaceRoot()));
}

/**
 * After an apply that brought the platform up too: the report kept for later steps, the outputs action-mesh
 * and action-day2 set, a summary of it, and a note that this job's mesh and day-2 steps have nothing left to
 * do. Returns the platform's failure, if any.
 */
export async function finishPlatform(ctx: TwinContext, outcome: TwinOutcome): Promise<string | undefined> {
  const platform = outcome.platform;
  if (!platform) return undefined;
  const report = await savePlatformReport(
    ctx.store,
    outcome.twin,
    platform.report,
    await loadPlatformReport(ctx.store, outcome.twin),
  );
  setPlatformOutputs(report);
  const job = currentJob();
  if (platform.ok && job) await markPlatformRun(ctx.store, outcome.twin, job);
  await writePlatformSummary(
    `Twin ${outcome.twin}: mesh and day 2 ${platform.ok ? 'done' : 'failed'}`,
    outcome.clusters.map((cluster) => ({ name: cluster.name, id: cluster.id, nodes: cluster.nodes })),
    report,
    platform.failure,
  );
  return platform.ok ? undefined : (platform.failure ?? 'the mesh or day 2 failed');
}
