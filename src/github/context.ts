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
