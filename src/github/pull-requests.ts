import type { PullRequestInfo } from '../twin/reaper.js';
import { httpStatusOf } from './errors.js';
import type { GitHubClient, RepoRef } from './octokit.js';

/**
 * A pull request's state and labels, asked once per number. A number GitHub does not know (404: deleted, or
 * an issue transferred away) is 'unknown'; any other failure (bad token, outage) is thrown, so a broken
 * reaper fails loudly rather than keeping every twin forever in silence.
 */
export function pullRequestLookup(
  octokit: GitHubClient,
  repo: RepoRef,
): (pullNumber: number) => Promise<PullRequestInfo> {
  const known = new Map<number, Promise<PullRequestInfo>>();
  const ask = async (pullNumber: number): Promise<PullRequestInfo> => {
    try {
      const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
      return { state: data.state, labels: data.labels.map((label) => label.name) };
    } catch (error) {
      if (httpStatusOf(error) === 404) return { state: 'unknown', labels: [] };
      throw error;
    }
  };
  return (pullNumber) => {
    const info = known.get(pullNumber) ?? ask(pullNumber);
    known.set(pullNumber, info);
    return info;
  };
}
