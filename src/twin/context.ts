import type { CommandRunner } from '../exec/runner.js';
import type { StepEvents } from '../plan/executor.js';
import type { PveClient } from '../proxmox/client.js';
import type { ResolvedTwin } from '../spec/environment.js';
import type { StateStore } from '../state/store.js';

/**
 * How long to wait for things and how often to look. Real labs take minutes; the simulated lab runs the
 * same durations scaled down, and the pace scales with it (scaled(REAL_PACE, timeScale)).
 */
export interface Pace {
  /** Lab durations are real ones times this (1 for a real lab). */
  scale: number;
  pollMs: number;
  bootTimeoutMs: number;
  apiTimeoutMs: number;
  rolloutTimeoutSec: number;
  nodesReadyTimeoutMs: number;
  /** Every remote cluster connected and synced. */
  meshTimeoutMs: number;
  /** Ceph at HEALTH_OK (mons, mgr, OSDs on every disk, placement groups clean). */
  cephTimeoutMs: number;
  /** A cross-cluster check passing once the mesh has propagated endpoints. */
  checkTimeoutMs: number;
}

export const REAL_PACE: Pace = {
  scale: 1,
  pollMs: 2_000,
  bootTimeoutMs: 10 * 60_000,
  apiTimeoutMs: 10 * 60_000,
  rolloutTimeoutSec: 600,
  nodesReadyTimeoutMs: 10 * 60_000,
  meshTimeoutMs: 10 * 60_000,
  cephTimeoutMs: 30 * 60_000,
  checkTimeoutMs: 3 * 60_000,
};

export function scaledPace(scale: number): Pace {
  if (scale >= 1) return REAL_PACE;
  return {
    scale,
    pollMs: Math.max(10, Math.round(REAL_PACE.pollMs * scale)),
    bootTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.bootTimeoutMs * scale)),
    apiTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.apiTimeoutMs * scale)),
    rolloutTimeoutSec: Math.max(5, Math.round(REAL_PACE.rolloutTimeoutSec * scale)),
    nodesReadyTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.nodesReadyTimeoutMs * scale)),
    meshTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.meshTimeoutMs * scale)),
    cephTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.cephTimeoutMs * scale)),
    checkTimeoutMs: Math.max(5_000, Math.round(REAL_PACE.checkTimeoutMs * scale)),
  };
}

/**
 * The pace for this run: the lab's own time scale when the CLI started the lab, else TWIN_PACE_SCALE (set
 * when a runner or a test drives a simulated lab it did not start), else real time.
 */
export function paceFor(labTimeScale: number | undefined, env: NodeJS.ProcessEnv = process.env): Pace {
  const scale = labTimeScale ?? Number(env.TWIN_PACE_SCALE ?? '1');
  return Number.isFinite(scale) && scale > 0 ? scaledPace(scale) : REAL_PACE;
}

/** The tool names (or paths) used; PATH decides which executables answer. */
export interface ToolPaths {
  talosctl: string;
  kubectl: string;
  helm: string;
}

/** What work on the clusters of a provisioned twin needs (action-mesh, action-day2): no Proxmox. */
export type ClusterWorkContext = Omit<TwinContext, 'client'>;

/** Everything one operation on one twin needs, built once by the entry point (action or CLI). */
export interface TwinContext {
  twin: ResolvedTwin;
  client: PveClient;
  store: StateStore;
  runner: CommandRunner;
  tools: ToolPaths;
  pace: Pace;
  /** A private scratch folder for generated files; removed when the operation ends (and by the action's post step). */
  workDir: string;
  log(line: string): void;
  events?: StepEvents;
}
