import * as core from '@actions/core';
import { ConfigurationError } from '../errors.js';
import { getOptionalInput, Inputs } from '../github/action-io.js';
import { readGitHubContext } from '../github/context.js';
import { isGitHubLogin } from '../github/pr-comment.js';
import type { CommitRef } from '../github/report-preview.js';
import { TwinStatus } from '../github/twin-status.js';
import { echoed } from '../util/echo.js';
import type { StateStore } from '../state/store.js';

/**
 * The twin's deployment and PR comment for this run, or undefined without a github-token (e.g. a step run
 * outside GitHub). Built before any change, so a run without GITHUB_REPOSITORY stops early.
 */
export async function twinStatusFor(
  token: string | undefined,
  store: StateStore,
): Promise<TwinStatus | undefined> {
  if (!token) {
    core.info('no github-token: no deployment status and no pull request comment');
    return undefined;
  }
  core.setSecret(token);
  const commentAuthor = commentAuthorInput();
  // Octokit loads only for a run that talks to GitHub: loading it is a good part of a cold start.
  const { githubClient, repoFromEnv } = await import('../github/octokit.js');
  const context = readGitHubContext();
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
  return new TwinStatus(
    {
      octokit: githubClient(token),
      repo: repoFromEnv(),
      event: {
        eventName: context.eventName,
        ...(context.ref ? { ref: context.ref } : {}),
        sha: process.env.GITHUB_SHA ?? '',
        payload: context.payload,
      },
      ...(server && repository && runId ? { runUrl: `${server}/${repository}/actions/runs/${runId}` } : {}),
      ...(commentAuthor ? { commentAuthor } : {}),
      ...builtCommit(
        context.payload,
        process.env.GITHUB_SHA,
        server && repository ? `${server}/${repository}` : undefined,
      ),
    },
    store,
    {
      notice: (message) => core.notice(message),
      warning: (message) => core.warning(message),
      summary: async (markdown) => {
        await core.summary.addRaw(markdown, true).write();
      },
    },
  );
}

/** The login github-token writes as, when the workflow names it: checked before anything changes. */
function commentAuthorInput(): string | undefined {
  const login = getOptionalInput(Inputs.CommentAuthor);
  if (login === undefined || isGitHubLogin(login)) return login;
  throw new ConfigurationError(
    `input ${Inputs.CommentAuthor} is ${echoed(login)}: write the GitHub login github-token writes as, ` +
      "e.g. my-app[bot] for a GitHub App's token, or leave it empty to ask GitHub",
  );
}

/**
 * The commit the twin is built from, as a reviewer knows it: a pull request's head (GITHUB_SHA is its
 * test-merge commit, which no one pushed), else the pushed or dispatched commit; linked on the repository.
 */
export function builtCommit(
  payload: unknown,
  githubSha: string | undefined,
  repositoryUrl: string | undefined,
): { commit?: CommitRef } {
  const head = (payload as { pull_request?: { head?: { sha?: unknown } } } | undefined)?.pull_request?.head
    ?.sha;
  const sha = typeof head === 'string' ? head : githubSha;
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return {};
  return { commit: { sha, ...(repositoryUrl ? { url: `${repositoryUrl}/commit/${sha}` } : {}) } };
}
