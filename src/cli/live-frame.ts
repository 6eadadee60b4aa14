import type { StepRecord } from '../plan/executor.js';
import { inPipelineOrder } from '../plan/stages.js';
import type { RunTimings, StageProgress } from '../twin/run-timings.js';
import { estimateLeftMs } from '../twin/run-timings.js';

/** What the live view knows of a run: every step of each graph planned so far, as last reported. */
export interface RunSoFar {
  started: number;
  /** One map per step graph, in the order they ran (apply, converge, mesh, day 2), keyed by step id. */
  graphs: Map<string, StepRecord>[];
  lastRun?: RunTimings;
}

interface StageSummary {
  stage: string;
  /** Every step of the stage in the graphs planned so far: fixed once planned, never a count that grows. */
  total: number;
  done: number;
  failed: number;
  skipped: number;
  running: StepRecord[];
}

/** Before the first graph: rights, lock, reading Proxmox and the claim, none of them a step. */
const PLANNING = "checking the token's rights, reading Proxmox, claiming the twin's slot";
const RUNNING_SHOWN = 2;

function stageSummaries(run: RunSoFar): StageSummary[] {
  const byStage = new Map<string, StepRecord[]>();
  for (const record of run.graphs.flatMap((graph) => [...graph.values()]))
    byStage.set(record.stage, [...(byStage.get(record.stage) ?? []), record]);
  const count = (list: StepRecord[], state: StepRecord['state']) =>
    list.filter((record) => record.state === state).length;
  const planned = run.graphs.length > 0;
  const plan: StageSummary = {
    stage: 'plan',
    total: 1,
    done: planned ? 1 : 0,
    failed: 0,
    skipped: 0,
    running: [],
  };
  return [
    plan,
    ...inPipelineOrder(byStage.keys()).map((stage) => {
      const list = byStage.get(stage)!;
      return {
        stage,
        total: list.length,
        done: count(list, 'done'),
        failed: count(list, 'failed'),
        skipped: count(list, 'skipped'),
        running: list.filter((record) => record.state === 'running'),
      };
    }),
  ];
}

/** Where the run stands per stage, for the estimate. */
export function progressOf(run: RunSoFar, now: number): StageProgress[] {
  return stageSummaries(run).map((summary) => {
    const ended = summary.done + summary.failed + summary.skipped;
    const starts = summary.running.flatMap((record) => record.startedAt ?? []);
    const since = summary.stage === 'plan' ? [run.started] : starts;
    const runningForMs = since.length > 0 ? now - Math.min(...since) : undefined;
    return {
      stage: summary.stage,
      finished: ended === summary.total,
      ...(runningForMs === undefined ? {} : { runningForMs }),
    };
  });
}

export function elapsedText(run: RunSoFar, now: number): string {
  return `${((now - run.started) / 1000).toFixed(1).padStart(6)}s`;
}

function estimateText(run: RunSoFar, now: number): string {
  if (!run.lastRun) return '';
  const left = estimateLeftMs(run.lastRun, progressOf(run, now));
  if (left === undefined) return '';
  const minutes = Math.round(left / 60_000);
  return minutes >= 1 ? `, about ${minutes} min left` : ', less than a minute left';
}

function stageLine(summary: StageSummary, planning: boolean): string {
  const { stage, total, done, failed, skipped, running } = summary;
  const counts = [
    `${done}/${total}`,
    ...(failed ? [`${failed} FAILED`] : []),
    ...(skipped ? [`${skipped} skipped`] : []),
  ].join(', ');
  const doing =
    stage === 'plan' && planning ? [PLANNING] : running.slice(0, RUNNING_SHOWN).map((r) => r.doing);
  const more = running.length > RUNNING_SHOWN ? ` +${running.length - RUNNING_SHOWN} more` : '';
  return `${stage.padEnd(11)} ${counts.padEnd(7)} ${doing.join(' | ')}${more}`.trimEnd();
}

/**
 * The frame: elapsed time and the estimate, then one line per stage in pipeline order with its fixed
 * denominator and what its running steps are doing. Lines are cut to the terminal's width: a line that
 * wrapped would take two rows, and erasing the frame by its line count would leave the extra row behind.
 */
export function frameLines(run: RunSoFar, now: number, columns: number): string[] {
  const planning = run.graphs.length === 0;
  const lines = [
    `${elapsedText(run, now)} elapsed${estimateText(run, now)}`,
    ...stageSummaries(run).map((summary) => stageLine(summary, planning)),
  ];
  const width = Math.max(20, columns - 1);
  return lines.map((line) => (line.length > width ? `${line.slice(0, width - 3)}...` : line));
}

/** One line per finished step, for logs and pipes: what it achieved, how long it took, and its stage's count. */
export function plainLine(run: RunSoFar, record: StepRecord, now: number): string {
  const took =
    record.startedAt !== undefined && record.endedAt !== undefined
      ? ` (${((record.endedAt - record.startedAt) / 1000).toFixed(1)}s)`
      : '';
  const summary = stageSummaries(run).find((candidate) => candidate.stage === record.stage);
  const count = summary ? ` [${record.stage} ${summary.done}/${summary.total}]` : '';
  return `${elapsedText(run, now)} ${record.state.padEnd(7)} ${record.title}${took}${count}`;
}
