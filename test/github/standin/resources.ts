/**
 * The stand-in's in-memory records and the JSON GitHub would send for them. Shapes follow GitHub's
 * published OpenAPI description; the server checks every response against it, so a field left out or
 * mistyped here is caught as a contract violation.
 */

export interface Actor {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export const ACTIONS_BOT: Actor = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export interface StatusRecord {
  id: number;
  state: string;
  creator: Actor;
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  createdAt: Date;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  originalEnvironment: string;
  description: string | null;
  transient: boolean;
  production: boolean;
  creator: Actor;
  createdAt: Date;
  updatedAt: Date;
  statuses: StatusRecord[];
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: Actor;
  createdAt: Date;
  updatedAt: Date;
}

export interface PullRequestRecord {
  number: number;
  id: number;
  title: string;
  state: 'open' | 'closed';
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  user: Actor;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  /** Label names, as a repository's labels would be attached. */
  labels: string[];
}

/** GitHub writes times to the second, in UTC. */
export function githubTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(kind: string, id: number): string {
  return `${kind}_${Buffer.from(`${kind}:${id}`).toString('base64url')}`;
}

/** Builds response bodies; `api` is the stand-in's own URL, so every API link in them can be followed. */
export class ResourceShapes {
  private readonly repoApi: string;
  private readonly repoWeb: string;

  constructor(
    private readonly api: string,
    private readonly web: string,
    private readonly owner: Actor,
    private readonly repo: { name: string; id: number; createdAt: Date },
  ) {
    this.repoApi = `${api}/repos/${owner.login}/${repo.name}`;
    this.repoWeb = `${web}/${owner.login}/${repo.name}`;
  }

  get fullName(): string {
    return `${this.owner.login}/${this.repo.name}`;
  }

  user(actor: Actor): Record<string, unknown> {
    const url = `${this.api}/users/${encodeURIComponent(actor.login)}`;
    const appSlug = actor.login.replace(/\[bot\]$/, '');
    return {
      login: actor.login,
      id: actor.id,
      node_id: nodeId('U', actor.id),
      avatar_url: `https://avatars.githubusercontent.com/u/${actor.id}?v=4`,
      gravatar_id: '',
      url,
      html_url: actor.type === 'Bot' ? `${this.web}/apps/${appSlug}` : `${this.web}/${actor.login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: actor.type,
      site_admin: false,
    };
  }

  /** A repository label as a pull request carries it; its id is derived from the name, stable per label. */
  label(name: string): Record<string, unknown> {
    const id = 9_000_000 + [...name].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 1_000_000, 7);
    return {
      id,
      node_id: nodeId('LA', id),
      url: `${this.repoApi}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: 'ededed',
      default: false,
    };
  }

  /** An account as GET /user shows it to a token without the `user` scope: the public profile. */
  publicUser(actor: Actor, since: Date): Record<string, unknown> {
    return {
      ...this.user(actor),
      name: null,
      company: null,
      blog: null,
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: githubTime(since),
      updated_at: githubTime(since),
    };
  }

  repository(openIssues: number): Record<string, unknown> {
    const r = this.repoApi;
    const full = this.fullName;
    const created = githubTime(this.repo.createdAt);
    return {
      id: this.repo.id,
      node_id: nodeId('R', this.repo.id),
      name: this.repo.name,
      full_name: full,
      owner: this.user(this.owner),
      private: false,
      html_url: this.repoWeb,
      description: null,
      fork: false,
      url: r,
      archive_url: `${r}/{archive_format}{/ref}`,
      assignees_url: `${r}/assignees{/user}`,
      blobs_url: `${r}/git/blobs{/sha}`,
      branches_url: `${r}/branches{/branch}`,
      collaborators_url: `${r}/collaborators{/collaborator}`,
      comments_url: `${r}/comments{/number}`,
      commits_url: `${r}/commits{/sha}`,
      compare_url: `${r}/compare/{base}...{head}`,
      contents_url: `${r}/contents/{+path}`,
      contributors_url: `${r}/contributors`,
      deployments_url: `${r}/deployments`,
      downloads_url: `${r}/downloads`,
      events_url: `${r}/events`,
      forks_url: `${r}/forks`,
      git_commits_url: `${r}/git/commits{/sha}`,
      git_refs_url: `${r}/git/refs{/sha}`,
      git_tags_url: `${r}/git/tags{/sha}`,
      git_url: `git://github.com/${full}.git`,
      hooks_url: `${r}/hooks`,
      issue_comment_url: `${r}/issues/comments{/number}`,
      issue_events_url: `${r}/issues/events{/number}`,
      issues_url: `${r}/issues{/number}`,
      keys_url: `${r}/keys{/key_id}`,
      labels_url: `${r}/labels{/name}`,
      languages_url: `${r}/languages`,
      merges_url: `${r}/merges`,
      milestones_url: `${r}/milestones{/number}`,
      notifications_url: `${r}/notifications{?since,all,participating}`,
      pulls_url: `${r}/pulls{/number}`,
      releases_url: `${r}/releases{/id}`,
      ssh_url: `git@github.com:${full}.git`,
      stargazers_url: `${r}/stargazers`,
      statuses_url: `${r}/statuses/{sha}`,
      subscribers_url: `${r}/subscribers`,
      subscription_url: `${r}/subscription`,
      tags_url: `${r}/tags`,
      teams_url: `${r}/teams`,
      trees_url: `${r}/git/trees{/sha}`,
      clone_url: `${this.repoWeb}.git`,
      mirror_url: null,
      svn_url: this.repoWeb,
      homepage: null,
      language: 'TypeScript',
      forks: 0,
      forks_count: 0,
      stargazers_count: 0,
      watchers: 0,
      watchers_count: 0,
      size: 0,
      default_branch: 'main',
      open_issues: openIssues,
      open_issues_count: openIssues,
      has_issues: true,
      has_projects: true,
      has_wiki: false,
      has_pages: false,
      has_downloads: true,
      archived: false,
      disabled: false,
      license: null,
      pushed_at: created,
      created_at: created,
      updated_at: created,
    };
  }

  deployment(record: DeploymentRecord): Record<string, unknown> {
    const url = `${this.repoApi}/deployments/${record.id}`;
    return {
      url,
      id: record.id,
      node_id: nodeId('DE', record.id),
      sha: record.sha,
      ref: record.ref,
      task: record.task,
      payload: record.payload,
      original_environment: record.originalEnvironment,
      environment: record.environment,
      description: record.description,
      creator: this.user(record.creator),
      created_at: githubTime(record.createdAt),
      updated_at: githubTime(record.updatedAt),
      statuses_url: `${url}/statuses`,
      repository_url: this.repoApi,
      transient_environment: record.transient,
      production_environment: record.production,
    };
  }

  deploymentStatus(deployment: DeploymentRecord, status: StatusRecord): Record<string, unknown> {
    const deploymentUrl = `${this.repoApi}/deployments/${deployment.id}`;
    return {
      url: `${deploymentUrl}/statuses/${status.id}`,
      id: status.id,
      node_id: nodeId('DES', status.id),
      state: status.state,
      creator: this.user(status.creator),
      description: status.description,
      environment: status.environment,
      // log_url replaces target_url; GitHub still sends both, equal.
      target_url: status.logUrl,
      log_url: status.logUrl,
      environment_url: status.environmentUrl,
      created_at: githubTime(status.createdAt),
      updated_at: githubTime(status.createdAt),
      deployment_url: deploymentUrl,
      repository_url: this.repoApi,
    };
  }

  issueComment(comment: CommentRecord): Record<string, unknown> {
    return {
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      url: `${this.repoApi}/issues/comments/${comment.id}`,
      html_url: `${this.repoWeb}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: githubTime(comment.createdAt),
      updated_at: githubTime(comment.updatedAt),
      issue_url: `${this.repoApi}/issues/${comment.issueNumber}`,
      author_association: 'NONE',
    };
  }

  pullRequest(
    pull: PullRequestRecord,
    counts: { comments: number; openIssues: number },
  ): Record<string, unknown> {
    const url = `${this.repoApi}/pulls/${pull.number}`;
    const htmlUrl = `${this.repoWeb}/pull/${pull.number}`;
    const issueUrl = `${this.repoApi}/issues/${pull.number}`;
    const link = (href: string) => ({ href });
    const branch = (ref: string, sha: string) => ({
      label: `${this.owner.login}:${ref}`,
      ref,
      sha,
      user: this.user(this.owner),
      repo: this.repository(counts.openIssues),
    });
    return {
      url,
      id: pull.id,
      node_id: nodeId('PR', pull.id),
      html_url: htmlUrl,
      diff_url: `${htmlUrl}.diff`,
      patch_url: `${htmlUrl}.patch`,
      issue_url: issueUrl,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${this.repoApi}/pulls/comments{/number}`,
      comments_url: `${issueUrl}/comments`,
      statuses_url: `${this.repoApi}/statuses/${pull.headSha}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: this.user(pull.user),
      body: null,
      labels: pull.labels.map((name) => this.label(name)),
      milestone: null,
      active_lock_reason: null,
      created_at: githubTime(pull.createdAt),
      updated_at: githubTime(pull.updatedAt),
      closed_at: pull.closedAt ? githubTime(pull.closedAt) : null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      head: branch(pull.headRef, pull.headSha),
      base: branch(pull.baseRef, pull.baseSha),
      _links: {
        self: link(url),
        html: link(htmlUrl),
        issue: link(issueUrl),
        comments: link(`${issueUrl}/comments`),
        review_comments: link(`${url}/comments`),
        review_comment: link(`${this.repoApi}/pulls/comments{/number}`),
        commits: link(`${url}/commits`),
        statuses: link(`${this.repoApi}/statuses/${pull.headSha}`),
      },
      author_association: 'CONTRIBUTOR',
      auto_merge: null,
      draft: false,
      merged: false,
      mergeable: pull.state === 'open' ? true : null,
      rebaseable: pull.state === 'open' ? true : null,
      mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
      merged_by: null,
      comments: counts.comments,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 1,
      deletions: 0,
      changed_files: 1,
    };
  }
}
