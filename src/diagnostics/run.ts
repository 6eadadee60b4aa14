import { errorMessage } from '../errors.js';
import type { StepRecord } from '../plan/executor.js';
import { observeProxmox, planTwin } from '../plan/plan.js';
import type { PveClient } from '../proxmox/client.js';
import type { ResolvedTwin } from '../spec/environment.js';
import { stageTimingTable } from '../twin/outcome.js';
import type { CollectedItem } from './items.js';
import { alignColumns, collect, given } from './items.js';

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

/** `twin plan` of the twin as Proxmox has it now: its slot and each VM's action and why (no VM definitions). */
export function proxmoxPlan(client: PveClient, twin: ResolvedTwin): () => Promise<unknown> {
  return async () => {
    const plan = planTwin(twin, await observeProxmox(client, twin.spec));
    return {
      slot: plan.slot,
      pool: plan.pool,
      vms: plan.vms.map(({ definition: _definition, ...vm }) => vm),
    };
  };
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
  return alignColumns([header, ...rows]);
}

function planItem(plan: () => Promise<unknown>, timeoutMs: number): Promise<CollectedItem> {
  return collect(
    { file: 'twin/plan.json', title: 'What applying the twin would change now', source: 'twin plan' },
    timeoutMs,
    async () => `${JSON.stringify(await plan(), null, 2)}\n`,
  );
}
