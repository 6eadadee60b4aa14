import * as core from '@actions/core';
import { errorMessage, isConfigurationError } from '../errors.js';
import { execRunner } from '../exec/runner.js';
import { logLine, Outputs, State, withGroup } from '../github/action-io.js';
import { currentJob, readGitHubContext } from '../github/context.js';
import { setPlatformOutputs, writePlatformSummary } from '../github/platform-report.js';
import { platformTwinReport } from '../github/report.js';
import { releasesOf } from '../github/report-preview.js';
import { twinStatusFor } from './github-status.js';
import type { ReviewerAccessInput } from './reviewer-input.js';
import { provideReviewerAccess, reviewerNamespaces } from './reviewer-access.js';
import { resolveTwin } from '../spec/environment.js';
import { twinNameFromContext } from '../spec/identity.js';
import { specFolder } from '../spec/files.js';
import type { SpecFolder } from '../spec/files.js';
import { formatIssue, loadSpec } from '../spec/load.js';
import type { ClusterWorkContext } from '../twin/context.js';
import { paceFor } from '../twin/context.js';
import type { ClusterOutcome } from '../twin/outcome.js';
import { loadTwinRecord } from '../twin/outcome.js';
import { loadPlatformReport, platformRanIn, savePlatformReport } from '../twin/platform.js';
import type { PlatformOutcome } from '../twin/outcome.js';
import type { ToolChoice } from './step-context.js';
import { stateStoreFromInputs, stepLogEvents, toolPaths, workspaceRoot } from './step-context.js';
import { stepWorkDir } from './work-dirs.js';
import { diagnoseFailedStep } from './diagnostics.js';

export /** What action-mesh and action-day2 read from their inputs; neither needs Proxmox credentials. */
interface PlatformSettings {
  specFile: string;
  /** The production branch's spec: the lab's layout fields come from it (spec/production-layout.ts). */
  layoutSpecFile?: string;
  twinInput?: string;
  stateDir: string;
  tools: ToolChoice;
  githubToken?: string;
  /** action-day2 only: the namespaces to open to reviewers. */
  reviewerAccess?: ReviewerAccessInput;
}

/** The twin and its clusters as action-provision left them (a missing step is named first), then the tools. */
async function platformContext(
  settings: PlatformSettings,
  label: 'mesh' | 'day2',
): Promise<{ ctx: ClusterWorkContext; clusters: ClusterOutcome[] }> {
  const { spec, warnings } = loadSpec(settings.specFile, workspaceRoot(), settings.layoutSpecFile);
  for (const warning of warnings) core.warning(formatIssue(warning));
  const name =
    settings.twinInput ?? twinNameFromContext(readGitHubContext(), spec.environments.production.branch);
  const twin = resolveTwin(spec, name);
  const store = stateStoreFromInputs(settings.stateDir);
  const clusters = await loadTwinRecord(store, twin.twin);
  const workDir = stepWorkDir(twin.twin, label);
  core.saveState(State.TemporaryFiles, JSON.stringify([workDir]));
  const ctx: ClusterWorkContext = {
    twin,
    store,
    runner: execRunner,
    tools: await toolPaths(settings.tools),
    workDir,
    pace: paceFor(undefined),
    log: logLine,
    events: stepLogEvents,
  };
  return { ctx, clusters };
}

/** This job's provision step ran the mesh and day 2 in its graph (input platform): its report stands. */
async function doneInProvision(ctx: ClusterWorkContext, title: string): Promise<PlatformOutcome> {
  core.info(`${title}: done by this job's provision step (input platform: true); nothing left to do`);
  return { report: await loadPlatformReport(ctx.store, ctx.twin.twin), records: [], ok: true };
}

/** The deployment status line: at most 140 characters, so counts rather than names. */
function describeChecks(label: string, ok: boolean, checks: { passed: boolean }[]): string {
  const failed = checks.filter((check) => !check.passed).length;
  if (ok) return `${label} done: ${checks.length} check(s) passed`;
  return failed === 0
    ? `${label} failed; the job log says where`
    : `${label} failed: ${failed} of ${checks.length} check(s) failed`;
}

export type PlatformWork = (
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
  folder: SpecFolder,
) => Promise<PlatformOutcome>;

/**
 * The body of action-mesh and action-day2 once their inputs are read: the twin's clusters from the state
 * action-provision left, the work, then outputs, the report kept for the next step, a job summary with the
 * twin's picture, and a failure that quotes the failing check's evidence.
 */
export async function runPlatform(
  settings: PlatformSettings,
  label: 'mesh' | 'day2',
  title: string,
  work: PlatformWork,
): Promise<void> {
  const { ctx, clusters } = await platformContext(settings, label);
  const twin = ctx.twin.twin;
  const reviewerSpaces =
    settings.reviewerAccess && label === 'day2'
      ? reviewerNamespaces(settings.reviewerAccess, ctx.twin)
      : undefined;
  const status = await twinStatusFor(settings.githubToken, ctx.store);
  await status?.begin(twin, label);
  const job = currentJob();
  const done = job !== undefined && (await platformRanIn(ctx.store, twin, job));
  const outcome = await withGroup(`${title} of twin ${twin}`, () =>
    done ? doneInProvision(ctx, title) : work(ctx, clusters, specFolder(settings.specFile, workspaceRoot())),
  ).catch(async (error: unknown) => {
    await status?.fail(twin, ctx.twin.environment, errorMessage(error), `${label} failed`);
    // A refusal changed nothing and names its cause; any other error leaves a bundle to look at.
    if (!isConfigurationError(error))
      await diagnoseFailedStep(label, ctx, clusters, { failure: errorMessage(error) });
    throw error;
  });
  const report = await savePlatformReport(
    ctx.store,
    ctx.twin.twin,
    outcome.report,
    await loadPlatformReport(ctx.store, ctx.twin.twin),
  );
  const reviewerAccess =
    reviewerSpaces && outcome.ok ? await provideReviewerAccess(ctx, clusters, reviewerSpaces) : undefined;
  await status?.finish(
    platformTwinReport(await status.lastReport(twin), {
      twin,
      environment: ctx.twin.environment,
      clusters,
      records: outcome.records,
      platform: report,
      releases: releasesOf(ctx.twin.spec),
      ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
      ...(reviewerAccess ? { reviewerAccess } : {}),
    }),
    describeChecks(label, outcome.ok, report.checks),
  );
  core.setOutput(Outputs.Twin, ctx.twin.twin);
  setPlatformOutputs(report);
  await writePlatformSummary(
    `Twin ${ctx.twin.twin}: ${title.toLowerCase()} ${outcome.ok ? 'done' : 'failed'}`,
    clusters.map((cluster) => ({ name: cluster.name, id: cluster.id, nodes: cluster.nodes })),
    report,
    outcome.failure,
  );
  if (outcome.ok) return;
  const failure = outcome.failure ?? `${title} failed`;
  await diagnoseFailedStep(label, ctx, clusters, { failure, records: outcome.records });
  throw new Error(`${title} of twin ${ctx.twin.twin} failed:\n${outcome.failure}`);
}
