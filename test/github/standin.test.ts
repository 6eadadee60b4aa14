import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  extractSubset,
  serialise,
  SERVED_OPERATIONS,
  WITNESS_OPERATIONS,
} from '../../scripts/vendor-github-openapi.js';
import type { Description } from '../../scripts/vendor-github-openapi.js';
import { githubClient } from '../../src/github/octokit.js';
import { DESCRIPTION_FILE, GitHubApiContract } from './standin/openapi.js';
import { GitHubStandin, READ_ONLY_TOKEN, WRITE_TOKEN } from './standin/server.js';

const SHA = 'a'.repeat(40);

describe('GitHub stand-in: every request and response checked against the OpenAPI description', () => {
  let standin: GitHubStandin;

  beforeAll(async () => {
    standin = await GitHubStandin.start({ clock: () => new Date('2026-03-01T10:00:00Z') });
    standin.addBranch('main', SHA);
    standin.addPullRequest({ number: 7, headRef: 'feature', headSha: SHA });
  });
  afterAll(() => standin.close());
  afterEach(() => {
    standin.violations.length = 0;
  });

  async function call(method: string, path: string, body?: unknown, token = WRITE_TOKEN) {
    const { owner, repo } = standin.repoRef;
    const response = await fetch(`${standin.url}${path.replace('{repo}', `${owner}/${repo}`)}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  }

  async function newDeployment(): Promise<number> {
    const created = await call('POST', '/repos/{repo}/deployments', { ref: 'main', environment: 'pr-7' });
    expect(created.status).toBe(201);
    return created.json!.id as number;
  }

  it('refuses a deployment status with a state GitHub does not have: 422 as GitHub words it, one violation', async () => {
    const id = await newDeployment();
    const reply = await call('POST', `/repos/{repo}/deployments/${id}/statuses`, { state: 'done' });
    expect(reply.status).toBe(422);
    expect(reply.json!.message).toBe(
      'Invalid request.\n\nFor \'properties/state\', "done" is not a member of ' +
        '["error","failure","inactive","in_progress","queued","pending","success"].',
    );
    expect(reply.json!.documentation_url).toMatch(
      /^https:\/\/docs\.github\.com\/rest\/deployments\/statuses/,
    );
    expect(standin.violations).toHaveLength(1);
    expect(standin.statesOf(id)).toEqual([]);
  });

  it('refuses a body without a required field and one with a field of the wrong type', async () => {
    const missing = await call('POST', '/repos/{repo}/deployments', { environment: 'pr-7' });
    expect(missing.status).toBe(422);
    expect(missing.json!.message).toBe('Invalid request.\n\n"ref" wasn\'t supplied.');
    const wrongType = await call('POST', '/repos/{repo}/deployments', { ref: 'main', auto_merge: 'no' });
    expect(wrongType.status).toBe(422);
    expect(wrongType.json!.message).toContain(`For 'properties/auto_merge', "no" is not a boolean.`);
    expect(standin.violations).toHaveLength(2);
  });

  it('answers 404 for a path GitHub does not have and for a path parameter of the wrong type', async () => {
    expect((await call('GET', '/repos/{repo}/deployment')).status).toBe(404);
    expect((await call('GET', '/repos/{repo}/deployments/latest/statuses')).status).toBe(404);
    expect(standin.violations).toEqual([
      expect.stringContaining('is no GitHub operation of contracts/github-api-subset.json'),
      expect.stringContaining('deployment_id'),
    ]);
  });

  it('answers 400 for a body that is not JSON and 422 for a query parameter of the wrong type', async () => {
    expect((await call('POST', '/repos/{repo}/issues/7/comments', '{"body": ')).status).toBe(400);
    expect((await call('GET', '/repos/{repo}/deployments?per_page=many')).status).toBe(422);
    expect(standin.violations).toHaveLength(2);
  });

  it('keeps the rules GitHub keeps beyond the schema: status descriptions of at most 140 characters', async () => {
    const id = await newDeployment();
    const reply = await call('POST', `/repos/{repo}/deployments/${id}/statuses`, {
      state: 'success',
      description: 'x'.repeat(141),
    });
    expect(reply.status).toBe(422);
    expect(reply.json!.message).toBe('Validation Failed');
    expect(standin.violations).toEqual([]);
  });

  it('a read-only token reads but every write gets 403 "Resource not accessible by integration"', async () => {
    const read = await call('GET', '/repos/{repo}/issues/7/comments', undefined, READ_ONLY_TOKEN);
    expect(read.status).toBe(200);
    const write = await call('POST', '/repos/{repo}/issues/7/comments', { body: 'hi' }, READ_ONLY_TOKEN);
    expect(write.status).toBe(403);
    expect(write.json!.message).toBe('Resource not accessible by integration');
    expect((await call('GET', '/repos/{repo}/pulls/7', undefined, 'not-a-token')).status).toBe(401);
    expect(standin.violations).toEqual([]);
  });

  it('a success marks earlier successful deployments of the environment inactive (auto_inactive)', async () => {
    const first = await newDeployment();
    await call('POST', `/repos/{repo}/deployments/${first}/statuses`, { state: 'success' });
    const second = await newDeployment();
    await call('POST', `/repos/{repo}/deployments/${second}/statuses`, { state: 'success' });
    expect(standin.statesOf(first)).toEqual(['success', 'inactive']);
    expect(standin.statesOf(second)).toEqual(['success']);
  });

  it('pages lists with a Link header that Octokit follows, every response fitting its schema', async () => {
    const octokit = githubClient(WRITE_TOKEN, { baseUrl: standin.url });
    for (let i = 0; i < 105; i++) {
      await octokit.rest.issues.createComment({ ...standin.repoRef, issue_number: 7, body: `note ${i}` });
    }
    const first = await octokit.rest.issues.listComments({
      ...standin.repoRef,
      issue_number: 7,
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      ...standin.repoRef,
      issue_number: 7,
      per_page: 100,
    });
    expect(all.map((comment) => comment.body)).toContain('note 104');
    const pull = await octokit.rest.pulls.get({ ...standin.repoRef, pull_number: 7 });
    expect(pull.data.head.sha).toBe(SHA);
    expect(standin.violations).toEqual([]);
  });

  it('its response check fails a body that leaves out what GitHub always sends', () => {
    const contract = GitHubApiContract.shared();
    const match = contract.find('GET', '/repos/o/r/pulls/1')!;
    expect(match.operation.operationId).toBe('pulls/get');
    expect(contract.checkResponse(match.operation, 200, { number: 1, state: 'open' })).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'head'")]),
    );
    expect(contract.checkResponse(match.operation, 404, { message: 'Not Found' })).toEqual([]);
    expect(contract.checkResponse(match.operation, 201, {})).toEqual([
      'pulls/get 201: the operation does not answer 201',
    ]);
  });

  it('reports a response field of the wrong type or format, as it did against the full description', async () => {
    const created = await call('POST', '/repos/{repo}/issues/7/comments', { body: 'typed' });
    expect(created.status).toBe(201);
    expect(standin.violations).toEqual([]);
    const contract = GitHubApiContract.shared();
    const { operation } = contract.find('POST', '/repos/o/r/issues/7/comments')!;
    expect(contract.checkResponse(operation, 201, created.json)).toEqual([]);
    expect(contract.checkResponse(operation, 201, { ...created.json, id: String(created.json!.id) })).toEqual(
      ['issues/create-comment 201: /id must be integer'],
    );
    const user = { ...(created.json!.user as Record<string, unknown>), site_admin: 'no' };
    expect(
      contract.checkResponse(operation, 201, { ...created.json, created_at: 'yesterday', user }),
    ).toEqual([
      'issues/create-comment 201: /user/site_admin must be boolean',
      'issues/create-comment 201: /created_at must match format "date-time"',
    ]);
  });

  it('refuses unknown body fields only where the schema is closed, as GitHub does', () => {
    const contract = GitHubApiContract.shared();
    const closed = contract.find('POST', '/orgs/edge-lab/code-security/configurations/5/attach')!;
    expect(contract.checkBody(closed.operation, { scope: 'all', colour: 'red' })).toEqual([
      '"colour" is not a permitted key.',
    ]);
    const open = contract.find('POST', '/repos/o/r/issues/7/comments')!;
    expect(contract.checkBody(open.operation, { body: 'hi', colour: 'red' })).toEqual([]);
  });

  it('matches literal path segments before parameters', () => {
    const contract = GitHubApiContract.shared();
    expect(contract.find('PATCH', '/repos/o/r/issues/comments/5')?.operation.operationId).toBe(
      'issues/update-comment',
    );
    expect(contract.find('GET', '/repos/o/r/issues/5/comments')?.operation.operationId).toBe(
      'issues/list-comments',
    );
  });

  it('holds the operations the product calls, every $ref resolved, and the closed-body witness', () => {
    const operations = GitHubApiContract.shared().all();
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(
      [...SERVED_OPERATIONS, ...WITNESS_OPERATIONS].sort(),
    );
    for (const operation of operations) {
      expect(JSON.stringify(operation.spec), operation.operationId).not.toContain('"$ref"');
    }
  });

  it('is what scripts/vendor-github-openapi.ts extracts: run on the subset itself, byte for byte', () => {
    const text = readFileSync(DESCRIPTION_FILE, 'utf8');
    expect(serialise(extractSubset(JSON.parse(text) as Description))).toBe(text);
  });
});
