import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { StoredObject } from './objects.js';

/**
 * Rook reconciles a CephCluster again whenever its spec changes (a new generation): it sets the cluster
 * Progressing ("Configuring Ceph Mons", "Configuring Ceph Mgr(s)", "Configuring Ceph OSDs"), adds or
 * removes mons and mgrs to match the counts, re-runs the OSD prepare jobs, and only then reports Ready with
 * the new observedGeneration (rook pkg/operator/ceph/cluster/cluster.go reconcileCephDaemons). A change
 * arriving while one runs cancels it (CheckForCancelledOrchestration). Daemons a reconcile adds are created
 * when it runs, never back-dated to the cluster's creation.
 */

/** Rook's mon.MaxMonCount default and DefaultMonCount. */
export const DEFAULT_MON_COUNT = 3;

export function count(doc: unknown, path: string, fallback: number): number {
  const value = Number(get(doc, path) ?? 0);
  return value > 0 ? value : fallback;
}

/** One spec of the CephCluster, from when it was applied. */
export interface SpecGeneration {
  spec: Doc;
  from: number;
  generation: number;
}

/** The CephCluster's specs in the order they were applied (the API server's generation bumps with each). */
export function specTimeline(stored: StoredObject): SpecGeneration[] {
  const history = stored.history ?? [];
  const specs = [...history.map((change) => change.spec), stored.object.spec];
  const froms = [stored.createdAt, ...history.map((change) => change.replacedAt)];
  return specs.map((spec, i) => ({
    spec: isMap(spec) ? spec : {},
    from: froms[i]!,
    generation: Math.max(1, stored.generation - (specs.length - 1 - i)),
  }));
}

/** A mon or mgr: which reconcile created it, when it is planned up, and when a smaller count removed it. */
export interface DaemonSlot {
  /** The daemon's id: mons never reuse a letter (Rook names a new mon after the last one), mgrs are a, b. */
  id: string;
  /** The spec generation whose reconcile created it. */
  generation: number;
  createdAt: number;
  /** When its daemon is up if its pod is bound at once (the scheduler's delay comes on top). */
  upAt: number;
  removedAt?: number;
}

/** A reconcile of a later spec generation. */
export interface CephReconcile {
  generation: number;
  at: number;
  monsAt: number;
  mgrsAt: number;
  mgrUpAt: number;
  readyAt: number;
  /** What stops Rook before it changes anything (preClusterStartValidation). */
  refusal?: string;
}

export interface ReconcileTiming {
  /** The detect-version job of each reconcile (its image is pulled by then). */
  detectMs: number;
  monStartMs: number;
  mgrStartMs: number;
  osdPrepareMs: number;
}

export const letter = (index: number) => String.fromCharCode(97 + index);
const isLive = (slot: DaemonSlot) => slot.removedAt === undefined;

/**
 * Applies the later generations in turn to the mons and mgrs the creation made (mutating `mons` and `mgrs`):
 * each reconcile adds the missing daemons one after another and removes the ones beyond the count.
 */
export function laterReconciles(
  later: SpecGeneration[],
  mons: DaemonSlot[],
  mgrs: DaemonSlot[],
  timing: ReconcileTiming,
  refusalOf: (spec: Doc) => string | undefined,
): CephReconcile[] {
  return later.map(({ spec, from, generation }, i) => {
    const monsAt = from + timing.detectMs;
    // Only the newest spec's validation matters: an older refused one was superseded.
    const refusal = i === later.length - 1 ? refusalOf(spec) : undefined;
    if (refusal)
      return { generation, at: from, monsAt, mgrsAt: monsAt, mgrUpAt: monsAt, readyAt: Infinity, refusal };
    const addedMons = matchMons(
      mons,
      count(spec, 'mon.count', DEFAULT_MON_COUNT),
      generation,
      monsAt,
      timing,
    );
    const mgrsAt = monsAt + addedMons * timing.monStartMs;
    const addedMgrs = matchMgrs(mgrs, count(spec, 'mgr.count', 1), generation, mgrsAt, timing);
    const mgrUpAt = mgrsAt + (addedMgrs > 0 ? timing.mgrStartMs : 0);
    return { generation, at: from, monsAt, mgrsAt, mgrUpAt, readyAt: mgrUpAt + timing.osdPrepareMs };
  });
}

function matchMons(
  mons: DaemonSlot[],
  wanted: number,
  generation: number,
  at: number,
  timing: ReconcileTiming,
): number {
  const live = mons.filter(isLive);
  for (const extra of live.slice(wanted)) extra.removedAt = at;
  const missing = Math.max(0, wanted - live.length);
  for (let j = 0; j < missing; j++) {
    const id = letter(mons.length);
    mons.push({ id, generation, createdAt: at, upAt: at + (j + 1) * timing.monStartMs });
  }
  return missing;
}

function matchMgrs(
  mgrs: DaemonSlot[],
  wanted: number,
  generation: number,
  at: number,
  timing: ReconcileTiming,
): number {
  let added = 0;
  for (const slot of mgrs.filter(isLive)) if (slot.id.charCodeAt(0) - 97 >= wanted) slot.removedAt = at;
  for (let i = 0; i < wanted; i++) {
    const id = letter(i);
    if (mgrs.some((slot) => isLive(slot) && slot.id === id)) continue;
    mgrs.push({ id, generation, createdAt: at, upAt: at + timing.mgrStartMs });
    added++;
  }
  return added;
}

/** The daemons Rook's creation reconcile makes: ids a, b, c... planned up at the given moments. */
export function createdSlots(
  n: number,
  generation: number,
  createdAt: number,
  upAt: (index: number) => number,
): DaemonSlot[] {
  return Array.from({ length: n }, (_, i) => ({ id: letter(i), generation, createdAt, upAt: upAt(i) }));
}
