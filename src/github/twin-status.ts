import { errorMessage } from '../errors.js';
import { environmentOf } from '../spec/environment.js';
import { pullRequestOf } from '../twin/expiry.js';
import type { StateStore } from '../state/store.js';
import type { DeploymentEvent, DeploymentResult, DeploymentTarget } from './deployments.js';
import { deploymentTarget, TwinDeployments } from './deployments.js';
import type { GitHubClient, RepoRef } from './octokit.js';
import { isReadOnlyTokenError } from './errors.js';
import { commentAuthorOf, upsertTwinComment } from './pr-comment.js';
import type { TwinReport } from './report.js';
import type { CommitRef } from './report-preview.js';
import { destroyedTwinReport, twinCommentBody } from './report.js';

/** Where the twin's GitHub deployment id and its last report are kept between the steps of a job. */
const STATUS_KEY = 'github.json';

/** Where the report goes when GitHub may not be written, and where GitHub's other failures are told. */
export interface StatusSink {
  notice(message: string): void;
  warning(message: string): void;
  summary(markdown: string): Promise<void>;
}

/** The workflow run the status belongs to. */
export interface GitHubRun {
  octokit: GitHubClient;
  repo: RepoRef;
  event: DeploymentEvent;
  /** The run's page, linked from the comment and the deployment statuses. */
  runUrl?: string;
  /** The login the token writes as, when the workflow names it (a GitHub App's token); else GitHub is asked. */
  commentAuthor?: string;
  /** The commit the run builds: a pull request's head, else the pushed one. */
  commit?: CommitRef;
}

type StoredReport = Omit<TwinReport, 'updatedAt'> & { updatedAt: string };

interface StoredStatus {
  deployment?: { id: number; sha: string };
  report?: StoredReport;
}

/**
 * The twin as GitHub shows it: a deployment with statuses (in_progress while a step works, then success or
 * failure; inactive once destroyed) and one pull-request comment kept current across steps and runs. GitHub
 * failing never fails the twin's step: a token that may only read (a fork's pull request) puts the report in
 * the job summary with a notice, any other error is a warning.
 */
export class TwinStatus {
  private readonly deployments: TwinDeployments;
  /** Asked of GitHub at most once per run: the reaper comments on many pull requests with one token. */
  private author: Promise<string> | undefined;

  constructor(
    private readonly run: GitHubRun,
    private readonly store: StateStore,
    private readonly sink: StatusSink,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.deployments = new TwinDeployments(run.octokit, run.repo);
  }

  /**
   * Marks the twin's deployment in progress for a step; the deployment is kept for the job's later steps.
   * Call it before the step changes anything: an event without a commit is a ConfigurationError here.
   */
  async begin(twin: string, step: string): Promise<void> {
    const target: DeploymentTarget = deploymentTarget(this.run.event);
    const stored = await this.load(twin);
    const reuse = stored.deployment?.sha === target.sha ? stored.deployment.id : undefined;
    const id = await this.guard('deployment status', () =>
      this.deployments.begin(twin, {
        ...target,
        transient: environmentOf(twin) !== 'production',
        description: `${step}: twin ${twin} is being built`,
        ...(reuse === undefined ? {} : { reuse }),
        ...(this.run.runUrl ? { logUrl: this.run.runUrl } : {}),
      }),
    );
    if (typeof id === 'number') await this.save(twin, { ...stored, deployment: { id, sha: target.sha } });
  }

  /** The report the previous step of this twin left, to build on. */
  async lastReport(twin: string): Promise<TwinReport | undefined> {
    const report = (await this.load(twin)).report;
    return report && { ...report, updatedAt: new Date(report.updatedAt) };
  }

  /** A step's result: the deployment's status, the kept report and the pull request's comment. */
  async finish(report: Omit<TwinReport, 'updatedAt' | 'runUrl'>, description: string): Promise<void> {
    const full = this.stamp(report);
    const stored = await this.load(report.twin);
    await this.save(report.twin, { ...stored, report: { ...full, updatedAt: full.updatedAt.toISOString() } });
    const deployment = stored.deployment;
    if (deployment) {
      const result: DeploymentResult = report.state === 'ready' ? 'success' : 'failure';
      await this.guard('deployment status', () =>
        this.deployments.finish(deployment.id, result, {
          description,
          ...(this.run.runUrl ? { logUrl: this.run.runUrl } : {}),
        }),
      );
    }
    await this.comment(full);
  }

  /** A step that threw before it had an outcome: the last report, marked failed with the cause. */
  async fail(twin: string, environment: string, failure: string, description: string): Promise<void> {
    const last = (await this.lastReport(twin)) ?? { clusters: [], stages: [], checks: [] };
    await this.finish({ ...last, twin, environment, state: 'failed', failure }, description);
  }

  /** After destroy: every deployment of the twin inactive, and the comment says the twin is gone. */
  async destroyed(twin: string): Promise<void> {
    await this.guard('deployment status', () => this.deployments.deactivate(twin));
    await this.comment(this.stamp(destroyedTwinReport(twin, environmentOf(twin), { updatedAt: this.now() })));
  }

  private stamp(report: Omit<TwinReport, 'updatedAt' | 'runUrl'>): TwinReport {
    return {
      ...report,
      updatedAt: this.now(),
      ...(this.run.runUrl ? { runUrl: this.run.runUrl } : {}),
      ...(this.run.commit ? { commit: this.run.commit } : {}),
    };
  }

  private async comment(report: TwinReport): Promise<void> {
    const pullNumber = this.pullNumberOf(report.twin);
    if (pullNumber === undefined) return;
    const body = twinCommentBody(report);
    const result = await this.guard('pull request comment', () =>
      this.commentAuthor().then((author) =>
        upsertTwinComment(this.run.octokit, this.run.repo, pullNumber, report.twin, body, author),
      ),
    );
    if (result !== 'read-only') return;
    this.sink.notice(
      `the token may not comment on pull request #${pullNumber} (a fork's pull request, or a job without ` +
        '`pull-requests: write`): the report of the twin is in the job summary instead',
    );
    await this.sink.summary(body);
  }

  private commentAuthor(): Promise<string> {
    this.author ??= commentAuthorOf(this.run.octokit, this.run.commentAuthor).catch((error: unknown) => {
      this.author = undefined; // a failure is told once; the next comment asks again
      throw error;
    });
    return this.author;
  }

  /** The pull request the event is about; else the one a `pr-<n>` twin is named after (dispatch, reaper). */
  private pullNumberOf(twin: string): number | undefined {
    const payload = this.run.event.payload as { pull_request?: { number?: unknown } } | undefined;
    const fromEvent = payload?.pull_request?.number;
    if (this.run.event.eventName.startsWith('pull_request') && typeof fromEvent === 'number')
      return fromEvent;
    return pullRequestOf(twin);
  }

  /** GitHub's answer, or undefined when it refused or failed; never an exception that fails the twin. */
  private async guard<T>(what: string, call: () => Promise<T>): Promise<T | 'read-only' | undefined> {
    try {
      return await call();
    } catch (error) {
      if (isReadOnlyTokenError(error)) {
        if (what === 'deployment status') {
          this.sink.notice(
            'the token may not write deployments (`deployments: write`): no deployment status',
          );
        }
        return 'read-only';
      }
      this.sink.warning(`GitHub ${what} not updated: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private async load(twin: string): Promise<StoredStatus> {
    const text = await this.store.read({ twin, name: STATUS_KEY });
    return text ? (JSON.parse(text) as StoredStatus) : {};
  }

  private async save(twin: string, status: StoredStatus): Promise<void> {
    await this.store.write({ twin, name: STATUS_KEY }, `${JSON.stringify(status, null, 2)}\n`);
  }
}
