import { readFileSync } from 'node:fs';
import type { GitHubContextLike } from '../spec/identity.js';

/**
 * The event that started the workflow, read from the runner's environment (GITHUB_EVENT_NAME, GITHUB_REF,
 * GITHUB_EVENT_PATH) without loading Octokit, so the action starts fast.
 */
export function readGitHubContext(env: NodeJS.ProcessEnv = process.env): GitHubContextLike {
  const eventPath = env.GITHUB_EVENT_PATH;
  let payload: GitHubContextLike['payload'] = {};
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as GitHubContextLike['payload'];
    } catch {
      payload = {};
    }
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    payload,
  };
}

/**
 * This job of this workflow run (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB), e.g. `4711/1/preview`;
 * undefined outside GitHub Actions.
 */
export function currentJob(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: attempt, GITHUB_JOB: job } = env;
  return run && job ? `${run}/${attempt ?? '1'}/${job}` : undefined;
}
