import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { runStep } from '../actions/runner.js';
import type { StepRun } from '../actions/runner.js';
import type { GitHubStandin, JobPermissions } from '../github/standin/server.js';
import { evaluateCondition, hasStatusFunction, interpolate } from './expression.js';
import type { Contexts, Value } from './expression.js';

/**
 * A GitHub runner in miniature for the workflow tests: takes a workflow file and an event, decides which
 * jobs run by their `if:`, and runs their steps as the runner does: `uses: ./action-*` through the bundle in
 * dist/ with the action.yml defaults and the `with:` values evaluated, outputs into `steps.<id>.outputs`, a
 * failed step skips the rest, post steps at the end; actions/upload-artifact (under its `if:`) keeps the file it
 * uploads, other actions of the marketplace are skipped. GitHub's part comes from the stand-in: a token with the
 * job's `permissions:` and, for a job with `environment:`, the deployment GitHub makes when it starts.
 */

interface WorkflowStep {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
}

interface WorkflowJob {
  if?: string;
  permissions?: Record<string, string>;
  environment?: { name: string; url?: string } | string;
  steps: WorkflowStep[];
}

interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, WorkflowJob>;
}

interface ActionFile {
  inputs?: Record<string, { default?: string }>;
  runs: { main: string; post?: string };
}

export interface WorkflowEvent {
  name: string;
  payload: Record<string, Value>;
  ref: string;
  /** GITHUB_SHA: for a pull request, its test-merge commit. */
  sha: string;
  inputs?: Record<string, Value>;
}

/** What surrounds the runner: GitHub, the repository's variables and secrets, the runner's environment. */
export interface RunnerWorld {
  standin: GitHubStandin;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  /** The runner machine's environment (PATH with the tools, HOME, ...). */
  env: NodeJS.ProcessEnv;
  /** Values that replace the workflow's own `env:` (e.g. the spec path). */
  workflowEnv?: Record<string, string>;
  /**
   * The production branch's files by path, for a checkout of it into a `path:` beside the job's own (the
   * layout spec of a preview). A file not listed is the working copy's: this repository is that branch.
   */
  productionFiles?: Record<string, string>;
}

/** A file actions/upload-artifact took from the runner: what anyone who may download it gets. */
export interface UploadedArtifact {
  name: string;
  /** The file's name inside the artifact. */
  file: string;
  text: string;
  /** The file's permission bits on the runner when it was uploaded. */
  mode: number;
  retentionDays: number;
}

export interface StepResult {
  uses: string;
  id?: string;
  run?: StepRun;
  post?: StepRun;
  artifact?: UploadedArtifact;
}

export interface JobResult {
  job: string;
  ok: boolean;
  steps: StepResult[];
  /** The deployment GitHub made for the job's `environment:`. */
  deploymentId?: number;
}

let runIds = 9000;

/** Runs every job of `file` that `event` selects, one after the other, and says how each went. */
export async function runWorkflow(
  file: string,
  event: WorkflowEvent,
  world: RunnerWorld,
): Promise<JobResult[]> {
  const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
  const runId = ++runIds;
  const eventPath = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  const results: JobResult[] = [];
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const token = world.standin.issueJobToken(grants(job.permissions));
    const contexts = jobContexts(workflow, event, world, runId, token);
    if (job.if !== undefined && !evaluateCondition(job.if, contexts)) continue;
    results.push(await runJob(name, job, contexts, { event, world, runId, eventPath }));
  }
  return results;
}

function grants(permissions: Record<string, string> = {}): JobPermissions {
  return Object.fromEntries(
    Object.entries(permissions).filter(([, level]) => level === 'read' || level === 'write'),
  ) as JobPermissions;
}

function jobContexts(
  workflow: Workflow,
  event: WorkflowEvent,
  world: RunnerWorld,
  runId: number,
  token: string,
): Contexts {
  const { owner, repo } = world.standin.repoRef;
  const contexts: Contexts = {
    github: {
      event_name: event.name,
      event: event.payload,
      ref: event.ref,
      sha: event.sha,
      repository: `${owner}/${repo}`,
      server_url: 'https://github.com',
      run_id: runId,
      token,
    },
    inputs: event.inputs ?? {},
    vars: world.vars,
    secrets: world.secrets,
    steps: {},
    env: {},
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(workflow.env ?? {}))
    env[key] = interpolate(String(value), contexts);
  contexts.env = { ...env, ...world.workflowEnv };
  return contexts;
}

async function runJob(
  name: string,
  job: WorkflowJob,
  contexts: Contexts,
  run: { event: WorkflowEvent; world: RunnerWorld; runId: number; eventPath: string },
): Promise<JobResult> {
  const { standin } = run.world;
  const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
  const deploymentId =
    environment === undefined
      ? undefined
      : standin.startEnvironmentJob({
          environment: interpolate(environment, contexts),
          ...deployedCommit(run.event),
          runId: run.runId,
        });
  const stepsContext: Record<string, Value> = {};
  contexts.steps = stepsContext;
  // The job's id, as the runner sets GITHUB_JOB (steps of one job share it; action-provision's platform
  // input leaves a mark for that job's action-mesh and action-day2).
  const env = { ...runnerEnv(run, contexts), GITHUB_JOB: name, GITHUB_RUN_ATTEMPT: '1' };
  const steps: StepResult[] = [];
  let ok = true;
  for (const step of job.steps) {
    if (step.run !== undefined) throw new Error(`job ${name}: run: steps are not modelled by this driver`);
    const uses = step.uses ?? '';
    const result: StepResult = { uses, ...(step.id ? { id: step.id } : {}) };
    steps.push(result);
    if (ok && uses.startsWith('actions/checkout') && step.with?.path !== undefined) {
      checkoutBeside(step, contexts, run.world);
      continue;
    }
    if (uses.startsWith('actions/upload-artifact@')) {
      if (stepRuns(step, contexts, ok)) {
        const artifact = upload(step, contexts);
        if (artifact) result.artifact = artifact;
      }
      continue;
    }
    if (!ok || !uses.startsWith('./')) continue; // a failed step skips the rest; checkout is the cwd here
    const action = parse(readFileSync(join(uses, 'action.yml'), 'utf8')) as ActionFile;
    result.run = await runStep(entryOf(action.runs.main), {
      inputs: stepInputs(action, step, contexts),
      env,
    });
    ok = result.run.code === 0;
    if (step.id)
      stepsContext[step.id] = { outputs: result.run.outputs, conclusion: ok ? 'success' : 'failure' };
  }
  for (const result of [...steps].reverse()) {
    if (!result.run) continue;
    const action = parse(readFileSync(join(result.uses, 'action.yml'), 'utf8')) as ActionFile;
    if (action.runs.post)
      result.post = await runStep(entryOf(action.runs.post), { state: result.run.state, env });
  }
  if (deploymentId !== undefined) standin.endEnvironmentJob(deploymentId, ok ? 'success' : 'failure');
  return { job: name, ok, steps, ...(deploymentId === undefined ? {} : { deploymentId }) };
}

/**
 * actions/checkout of another ref into `path:` inside the workspace, sparse: the listed files only, from
 * world.productionFiles or else the working copy. The folder is emptied first, as checkout cleans it.
 */
function checkoutBeside(step: WorkflowStep, contexts: Contexts, world: RunnerWorld): void {
  const target = resolve(interpolate(String(step.with!.path), contexts));
  if (relative(process.cwd(), target).startsWith('..'))
    throw new Error(`checkout path ${target} is outside the workspace`);
  const files = interpolate(String(step.with!['sparse-checkout'] ?? ''), contexts)
    .split('\n')
    .filter(Boolean);
  if (files.length === 0)
    throw new Error('this driver models a checkout into path: only with sparse-checkout files');
  rmSync(target, { recursive: true, force: true });
  for (const file of files) {
    const copy = join(target, file);
    mkdirSync(dirname(copy), { recursive: true });
    writeFileSync(copy, world.productionFiles?.[file] ?? readFileSync(file, 'utf8'));
  }
}

/**
 * Whether a step runs, as GitHub decides: its `if:` on the job's status so far (`failure()`, `always()`);
 * an `if:` without a status function, or none, runs only while every step before it succeeded.
 */
function stepRuns(step: WorkflowStep, contexts: Contexts, ok: boolean): boolean {
  const condition = step.if ?? '';
  if (!ok && !hasStatusFunction(condition)) return false;
  if (condition === '') return true;
  return evaluateCondition(condition, { ...contexts, job: { status: ok ? 'success' : 'failure' } });
}

/**
 * actions/upload-artifact of the first file `path:` names that exists (one per line; empty lines left out):
 * none fails the step as if-no-files-found: error does, or uploads nothing with `ignore`.
 */
function upload(step: WorkflowStep, contexts: Contexts): UploadedArtifact | undefined {
  const value = (key: string) => interpolate(String(step.with?.[key] ?? ''), contexts);
  const paths = value('path')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const path = paths.find((candidate) => existsSync(candidate));
  if (path === undefined) {
    if (value('if-no-files-found') === 'ignore') return undefined;
    throw new Error(`upload-artifact: no file at ${JSON.stringify(paths.join(', '))}`);
  }
  return {
    name: value('name'),
    file: basename(path),
    text: readFileSync(path, 'utf8'),
    mode: statSync(path).mode & 0o777,
    retentionDays: Number(value('retention-days')),
  };
}

/** The commit GitHub files an environment's deployment under: a pull request's head, else GITHUB_SHA. */
function deployedCommit(event: WorkflowEvent): { ref: string; sha: string } {
  const head = (event.payload.pull_request as { head?: { ref: string; sha: string } } | undefined)?.head;
  if (head) return { ref: head.ref, sha: head.sha };
  return { ref: event.ref.replace(/^refs\/heads\//, ''), sha: event.sha };
}

function runnerEnv(
  run: { event: WorkflowEvent; world: RunnerWorld; runId: number; eventPath: string },
  contexts: Contexts,
): NodeJS.ProcessEnv {
  const github = contexts.github as Record<string, Value>;
  return {
    ...run.world.env,
    ...(contexts.env as Record<string, string>),
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: run.event.name,
    GITHUB_EVENT_PATH: run.eventPath,
    GITHUB_REF: run.event.ref,
    GITHUB_SHA: run.event.sha,
    GITHUB_REPOSITORY: String(github.repository),
    GITHUB_API_URL: run.world.standin.url,
    GITHUB_SERVER_URL: String(github.server_url),
    GITHUB_RUN_ID: String(run.runId),
    GITHUB_WORKSPACE: process.cwd(),
    // One per job, as on a runner: a post step cleans up what its main step left there.
    RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'runner-temp-')),
  };
}

/** The runner's inputs: every input the action declares, from `with:` or else its default, evaluated. */
function stepInputs(action: ActionFile, step: WorkflowStep, contexts: Contexts): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [name, declared] of Object.entries(action.inputs ?? {})) {
    const given = step.with?.[name];
    const value = given === undefined ? declared.default : String(given);
    if (value !== undefined) inputs[name] = interpolate(value, contexts);
  }
  for (const name of Object.keys(step.with ?? {})) {
    if (!(name in (action.inputs ?? {}))) throw new Error(`${step.uses} has no input ${name}`);
  }
  return inputs;
}

/** `../dist/provision/index.js` -> `provision`, the entry runStep runs. */
function entryOf(main: string): string {
  const match = /^\.\.\/dist\/([a-z0-9-]+)\/index\.js$/.exec(main);
  if (!match) throw new Error(`action entry ${main} is not ../dist/<name>/index.js`);
  return match[1]!;
}
