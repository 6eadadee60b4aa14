import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploymentTarget, TwinDeployments } from '../../src/github/deployments.js';
import { githubClient } from '../../src/github/octokit.js';
import { GitHubStandin, WRITE_TOKEN } from './standin/server.js';

const MAIN_SHA = '1'.repeat(40);
const PR_SHA = '2'.repeat(40);
const ENVIRONMENT_URL = 'https://10.20.3.10:6443';
const LOG_URL = 'https://github.com/edge-lab/platform/actions/runs/900/job/1';

describe('TwinDeployments', () => {
  let standin: GitHubStandin;
  let deployments: TwinDeployments;

  beforeEach(async () => {
    standin = await GitHubStandin.start();
    standin.addBranch('main', MAIN_SHA);
    standin.addPullRequest({ number: 7, headRef: 'feature/mesh', headSha: PR_SHA });
    deployments = new TwinDeployments(githubClient(WRITE_TOKEN, { baseUrl: standin.url }), standin.repoRef);
  });
  afterEach(async () => {
    expect(standin.violations).toEqual([]);
    await standin.close();
  });

  const created = () => standin.requests.filter((r) => r.operationId === 'repos/create-deployment');

  it('creates a transient deployment for a preview when no job made one, then in_progress and success', async () => {
    const id = await deployments.begin('pr-7', {
      ref: 'feature/mesh',
      sha: PR_SHA,
      transient: true,
      logUrl: LOG_URL,
    });
    expect(created()).toHaveLength(1);
    expect(created()[0]!.body).toMatchObject({
      ref: 'feature/mesh',
      environment: 'pr-7',
      auto_merge: false,
      required_contexts: [],
      transient_environment: true,
      production_environment: false,
    });
    expect(standin.statesOf(id)).toEqual(['in_progress']);

    await deployments.finish(id, 'success', { environmentUrl: ENVIRONMENT_URL });
    expect(standin.statesOf(id)).toEqual(['in_progress', 'success']);
    const deployment = standin.deployments.find((d) => d.id === id)!;
    expect(deployment).toMatchObject({
      environment: 'pr-7',
      sha: PR_SHA,
      transient: true,
      production: false,
    });
    expect(deployment.statuses[0]!.logUrl).toBe(LOG_URL);
    expect(deployment.statuses[1]!.environmentUrl).toBe(ENVIRONMENT_URL);
  });

  it('uses the deployment a job with `environment:` already has instead of making a second one', async () => {
    const jobs = standin.startEnvironmentJob({
      environment: 'pr-7',
      ref: 'feature/mesh',
      sha: PR_SHA,
      runId: 900,
    });
    const id = await deployments.begin('pr-7', { ref: 'feature/mesh', sha: PR_SHA, transient: true });
    expect(id).toBe(jobs);
    expect(created()).toHaveLength(0);
    await deployments.finish(id, 'failure');
    expect(standin.statesOf(id)).toEqual(['queued', 'in_progress', 'in_progress', 'failure']);
    expect(standin.deployments).toHaveLength(1);
  });

  it("does not take over another environment's job or a finished run of the same commit", async () => {
    const other = standin.startEnvironmentJob({ environment: 'pr-8', ref: 'x', sha: PR_SHA, runId: 901 });
    const earlier = standin.startEnvironmentJob({
      environment: 'pr-7',
      ref: 'feature/mesh',
      sha: PR_SHA,
      runId: 899,
    });
    standin.endEnvironmentJob(earlier, 'success');
    const id = await deployments.begin('pr-7', { ref: 'feature/mesh', sha: PR_SHA, transient: true });
    expect([other, earlier]).not.toContain(id);
    expect(created()).toHaveLength(1);
  });

  it('makes production a production, non-transient deployment', async () => {
    const id = await deployments.begin('production', { ref: 'main', sha: MAIN_SHA, transient: false });
    expect(created()[0]!.body).toMatchObject({ production_environment: true, transient_environment: false });
    expect(standin.deployments.find((d) => d.id === id)).toMatchObject({
      production: true,
      transient: false,
    });
  });

  it('deactivates every deployment of a destroyed twin once, and no other twin', async () => {
    const first = await deployments.begin('pr-7', { ref: 'feature/mesh', sha: PR_SHA, transient: true });
    await deployments.finish(first, 'success');
    const second = await deployments.begin('pr-7', { ref: 'feature/mesh', sha: PR_SHA, transient: true });
    await deployments.finish(second, 'failure');
    const other = await deployments.begin('production', { ref: 'main', sha: MAIN_SHA, transient: false });
    await deployments.finish(other, 'success');

    expect(await deployments.deactivate('pr-7')).toBe(2);
    expect(standin.statesOf(first).at(-1)).toBe('inactive');
    expect(standin.statesOf(second)).toEqual(['in_progress', 'failure', 'inactive']);
    expect(standin.statesOf(other)).toEqual(['in_progress', 'success']);
    expect(await deployments.deactivate('pr-7')).toBe(0);
  });

  it('refuses a twin name that is not one', async () => {
    await expect(deployments.begin('PR 7', { ref: 'main', sha: MAIN_SHA, transient: true })).rejects.toThrow(
      /not a valid twin name/,
    );
  });
});

describe('deploymentTarget', () => {
  const pullRequest = (headRepo: string) => ({
    pull_request: {
      head: { ref: 'feature/mesh', sha: PR_SHA, repo: { full_name: headRepo } },
      base: { ref: 'main', repo: { full_name: 'edge-lab/platform' } },
    },
  });

  it("takes a pull request's head commit, not the test merge in GITHUB_SHA", () => {
    expect(
      deploymentTarget({
        eventName: 'pull_request',
        ref: 'refs/pull/7/merge',
        sha: '9'.repeat(40),
        payload: pullRequest('edge-lab/platform'),
      }),
    ).toEqual({ ref: 'feature/mesh', sha: PR_SHA });
  });

  it("names a fork's commit by sha, since its branch is not in this repository", () => {
    expect(
      deploymentTarget({
        eventName: 'pull_request',
        sha: '9'.repeat(40),
        payload: pullRequest('someone/platform'),
      }),
    ).toEqual({ ref: PR_SHA, sha: PR_SHA });
  });

  it('takes the branch and GITHUB_SHA of a push', () => {
    expect(deploymentTarget({ eventName: 'push', ref: 'refs/heads/main', sha: MAIN_SHA })).toEqual({
      ref: 'main',
      sha: MAIN_SHA,
    });
    expect(deploymentTarget({ eventName: 'workflow_dispatch', sha: MAIN_SHA })).toEqual({
      ref: MAIN_SHA,
      sha: MAIN_SHA,
    });
  });

  it('says what is missing', () => {
    expect(() => deploymentTarget({ eventName: 'pull_request', sha: MAIN_SHA, payload: {} })).toThrow(
      /pull_request.head.sha/,
    );
    expect(() => deploymentTarget({ eventName: 'push', ref: 'refs/heads/main', sha: '' })).toThrow(
      /GITHUB_SHA/,
    );
  });
});
