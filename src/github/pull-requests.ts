import type { PullRequestState } from '../twin/reaper.js';
import { httpStatusOf } from './errors.js';
import type { GitHubClient, RepoRef } from './octokit.js';

/**
 * The state of a pull request, asked once per number. A number GitHub does not know (404: deleted, or an
 * issue transferred away) is 'unknown'; any other failure (bad token, outage) is thrown, so a broken
 * reaper fails loudly rather than keeping every twin forever in silence.
 */
export function pullRequestStateLookup(
  octokit: GitHubClient,
  repo: RepoRef,
): (pullNumber: number) => Promise<PullRequestState> {
  const known = new Map<number, Promise<PullRequestState>>();
  const ask = async (pullNumber: number): Promise<PullRequestState> => {
    try {
      const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
      return data.state;
    } catch (error) {
      if (httpStatusOf(error) === 404) return 'unknown';
      throw error;
    }
  };
  return (pullNumber) => {
    const state = known.get(pullNumber) ?? ask(pullNumber);
    known.set(pullNumber, state);
    return state;
  };
}
