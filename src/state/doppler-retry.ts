import { sleep as realSleep } from '../util/sleep.js';

export interface DopplerRetryPolicy {
  /** Total tries per request on server errors and lost connections, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * How long in all a request may wait out 429s. Doppler limits requests per minute (J.3) and sends no
   * documented Retry-After, so a spent allowance can take up to a minute to come back: the budget is
   * longer than that, and a few quick tries (the CLI's 5 from 500 ms, about 4 s) would give up too soon.
   */
  rateLimitBudgetMs: number;
}

export interface RetryHooks {
  isRateLimited: (error: unknown) => boolean;
  isTransient: (error: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The retries ran out; `rateLimited` says whether it was the 429 budget or the attempts. */
export class RetriesSpentError extends Error {
  override name = 'RetriesSpentError';

  constructor(
    readonly last: Error,
    readonly tries: number,
    readonly waitedMs: number,
    readonly rateLimited: boolean,
  ) {
    super(last.message, { cause: last });
  }
}

/**
 * Runs `send` until it succeeds or fails for good. A 429 waits with "equal jitter" (half the backoff fixed,
 * half random: a rate-limited runner must actually wait) until the budget is spent; a server error or a
 * lost connection gets "full jitter" retries up to `attempts`. Other errors are thrown at once.
 */
export async function withDopplerRetry<T>(
  send: () => Promise<T>,
  policy: DopplerRetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const random = hooks.random ?? Math.random;
  let failures = 0;
  let limited = 0;
  let waited = 0;
  for (let tries = 1; ; tries++) {
    try {
      return await send();
    } catch (error) {
      const ceiling = (n: number) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      let delay: number;
      if (hooks.isRateLimited(error)) {
        const backoff = ceiling(++limited);
        delay = Math.round(backoff / 2 + (random() * backoff) / 2);
        if (waited + delay > policy.rateLimitBudgetMs)
          throw new RetriesSpentError(error as Error, tries, waited, true);
      } else if (hooks.isTransient(error)) {
        if (++failures >= policy.attempts) throw new RetriesSpentError(error as Error, tries, waited, false);
        delay = Math.round(random() * ceiling(failures));
      } else {
        throw error;
      }
      waited += delay;
      await sleep(delay);
    }
  }
}
