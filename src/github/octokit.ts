import { getOctokit } from '@actions/github';
import { ConfigurationError } from '../errors.js';
import { echoed } from '../util/echo.js';

/** The Octokit of @actions/github: REST methods and pagination. */
export type GitHubClient = ReturnType<typeof getOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

const DEFAULT_API_URL = 'https://api.github.com';
const REPOSITORY_REGEX = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/**
 * An Octokit for `token` against `opts.baseUrl`, else GITHUB_API_URL (GitHub Enterprise Server sets it),
 * else api.github.com. The URL is read per call, so a test or a GHES runner can point it elsewhere.
 */
export function githubClient(
  token: string,
  opts: { baseUrl?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): GitHubClient {
  if (token.trim() === '') {
    throw new ConfigurationError(
      'no GitHub token: pass the workflow token to the step, e.g. `github-token: ${{ github.token }}`',
    );
  }
  return getOctokit(token, { baseUrl: apiBaseUrl(opts.baseUrl, env) });
}

function apiBaseUrl(override: string | undefined, env: NodeJS.ProcessEnv): string {
  const [source, value] =
    override !== undefined
      ? ['baseUrl', override]
      : env.GITHUB_API_URL
        ? ['GITHUB_API_URL', env.GITHUB_API_URL]
        : ['default', DEFAULT_API_URL];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(
      `${source} ${echoed(value)} is not a URL: write the API root, e.g. ${DEFAULT_API_URL}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`${source} ${echoed(value)} must be an http(s) URL`);
  }
  return url.href.replace(/\/+$/, '');
}

/** owner and repo from GITHUB_REPOSITORY (`owner/repo`), which every workflow run sets. */
export function repoFromEnv(env: NodeJS.ProcessEnv = process.env): RepoRef {
  const value = env.GITHUB_REPOSITORY ?? '';
  const match = REPOSITORY_REGEX.exec(value);
  if (!match) {
    throw new ConfigurationError(
      `GITHUB_REPOSITORY ${echoed(value)} is not "owner/repo": run inside GitHub Actions or set it, e.g. GITHUB_REPOSITORY=octo/lab`,
    );
  }
  return { owner: match[1]!, repo: match[2]! };
}
