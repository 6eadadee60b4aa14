import { errorMessage } from '../errors.js';
import type { StepRecord } from '../plan/executor.js';
import { stageTimings } from '../plan/executor.js';
import type { StateStore } from '../state/store.js';

export interface NodeOutcome {
  name: string;
  role: string;
  address: string;
  vmid: number;
  pveNode: string;
}

export interface ClusterOutcome {
  name: string;
  id: number;
  vip: string;
  endpoint: string;
  nodes: NodeOutcome[];
  /** Paths, never contents: outputs and summaries must not carry credentials. */
  kubeconfig: string;
  talosconfig: string;
}

export interface TwinOutcome {
  twin: string;
  environment: string;
  slot: number;
  pool: string;
  clusters: ClusterOutcome[];
  records: StepRecord[];
  ok: boolean;
  /** The failed steps with their causes, one per line, naming the stage. */
  failure?: string;
}

export function clusterKeys(
  store: StateStore,
  twin: string,
  cluster: string,
): { kubeconfig: string; talosconfig: string } {
  return {
    kubeconfig: store.pathOf({ twin, cluster, name: 'kubeconfig' }),
    talosconfig: store.pathOf({ twin, cluster, name: 'talosconfig' }),
  };
}

export function describeFailures(records: StepRecord[]): string {
  const failed = records.filter((record) => record.state === 'failed');
  const skipped = records.filter((record) => record.state === 'skipped').length;
  return [
    ...failed.map((record) => `stage ${record.stage}, ${record.title}: ${errorMessage(record.error)}`),
    ...(skipped > 0 ? [`${skipped} later step(s) were skipped; the next run resumes from here`] : []),
  ].join('\n');
}

/**
 * Per-stage rows for people: wall time, and on a simulated lab also the lab time it stands for (wall
 * time divided by the lab's scale), so a figure never passes for real-lab speed by mistake.
 */
export function stageTimingTable(
  records: StepRecord[],
  scale: number,
): { header: string[]; rows: string[][] } {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const simulated = scale < 1;
  return {
    header: simulated ? ['STAGE', 'WALL', `LAB TIME (scale ${scale})`, 'STEPS'] : ['STAGE', 'WALL', 'STEPS'],
    rows: stageTimings(records).map((stage) => {
      const wall = stage.endedAt - stage.startedAt;
      return simulated
        ? [stage.stage, seconds(wall), seconds(wall / scale), String(stage.steps)]
        : [stage.stage, seconds(wall), String(stage.steps)];
    }),
  };
}
