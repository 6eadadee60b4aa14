import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReadOnlyTokenError } from '../../src/github/errors.js';
import { githubClient, repoFromEnv } from '../../src/github/octokit.js';
import { GitHubStandin, READ_ONLY_TOKEN, WRITE_TOKEN } from './standin/server.js';

describe('githubClient', () => {
  let standin: GitHubStandin;

  beforeAll(async () => {
    standin = await GitHubStandin.start();
    standin.addPullRequest({ number: 3, headRef: 'x', headSha: 'c'.repeat(40) });
  });
  afterAll(() => standin.close());

  it('talks to GITHUB_API_URL when no baseUrl is given, and to baseUrl when one is', async () => {
    const fromEnv = githubClient(WRITE_TOKEN, {}, { GITHUB_API_URL: `${standin.url}/` });
    expect((await fromEnv.rest.pulls.get({ ...standin.repoRef, pull_number: 3 })).data.number).toBe(3);
    const fromOption = githubClient(
      WRITE_TOKEN,
      { baseUrl: standin.url },
      { GITHUB_API_URL: 'https://ghes.invalid/api/v3' },
    );
    expect((await fromOption.rest.pulls.get({ ...standin.repoRef, pull_number: 3 })).data.state).toBe('open');
    expect(standin.violations).toEqual([]);
  });

  it('tells a read-only token refusal apart from other errors', async () => {
    const readOnly = githubClient(READ_ONLY_TOKEN, { baseUrl: standin.url });
    const refusal = await readOnly.rest.issues
      .createComment({ ...standin.repoRef, issue_number: 3, body: 'x' })
      .catch((error: unknown) => error);
    expect(isReadOnlyTokenError(refusal)).toBe(true);
    const notFound = await readOnly.rest.pulls
      .get({ ...standin.repoRef, pull_number: 4 })
      .catch((error: unknown) => error);
    expect(isReadOnlyTokenError(notFound)).toBe(false);
    expect(isReadOnlyTokenError(new Error('Resource not accessible by integration'))).toBe(false);
  });

  it('says what to pass when the token or the API URL is missing or wrong', () => {
    expect(() => githubClient('  ')).toThrow(/github\.token/);
    expect(() => githubClient(WRITE_TOKEN, {}, { GITHUB_API_URL: 'not a url' })).toThrow(
      /GITHUB_API_URL "not a url"/,
    );
    expect(() => githubClient(WRITE_TOKEN, { baseUrl: 'ftp://x' })).toThrow(/must be an http\(s\) URL/);
  });
});

describe('repoFromEnv', () => {
  it('splits GITHUB_REPOSITORY into owner and repo', () => {
    expect(repoFromEnv({ GITHUB_REPOSITORY: 'edge-lab/platform.twin' })).toEqual({
      owner: 'edge-lab',
      repo: 'platform.twin',
    });
  });

  it('names the variable and the expected form when it is missing or malformed', () => {
    expect(() => repoFromEnv({})).toThrow(/GITHUB_REPOSITORY "" is not "owner\/repo"/);
    expect(() => repoFromEnv({ GITHUB_REPOSITORY: 'a/b/c' })).toThrow(/owner\/repo/);
  });
});
