import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { GitHubStandin } from '../github/standin/server.js';
import { runWorkflow } from './driver.js';
import type { JobResult, RunnerWorld, WorkflowEvent } from './driver.js';
import type { Value } from './expression.js';
import { scanForSecrets, twinSecrets, visibleLog, withEncodings } from '../../bench/secret-scan.js';

/**
 * The life of twins as users meet it: the repository's own twin.yml and reaper.yml driven event by event
 * against the simulated lab and the GitHub stand-in (every request checked against GitHub's OpenAPI
 * description). After each event the lab's twins, GitHub's deployments and the pull request's one comment
 * are what a user expects. The spec is the one-worker fixture with production as small, to keep it quick.
 */
const TIME_SCALE = 0.01;
const MAIN_SHA = 'a'.repeat(40);
const TWIN_WORKFLOW = '.github/workflows/twin.yml';
const REAPER_WORKFLOW = '.github/workflows/reaper.yml';
const MARKER = (twin: string) => `<!-- aggrik8s-twin:${twin} -->`;

let lab: LabHandle;
let standin: GitHubStandin;
let world: RunnerWorld;
let stateRoot: string;
let repository: string;
let shas = 0;
let labLog: string;
let operatorPools: string[];
/** The preview job of pr-7's opened event, whose reviewer kubeconfig a later test uses. */
let pr7Opened: JobResult;
/** Every job that ran, and the secret material of every twin that existed, for the final scan. */
const jobsRun: JobResult[] = [];
const secrets = new Set<string>();

function nextSha(): string {
  return (++shas).toString(16).padStart(40, 'c');
}

beforeAll(async () => {
  const labDir = mkdtempSync(join(tmpdir(), 'events-lab-'));
  labLog = join(labDir, 'requests.jsonl');
  lab = await startLab({ dir: labDir, timeScale: TIME_SCALE, logFile: labLog });
  operatorPools = Object.keys(lab.state.access.config.pools); // runner-setup's parent pool, before any push
  standin = await GitHubStandin.start();
  standin.addBranch('main', MAIN_SHA);
  repository = `${standin.repoRef.owner}/${standin.repoRef.repo}`;
  const home = mkdtempSync(join(tmpdir(), 'events-runner-home-'));
  stateRoot = join(home, '.aggrik8s-twin', 'state'); // the actions' default state-dir on the runner
  world = {
    standin,
    vars: {
      PROXMOX_ENDPOINT: lab.endpoint.replace(/\/api2\/json$/, ''),
      PROXMOX_CA: readFileSync(lab.caFile, 'utf8'),
      PROXMOX_FINGERPRINT: '',
      // The lab's talosctl, kubectl and helm are stand-ins: the pinned digests of the real ones refuse them.
      TWIN_TOOLS: 'path',
    },
    // One lab token for both tiers: the lab has one least-privilege token; the tiers are GitHub's side here.
    secrets: { PROXMOX_TOKEN: lab.token, PREVIEW_PROXMOX_TOKEN: lab.token },
    env: {
      PATH: `${lab.binDir}${delimiter}${process.env.PATH}`,
      HOME: home,
      TWIN_PACE_SCALE: String(TIME_SCALE),
    },
    workflowEnv: { TWIN_SPEC: smallLabSpec() },
  };
});
afterAll(async () => {
  await standin?.close();
  await lab?.close();
});

/** The one-worker fixture with production cut to one control plane and one worker per cluster too. */
function smallLabSpec(): string {
  const spec = parse(readFileSync('test/fixtures/twins/one-worker.yaml', 'utf8')) as {
    environments: { production: { clusters: Record<string, Record<string, unknown>> } };
  };
  for (const cluster of Object.values(spec.environments.production.clusters)) {
    Object.assign(cluster, { controlPlanes: { count: 1 }, workers: { count: 1, cores: 2, memoryMiB: 6144 } });
  }
  // Inside the workspace (GITHUB_WORKSPACE is this repository; tmp/ is ignored by git): specs are read only there.
  mkdirSync('tmp', { recursive: true });
  const file = join(mkdtempSync(join(process.cwd(), 'tmp', 'events-spec-')), 'twin.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

// --- events as GitHub sends them ---

function push(): WorkflowEvent {
  return {
    name: 'push',
    ref: 'refs/heads/main',
    sha: MAIN_SHA,
    payload: { ref: 'refs/heads/main', after: MAIN_SHA, repository: { full_name: repository } },
  };
}

function pullRequest(
  action: string,
  number: number,
  head: { ref: string; sha: string },
  fork = false,
): WorkflowEvent {
  const pull: Record<string, Value> = {
    number,
    state: action === 'closed' ? 'closed' : 'open',
    title: `Change ${number}`,
    head: { ref: head.ref, sha: head.sha, repo: { full_name: fork ? 'mallory/platform' : repository } },
    base: { ref: 'main', sha: MAIN_SHA, repo: { full_name: repository } },
    labels: standin.pullRequestLabels(number).map((name) => ({ name })), // as GitHub has them now
  };
  return {
    name: 'pull_request',
    ref: `refs/pull/${number}/merge`,
    sha: nextSha(), // the test-merge commit
    payload: { action, number, pull_request: pull, repository: { full_name: repository } },
  };
}

function dispatch(twin: string, operation: 'apply' | 'destroy', confirm = ''): WorkflowEvent {
  const inputs = { twin, operation, confirm };
  return { name: 'workflow_dispatch', ref: 'refs/heads/main', sha: MAIN_SHA, payload: { inputs }, inputs };
}

/** "Run workflow" of the reaper with dry-run: it lists what it would destroy and destroys nothing. */
function reaperDryRun(): WorkflowEvent {
  const inputs = { 'dry-run': true };
  return { name: 'workflow_dispatch', ref: 'refs/heads/main', sha: MAIN_SHA, payload: { inputs }, inputs };
}

/** A label event of a pull request: GitHub's payload names the label added or removed. */
function labelEvent(
  action: 'labeled' | 'unlabeled',
  number: number,
  head: { ref: string; sha: string },
  label: string,
): WorkflowEvent {
  const event = pullRequest(action, number, head);
  return { ...event, payload: { ...event.payload, label: { name: label } } };
}

function schedule(): WorkflowEvent {
  return { name: 'schedule', ref: 'refs/heads/main', sha: MAIN_SHA, payload: { schedule: '17 * * * *' } };
}

// --- what a user looks at ---

function vmsOf(twin: string): string[] {
  return Object.values(lab.state.data.vms)
    .map((vm) => vm.config.name ?? '')
    .filter((name) => name.startsWith(`${twin}-`));
}

function vmidsOf(twin: string): number[] {
  return Object.values(lab.state.data.vms)
    .filter((vm) => (vm.config.name ?? '').startsWith(`${twin}-`))
    .map((vm) => vm.vmid);
}

/**
 * Runs `deliver` while the pull request's twin.yaml is `edit` of the production branch's: the workspace (the
 * PR's checkout) holds the edited spec, the production branch the original. Restored after.
 */
async function withPullRequestSpec<T>(edit: (text: string) => string, deliver: () => Promise<T>): Promise<T> {
  const file = world.workflowEnv!.TWIN_SPEC!;
  const original = readFileSync(file, 'utf8');
  world.productionFiles = { [file]: original };
  writeFileSync(file, edit(original));
  try {
    return await deliver();
  } finally {
    writeFileSync(file, original);
    delete world.productionFiles;
  }
}

/** Moves the twin's claim record back in time, as if it were created (and last applied) hours ago. */
function backdateClaim(twin: string, createdHoursAgo: number, appliedHoursAgo?: number): void {
  const at = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
  const pool = Object.values(lab.state.access.config.pools).find((one) =>
    one.comment?.startsWith(`aggrik8s-twin slot of ${twin} `),
  )!;
  const active = appliedHoursAgo === undefined ? '' : ` active ${at(appliedHoursAgo)}`;
  pool.comment = pool.comment!.replace(/ since \S+( active \S+)?/, ` since ${at(createdHoursAgo)}${active}`);
}

function claimOf(twin: string): string {
  return (
    Object.values(lab.state.access.config.pools).find((one) =>
      one.comment?.startsWith(`aggrik8s-twin slot of ${twin} `),
    )?.comment ?? ''
  );
}

function poolsOf(twin: string): string[] {
  return Object.values(lab.state.access.config.pools)
    .filter((pool) => pool.comment?.includes(` of ${twin} `))
    .map((pool) => pool.poolid);
}

function deploymentsOf(twin: string) {
  return standin.deployments.filter((deployment) => deployment.environment === twin);
}

function latestState(deployment: { statuses: { state: string }[] }): string | undefined {
  return deployment.statuses.at(-1)?.state;
}

function commentsOn(number: number) {
  return standin.comments.filter((comment) => comment.issueNumber === number);
}

/** The lab's kubectl as a reviewer runs it on their own machine. */
function labKubectl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(join(lab.binDir, 'kubectl'), args, (_error, stdout, stderr) => done({ stdout, stderr }));
  });
}

/** The run id of the PR-opened run: the one the comment's download command names. */
function day2RunId(): string {
  const runUrl = /\/actions\/runs\/(\d+)/.exec(commentsOn(7)[0]!.body);
  return runUrl?.[1] ?? 'unknown';
}

/** Runs a workflow as GitHub would for the event, keeping what it wrote for the secret scan. */
async function deliver(workflow: string, event: WorkflowEvent): Promise<JobResult[]> {
  const results = await runWorkflow(workflow, event, world);
  jobsRun.push(...results);
  return results;
}

/** The twin's secret material, read from the state store while the twin exists. */
function rememberSecrets(twin: string): void {
  const before = secrets.size;
  for (const secret of twinSecrets(join(stateRoot, twin))) secrets.add(secret);
  expect(secrets.size - before, `secret material of ${twin} found in its state`).toBeGreaterThan(10);
}

function expectJobsPassed(results: JobResult[], jobs: string[]): void {
  const failures = results
    .filter((result) => !result.ok)
    .flatMap((result) =>
      result.steps.map((step) => step.run?.stdout.split('\n').filter((l) => /::error/.test(l))),
    );
  expect(failures.flat(), 'error lines of failed jobs').toEqual([]);
  expect(results.map((result) => [result.job, result.ok])).toEqual(jobs.map((job) => [job, true]));
  expect(standin.violations).toEqual([]);
}

describe(
  'twin.yml and reaper.yml, event after event, on the lab and the GitHub stand-in',
  { timeout: 600_000 },
  () => {
    const pr7 = { ref: 'feature/mesh-tuning', sha: nextSha() };
    const pr8 = { ref: 'feature/storage', sha: nextSha() };

    it('push to main: the production job converges production; its deployment is the one GitHub made', async () => {
      const results = await deliver(TWIN_WORKFLOW, push());
      expectJobsPassed(results, ['apply']);
      rememberSecrets('production');
      expect(vmsOf('production').sort()).toEqual([
        'production-east-cp-1',
        'production-east-w-1',
        'production-west-cp-1',
        'production-west-w-1',
      ]);
      const [deployment, ...more] = deploymentsOf('production');
      expect(more).toEqual([]);
      expect(deployment!.id).toBe(results[0]!.deploymentId);
      const ours = deployment!.statuses.filter((status) => status.description !== '');
      expect(ours.map((status) => `${status.state}: ${status.description}`)).toEqual([
        'in_progress: provision: twin production is being built',
        'success: clusters, mesh and day 2 ready', // input platform: one graph in the provision step
        'in_progress: mesh: twin production is being built',
        expect.stringMatching(/^success: mesh done: \d+ check\(s\) passed$/),
        'in_progress: day2: twin production is being built',
        expect.stringMatching(/^success: day2 done: \d+ check\(s\) passed$/),
      ]);
      expect(latestState(deployment!)).toBe('success');
      // The mesh and day 2 ran in provision's graph: the later steps only report them.
      for (const id of ['mesh', 'day2'])
        expect(results[0]!.steps.find((step) => step.id === id)!.run!.stdout).toMatch(
          /done by this job's provision step \(input platform: true\); nothing left to do/,
        );
      expect(standin.comments).toEqual([]); // a push has no pull request to comment on
    });

    it('PR opened: a preview twin pr-7, one deployment, one comment with endpoints, timings and checks', async () => {
      standin.addPullRequest({ number: 7, headRef: pr7.ref, headSha: pr7.sha });
      world.vars.REVIEWER_ACCESS = 'true'; // the demo's namespace, for the reviewer kubeconfig test below
      const results = await deliver(TWIN_WORKFLOW, pullRequest('opened', 7, pr7)).finally(
        () => delete world.vars.REVIEWER_ACCESS,
      );
      expectJobsPassed(results, ['preview']);
      pr7Opened = results[0]!;
      rememberSecrets('pr-7');
      expect(vmsOf('pr-7')).toHaveLength(4);
      expect(deploymentsOf('pr-7')).toHaveLength(1);
      expect(latestState(deploymentsOf('pr-7')[0]!)).toBe('success');
      const comments = commentsOn(7);
      expect(comments).toHaveLength(1);
      const body = comments[0]!.body;
      expect(body.split('\n')[0]).toBe(MARKER('pr-7'));
      expect(body).toContain('### Twin `pr-7`: ✅ ready');
      expect(body).toMatch(/\| east \| `https:\/\/[\d.]+:6443` \| 2\/2 \|/);
      expect(body).toContain('**Stage timings**');
      expect(body).toMatch(/\| mesh east &lt;-&gt; west \| ✅ passed \|/);
      expect(body).toMatch(/\| from east, rebel-base answers from every cluster \| ✅ passed \|/);
      expect(body).toMatch(/Ceph health on west \| ✅ passed/);
      // Its share as Proxmox holds it and its expiry, kept from provision through mesh and day2.
      expect(body).toMatch(
        /\nIts share of the lab: 4 VM\(s\) \(4 running\), \d+ cores, [\d.]+ GiB of memory, \d+ GiB of disk\. Destroyed after \d{4}-\d\d-\d\d \d\d:\d\d UTC unless pushed again or labelled "keep" \(environments\.preview\.ttlHours: \d+ h from the last apply\)\.\n/,
      );
      expect(body).not.toContain('❌');
      const commitUrl = `https://github.com/${repository}/commit/${pr7.sha}`;
      const { talos, cilium, addons } = parse(readFileSync(world.workflowEnv!.TWIN_SPEC!, 'utf8')) as {
        talos: { version: string; kubernetesVersion: string };
        cilium: { version: string };
        addons: { rook: { version: string } };
      };
      expect(body).toContain(
        `Built from [\`${pr7.sha.slice(0, 7)}\`](${commitUrl}) · Talos ${talos.version} · ` +
          `Kubernetes ${talos.kubernetesVersion} · Cilium ${cilium.version} · Rook ${addons.rook.version}\n`,
      );
      expect(body).toMatch(
        /Destroyed after \d{4}-\d\d-\d\d \d\d:\d\d UTC unless pushed again or labelled "keep" \(environments\.preview\.ttlHours: 72 h from the last apply\)/,
      );
    });

    it('PR opened with REVIEWER_ACCESS: the comment tells how to fetch a read-only kubeconfig that reads only the demo', async () => {
      const upload = pr7Opened.steps.find((step) => step.uses.startsWith('actions/upload-artifact@'));
      const artifact = upload!.artifact!;
      expect(artifact).toMatchObject({ name: 'pr-7-reviewer-kubeconfig', file: 'pr-7-reviewer.kubeconfig' });
      expect(artifact.mode).toBe(0o600);
      expect(artifact.retentionDays).toBeGreaterThanOrEqual(1);
      expect(artifact.retentionDays).toBeLessThanOrEqual(3); // no longer than the TTL of 72 h
      const day2 = pr7Opened.steps.find((step) => step.id === 'day2')!.run!;
      expect(existsSync(day2.outputs['reviewer-kubeconfig']!)).toBe(false); // the post step removed it
      const body = commentsOn(7)[0]!.body;
      expect(body).toContain('**How to reach it**');
      expect(body).toContain(
        `\`\`\`sh\ngh run download ${day2RunId()} -R ${repository} -n pr-7-reviewer-kubeconfig\n` +
          'kubectl --kubeconfig pr-7-reviewer.kubeconfig --context east get pods -n starwars\n```',
      );
      const config = parse(artifact.text) as { users: { user: { token: string } }[] };
      for (const { user } of config.users) secrets.add(user.token); // the final scan looks for the tokens too
      const file = join(mkdtempSync(join(tmpdir(), 'reviewer-')), artifact.file);
      writeFileSync(file, artifact.text, { mode: 0o600 });
      const reviewer = (...args: string[]) => labKubectl(['--kubeconfig', file, ...args]);
      for (const context of ['east', 'west']) {
        const pods = await reviewer('--context', context, 'get', 'pods', '-n', 'starwars');
        expect(pods.stdout, pods.stderr).toMatch(/^rebel-base-/m);
        expect((await reviewer('--context', context, 'get', 'pods', '-n', 'kube-system')).stderr).toMatch(
          /^Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:starwars:twin-reviewer" cannot list resource "pods"/,
        );
        expect(
          (await reviewer('--context', context, 'delete', 'deploy/x-wing', '-n', 'starwars')).stderr,
        ).toMatch(/cannot delete resource "deployments" in API group "apps" in the namespace "starwars"/);
      }
    });

    it('synchronize: the same twin converged, still one comment, updated in place', async () => {
      const before = { ...commentsOn(7)[0]! };
      pr7.sha = nextSha();
      standin.pushToPullRequest(7, pr7.sha);
      const results = await deliver(TWIN_WORKFLOW, pullRequest('synchronize', 7, pr7));
      expectJobsPassed(results, ['preview']);
      expect(vmsOf('pr-7')).toHaveLength(4);
      const comments = commentsOn(7);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.id).toBe(before.id);
      expect(comments[0]!.body).not.toBe(before.body);
      expect(comments[0]!.body).toContain(`/actions/runs/`);
      // One deployment per run, each GitHub's own: the new commit's is the one that succeeded.
      const deployments = deploymentsOf('pr-7');
      expect(deployments.map((deployment) => deployment.sha)).toEqual([expect.any(String), pr7.sha]);
      expect(latestState(deployments[1]!)).toBe('success');
    });

    it('a fork pull request starts no job at all: the guard keeps it off the lab runner', async () => {
      standin.addPullRequest({ number: 9, headRef: 'evil', headSha: nextSha() });
      const fork = pullRequest('opened', 9, { ref: 'evil', sha: nextSha() }, true);
      expect(await deliver(TWIN_WORKFLOW, fork)).toEqual([]);
      expect(
        await deliver(TWIN_WORKFLOW, { ...fork, payload: { ...fork.payload, action: 'closed' } }),
      ).toEqual([]);
      expect(vmsOf('pr-9')).toEqual([]);
      expect(deploymentsOf('pr-9')).toEqual([]);
    });

    it('PR closed: the destroy job leaves no VM, pool or state of pr-7; deployments inactive; the comment says so', async () => {
      standin.setPullRequestState(7, 'closed');
      const results = await deliver(TWIN_WORKFLOW, pullRequest('closed', 7, pr7));
      expectJobsPassed(results, ['destroy']);
      expect(results[0]!.deploymentId).toBeUndefined(); // destroy declares no environment
      expect(vmsOf('pr-7')).toEqual([]);
      expect(poolsOf('pr-7')).toEqual([]);
      expect(existsSync(join(stateRoot, 'pr-7'))).toBe(false);
      expect(deploymentsOf('pr-7').map(latestState)).toEqual(['inactive', 'inactive']);
      const comments = commentsOn(7);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain('### Twin `pr-7`: 🗑️ destroyed');
      expect(vmsOf('production')).toHaveLength(4); // production is untouched
    });

    it('the reaper: a PR closed while no close event ran loses its twin; production stays', async () => {
      // The lab holds production and one preview at a time (its disks are the limit), so pr-8 comes now.
      // pr-8 also edits the lab's layout: its preview still takes production's (the production branch's spec).
      standin.addPullRequest({ number: 8, headRef: pr8.ref, headSha: pr8.sha });
      const opened = await withPullRequestSpec(
        (text) => text.replace('vmidBase: 7000', 'vmidBase: 9000').replace('ttlHours: 72', 'ttlHours: 8000'),
        () => deliver(TWIN_WORKFLOW, pullRequest('opened', 8, pr8)),
      );
      expectJobsPassed(opened, ['preview']);
      expect(vmsOf('pr-8')).toHaveLength(4);
      expect(vmidsOf('pr-8').every((vmid) => vmid >= 7000 && vmid < 7800)).toBe(true);
      const provisionLog = opened[0]!.steps.find((step) => step.id === 'provision')!.run!.stdout;
      expect(provisionLog).toMatch(/::warning::.*proxmox\.slots: differs from the production branch's spec/);
      expect(provisionLog).toMatch(/::warning::.*environments\.preview\.ttlHours: differs/);
      rememberSecrets('pr-8');
      standin.setPullRequestState(8, 'closed'); // its close event never reached a runner
      const results = await deliver(REAPER_WORKFLOW, schedule());
      expectJobsPassed(results, ['reap']);
      expect(results[0]!.steps[1]!.run!.stdout).toMatch(/destroying pr-8: pull request #8 is closed/);
      expect(vmsOf('pr-8')).toEqual([]);
      expect(poolsOf('pr-8')).toEqual([]);
      expect(existsSync(join(stateRoot, 'pr-8'))).toBe(false);
      expect(deploymentsOf('pr-8').map(latestState)).toEqual(['inactive']);
      expect(commentsOn(8).map((comment) => comment.body.split('\n')[1])).toEqual([
        '### Twin `pr-8`: 🗑️ destroyed',
      ]);
      expect(vmsOf('production')).toHaveLength(4);
    });

    it('PREVIEW_LABEL: a PR gets a preview only once labelled; each push restarts the TTL; keep keeps it; unlabelling destroys it', async () => {
      const pr10 = { ref: 'feature/opt-in', sha: nextSha() };
      world.vars.PREVIEW_LABEL = 'preview';
      try {
        standin.addPullRequest({ number: 10, headRef: pr10.ref, headSha: pr10.sha });
        expect(await deliver(TWIN_WORKFLOW, pullRequest('opened', 10, pr10))).toEqual([]);
        standin.setPullRequestLabels(10, ['preview']);
        expectJobsPassed(await deliver(TWIN_WORKFLOW, labelEvent('labeled', 10, pr10, 'preview')), [
          'preview',
        ]);
        expect(vmsOf('pr-10')).toHaveLength(4);
        rememberSecrets('pr-10');

        const wouldReap = async () =>
          (await deliver(REAPER_WORKFLOW, reaperDryRun()))[0]!.steps[1]!.run!.stdout.match(
            /would destroy pr-10: .*/,
          )?.[0];
        backdateClaim('pr-10', 100); // created 100 h ago, never applied since: past the TTL of 72 h
        expect(await wouldReap()).toMatch(/created \S+, 100 h ago, past the TTL of 72 h/);

        pr10.sha = nextSha(); // a push: the preview job applies the twin again, which records it
        standin.pushToPullRequest(10, pr10.sha);
        expectJobsPassed(await deliver(TWIN_WORKFLOW, pullRequest('synchronize', 10, pr10)), ['preview']);
        const active = /active (\S+)/.exec(claimOf('pr-10'))?.[1];
        expect(Date.now() - Date.parse(active ?? '')).toBeLessThan(600_000);
        expect(await wouldReap()).toBeUndefined();

        backdateClaim('pr-10', 200, 90); // last applied 90 h ago
        expect(await wouldReap()).toMatch(/last applied \S+, 90 h ago, past the TTL of 72 h/);
        standin.setPullRequestLabels(10, ['preview', 'keep']);
        expect(await deliver(TWIN_WORKFLOW, labelEvent('labeled', 10, pr10, 'keep'))).toEqual([]);
        expect(await wouldReap()).toBeUndefined();
        expect(vmsOf('pr-10')).toHaveLength(4);

        standin.setPullRequestLabels(10, ['keep']);
        const removed = await deliver(TWIN_WORKFLOW, labelEvent('unlabeled', 10, pr10, 'preview'));
        expectJobsPassed(removed, ['destroy']);
        expect(vmsOf('pr-10')).toEqual([]);
        expect(poolsOf('pr-10')).toEqual([]);
      } finally {
        delete world.vars.PREVIEW_LABEL;
      }
    });

    it('dispatch destroy of production without its name typed into confirm is refused; production stays', async () => {
      const results = await deliver(TWIN_WORKFLOW, dispatch('production', 'destroy', 'yes'));
      expect(results.map((result) => [result.job, result.ok])).toEqual([['destroy-production', false]]);
      expect(results[0]!.steps.map((step) => step.run?.stdout ?? '').join('\n')).toMatch(
        /::error::operation destroy of the production twin "production" is refused, nothing was changed/,
      );
      expect(vmsOf('production')).toHaveLength(4);
    });

    it('dispatch destroy: production goes, and the lab is as empty as before the first push', async () => {
      const results = await deliver(TWIN_WORKFLOW, dispatch('production', 'destroy', 'production'));
      expectJobsPassed(results, ['destroy-production']);
      expect(Object.keys(lab.state.data.vms)).toEqual([]);
      expect(Object.keys(lab.state.access.config.pools)).toEqual(operatorPools);
      expect(existsSync(join(stateRoot, 'production'))).toBe(false);
      expect(deploymentsOf('production').map(latestState)).toEqual(['inactive']);
      // One comment per preview that existed (pr-7, pr-8, pr-10), none for production.
      expect(
        standin.comments
          .filter((comment) => comment.body.startsWith('<!-- aggrik8s-twin:'))
          .map((comment) => comment.issueNumber),
      ).toEqual([7, 8, 10]);
    });

    it('no secret reached a log, output, summary, GitHub request or the lab request log, not even base64-encoded', () => {
      const haystacks: Record<string, string> = { 'lab request log': readFileSync(labLog, 'utf8') };
      jobsRun.forEach((job, index) => {
        job.steps.forEach((step, n) => {
          for (const [phase, run] of [
            ['main', step.run],
            ['post', step.post],
          ] as const) {
            if (!run) continue;
            const where = `job ${index} ${job.job} step ${n} ${phase}`;
            haystacks[`${where} log`] = `${visibleLog(run.stdout)}\n${run.stderr}`;
            haystacks[`${where} outputs`] = JSON.stringify(run.outputs);
            haystacks[`${where} summary`] = run.summary;
          }
        });
      });
      standin.requests.forEach((request, index) => {
        haystacks[`GitHub request ${index}`] = JSON.stringify(request.body ?? null);
      });
      expect(Object.keys(haystacks).length).toBeGreaterThan(50);
      const needles = withEncodings([...secrets, lab.token, lab.tokenSecret]);
      expect(needles.length).toBeGreaterThan(100);
      expect(scanForSecrets(haystacks, needles)).toEqual([]);
      // The scan finds what it looks for: a kubeconfig key pasted into a log, raw or base64, is a hit.
      const planted = [...secrets].find((secret) => secret.length > 40)!;
      expect(
        scanForSecrets({ planted: `x${Buffer.from(`..${planted}`).toString('base64')}y` }, needles),
      ).not.toEqual([]);
    });
  },
);
