import { ConfigurationError, errorMessage } from '../errors.js';
import type { StepRecord } from '../plan/executor.js';
import { stageTimings } from '../plan/executor.js';
import type { StateStore } from '../state/store.js';
import { missingStateError } from './lost-state.js';
import type { PlatformReport } from './platform.js';
import type { ProbeFigures } from './probe.js';

export interface NodeOutcome {
  name: string;
  role: string;
  address: string;
  vmid: number;
  pveNode: string;
  /** Raw disks beside the system disk (scsi1, ...): where Ceph OSDs go. */
  extraDisks: number;
}

export interface ClusterOutcome {
  name: string;
  id: number;
  vip: string;
  endpoint: string;
  /** The cluster's pod CIDR (Talos podSubnets). */
  pods: string;
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
  /** Requests to the demo's global service and the mesh check while converge changed running nodes. */
  availability?: ProbeFigures[];
  /** The mesh and day 2, when the same run brought them up (`twin up`, action-provision's `platform`). */
  platform?: PlatformOutcome;
}

/** The result of action-mesh or action-day2 (or of both in one run): the report, and the steps' timings. */
export interface PlatformOutcome {
  report: PlatformReport;
  records: StepRecord[];
  ok: boolean;
  /** The failed steps with their causes (a failed check quotes its evidence). */
  failure?: string;
}

/** What action-mesh and action-day2 need to know of a provisioned twin: no secrets, only names and addresses. */
export interface TwinRecord {
  twin: string;
  environment: string;
  slot: number;
  clusters: Omit<ClusterOutcome, 'kubeconfig' | 'talosconfig'>[];
  /** When the apply that wrote it began: a preview's TTL counts from there (ISO 8601). */
  appliedAt?: string;
}

const RECORD_KEY = 'twin.json';

/** Written by a successful apply, so later steps (and jobs on the same runner) find the twin's clusters. */
export async function saveTwinRecord(
  store: StateStore,
  outcome: TwinOutcome,
  appliedAt?: Date,
): Promise<void> {
  const record: TwinRecord = {
    twin: outcome.twin,
    environment: outcome.environment,
    slot: outcome.slot,
    clusters: outcome.clusters.map(({ kubeconfig: _k, talosconfig: _t, ...cluster }) => cluster),
    ...(appliedAt ? { appliedAt: appliedAt.toISOString() } : {}),
  };
  await store.write({ twin: outcome.twin, name: RECORD_KEY }, `${JSON.stringify(record, null, 2)}\n`);
}

/** The record of the twin's last successful apply, if there was one. */
export async function readTwinRecord(store: StateStore, twin: string): Promise<TwinRecord | undefined> {
  const text = await store.read({ twin, name: RECORD_KEY });
  return text === undefined ? undefined : (JSON.parse(text) as TwinRecord);
}

/** The twin as its last apply left it, with the paths of each cluster's credentials. */
export async function loadTwinRecord(store: StateStore, twin: string): Promise<ClusterOutcome[]> {
  const record = await readTwinRecord(store, twin);
  if (record === undefined) {
    if ((await store.list(twin)).length === 0) throw missingStateError(store, twin);
    throw new ConfigurationError(
      `twin ${twin} has no record in the state store (${store.describe()}): ` +
        'run action-provision (operation apply) for this twin first, with the same state-store and state-dir',
    );
  }
  return record.clusters.map((cluster) => ({ ...cluster, ...clusterKeys(store, twin, cluster.name) }));
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
