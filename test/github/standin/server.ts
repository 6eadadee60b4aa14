import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubApiContract } from './openapi.js';
import type { Operation, OperationMatch } from './openapi.js';
import { ACTIONS_BOT, ResourceShapes } from './resources.js';
import type { Actor, CommentRecord, DeploymentRecord, PullRequestRecord, StatusRecord } from './resources.js';

/**
 * A GitHub REST API stand-in on 127.0.0.1: deployments and their statuses, issue comments and pull
 * requests, in memory, and the token's own account (GET /user). Every request is checked against GitHub's
 * OpenAPI description (the operations the product calls, contracts/github-api-subset.json) before it is
 * served (operation, path parameters, query, body) and every response after; what fails is answered as
 * GitHub would (404, 422, 400) and recorded in `violations`, which tests expect to stay empty in normal flows.
 */

export type Access = 'write' | 'read';

/** A job's `permissions:` as its GITHUB_TOKEN carries them: scope -> read | write (absent: none). */
export type JobPermissions = Record<string, Access>;

/**
 * The token scopes that allow an operation, any one of them: GitHub lets a job comment on a pull request
 * with pull-requests or issues permission.
 */
function scopesOf(operationId: string): string[] {
  if (operationId.startsWith('repos/') && operationId.includes('deployment')) return ['deployments'];
  if (operationId.startsWith('issues/')) return ['pull-requests', 'issues'];
  if (operationId.startsWith('pulls/')) return ['pull-requests'];
  return ['contents'];
}

/** Not shaped like real GitHub tokens, so no secret scanner mistakes them for leaks. */
export const WRITE_TOKEN = 'standin-write-token';
export const READ_ONLY_TOKEN = 'standin-read-only-token';
/** A person with write access (the pull request's author, a collaborator): writes as themselves. */
export const USER_TOKEN = 'standin-user-token';
export const USER: Actor = { login: 'octo-dev', id: 5_000_001, type: 'User' };
/** A GitHub App's installation token (actions/create-github-app-token): writes as the app's bot. */
export const APP_TOKEN = 'standin-app-token';
export const APP_BOT: Actor = { login: 'twin-reporter[bot]', id: 5_000_101, type: 'Bot' };

export interface StandinOptions {
  owner?: string;
  repo?: string;
  clock?: () => Date;
}

export interface SeenRequest {
  method: string;
  path: string;
  operationId?: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
}

interface Call {
  url: URL;
  pathParams: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  actor: Actor;
}

interface Reply {
  status: number;
  body?: unknown;
  link?: string;
}

type Handler = (call: Call) => Reply;

interface Grant {
  access: Access;
  actor: Actor;
  /** A job token's scopes; the fixed test tokens have none and `access` for everything. */
  permissions?: JobPermissions;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const WEB_URL = 'https://github.com';
const MAX_COMMENT_LENGTH = 65_536;
const MAX_STATUS_DESCRIPTION = 140;
const DEFAULT_PAGE_SIZE = 30;
const MAX_PAGE_SIZE = 100;
const SHA_REGEX = /^[0-9a-f]{40}$/;

export class GitHubStandin {
  readonly violations: string[] = [];
  readonly requests: SeenRequest[] = [];
  readonly deployments: DeploymentRecord[] = [];
  readonly comments: CommentRecord[] = [];
  private readonly pulls = new Map<number, PullRequestRecord>();
  private readonly branches = new Map<string, string>();
  private readonly knownShas = new Set<string>();
  private readonly tokens = new Map<string, Grant>([
    [WRITE_TOKEN, { access: 'write', actor: ACTIONS_BOT }],
    [READ_ONLY_TOKEN, { access: 'read', actor: ACTIONS_BOT }],
    [USER_TOKEN, { access: 'write', actor: USER }],
    [APP_TOKEN, { access: 'write', actor: APP_BOT }],
  ]);
  private jobTokens = 0;
  private readonly owner: Actor;
  private readonly repo: string;
  private readonly clock: () => Date;
  private readonly contract = GitHubApiContract.shared();
  private shapes!: ResourceShapes;
  private lastId = 1_000_000;
  private readonly handlers: Record<string, Handler> = {
    'repos/list-deployments': (call) => this.listDeployments(call),
    'repos/create-deployment': (call) => this.createDeployment(call),
    'repos/list-deployment-statuses': (call) => this.listDeploymentStatuses(call),
    'repos/create-deployment-status': (call) => this.createDeploymentStatus(call),
    'issues/list-comments': (call) => this.listComments(call),
    'issues/create-comment': (call) => this.createComment(call),
    'issues/update-comment': (call) => this.updateComment(call),
    'issues/delete-comment': (call) => this.deleteComment(call),
    'pulls/get': (call) => this.getPull(call),
    'users/get-authenticated': (call) => this.authenticatedUser(call),
  };

  private constructor(
    private readonly server: http.Server,
    opts: StandinOptions,
  ) {
    this.owner = { login: opts.owner ?? 'edge-lab', id: 9_000_001, type: 'Organization' };
    this.repo = opts.repo ?? 'platform';
    this.clock = opts.clock ?? (() => new Date());
  }

  static async start(opts: StandinOptions = {}): Promise<GitHubStandin> {
    const server = http.createServer();
    const standin = new GitHubStandin(server, opts);
    server.on('request', (req, res) => void standin.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standin.shapes = new ResourceShapes(standin.url, WEB_URL, standin.owner, {
      name: standin.repo,
      id: 7_000_001,
      createdAt: standin.clock(),
    });
    return standin;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get repoRef(): { owner: string; repo: string } {
    return { owner: this.owner.login, repo: this.repo };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  // --- the world around the API: what tests set up, and what GitHub itself does ---

  addBranch(name: string, sha: string): void {
    this.branches.set(name, sha);
    this.knownShas.add(sha);
  }

  addPullRequest(pull: {
    number: number;
    headRef: string;
    headSha: string;
    title?: string;
    labels?: string[];
  }): void {
    const now = this.clock();
    this.addBranch(pull.headRef, pull.headSha);
    this.pulls.set(pull.number, {
      number: pull.number,
      id: this.nextId(),
      title: pull.title ?? `Change ${pull.number}`,
      state: 'open',
      headRef: pull.headRef,
      headSha: pull.headSha,
      baseRef: 'main',
      baseSha: this.branches.get('main') ?? '0'.repeat(40),
      user: USER,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      labels: [...(pull.labels ?? [])],
    });
  }

  /** The label names a pull request carries now (what a label event's payload shows). */
  pullRequestLabels(number: number): string[] {
    return [...(this.pulls.get(number)?.labels ?? [])];
  }

  /** Labels added to or removed from a pull request (what a labeled / unlabeled event follows). */
  setPullRequestLabels(number: number, labels: string[]): void {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`no pull request #${number} in the stand-in`);
    pull.labels = [...labels];
    pull.updatedAt = this.clock();
  }

  /** A push to the pull request's branch (what a synchronize event follows). */
  pushToPullRequest(number: number, headSha: string): void {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`no pull request #${number} in the stand-in`);
    this.addBranch(pull.headRef, headSha);
    pull.headSha = headSha;
    pull.updatedAt = this.clock();
  }

  /** The GITHUB_TOKEN GitHub gives a job: only the scopes its `permissions:` grant, at their levels. */
  issueJobToken(permissions: JobPermissions): string {
    const token = `standin-job-token-${++this.jobTokens}`;
    this.tokens.set(token, { access: 'read', actor: ACTIONS_BOT, permissions: { ...permissions } });
    return token;
  }

  setPullRequestState(number: number, state: 'open' | 'closed'): void {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`no pull request #${number} in the stand-in`);
    pull.state = state;
    pull.updatedAt = this.clock();
    pull.closedAt = state === 'closed' ? pull.updatedAt : null;
  }

  /**
   * What GitHub does when a job with `environment: <name>` starts: a deployment by github-actions[bot]
   * of the run's commit, queued then in_progress, its log URL pointing at the job. Returns its id.
   */
  startEnvironmentJob(job: { environment: string; ref: string; sha: string; runId: number }): number {
    this.knownShas.add(job.sha);
    const deployment = this.recordDeployment({
      sha: job.sha,
      ref: job.ref,
      task: 'deploy',
      payload: {},
      environment: job.environment,
      description: null,
      transient: false,
      production: job.environment === 'production',
      creator: ACTIONS_BOT,
    });
    const logUrl = `${WEB_URL}/${this.owner.login}/${this.repo}/actions/runs/${job.runId}/job/${this.lastId + 1}`;
    for (const state of ['queued', 'in_progress']) {
      this.recordStatus(deployment, {
        state,
        creator: ACTIONS_BOT,
        description: '',
        logUrl,
        environmentUrl: '',
      });
    }
    return deployment.id;
  }

  /** What GitHub does when that job ends. */
  endEnvironmentJob(deploymentId: number, state: 'success' | 'failure'): void {
    const deployment = this.findDeployment(deploymentId);
    this.recordStatus(deployment, {
      state,
      creator: ACTIONS_BOT,
      description: '',
      logUrl: '',
      environmentUrl: '',
    });
  }

  statesOf(deploymentId: number): string[] {
    return this.findDeployment(deploymentId).statuses.map((status) => status.state);
  }

  // --- HTTP ---

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', this.url);
    const raw = await readBody(req);
    let match: OperationMatch | undefined;
    let parsedBody: unknown;
    let reply: Reply;
    try {
      match = this.contract.find(method, url.pathname);
      parsedBody = raw === '' ? undefined : this.parseJson(raw);
      reply = this.answer(method, url, match, req.headers.authorization, parsedBody);
    } catch (error) {
      const apiError =
        error instanceof ApiError ? error : this.violation(500, `stand-in failure: ${String(error)}`);
      reply = this.errorReply(apiError, match?.operation);
    }
    if (match) {
      for (const problem of this.contract.checkResponse(match.operation, reply.status, reply.body)) {
        this.violations.push(`response to ${method} ${url.pathname}: ${problem}`);
      }
    }
    this.requests.push({
      method,
      path: url.pathname,
      ...(match ? { operationId: match.operation.operationId } : {}),
      query: url.searchParams,
      body: parsedBody,
      status: reply.status,
    });
    res.statusCode = reply.status;
    if (reply.link) res.setHeader('link', reply.link);
    if (reply.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(reply.body));
  }

  /** Checks in GitHub's order: credentials, route, path, permission, query and body; then serves. */
  private answer(
    method: string,
    url: URL,
    match: OperationMatch | undefined,
    authorization: string | undefined,
    body: unknown,
  ): Reply {
    const grant = this.grantFor(authorization);
    if (!match) {
      throw this.violation(
        404,
        'Not Found',
        `${method} ${url.pathname} is no GitHub operation of contracts/github-api-subset.json ` +
          '(scripts/vendor-github-openapi.ts lists the operations it keeps)',
      );
    }
    const { operation, pathParams } = match;
    const pathProblems = this.contract.checkPathParams(match);
    if (pathProblems.length > 0) throw this.violation(404, 'Not Found', pathProblems.join(' '));
    if (!this.isThisRepository(pathParams)) throw new ApiError(404, 'Not Found');
    const access = this.accessOf(grant, operation.operationId);
    if (access === undefined || (method !== 'GET' && access !== 'write')) {
      throw new ApiError(403, 'Resource not accessible by integration');
    }
    const problems = [
      ...this.contract.checkQuery(operation, url.searchParams),
      ...this.contract.checkBody(operation, body),
    ];
    if (problems.length > 0) throw this.violation(422, `Invalid request.\n\n${problems.join('\n')}`);
    const handler = this.handlers[operation.operationId];
    if (!handler) {
      throw this.violation(404, 'Not Found', `the stand-in does not serve ${operation.operationId}`);
    }
    return handler({
      url,
      pathParams,
      query: url.searchParams,
      body: (body ?? {}) as Record<string, unknown>,
      actor: grant.actor,
    });
  }

  /** The highest access the grant has for the operation's scopes. */
  private accessOf(grant: Grant, operationId: string): Access | undefined {
    if (!grant.permissions) return grant.access;
    const levels = scopesOf(operationId).map((scope) => grant.permissions![scope]);
    return levels.includes('write') ? 'write' : levels.includes('read') ? 'read' : undefined;
  }

  private grantFor(authorization: string | undefined): Grant {
    if (!authorization) throw new ApiError(401, 'Requires authentication');
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization)?.[1];
    const grant = token === undefined ? undefined : this.tokens.get(token);
    if (!grant) throw new ApiError(401, 'Bad credentials');
    return grant;
  }

  private isThisRepository(pathParams: Record<string, string>): boolean {
    if (pathParams.owner === undefined) return true;
    return (
      pathParams.owner.toLowerCase() === this.owner.login.toLowerCase() &&
      pathParams.repo?.toLowerCase() === this.repo.toLowerCase()
    );
  }

  private violation(status: number, message: string, detail = message): ApiError {
    this.violations.push(detail);
    return new ApiError(status, message);
  }

  private parseJson(raw: string): unknown {
    try {
      return JSON.parse(raw);
    } catch {
      throw this.violation(400, 'Problems parsing JSON');
    }
  }

  private errorReply(error: ApiError, operation: Operation | undefined): Reply {
    return {
      status: error.status,
      body: {
        message: error.message,
        documentation_url: operation?.docsUrl ?? 'https://docs.github.com/rest',
        status: String(error.status),
        ...error.extra,
      },
    };
  }

  // --- deployments ---

  private listDeployments(call: Call): Reply {
    const filters = ['sha', 'ref', 'task', 'environment'] as const;
    const matching = this.deployments
      .filter((deployment) =>
        filters.every((filter) => {
          const wanted = call.query.get(filter);
          return wanted === null || deployment[filter] === wanted;
        }),
      )
      .sort((a, b) => b.id - a.id);
    return this.page(matching, call, (deployment) => this.shapes.deployment(deployment));
  }

  private createDeployment(call: Call): Reply {
    const body = call.body;
    const ref = String(body.ref).replace(/^refs\/(heads|tags)\//, '');
    const environment = (body.environment as string | undefined) ?? 'production';
    const deployment = this.recordDeployment({
      sha: this.resolveRef(ref),
      ref,
      task: (body.task as string | undefined) ?? 'deploy',
      payload: body.payload ?? {},
      environment,
      description: (body.description as string | null | undefined) ?? '',
      transient: (body.transient_environment as boolean | undefined) ?? false,
      production: (body.production_environment as boolean | undefined) ?? environment === 'production',
      creator: call.actor,
    });
    return { status: 201, body: this.shapes.deployment(deployment) };
  }

  private listDeploymentStatuses(call: Call): Reply {
    const deployment = this.findDeployment(Number(call.pathParams.deployment_id));
    const statuses = [...deployment.statuses].sort((a, b) => b.id - a.id);
    return this.page(statuses, call, (status) => this.shapes.deploymentStatus(deployment, status));
  }

  private createDeploymentStatus(call: Call): Reply {
    const deployment = this.findDeployment(Number(call.pathParams.deployment_id));
    const body = call.body;
    const description = (body.description as string | undefined) ?? '';
    if (description.length > MAX_STATUS_DESCRIPTION) {
      throw validationFailed(
        'DeploymentStatus',
        'description',
        `description is too long (maximum is ${MAX_STATUS_DESCRIPTION} characters)`,
      );
    }
    if (typeof body.environment === 'string') deployment.environment = body.environment;
    const status = this.recordStatus(deployment, {
      state: String(body.state),
      creator: call.actor,
      description,
      logUrl: (body.log_url as string | undefined) ?? (body.target_url as string | undefined) ?? '',
      environmentUrl: (body.environment_url as string | undefined) ?? '',
    });
    if (status.state === 'success' && body.auto_inactive !== false)
      this.inactivatePrior(deployment, call.actor);
    return { status: 201, body: this.shapes.deploymentStatus(deployment, status) };
  }

  /**
   * auto_inactive (default true): a success marks earlier successful deployments of the same environment
   * inactive, except transient and production ones.
   */
  private inactivatePrior(current: DeploymentRecord, actor: Actor): void {
    for (const deployment of this.deployments) {
      if (deployment.id >= current.id || deployment.environment !== current.environment) continue;
      if (deployment.transient || deployment.production) continue;
      if (deployment.statuses.at(-1)?.state !== 'success') continue;
      this.recordStatus(deployment, {
        state: 'inactive',
        creator: actor,
        description: '',
        logUrl: '',
        environmentUrl: '',
      });
    }
  }

  private recordDeployment(
    fields: Omit<DeploymentRecord, 'id' | 'originalEnvironment' | 'createdAt' | 'updatedAt' | 'statuses'>,
  ): DeploymentRecord {
    const now = this.clock();
    const deployment: DeploymentRecord = {
      ...fields,
      id: this.nextId(),
      originalEnvironment: fields.environment,
      createdAt: now,
      updatedAt: now,
      statuses: [],
    };
    this.deployments.push(deployment);
    return deployment;
  }

  private recordStatus(
    deployment: DeploymentRecord,
    fields: Omit<StatusRecord, 'id' | 'environment' | 'createdAt'>,
  ): StatusRecord {
    const status: StatusRecord = {
      ...fields,
      id: this.nextId(),
      environment: deployment.environment,
      createdAt: this.clock(),
    };
    deployment.statuses.push(status);
    deployment.updatedAt = status.createdAt;
    return status;
  }

  private findDeployment(id: number): DeploymentRecord {
    const deployment = this.deployments.find((candidate) => candidate.id === id);
    if (!deployment) throw new ApiError(404, 'Not Found');
    return deployment;
  }

  private resolveRef(ref: string): string {
    if (SHA_REGEX.test(ref) && this.knownShas.has(ref)) return ref;
    const sha = this.branches.get(ref);
    if (sha) return sha;
    throw new ApiError(422, `No ref found for: ${ref}`);
  }

  // --- the token's own account ---

  /** GitHub names the account of a person's token; an installation token (GITHUB_TOKEN, an App's) is refused. */
  private authenticatedUser(call: Call): Reply {
    if (call.actor.type === 'Bot') throw new ApiError(403, 'Resource not accessible by integration');
    return { status: 200, body: this.shapes.publicUser(call.actor, new Date('2020-01-01T00:00:00Z')) };
  }

  // --- issue comments and pull requests ---

  private listComments(call: Call): Reply {
    const issueNumber = this.findIssue(call.pathParams.issue_number);
    const since = call.query.get('since');
    const comments = this.comments
      .filter((comment) => comment.issueNumber === issueNumber)
      .filter((comment) => since === null || comment.updatedAt.getTime() >= Date.parse(since))
      .sort((a, b) => a.id - b.id);
    return this.page(comments, call, (comment) => this.shapes.issueComment(comment));
  }

  private createComment(call: Call): Reply {
    const issueNumber = this.findIssue(call.pathParams.issue_number);
    const body = checkedCommentBody(call.body.body);
    const now = this.clock();
    const comment: CommentRecord = {
      id: this.nextId(),
      issueNumber,
      body,
      user: call.actor,
      createdAt: now,
      updatedAt: now,
    };
    this.comments.push(comment);
    return { status: 201, body: this.shapes.issueComment(comment) };
  }

  private updateComment(call: Call): Reply {
    const comment = this.findComment(call.pathParams.comment_id);
    comment.body = checkedCommentBody(call.body.body);
    comment.updatedAt = this.clock();
    return { status: 200, body: this.shapes.issueComment(comment) };
  }

  private deleteComment(call: Call): Reply {
    const comment = this.findComment(call.pathParams.comment_id);
    this.comments.splice(this.comments.indexOf(comment), 1);
    return { status: 204 };
  }

  private getPull(call: Call): Reply {
    const pull = this.pulls.get(Number(call.pathParams.pull_number));
    if (!pull) throw new ApiError(404, 'Not Found');
    const comments = this.comments.filter((comment) => comment.issueNumber === pull.number).length;
    return { status: 200, body: this.shapes.pullRequest(pull, { comments, openIssues: this.openIssues() }) };
  }

  private findIssue(raw: string | undefined): number {
    const number = Number(raw);
    if (!this.pulls.has(number)) throw new ApiError(404, 'Not Found');
    return number;
  }

  private findComment(raw: string | undefined): CommentRecord {
    const comment = this.comments.find((candidate) => candidate.id === Number(raw));
    if (!comment) throw new ApiError(404, 'Not Found');
    return comment;
  }

  private openIssues(): number {
    return [...this.pulls.values()].filter((pull) => pull.state === 'open').length;
  }

  // --- shared ---

  /** One page and the Link header Octokit's paginate follows. */
  private page<T>(items: T[], call: Call, shape: (item: T) => unknown): Reply {
    const perPage = Math.min(Number(call.query.get('per_page') ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
    const page = Math.max(Number(call.query.get('page') ?? 1), 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number, rel: string) => {
      const url = new URL(call.url);
      url.searchParams.set('page', String(n));
      return `<${url.href}>; rel="${rel}"`;
    };
    const links = [
      ...(page < last ? [at(page + 1, 'next'), at(last, 'last')] : []),
      ...(page > 1 ? [at(1, 'first'), at(page - 1, 'prev')] : []),
    ];
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage).map(shape),
      ...(links.length > 0 ? { link: links.join(', ') } : {}),
    };
  }

  private nextId(): number {
    return ++this.lastId;
  }
}

function checkedCommentBody(body: unknown): string {
  const text = String(body);
  if (text.length > MAX_COMMENT_LENGTH) {
    throw validationFailed(
      'IssueComment',
      'data',
      `Body is too long (maximum is ${MAX_COMMENT_LENGTH} characters)`,
    );
  }
  return text;
}

function validationFailed(resource: string, field: string, message: string): ApiError {
  return new ApiError(422, 'Validation Failed', { errors: [{ resource, code: 'custom', field, message }] });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
