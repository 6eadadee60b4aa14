import type { StateStore } from '../state/store.js';

/**
 * What action-mesh and action-day2 found: the mesh as each cluster sees it, Ceph's health, and every check
 * with its evidence. Built by twin/mesh.ts and twin/day2.ts; rendered by github/ (summary, comment, outputs).
 */

/** One remote cluster as a local cluster's Cilium agents report it (cilium-dbg status). */
export interface RemoteClusterStatus {
  name: string;
  connected: boolean;
  ready: boolean;
  /** nodes, services, endpoints and identities synced. */
  synced: boolean;
  /** Cilium's own status line, or its last failure, in its words. */
  detail: string;
}

export interface MeshClusterStatus {
  cluster: string;
  remotes: RemoteClusterStatus[];
}

export type CephHealth = 'HEALTH_OK' | 'HEALTH_WARN' | 'HEALTH_ERR' | 'UNKNOWN';

export interface CephClusterStatus {
  cluster: string;
  health: CephHealth;
  /** The CephCluster phase: Progressing, Ready, Failure, ... */
  phase: string;
  mons: number;
  osds: number;
  /** Ceph's health detail, one check per line ("POOL_NO_REDUNDANCY: 1 pool(s) have no replicas configured"). */
  details: string[];
}

export interface CheckOutcome {
  /** Stable id, e.g. mesh-reach:east->west, starwars-failover:east. */
  id: string;
  /** What it proves, in words. */
  title: string;
  /** The cluster the check ran from. */
  cluster: string;
  passed: boolean;
  /** e.g. { requests: 20, answered: 20, east: 9, west: 11 }. */
  counts: Record<string, number>;
  /** What was run and what came back, for the log and for a failing step's message. */
  evidence: string[];
}

export interface PlatformReport {
  mesh: MeshClusterStatus[];
  ceph: CephClusterStatus[];
  checks: CheckOutcome[];
}

const REPORT_KEY = 'platform.json';

/** The report the earlier step left (action-mesh before action-day2), or an empty one. */
export async function loadPlatformReport(store: StateStore, twin: string): Promise<PlatformReport> {
  const text = await store.read({ twin, name: REPORT_KEY });
  return text === undefined ? emptyPlatformReport() : (JSON.parse(text) as PlatformReport);
}

/**
 * Lays a step's report over the stored one: sections the step measured replace the old ones per cluster,
 * checks replace those with the same id. Evidence holds pod output only, never credentials.
 */
export async function savePlatformReport(
  store: StateStore,
  twin: string,
  fresh: PlatformReport,
  stored: PlatformReport,
): Promise<PlatformReport> {
  const byCluster = <T extends { cluster: string }>(old: T[], added: T[]) => [
    ...old.filter((entry) => !added.some((other) => other.cluster === entry.cluster)),
    ...added,
  ];
  const merged: PlatformReport = {
    mesh: byCluster(stored.mesh, fresh.mesh),
    ceph: byCluster(stored.ceph, fresh.ceph),
    checks: [
      ...stored.checks.filter((check) => !fresh.checks.some((other) => other.id === check.id)),
      ...fresh.checks,
    ],
  };
  await store.write({ twin, name: REPORT_KEY }, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

const PLATFORM_RUN_KEY = 'platform-run.json';

/**
 * Notes that `job` (a workflow job, see currentJob) brought the mesh and day 2 up in its provision step, so
 * its action-mesh and action-day2 steps have nothing left to do.
 */
export async function markPlatformRun(store: StateStore, twin: string, job: string): Promise<void> {
  await store.write({ twin, name: PLATFORM_RUN_KEY }, `${JSON.stringify({ job })}\n`);
}

/** Whether `job` brought the platform up already (markPlatformRun). */
export async function platformRanIn(store: StateStore, twin: string, job: string): Promise<boolean> {
  const text = await store.read({ twin, name: PLATFORM_RUN_KEY });
  if (text === undefined) return false;
  try {
    return (JSON.parse(text) as { job?: unknown }).job === job;
  } catch {
    return false;
  }
}

export function emptyPlatformReport(): PlatformReport {
  return { mesh: [], ceph: [], checks: [] };
}

/** The failed checks as a step's failure message: each with its evidence. */
export function describeFailedChecks(checks: CheckOutcome[]): string | undefined {
  const failed = checks.filter((check) => !check.passed);
  if (failed.length === 0) return undefined;
  return failed
    .map((check) =>
      [`check ${check.id} failed: ${check.title}`, ...check.evidence.map((line) => `  ${line}`)].join('\n'),
    )
    .join('\n');
}
