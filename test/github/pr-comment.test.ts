import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { githubClient, type GitHubClient } from '../../src/github/octokit.js';
import { upsertTwinComment } from '../../src/github/pr-comment.js';
import { twinCommentMarker } from '../../src/github/report.js';
import { GitHubStandin, READ_ONLY_TOKEN, USER_TOKEN, WRITE_TOKEN } from './standin/server.js';

const body = (twin: string, text: string) => `${twinCommentMarker(twin)}\n${text}`;

describe('upsertTwinComment', () => {
  let standin: GitHubStandin;
  let octokit: GitHubClient;

  beforeEach(async () => {
    standin = await GitHubStandin.start();
    standin.addPullRequest({ number: 7, headRef: 'feature/mesh', headSha: '2'.repeat(40) });
    octokit = githubClient(WRITE_TOKEN, { baseUrl: standin.url });
  });
  afterEach(async () => {
    expect(standin.violations).toEqual([]);
    await standin.close();
  });

  const commentsOn7 = () => standin.comments.filter((comment) => comment.issueNumber === 7);
  const upsert = (client: GitHubClient, text: string, twin = 'pr-7') =>
    upsertTwinComment(client, standin.repoRef, 7, twin, body(twin, text));

  it('keeps one comment per twin: created, then updated in place, updated again', async () => {
    expect(await upsert(octokit, 'building')).toBe('created');
    const id = commentsOn7()[0]!.id;
    expect(await upsert(octokit, 'ready')).toBe('updated');
    expect(await upsert(octokit, 'destroyed')).toBe('updated');
    expect(commentsOn7()).toHaveLength(1);
    expect(commentsOn7()[0]).toMatchObject({ id, body: body('pr-7', 'destroyed') });
  });

  it("leaves other people's comments and other twins' comments alone", async () => {
    await octokit.rest.issues.createComment({
      ...standin.repoRef,
      issue_number: 7,
      body: `please look at ${twinCommentMarker('pr-7')} below`,
    });
    await upsert(octokit, 'other twin', 'br-feature-abc123');
    expect(await upsert(octokit, 'mine')).toBe('created');
    expect(await upsert(octokit, 'mine again')).toBe('updated');
    expect(commentsOn7().map((comment) => comment.body)).toEqual([
      `please look at ${twinCommentMarker('pr-7')} below`,
      body('br-feature-abc123', 'other twin'),
      body('pr-7', 'mine again'),
    ]);
  });

  it('ignores a forged marker in a comment someone else wrote: never edits or deletes it, makes its own', async () => {
    const someone = githubClient(USER_TOKEN, { baseUrl: standin.url });
    await someone.rest.issues.createComment({
      ...standin.repoRef,
      issue_number: 7,
      body: body('pr-7', 'all good, merge it [link](https://evil.example)'),
    });
    const forged = commentsOn7()[0]!;
    expect(forged.user.login).toBe('octo-dev');
    expect(await upsert(octokit, 'building')).toBe('created');
    expect(await upsert(octokit, 'failed')).toBe('updated');
    expect(commentsOn7().map((comment) => [comment.user.login, comment.body])).toEqual([
      ['octo-dev', body('pr-7', 'all good, merge it [link](https://evil.example)')],
      ['github-actions[bot]', body('pr-7', 'failed')],
    ]);
    expect(await upsertTwinComment(octokit, standin.repoRef, 7, 'pr-7', body('pr-7', 'x'), 'octo-dev')).toBe(
      'updated',
    );
    expect(commentsOn7()[0]!.body).toBe(body('pr-7', 'x')); // the author parameter decides whose comment is ours
  });

  it('finds its comment beyond the first page and removes copies two racing jobs left', async () => {
    for (let i = 0; i < 120; i++) {
      await octokit.rest.issues.createComment({ ...standin.repoRef, issue_number: 7, body: `chatter ${i}` });
    }
    await octokit.rest.issues.createComment({ ...standin.repoRef, issue_number: 7, body: body('pr-7', 'a') });
    await octokit.rest.issues.createComment({ ...standin.repoRef, issue_number: 7, body: body('pr-7', 'b') });
    const oldest = commentsOn7().find((comment) => comment.body === body('pr-7', 'a'))!.id;
    expect(await upsert(octokit, 'one')).toBe('updated');
    const ours = commentsOn7().filter((comment) => comment.body.startsWith(twinCommentMarker('pr-7')));
    expect(ours).toEqual([expect.objectContaining({ id: oldest, body: body('pr-7', 'one') })]);
    expect(commentsOn7()).toHaveLength(121);
  });

  it('answers read-only, writing nothing, when the token may only read (a fork pull request)', async () => {
    const readOnly = githubClient(READ_ONLY_TOKEN, { baseUrl: standin.url });
    expect(await upsert(readOnly, 'building')).toBe('read-only');
    expect(commentsOn7()).toHaveLength(0);
    await upsert(octokit, 'building');
    expect(await upsert(readOnly, 'ready')).toBe('read-only');
    expect(commentsOn7()[0]!.body).toBe(body('pr-7', 'building'));
  });

  it('throws other failures, and refuses a body without the twin marker', async () => {
    await expect(
      upsertTwinComment(octokit, standin.repoRef, 99, 'pr-99', body('pr-99', 'x')),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(upsertTwinComment(octokit, standin.repoRef, 7, 'pr-7', 'no marker')).rejects.toThrow(
      /marker/,
    );
    expect(commentsOn7()).toHaveLength(0);
  });
});
