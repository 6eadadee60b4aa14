import { basename } from 'node:path';
import * as core from '@actions/core';
import { STARWARS_NAMESPACE } from '../addons/starwars.js';
import { ConfigurationError, errorMessage } from '../errors.js';
import { Inputs, Outputs, State, withGroup } from '../github/action-io.js';
import type { ReviewerAccessInput } from './reviewer-input.js';
import type { ReviewerAccessReport } from '../github/report-preview.js';
import { Kubectl } from '../kube/kubectl.js';
import type { ResolvedTwin } from '../spec/environment.js';
import type { ClusterWorkContext } from '../twin/context.js';
import type { ClusterOutcome } from '../twin/outcome.js';
import { readTwinRecord } from '../twin/outcome.js';
import { grantReviewerAccess, reviewerTokenSeconds } from '../twin/reviewer-access.js';
import { stepWorkDir } from './work-dirs.js';

/**
 * action-day2's input reviewer-access: on request, a read-only kubeconfig of the preview for the people who
 * review it, its tokens bound to the preview's TTL. Its path is an output (never its content), its tokens
 * are masked the moment they exist, and the workflow uploads it as an artifact. Failing to make it is a
 * warning: the twin itself is fine.
 */

/** actions/upload-artifact's retention-days: 1 to 90. */
const MAX_RETENTION_DAYS = 90;

/** The namespaces to open, checked against the twin before anything changes. */
export function reviewerNamespaces(input: ReviewerAccessInput, twin: ResolvedTwin): string[] {
  if (twin.ttlHours === undefined)
    throw new ConfigurationError(
      `input ${Inputs.ReviewerAccess} is for preview twins, whose TTL bounds the tokens; twin ${twin.twin} has no TTL`,
    );
  if (input !== 'demo') return input;
  if (!twin.spec.addons.starwars.enabled)
    throw new ConfigurationError(
      `input ${Inputs.ReviewerAccess} is true, but the demo (addons.starwars) is off: name the namespaces instead`,
    );
  return [STARWARS_NAMESPACE];
}

/**
 * Makes the kubeconfig after a successful day 2 and sets the outputs reviewer-kubeconfig (its path),
 * reviewer-artifact (the artifact name the comment quotes) and reviewer-retention-days. Returns what the PR
 * comment shows, or undefined when nothing was made.
 */
export async function provideReviewerAccess(
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
  namespaces: string[],
): Promise<ReviewerAccessReport | undefined> {
  const twin = ctx.twin.twin;
  const record = await readTwinRecord(ctx.store, twin);
  const appliedAt = record?.appliedAt ? new Date(record.appliedAt) : new Date();
  const seconds = reviewerTokenSeconds(appliedAt, ctx.twin.ttlHours ?? 0, new Date());
  if (seconds === undefined) {
    core.warning(
      `no reviewer kubeconfig: the TTL of twin ${twin} ends in less than the 10 minutes a token needs`,
    );
    return undefined;
  }
  const dir = stepWorkDir(twin, 'reviewer');
  core.saveState(State.TemporaryFiles, JSON.stringify([ctx.workDir, dir])); // the post step removes it
  try {
    const grant = await withGroup(`Reviewer access to ${namespaces.join(', ')}`, () =>
      grantReviewerAccess(
        clusters.map((cluster) => ({
          name: cluster.name,
          kubeconfig: cluster.kubeconfig,
          kubectl: new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
        })),
        { twin, namespaces, seconds, dir },
        (token) => core.setSecret(token),
      ),
    );
    const artifact = `${twin}-reviewer-kubeconfig`;
    core.setOutput(Outputs.ReviewerKubeconfig, grant.file);
    core.setOutput(Outputs.ReviewerArtifact, artifact);
    core.setOutput(Outputs.ReviewerRetentionDays, String(retentionDays(grant.expiresAt)));
    core.info(
      `reviewer kubeconfig ${grant.file}: read-only in ${namespaces.join(', ')} until ${grant.expiresAt.toISOString()}`,
    );
    const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
    if (!repository || !runId) return undefined;
    const expiresAt = grant.expiresAt.toISOString();
    return {
      repository,
      runId,
      artifact,
      file: basename(grant.file),
      contexts: grant.contexts,
      namespaces,
      expiresAt,
    };
  } catch (error) {
    core.warning(`no reviewer kubeconfig: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Whole days the tokens still work, so the artifact is kept no longer than them (at least the 1 day GitHub allows). */
export function retentionDays(expiresAt: Date, now = new Date()): number {
  const days = Math.floor((expiresAt.getTime() - now.getTime()) / 86_400_000);
  return Math.min(MAX_RETENTION_DAYS, Math.max(1, days));
}
