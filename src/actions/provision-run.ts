import * as core from '@actions/core';
import { ConfigurationError, errorMessage, isConfigurationError } from '../errors.js';
import { twinReportFromOutcome } from '../github/report.js';
import { releasesOf } from '../github/report-preview.js';
import { twinStatusFor } from './github-status.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import type { TwinSpec } from '../spec/schema.js';
import { removeOrphanedState } from '../twin/known-twins.js';
import type { Expiry } from '../twin/expiry.js';
import { reapPolicyOf } from '../twin/expiry.js';
import type { TwinShare } from '../twin/twin-list.js';
import { twinShareAndExpiry } from '../twin/twin-list.js';
import { reapCandidates, reapEach } from '../twin/reaper.js';
import { pullRequestLookup } from '../github/pull-requests.js';
import { execRunner } from '../exec/runner.js';
import { readGitHubContext } from '../github/context.js';
import { Inputs, logLine, Outputs, State, withGroup } from '../github/action-io.js';
import type { ToolChoice } from './step-context.js';
import type { StateStore } from '../state/store.js';
import { stepLogEvents, toolPaths, workspaceRoot } from './step-context.js';
import { planOperation } from './plan-operation.js';
import { writeApplySummary, writeDestroySummary, writeReapSummary } from './summary.js';
import { PveClient } from '../proxmox/client.js';
import { requireRights } from '../proxmox/preflight.js';
import type { PveConnection } from '../proxmox/connection.js';
import { environmentOf, resolveTwin } from '../spec/environment.js';
import { twinNameFromContext, validateTwinName } from '../spec/identity.js';
import { formatIssue, loadSpec } from '../spec/load.js';
import { applyTwin } from '../twin/apply.js';
import type { TwinContext } from '../twin/context.js';
import { paceFor } from '../twin/context.js';
import { destroyTwin } from '../twin/destroy.js';
import { describeForeign } from '../proxmox/ownership.js';
import { saveTwinRecord } from '../twin/outcome.js';
import { stepWorkDir } from './work-dirs.js';
import { recordedClusters } from '../diagnostics/bundle.js';
import type { RunFacts } from '../diagnostics/run.js';
import { proxmoxPlan } from '../diagnostics/run.js';
import type { DiagnosticCluster } from '../diagnostics/types.js';
import { diagnoseFailedStep } from './diagnostics.js';
import { finishPlatform, platformForApply } from './provision-platform.js';
import type { TwinOutcome } from '../twin/outcome.js';

/** What input operation asks for (provision.ts reads it). */
export type Operation = 'apply' | 'destroy' | 'plan' | 'reap';

/** Everything the step's inputs say, read and checked once before anything is touched. */
export interface ProvisionSettings {
  specFile: string;
  /** The production branch's spec: the lab's layout fields come from it (spec/production-layout.ts). */
  layoutSpecFile?: string;
  twinInput?: string;
  operation: Operation;
  connection: PveConnection;
  stateDir: string;
  /** Opened once: the doppler store takes its token out of the environment as it reads it. */
  store: StateStore;
  tools: ToolChoice;
  dryRun: boolean;
  /** The explicit consent operation destroy of the production twin needs (input allow-production-destroy). */
  allowProductionDestroy: boolean;
  /** Input platform: the mesh and day 2 in the same step graph as the clusters. */
  platform: boolean;
  githubToken?: string;
}

function loadCheckedSpec(settings: ProvisionSettings) {
  const { spec, warnings } = loadSpec(settings.specFile, workspaceRoot(), settings.layoutSpecFile);
  for (const warning of warnings) core.warning(formatIssue(warning));
  return spec;
}

async function twinContext(settings: ProvisionSettings, spec: TwinSpec, name: string): Promise<TwinContext> {
  const twin = resolveTwin(spec, name); // the name is validated before any path is built from it
  const workDir = stepWorkDir(twin.twin, 'work');
  core.saveState(State.TemporaryFiles, JSON.stringify([workDir]));
  return {
    twin,
    client: new PveClient(settings.connection, { logger: { debug: core.debug, warning: core.warning } }),
    store: settings.store,
    runner: execRunner,
    tools:
      settings.operation === 'apply'
        ? await toolPaths(settings.tools)
        : { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    workDir,
    pace: paceFor(undefined),
    log: logLine,
    events: stepLogEvents,
  };
}

/**
 * The scheduled reaper: preview twins whose pull request is closed or whose TTL has passed, found from the
 * slot pools in Proxmox (not from a list someone keeps), destroyed one by one, each in its own try so one
 * stuck twin does not keep the others; then the state of preview twins that no longer exist anywhere. With
 * dry-run it only lists. It fails at the end, naming every twin it could not reap.
 */
async function reap(settings: ProvisionSettings, spec: TwinSpec): Promise<void> {
  if (!settings.githubToken) {
    throw new ConfigurationError(
      'operation reap needs input github-token (e.g. ${{ github.token }}) to read pull request states',
    );
  }
  const status = await twinStatusFor(settings.githubToken, settings.store);
  const { githubClient, repoFromEnv } = await import('../github/octokit.js');
  const client = new PveClient(settings.connection, { logger: { debug: core.debug, warning: core.warning } });
  const decisions = await reapCandidates({
    claims: await listSlotClaims(client, slotPoolPrefixes(spec)),
    now: new Date(),
    policy: reapPolicyOf(spec),
    pullRequest: pullRequestLookup(githubClient(settings.githubToken), repoFromEnv()),
  });
  if (settings.dryRun) for (const d of decisions) core.info(`would destroy ${d.twin}: ${d.detail}`);
  const { skipped, failures, leftAlone } = await reapEach(
    settings.dryRun ? [] : decisions,
    async (decision) => {
      core.info(`destroying ${decision.twin}: ${decision.detail}`);
      const ctx = await twinContext(settings, spec, decision.twin);
      const result = await withGroup(`Destroy twin ${decision.twin}`, () => destroyTwin(ctx));
      await status?.destroyed(decision.twin);
      return result;
    },
    { warning: core.warning, error: core.error },
  );
  const sweep = await withGroup('State of twins that no longer exist', () =>
    removeOrphanedState(client, spec, settings.store, {
      dryRun: settings.dryRun,
      pace: paceFor(undefined),
      log: logLine,
    }),
  );
  core.setOutput(Outputs.Reaped, JSON.stringify(decisions));
  await writeReapSummary(decisions, settings.dryRun, sweep, [...failures, ...skipped], leftAlone);
  if (failures.length > 0) {
    throw new ConfigurationError(
      `the reaper could not reap ${failures.length} of ${decisions.length} twin(s); the others were reaped or skipped:\n  ` +
        failures.join('\n  '),
    );
  }
}

/** The step's work once its inputs are read: apply, destroy, plan or reap. */
export async function provision(settings: ProvisionSettings): Promise<void> {
  const spec = loadCheckedSpec(settings);
  if (settings.operation === 'reap') return reap(settings, spec);
  const name =
    settings.twinInput ?? twinNameFromContext(readGitHubContext(), spec.environments.production.branch);
  if (settings.operation === 'destroy') refuseUnguardedDestroy(name, settings.allowProductionDestroy);
  const ctx = await twinContext(settings, spec, name);
  const status =
    settings.operation === 'plan' ? undefined : await twinStatusFor(settings.githubToken, ctx.store);
  core.setOutput(Outputs.Twin, ctx.twin.twin);
  core.setOutput(Outputs.Environment, ctx.twin.environment);
  core.setOutput(Outputs.StateDir, settings.stateDir);
  if (settings.operation === 'plan') return planOperation(ctx);
  // Before the slot is claimed or anything else changes: a missing right stops the step here, named.
  const operation = settings.operation === 'destroy' ? 'destroy' : 'apply'; // plan and reap returned above
  await withGroup('Preflight: Proxmox rights', () =>
    requireRights(
      ctx.client,
      spec,
      { operation, environments: [ctx.twin.environment] },
      settings.connection.tokenId,
      core.info,
    ),
  );
  if (settings.operation === 'destroy') {
    const result = await withGroup(`Destroy twin ${ctx.twin.twin}`, () => destroyTwin(ctx));
    if (!result.existed) core.info(`twin ${result.twin} does not exist: nothing to destroy`);
    for (const vm of result.foreign)
      core.warning(`left alone, not twin ${result.twin}'s: ${describeForeign(vm)}`);
    await status?.destroyed(ctx.twin.twin);
    await writeDestroySummary(result);
    return;
  }
  await status?.begin(ctx.twin.twin, 'provision');
  // The TTL counts from this apply: it marks the twin's claim active (or claims it) first thing.
  const appliedAt = new Date();
  // The Proxmox token is scanned for too: the plan read through it goes into the bundle.
  const diagnose = (clusters: DiagnosticCluster[], run: RunFacts) =>
    diagnoseFailedStep('provision', ctx, clusters, { ...run, plan: proxmoxPlan(ctx.client, ctx.twin) }, [
      settings.connection.tokenSecret,
    ]);
  const platform = settings.platform ? await platformForApply(ctx, settings.specFile) : undefined;
  const outcome = await withGroup(`Converge twin ${ctx.twin.twin}`, () => applyTwin(ctx, platform)).catch(
    async (error: unknown) => {
      await status?.fail(ctx.twin.twin, ctx.twin.environment, errorMessage(error), 'provision failed');
      // A refusal changed nothing and names its cause; any other error leaves a bundle to look at.
      if (!isConfigurationError(error))
        await diagnose(await recordedClusters(ctx.store, ctx.twin.twin), { failure: errorMessage(error) });
      throw error;
    },
  );
  core.setOutput(Outputs.Slot, String(outcome.slot));
  core.setOutput(
    Outputs.Clusters,
    JSON.stringify(
      outcome.clusters.map(({ name, id, vip, endpoint, nodes }) => ({
        name,
        id,
        vip,
        endpoint,
        nodes: nodes.map(({ name: node, role, address }) => ({ name: node, role, address })),
      })),
    ),
  );
  core.setOutput(
    Outputs.Kubeconfigs,
    JSON.stringify(Object.fromEntries(outcome.clusters.map((c) => [c.name, c.kubeconfig]))),
  );
  core.setOutput(
    Outputs.Talosconfigs,
    JSON.stringify(Object.fromEntries(outcome.clusters.map((c) => [c.name, c.talosconfig]))),
  );
  if (outcome.ok) await saveTwinRecord(ctx.store, outcome, appliedAt); // what action-mesh and action-day2 start from
  const lab = await shareAndExpiry(ctx);
  await status?.finish(
    twinReportFromOutcome(outcome, { updatedAt: new Date(), releases: releasesOf(ctx.twin.spec), ...lab }),
    statusLine(outcome),
  );
  await writeApplySummary(outcome, ctx.pace.scale, lab);
  const failure = outcome.ok ? await finishPlatform(ctx, outcome) : outcome.failure;
  if (failure === undefined) return;
  const records = [...outcome.records, ...(outcome.platform?.records ?? [])];
  await diagnose(outcome.clusters, { records, failure });
  throw new Error(`twin ${outcome.twin} is not ready:\n${failure}`);
}

/** The deployment status line after an apply (at most 140 characters). */
function statusLine(outcome: TwinOutcome): string {
  if (!outcome.ok) return 'provision failed; the job log says where';
  if (!outcome.platform) return 'clusters ready; mesh and day-2 next';
  return outcome.platform.ok
    ? 'clusters, mesh and day 2 ready'
    : 'mesh or day 2 failed; the job log says where';
}

/** The twin's share of the lab and its expiry after the apply; a failed read costs those lines only. */
async function shareAndExpiry(ctx: TwinContext): Promise<{ share?: TwinShare; expiry?: Expiry }> {
  try {
    return await twinShareAndExpiry(ctx.client, ctx.twin.spec, ctx.twin.twin);
  } catch (error) {
    core.warning(`the twin's share of the lab could not be read: ${errorMessage(error)}`);
    return {};
  }
}

/**
 * Production is destroyed only on purpose: the step must say so with input allow-production-destroy, which
 * the example workflow sets only when the person who dispatched it typed the twin's name. Checked before
 * anything is read or changed.
 */
function refuseUnguardedDestroy(name: string, allowed: boolean): void {
  if (allowed || environmentOf(validateTwinName(name)) !== 'production') return;
  throw new ConfigurationError(
    `operation destroy of the production twin "${name}" is refused, nothing was changed: set input ` +
      `${Inputs.AllowProductionDestroy}: true to destroy it (the example workflow sets it only when the dispatch ` +
      `input confirm is typed as the twin's name)`,
  );
}
