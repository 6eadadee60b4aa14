import { sleep as realSleep } from './sleep.js';

export interface RetryOptions {
  /** Total tries, the first included; at least 1. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  isRetryable: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1); injectable so tests get fixed delays. */
  random?: () => number;
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, or the attempts are used up; the last error is
 * rethrown as is. Delays use "full jitter" (uniform in 0..min(max, base * 2^(n-1))) so that runners
 * that failed together do not retry together.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  if (!Number.isInteger(opts.attempts) || opts.attempts < 1) {
    throw new RangeError(`retry attempts must be a whole number >= 1, got ${opts.attempts}`);
  }
  const wait = opts.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !opts.isRetryable(err)) throw err;
      const delayMs = backoffDelay(attempt, opts);
      opts.onRetry?.(err, attempt, delayMs);
      await wait(delayMs);
    }
  }
}

/** Full-jitter delay before attempt `failedAttempt + 1`. */
function backoffDelay(
  failedAttempt: number,
  opts: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.round((opts.random ?? Math.random)() * ceiling);
}
