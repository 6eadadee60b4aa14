import type { Probe, WaitOptions } from '../kube/readiness.js';
import { waitUntil } from '../kube/readiness.js';
import { LearnedDurations } from '../util/durations.js';
import type { Pace } from './context.js';

/** The build's waits whose duration is known well enough to skip early looks. */
export type BuildWait = 'talos-boot' | 'talos-config' | 'kubernetes-api';

/**
 * What they typically take, in seconds: a Talos VM from its start to the maintenance API, apply-config in
 * maintenance mode until the node answers with its config (install, reboot), etcd's bootstrap until the
 * Kubernetes API answers (static pods pulled and started). First guesses only: a run learns the shortest
 * one it sees.
 */
const TYPICAL_SECONDS: Record<BuildWait, number> = {
  'talos-boot': 25,
  'talos-config': 40,
  'kubernetes-api': 75,
};

/** Looks start at this share of the soonest duration known: a faster one than seen before loses little. */
const QUIET_SHARE = 0.75;

/** The build's waits at this pace, each learning its shortest duration over the run. */
export function buildWaits(pace: Pick<Pace, 'scale'>): LearnedDurations {
  return new LearnedDurations((kind) => (TYPICAL_SECONDS[kind as BuildWait] ?? 0) * 1000 * pace.scale);
}

/**
 * waitUntil for one of the build's waits: a first look at once (the work may be done already), then none
 * before three quarters of the shortest such wait so far, then every half interval. Each look is a tool call.
 * A wait that found the work undone teaches its duration.
 */
export async function buildWait(
  waits: LearnedDurations,
  kind: BuildWait,
  probe: Probe,
  opts: Omit<WaitOptions, 'notBeforeMs'>,
): Promise<void> {
  const now = opts.now ?? Date.now;
  const started = now();
  let looks = 0;
  const counted: Probe = () => {
    looks++;
    return probe();
  };
  await waitUntil(counted, {
    ...opts,
    // Near the due time, twice the usual pace: the quiet period saved far more looks than this spends.
    intervalMs: Math.max(1, Math.round(opts.intervalMs / 2)),
    notBeforeMs: Math.round(waits.estimateMs(kind) * QUIET_SHARE),
  });
  if (looks > 1) waits.observe(kind, now() - started);
}
