import { inPipelineOrder } from './stages.js';

/**
 * Runs a graph of steps, each as soon as the steps it needs have finished: no stage waits for the
 * slowest VM of another cluster. A failed step skips everything that depends on it; independent
 * branches run on, so one run gets as far as it can and the next run resumes from there.
 */
export interface Step {
  id: string;
  /** What the step achieved, for logs and summaries, e.g. "pr-7-east-w-1: VM 5103 on pve2". */
  title: string;
  /** What the step is doing while it runs, for the live view, e.g. "creating VM pr-7-east-w-1 on pve2". */
  doing: string;
  /** Stage name for per-stage timings, e.g. "vm", "talos", "cilium". */
  stage: string;
  needs: string[];
  run(): Promise<void>;
}

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepRecord {
  id: string;
  title: string;
  doing: string;
  stage: string;
  state: StepState;
  startedAt?: number;
  endedAt?: number;
  error?: unknown;
}

export interface StepEvents {
  /** Every step of a graph, all pending, before the first one starts: what the run is going to do. */
  onPlan?(records: readonly StepRecord[]): void;
  onStart?(record: StepRecord): void;
  onEnd?(record: StepRecord): void;
}

export class StepGraphError extends Error {
  override name = 'StepGraphError';
}

export interface GraphResult {
  records: StepRecord[];
  failed: StepRecord[];
}

function checkGraph(steps: Step[]): Map<string, Step> {
  const byId = new Map<string, Step>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new StepGraphError(`step ${step.id} is defined twice`);
    byId.set(step.id, step);
  }
  for (const step of steps) {
    for (const need of step.needs) {
      if (!byId.has(need)) throw new StepGraphError(`step ${step.id} needs ${need}, which does not exist`);
    }
  }
  const visiting = new Set<string>();
  const visited = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    if (visited.has(id)) return;
    if (visiting.has(id)) throw new StepGraphError(`steps form a cycle: ${[...path, id].join(' -> ')}`);
    visiting.add(id);
    for (const need of byId.get(id)!.needs) visit(need, [...path, id]);
    visiting.delete(id);
    visited.add(id);
  };
  for (const step of steps) visit(step.id, []);
  return byId;
}

export async function runGraph(
  steps: Step[],
  events: StepEvents = {},
  now: () => number = Date.now,
): Promise<GraphResult> {
  const byId = checkGraph(steps);
  const records = new Map<string, StepRecord>(
    steps.map((step) => [
      step.id,
      { id: step.id, title: step.title, doing: step.doing, stage: step.stage, state: 'pending' },
    ]),
  );
  events.onPlan?.(steps.map((step) => ({ ...records.get(step.id)! })));
  const dependents = new Map<string, string[]>();
  for (const step of steps)
    for (const need of step.needs) dependents.set(need, [...(dependents.get(need) ?? []), step.id]);

  const running = new Set<Promise<void>>();
  const skip = (id: string): void => {
    for (const dependent of dependents.get(id) ?? []) {
      const record = records.get(dependent)!;
      if (record.state !== 'pending') continue;
      record.state = 'skipped';
      events.onEnd?.(record);
      skip(dependent);
    }
  };
  const ready = (step: Step): boolean =>
    records.get(step.id)!.state === 'pending' &&
    step.needs.every((need) => records.get(need)!.state === 'done');

  const launch = (step: Step): void => {
    const record = records.get(step.id)!;
    record.state = 'running';
    record.startedAt = now();
    events.onStart?.(record);
    const task = step
      .run()
      .then(
        () => {
          record.state = 'done';
        },
        (error: unknown) => {
          record.state = 'failed';
          record.error = error;
        },
      )
      .then(() => {
        record.endedAt = now();
        events.onEnd?.(record);
        if (record.state === 'failed') skip(step.id);
        running.delete(task);
      });
    running.add(task);
  };

  for (;;) {
    for (const step of byId.values()) if (ready(step)) launch(step);
    if (running.size === 0) break;
    await Promise.race(running);
  }
  const all = steps.map((step) => records.get(step.id)!);
  return { records: all, failed: all.filter((record) => record.state === 'failed') };
}

/**
 * Wall time per stage: from the first step of the stage starting to the last one ending; in pipeline order
 * (a cluster's Talos configs are made before any VM exists, yet Talos follows the VMs), unknown stages after,
 * by their start.
 */
export function stageTimings(
  records: StepRecord[],
): { stage: string; startedAt: number; endedAt: number; steps: number }[] {
  const stages = new Map<string, { stage: string; startedAt: number; endedAt: number; steps: number }>();
  for (const record of records) {
    if (record.startedAt === undefined || record.endedAt === undefined) continue;
    const stage = stages.get(record.stage) ?? {
      stage: record.stage,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      steps: 0,
    };
    stage.startedAt = Math.min(stage.startedAt, record.startedAt);
    stage.endedAt = Math.max(stage.endedAt, record.endedAt);
    stage.steps++;
    stages.set(record.stage, stage);
  }
  const byStart = [...stages.values()].sort((a, b) => a.startedAt - b.startedAt);
  const order = inPipelineOrder(byStart.map((stage) => stage.stage));
  return order.map((name) => stages.get(name)!);
}
