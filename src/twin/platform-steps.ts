import { rm } from 'node:fs/promises';
import { freshWorkDir } from '../util/work-dir.js';
import type { Step, StepRecord } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import type { ClusterWorkContext } from './context.js';
import { describeFailures } from './outcome.js';
import type { PlatformReport } from './platform.js';

/** The result of action-mesh or action-day2: the report, and the steps with their timings. */
export interface PlatformOutcome {
  report: PlatformReport;
  records: StepRecord[];
  ok: boolean;
  /** The failed steps with their causes (a failed check quotes its evidence). */
  failure?: string;
}

/** Runs steps in a private scratch folder that is removed afterwards, as applyTwin does. */
export async function runPlatformSteps(
  ctx: ClusterWorkContext,
  steps: Step[],
): Promise<Omit<PlatformOutcome, 'report'>> {
  await freshWorkDir(ctx.workDir);
  try {
    const { records } = await runGraph(steps, ctx.events);
    const failed = records.some((record) => record.state === 'failed');
    return {
      records,
      ok: !failed && records.every((record) => record.state === 'done'),
      ...(failed ? { failure: describeFailures(records) } : {}),
    };
  } finally {
    await rm(ctx.workDir, { recursive: true, force: true });
  }
}
