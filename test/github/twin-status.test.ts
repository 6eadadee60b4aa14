import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { twinStatusFor } from '../../src/actions/github-status.js';
import { githubClient } from '../../src/github/octokit.js';
import type { TwinReport } from '../../src/github/report.js';
import { TwinStatus } from '../../src/github/twin-status.js';
import type { StatusSink } from '../../src/github/twin-status.js';
import { LocalStateStore } from '../../src/state/store.js';
import { twinCommentMarker } from '../../src/github/report.js';
import { APP_TOKEN, GitHubStandin, READ_ONLY_TOKEN, USER_TOKEN, WRITE_TOKEN } from './standin/server.js';

const HEAD = '3'.repeat(40);

describe('TwinStatus: the deployment and the comment across the steps of a job', () => {
  let standin: GitHubStandin;
  let store: LocalStateStore;
  let told: { notices: string[]; warnings: string[]; summaries: string[] };
  let sink: StatusSink;

  beforeEach(async () => {
    standin = await GitHubStandin.start();
    standin.addPullRequest({ number: 7, headRef: 'feature/x', headSha: HEAD });
    store = new LocalStateStore(mkdtempSync(join(tmpdir(), 'twin-status-')));
    told = { notices: [], warnings: [], summaries: [] };
    sink = {
      notice: (message) => told.notices.push(message),
      warning: (message) => told.warnings.push(message),
      summary: async (markdown) => {
        told.summaries.push(markdown);
      },
    };
  });
  afterEach(async () => {
    expect(standin.violations).toEqual([]);
    await standin.close();
  });

  function statusWith(token: string, commentAuthor?: string): TwinStatus {
    return new TwinStatus(
      {
        octokit: githubClient(token, { baseUrl: standin.url }),
        repo: standin.repoRef,
        event: {
          eventName: 'pull_request',
          sha: 'f'.repeat(40),
          payload: {
            pull_request: {
              number: 7,
              head: { ref: 'feature/x', sha: HEAD, repo: { full_name: 'edge-lab/platform' } },
              base: { repo: { full_name: 'edge-lab/platform' } },
            },
          },
        },
        runUrl: 'https://github.com/edge-lab/platform/actions/runs/1',
        ...(commentAuthor ? { commentAuthor } : {}),
      },
      store,
      sink,
      () => new Date('2026-12-02T10:00:00Z'),
    );
  }

  const report = (state: TwinReport['state'], checks: TwinReport['checks'] = []) => ({
    twin: 'pr-7',
    environment: 'preview',
    state,
    clusters: [{ name: 'east', apiUrl: 'https://10.0.0.5:6443', nodes: 2, nodesReady: 2 }],
    stages: [{ stage: 'vm', seconds: 3, steps: 4 }],
    checks,
  });

  it('one deployment for every step of the job (no environment: made one), one comment updated', async () => {
    const status = statusWith(WRITE_TOKEN);
    await status.begin('pr-7', 'provision');
    await status.finish(report('ready'), 'clusters ready');
    await status.begin('pr-7', 'mesh');
    await status.finish(report('ready', [{ name: 'mesh east <-> west', passed: true }]), 'mesh done');
    expect(standin.deployments).toHaveLength(1);
    expect(standin.statesOf(standin.deployments[0]!.id)).toEqual([
      'in_progress',
      'success',
      'in_progress',
      'success',
    ]);
    expect(standin.comments).toHaveLength(1);
    expect(standin.comments[0]!.body).toContain('mesh east &lt;-&gt; west');
    expect((await status.lastReport('pr-7'))!.checks).toHaveLength(1);
    expect(told).toEqual({ notices: [], warnings: [], summaries: [] });
  });

  it('a step that threw keeps the earlier report and marks it failed with the cause', async () => {
    const status = statusWith(WRITE_TOKEN);
    await status.begin('pr-7', 'provision');
    await status.finish(report('ready'), 'clusters ready');
    await status.begin('pr-7', 'day2');
    await status.fail('pr-7', 'preview', 'helm upgrade rook-ceph: timed out', 'day2 failed');
    expect(standin.statesOf(standin.deployments[0]!.id).at(-1)).toBe('failure');
    const body = standin.comments[0]!.body;
    expect(body).toContain('❌ failed');
    expect(body).toContain('| east |'); // the clusters of the provision step are still there
    expect(body).toContain('helm upgrade rook-ceph: timed out');
  });

  it("a read-only token (a fork's pull request) writes nothing and puts the report in the summary", async () => {
    const status = statusWith(READ_ONLY_TOKEN);
    await status.begin('pr-7', 'provision');
    await status.finish(report('ready'), 'clusters ready');
    expect(standin.deployments).toEqual([]);
    expect(standin.comments).toEqual([]);
    expect(told.notices).toEqual([
      'the token may not write deployments (`deployments: write`): no deployment status',
      expect.stringMatching(/^the token may not comment on pull request #7 .*job summary instead$/),
    ]);
    expect(told.summaries).toHaveLength(1);
    expect(told.summaries[0]).toMatch(/^<!-- aggrik8s-twin:pr-7 -->\n### Twin `pr-7`: ✅ ready/);
    expect(told.warnings).toEqual([]);
  });

  it('GitHub failing otherwise is a warning, never a failed twin', async () => {
    const status = statusWith('standin-unknown-token');
    await expect(status.begin('pr-7', 'provision')).resolves.toBeUndefined();
    await expect(status.finish(report('ready'), 'clusters ready')).resolves.toBeUndefined();
    expect(told.warnings).toEqual([
      expect.stringMatching(/^GitHub deployment status not updated: Bad credentials - https:\/\/docs/),
      expect.stringMatching(/^GitHub pull request comment not updated: Bad credentials - https:\/\/docs/),
    ]);
  });

  it('after destroy every deployment is inactive and the comment says destroyed', async () => {
    const status = statusWith(WRITE_TOKEN);
    await status.begin('pr-7', 'provision');
    await status.finish(report('ready'), 'clusters ready');
    await status.destroyed('pr-7');
    expect(standin.statesOf(standin.deployments[0]!.id).at(-1)).toBe('inactive');
    expect(standin.comments).toHaveLength(1);
    expect(standin.comments[0]!.body).toContain('🗑️ destroyed');
  });

  describe('the comment is found by the login of the token used, never by a fixed one', () => {
    const marked = (text: string) => `${twinCommentMarker('pr-7')}\n${text}`;
    const askedWhoAmI = () => standin.requests.filter((r) => r.operationId === 'users/get-authenticated');
    /** A comment with the twin's marker that another login wrote: never ours to edit. */
    async function markedCommentBy(token: string, text: string) {
      const octokit = githubClient(token, { baseUrl: standin.url });
      await octokit.rest.issues.createComment({ ...standin.repoRef, issue_number: 7, body: marked(text) });
      return standin.comments.at(-1)!;
    }
    const bodiesBy = () =>
      standin.comments.map((comment) => [comment.user.login, comment.body.split('\n')[1]]);

    it("a personal access token: GitHub names its login once per run; github-actions[bot]'s marked comment stays", async () => {
      const others = await markedCommentBy(WRITE_TOKEN, 'written for the job token');
      const firstRun = statusWith(USER_TOKEN);
      await firstRun.finish(report('ready'), 'clusters ready');
      await firstRun.finish(report('failed'), 'day2 failed');
      expect(askedWhoAmI()).toHaveLength(1);
      await statusWith(USER_TOKEN).destroyed('pr-7'); // the next run finds the same comment
      expect(askedWhoAmI()).toHaveLength(2);
      expect(bodiesBy()).toEqual([
        ['github-actions[bot]', 'written for the job token'],
        ['octo-dev', expect.stringContaining('destroyed')],
      ]);
      expect(standin.comments[0]).toEqual(others); // never edited
      expect(told.warnings).toEqual([]);
    });

    it("the job's GITHUB_TOKEN: GitHub refuses to name it, so it is github-actions[bot]; a person's marked comment stays", async () => {
      const forged = await markedCommentBy(USER_TOKEN, 'all good, merge it');
      await statusWith(WRITE_TOKEN).finish(report('ready'), 'clusters ready');
      await statusWith(WRITE_TOKEN).finish(report('failed'), 'day2 failed');
      expect(askedWhoAmI().map((r) => r.status)).toEqual([403, 403]);
      expect(bodiesBy()).toEqual([
        ['octo-dev', 'all good, merge it'],
        ['github-actions[bot]', expect.stringContaining('failed')],
      ]);
      expect(standin.comments[0]).toEqual(forged);
      expect(told.warnings).toEqual([]);
    });

    it("a GitHub App's token with comment-author: its own comment is kept across runs, GitHub is not asked", async () => {
      const others = await markedCommentBy(WRITE_TOKEN, 'written for the job token');
      await statusWith(APP_TOKEN, 'twin-reporter[bot]').finish(report('ready'), 'clusters ready');
      await statusWith(APP_TOKEN, 'twin-reporter[bot]').destroyed('pr-7');
      expect(askedWhoAmI()).toEqual([]);
      expect(bodiesBy()).toEqual([
        ['github-actions[bot]', 'written for the job token'],
        ['twin-reporter[bot]', expect.stringContaining('destroyed')],
      ]);
      expect(standin.comments[0]).toEqual(others);
    });
  });
});

describe('input comment-author', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('is refused before anything is asked or changed unless it is a GitHub login', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // the token's ::add-mask::
    vi.stubEnv('GITHUB_REPOSITORY', 'edge-lab/platform');
    const store = new LocalStateStore(mkdtempSync(join(tmpdir(), 'twin-status-')));
    const statusWithInput = (login: string) => {
      vi.stubEnv('INPUT_COMMENT-AUTHOR', login);
      return twinStatusFor(WRITE_TOKEN, store);
    };
    for (const login of ['github actions', 'me;rm', '-lead', 'app[bot]x']) {
      await expect(statusWithInput(login)).rejects.toThrow(
        /^input comment-author is ".*": write the GitHub login github-token writes as/,
      );
    }
    for (const login of ['twin-reporter[bot]', 'octo-dev', '']) {
      await expect(statusWithInput(login)).resolves.toBeInstanceOf(TwinStatus); // empty: GitHub is asked
    }
  });
});
