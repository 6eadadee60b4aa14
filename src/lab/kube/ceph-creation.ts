import type { CephCreation, KubeClusters } from './clusters.js';

/**
 * When Rook's creation of a CephCluster starts: at the first reconcile try that passes its validation
 * (the tries of controller-runtime's backoff, and one at each spec change), and, once recorded, at the
 * moments earlier reads saw pass.
 */

/**
 * The creation's moments an earlier read recorded, those passed by `now`: facts, which a later replay of
 * history (a Node deleted and made again, its pods' bindings gone with it) must not move.
 */
export function knownCreation(kube: KubeClusters, uid: string, now: number): Partial<CephCreation> {
  const record = kube.cephCreation(uid);
  const passed = (at: number | undefined) => at !== undefined && at <= now;
  return {
    ...(passed(record?.startedAt) ? { startedAt: record!.startedAt } : {}),
    ...(passed(record?.monsBoundAt) ? { monsBoundAt: record!.monsBoundAt } : {}),
  };
}

/** Records the creation's start once accepted, and its mons' binding once that has passed too. */
export function recordCreation(
  kube: KubeClusters,
  uid: string,
  startedAt: number,
  monsBoundAt: number | undefined,
  now: number,
): void {
  const record = kube.cephCreation(uid);
  const bound = monsBoundAt !== undefined && monsBoundAt <= now;
  if (record && (record.monsBoundAt !== undefined || !bound)) return;
  kube.recordCephCreation(uid, { startedAt, ...(bound ? { monsBoundAt } : {}) });
}

/**
 * controller-runtime's default per-item rate limiter after a failed reconcile: 5 ms, doubling, at most
 * 1000 s (workqueue.DefaultTypedControllerRateLimiter).
 */
const REQUEUE_FIRST_SECONDS = 0.005;
const REQUEUE_MAX_SECONDS = 1000;

/**
 * The reconcile's tries from `firstTry` to `now` (the backoff's, and one at each of `events`): the first
 * that `accepts`, if any, and the last one made.
 */
export function reconcileTries(
  firstTry: number,
  now: number,
  ms: (seconds: number) => number,
  events: number[],
  accepts: (at: number) => boolean,
): { accepted?: number; last: number } {
  if (firstTry <= now && accepts(firstTry)) return { accepted: firstTry, last: firstTry }; // the usual case
  const tries = [...events];
  let delay = ms(REQUEUE_FIRST_SECONDS);
  for (let at = firstTry; at <= now; at += Math.min(delay, ms(REQUEUE_MAX_SECONDS)), delay *= 2)
    tries.push(at);
  const made = tries.filter((at) => at <= now).sort((a, b) => a - b);
  const accepted = made.find(accepts);
  return { ...(accepted === undefined ? {} : { accepted }), last: made.at(-1) ?? firstTry };
}
