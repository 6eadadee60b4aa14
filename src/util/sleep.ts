import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms` milliseconds; the one place that waits on the real clock, so tests can inject their own. */
export function sleep(ms: number): Promise<void> {
  return delay(Math.max(0, ms));
}
