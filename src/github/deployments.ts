import { ConfigurationError } from '../errors.js';
import { environmentOf } from '../spec/environment.js';
import { validateTwinName } from '../spec/identity.js';
import type { GitHubClient, RepoRef } from './octokit.js';

/** The commit a twin is built from, as a deployment names it. */
export interface DeploymentTarget {
  /** Branch name where GitHub can resolve it, else the sha. */
  ref: string;
  sha: string;
}

export type DeploymentResult = 'success' | 'failure';
type StatusState = 'in_progress' | DeploymentResult | 'inactive';

/** Statuses of a deployment whose job is still running. */
const RUNNING_STATES = new Set(['queued', 'pending', 'in_progress']);
/** GitHub refuses longer status descriptions. */
const DESCRIPTION_LIMIT = 140;
const PAGE = 100;

/** The parts of a workflow run's context a deployment needs; `payload` is the event as GitHub sent it. */
export interface DeploymentEvent {
  eventName: string;
  ref?: string;
  sha: string;
  payload?: unknown;
}

interface PullRequestHead {
  ref?: unknown;
  sha?: unknown;
  repo?: { full_name?: unknown } | null;
}

/**
 * What to deploy for this run. A pull request's run has the test-merge commit in GITHUB_SHA, but GitHub
 * files the deployment of a job's `environment:` under the PR head's sha, so that is the one to match; a
 * fork's branch does not exist in this repository, so a fork's deployment is made of the sha.
 */
export function deploymentTarget(event: DeploymentEvent): DeploymentTarget {
  if (event.eventName === 'pull_request' || event.eventName === 'pull_request_target') {
    const pullRequest = (
      event.payload as { pull_request?: { head?: PullRequestHead; base?: PullRequestHead } }
    )?.pull_request;
    const head = pullRequest?.head;
    if (typeof head?.sha !== 'string' || head.sha === '') {
      throw new ConfigurationError(
        `${event.eventName} event without pull_request.head.sha: run this step from a pull_request workflow`,
      );
    }
    const sameRepository =
      typeof head.ref === 'string' && head.repo?.full_name === pullRequest?.base?.repo?.full_name;
    return { ref: sameRepository ? (head.ref as string) : head.sha, sha: head.sha };
  }
  if (event.sha === '') {
    throw new ConfigurationError('GITHUB_SHA is empty: run inside GitHub Actions or set it to the commit');
  }
  const ref = event.ref?.replace(/^refs\/(heads|tags)\//, '');
  return { ref: ref && !ref.startsWith('refs/') ? ref : event.sha, sha: event.sha };
}

/**
 * One GitHub deployment per twin, environment `<twin>`, with statuses that follow the twin: in_progress
 * while it is built, success or failure, inactive once destroyed.
 */
export class TwinDeployments {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoRef,
  ) {}

  /**
   * Marks the twin's deployment in progress and returns its id. A job with `environment: <twin>` already
   * has one (GitHub made it when the job started), so that one is used rather than a second one; else
   * `reuse`, the one an earlier step of the job began; else a new one.
   */
  async begin(
    twin: string,
    opts: DeploymentTarget & {
      transient: boolean;
      description?: string;
      reuse?: number;
      environmentUrl?: string;
      logUrl?: string;
    },
  ): Promise<number> {
    validateTwinName(twin);
    const id =
      (await this.runningDeployment(twin, opts.sha)) ?? opts.reuse ?? (await this.create(twin, opts));
    await this.addStatus(id, 'in_progress', {
      description: opts.description ?? `twin ${twin} is being provisioned`,
      environmentUrl: opts.environmentUrl,
      logUrl: opts.logUrl,
    });
    return id;
  }

  async finish(
    id: number,
    result: DeploymentResult,
    opts: { description?: string; environmentUrl?: string; logUrl?: string } = {},
  ): Promise<void> {
    await this.addStatus(id, result, {
      ...opts,
      description:
        opts.description ?? (result === 'success' ? 'twin ready' : 'twin failed; the job log says where'),
    });
  }

  /** Marks every deployment of the destroyed twin inactive; returns how many were not inactive yet. */
  async deactivate(twin: string): Promise<number> {
    validateTwinName(twin);
    let count = 0;
    for (const deployment of await this.deploymentsOf(twin)) {
      if ((await this.latestState(deployment.id)) === 'inactive') continue;
      await this.addStatus(deployment.id, 'inactive', { description: `twin ${twin} destroyed` });
      count++;
    }
    return count;
  }

  /** The deployment GitHub made for this job's `environment:`: same commit, still running. */
  private async runningDeployment(twin: string, sha: string): Promise<number | undefined> {
    const candidates = await this.deploymentsOf(twin, { sha, task: 'deploy' });
    for (const deployment of candidates.sort((a, b) => b.id - a.id)) {
      if (RUNNING_STATES.has((await this.latestState(deployment.id)) ?? '')) return deployment.id;
    }
    return undefined;
  }

  private async create(twin: string, opts: DeploymentTarget & { transient: boolean }): Promise<number> {
    const { data } = await this.octokit.rest.repos.createDeployment({
      ...this.repo,
      ref: opts.ref,
      environment: twin,
      task: 'deploy',
      // The twin is built from exactly this commit: no merge of the default branch, no wait for checks.
      auto_merge: false,
      required_contexts: [],
      transient_environment: opts.transient,
      production_environment: environmentOf(twin) === 'production',
      description: `aggrik8s-twin ${twin}`,
    });
    if (!('id' in data)) {
      throw new Error(
        `GitHub made no deployment of ${opts.ref} for ${twin}: ${data.message ?? 'no reason given'}`,
      );
    }
    return data.id;
  }

  private async deploymentsOf(
    twin: string,
    filter: { sha?: string; task?: string } = {},
  ): Promise<{ id: number }[]> {
    return this.octokit.paginate(this.octokit.rest.repos.listDeployments, {
      ...this.repo,
      environment: twin,
      ...filter,
      per_page: PAGE,
    });
  }

  private async latestState(id: number): Promise<string | undefined> {
    const { data } = await this.octokit.rest.repos.listDeploymentStatuses({
      ...this.repo,
      deployment_id: id,
      per_page: PAGE,
    });
    return data.reduce<(typeof data)[number] | undefined>(
      (latest, status) => (latest && latest.id > status.id ? latest : status),
      undefined,
    )?.state;
  }

  private async addStatus(
    id: number,
    state: StatusState,
    opts: { description: string; environmentUrl?: string; logUrl?: string },
  ): Promise<void> {
    await this.octokit.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: id,
      state,
      description: opts.description.slice(0, DESCRIPTION_LIMIT),
      ...(opts.environmentUrl ? { environment_url: opts.environmentUrl } : {}),
      ...(opts.logUrl ? { log_url: opts.logUrl } : {}),
    });
  }
}
