import { rm } from 'node:fs/promises';
import { freshWorkDir } from '../util/work-dir.js';
import type { Step, StepRecord } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import type { ClusterWorkContext } from './context.js';
import { describeFailures } from './outcome.js';
import type { PlatformReport } from './platform.js';
import type { ClusterOutcome, PlatformOutcome } from './outcome.js';

/** A platform's steps (the mesh, day 2) and the report they fill while they run. */
export interface PlatformPart {
  steps: Step[];
  report(): PlatformReport;
}

/**
 * Where platform steps join the build steps when one graph runs both (`twin up`, action-provision's
 * `platform` input): the build steps each cluster's step waits for. Run after the build, nothing.
 */
export interface BuildGates {
  /** Whether the mesh checks its requirements in a step of its own (meshTwin checks them before). */
  meshRequirementsStep: boolean;
  /** The cluster's Kubernetes API answers. */
  api(cluster: string): string[];
  /** Every node of it is Ready. */
  ready(cluster: string): string[];
  /** The mesh is connected and synced everywhere (the steps of meshSteps, when in the same graph). */
  meshed: string[];
}

/**
 * The platform (mesh, day 2) of a twin as steps: joined to the build steps in one graph when the twin is new,
 * run after the converge when it runs already (its layers come first then).
 */
export type PlatformSteps = (clusters: ClusterOutcome[], gates: BuildGates) => PlatformPart;

/** The platform run after the build (action-mesh, action-day2): every cluster is up already. */
export const AFTER_BUILD: BuildGates = {
  meshRequirementsStep: false,
  api: () => [],
  ready: () => [],
  meshed: [],
};

/** Runs steps in a private scratch folder that is removed afterwards, as applyTwin does. */
export async function runPlatformSteps(
  ctx: ClusterWorkContext,
  steps: Step[],
): Promise<Omit<PlatformOutcome, 'report'>> {
  await freshWorkDir(ctx.workDir);
  try {
    const { records } = await runGraph(steps, ctx.events);
    return stepsOutcome(records);
  } finally {
    await rm(ctx.workDir, { recursive: true, force: true });
  }
}

function stepsOutcome(records: StepRecord[]): Omit<PlatformOutcome, 'report'> {
  const failed = records.some((record) => record.state === 'failed');
  return {
    records,
    ok: !failed && records.every((record) => record.state === 'done'),
    ...(failed ? { failure: describeFailures(records) } : {}),
  };
}

/** A platform part's outcome from the records of its steps (run in a graph with others or alone). */
export function platformOutcome(records: StepRecord[], part: PlatformPart): PlatformOutcome {
  return { ...stepsOutcome(records), report: part.report() };
}
