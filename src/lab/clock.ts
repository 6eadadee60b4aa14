/** Where the lab reads the time. Real wall-clock time: task finish times survive a restart of the lab. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Resolves once `ms` milliseconds of wall-clock time have passed (immediately for 0 or less).
 * Node's timers run on a cached loop time and may fire a millisecond before Date.now() reaches the
 * target; a task due at that instant would then still look running, so an early wake sleeps again.
 */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  const until = Date.now() + ms;
  return new Promise((done) => {
    const wake = (): void => {
      const left = until - Date.now();
      if (left <= 0) done();
      else setTimeout(wake, left);
    };
    setTimeout(wake, ms);
  });
}
