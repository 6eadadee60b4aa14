import type { StepRecord } from '../plan/executor.js';
import { stageTimings } from '../plan/executor.js';
import type { StateStore } from '../state/store.js';

/**
 * When each stage of a twin's last run ran, kept per twin in the state store (a small JSON, no secrets), so
 * the next run's live view can say how long is left. Stages overlap (one cluster's Talos while another's VMs
 * are created), so the estimate reads where this run has got to on the last run's timeline, never a sum.
 */
export interface RunTimings {
  /** From the run's start to its end, in ms. */
  totalMs: number;
  /** Each stage's first start and last end, in ms from the run's start. */
  stages: { stage: string; fromMs: number; toMs: number }[];
}

/** Where this run stands in one stage: every step of it ended, or running for so long. */
export interface StageProgress {
  stage: string;
  finished: boolean;
  runningForMs?: number;
}

const TIMINGS_KEY = 'last-run-timings.json';

/** The run's stages, led by `plan`: from the run's start (rights, lock, claim) to its first step. */
export function runTimingsOf(records: StepRecord[], startedAt: number, endedAt: number): RunTimings {
  const stages = stageTimings(records).map((stage) => ({
    stage: stage.stage,
    fromMs: stage.startedAt - startedAt,
    toMs: stage.endedAt - startedAt,
  }));
  const firstStep = Math.min(...stages.map((stage) => stage.fromMs));
  const plan = stages.length > 0 ? [{ stage: 'plan', fromMs: 0, toMs: firstStep }] : [];
  return { totalMs: endedAt - startedAt, stages: [...plan, ...stages] };
}

export async function saveRunTimings(store: StateStore, twin: string, timings: RunTimings): Promise<void> {
  await store.write({ twin, name: TIMINGS_KEY }, `${JSON.stringify(timings, null, 2)}\n`);
}

/** The last run's timings; none when there was no run, or the file is not what this version writes. */
export async function loadRunTimings(store: StateStore, twin: string): Promise<RunTimings | undefined> {
  const text = await store.read({ twin, name: TIMINGS_KEY });
  if (text === undefined) return undefined;
  try {
    return asRunTimings(JSON.parse(text));
  } catch {
    return undefined; // an estimate is never worth failing a run over
  }
}

function asRunTimings(value: unknown): RunTimings | undefined {
  const { totalMs, stages } = (value ?? {}) as Partial<RunTimings>;
  const finite = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (!finite(totalMs) || !Array.isArray(stages)) return undefined;
  const valid = stages.every(
    (stage) => typeof stage?.stage === 'string' && finite(stage.fromMs) && finite(stage.toMs),
  );
  return valid ? { totalMs: totalMs!, stages } : undefined;
}

/**
 * How long is left, by the last run: the furthest point on its timeline this run has reached (a finished
 * stage's end; a running stage's start plus the time it has run, at most the stage's length last time),
 * subtracted from its total. undefined when this run has no stage the last one had.
 */
export function estimateLeftMs(last: RunTimings, progress: StageProgress[]): number | undefined {
  let reached: number | undefined;
  for (const now of progress) {
    const before = last.stages.find((stage) => stage.stage === now.stage);
    if (!before) continue;
    const point = now.finished
      ? before.toMs
      : now.runningForMs === undefined
        ? undefined
        : before.fromMs + Math.min(now.runningForMs, before.toMs - before.fromMs);
    if (point !== undefined) reached = Math.max(reached ?? 0, point);
  }
  return reached === undefined ? undefined : Math.max(0, last.totalMs - reached);
}
