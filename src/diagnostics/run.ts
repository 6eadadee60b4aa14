import { errorMessage } from '../errors.js';
import type { StepRecord } from '../plan/executor.js';
import { stageTimingTable } from '../twin/outcome.js';
import type { CollectedItem } from './items.js';
import { collect, given } from './items.js';

/** What the caller knows of the run that failed: its failure, its steps, and a way to read the twin's plan. */
export interface RunFacts {
  failure?: string;
  /** The step graph the run executed, with each step's state and times (its plan as carried out). */
  records?: StepRecord[];
  /** Lab durations are real ones times this (1 on a real lab), for the timing table. */
  scale?: number;
  /** What applying the twin would change now (`twin plan`), when the caller can reach Proxmox. */
  plan?: () => Promise<unknown>;
}

export async function runItems(run: RunFacts, timeoutMs: number): Promise<CollectedItem[]> {
  const records = run.records ?? [];
  return [
    ...(run.failure === undefined
      ? []
      : [given({ file: 'run/failure.txt', title: 'What failed', source: 'the run' }, `${run.failure}\n`)]),
    ...(records.length === 0
      ? []
      : [
          given(
            { file: 'run/steps.json', title: "The run's steps and their states", source: 'the run' },
            `${JSON.stringify(records.map(stepOf), null, 2)}\n`,
          ),
          given(
            { file: 'run/timings.txt', title: 'Stage timings', source: 'the run' },
            timingsText(records, run.scale ?? 1),
          ),
        ]),
    ...(run.plan === undefined ? [] : [await planItem(run.plan, timeoutMs)]),
  ];
}

function stepOf(record: StepRecord) {
  const at = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    id: record.id,
    title: record.title,
    stage: record.stage,
    state: record.state,
    startedAt: at(record.startedAt),
    endedAt: at(record.endedAt),
    ...(record.error === undefined ? {} : { error: errorMessage(record.error) }),
  };
}

function timingsText(records: StepRecord[], scale: number): string {
  const { header, rows } = stageTimingTable(records, scale);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function planItem(plan: () => Promise<unknown>, timeoutMs: number): Promise<CollectedItem> {
  return collect(
    { file: 'twin/plan.json', title: 'What applying the twin would change now', source: 'twin plan' },
    timeoutMs,
    async () => `${JSON.stringify(await plan(), null, 2)}\n`,
  );
}
