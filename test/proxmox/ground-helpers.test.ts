// Tests for src/util/retry.ts, limit.ts and sleep.ts, which the PVE client is built on.
import { describe, expect, it } from 'vitest';
import { KeyedLimiter, Limiter } from '../../src/util/limit.js';
import { retry } from '../../src/util/retry.js';
import { sleep } from '../../src/util/sleep.js';

function options(overrides: Partial<Parameters<typeof retry>[1]> = {}) {
  const sleeps: number[] = [];
  const opts = {
    attempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 250,
    isRetryable: () => true,
    sleep: async (ms: number) => void sleeps.push(ms),
    random: () => 1,
    ...overrides,
  };
  return { opts, sleeps };
}

describe('retry', () => {
  it('returns the first success, passing the attempt number', async () => {
    const { opts, sleeps } = options();
    const seen: number[] = [];
    const result = await retry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw new Error(`fail ${attempt}`);
      return 'ok';
    }, opts);
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([100, 200]);
  });

  it('stops after the last attempt and throws its error; delays are capped', async () => {
    const { opts, sleeps } = options();
    let calls = 0;
    await expect(
      retry(async (attempt) => {
        calls++;
        throw new Error(`fail ${attempt}`);
      }, opts),
    ).rejects.toThrow('fail 4');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([100, 200, 250]);
  });

  it('draws each delay uniformly below the ceiling (full jitter)', async () => {
    const draws = [0, 0.5, 0.25];
    const { opts, sleeps } = options({ random: () => draws.shift() ?? 0 });
    await retry(async (attempt) => {
      if (attempt < 4) throw new Error('again');
    }, opts);
    expect(sleeps).toEqual([0, 100, 63]);
  });

  it('throws a non-retryable error at once and reports retries', async () => {
    const reported: Array<[string, number, number]> = [];
    const { opts, sleeps } = options({
      isRetryable: (err) => (err as Error).message === 'transient',
      onRetry: (err, attempt, delayMs) => reported.push([(err as Error).message, attempt, delayMs]),
    });
    await expect(
      retry(async (attempt) => {
        throw new Error(attempt === 1 ? 'transient' : 'definite');
      }, opts),
    ).rejects.toThrow('definite');
    expect(reported).toEqual([['transient', 1, 100]]);
    expect(sleeps).toEqual([100]);
  });

  it('refuses a nonsensical number of attempts', async () => {
    await expect(retry(async () => 1, options({ attempts: 0 }).opts)).rejects.toThrow(RangeError);
  });
});

describe('Limiter', () => {
  it('runs at most max jobs at once, in arrival order, and survives failures', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const job = (id: number) => async () => {
      started.push(id);
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
      if (id === 1) throw new Error('job 1 failed');
      return id;
    };
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((id) => limiter.run(job(id))));
    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(limiter.idle).toBe(true);
  });

  it('refuses a limit below 1', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new KeyedLimiter(1.5)).toThrow(RangeError);
  });
});

describe('KeyedLimiter', () => {
  it('limits each key on its own', async () => {
    const limiter = new KeyedLimiter(1);
    const running = new Map<string, number>();
    let peakPerKey = 0;
    let peakOverall = 0;
    const job = (key: string) =>
      limiter.run(key, async () => {
        running.set(key, (running.get(key) ?? 0) + 1);
        peakPerKey = Math.max(peakPerKey, running.get(key) ?? 0);
        peakOverall = Math.max(
          peakOverall,
          [...running.values()].reduce((a, b) => a + b, 0),
        );
        await sleep(5);
        running.set(key, (running.get(key) ?? 1) - 1);
      });
    await Promise.all(['a', 'b', 'a', 'b', 'c', 'a'].map(job));
    expect(peakPerKey).toBe(1);
    expect(peakOverall).toBe(3);
  });
});

describe('Limiter.hold', () => {
  it('hands the slot on when the job gives it back, before the job ends; giving it back twice is harmless', async () => {
    const limiter = new KeyedLimiter(1);
    const events: string[] = [];
    let finishFirst!: () => void;
    const first = limiter.hold('pve1', async (release) => {
      events.push('first holds');
      release();
      release();
      await new Promise<void>((resolve) => (finishFirst = resolve));
      events.push('first ends');
    });
    const second = limiter.run('pve1', async () => void events.push('second runs'));
    const third = limiter.run('pve1', async () => void events.push('third runs'));
    await second;
    await third;
    finishFirst();
    await first;
    expect(events).toEqual(['first holds', 'second runs', 'third runs', 'first ends']);
  });

  it('gives the slot back when the job fails without giving it back', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.hold(() => Promise.reject(new Error('lost')))).rejects.toThrow('lost');
    await limiter.run(async () => {});
    expect(limiter.idle).toBe(true);
  });
});

describe('Limiter priorities', () => {
  it('starts a waiting job of lower priority first, and jobs of one priority in arrival order', async () => {
    const limiter = new Limiter(1);
    const order: string[] = [];
    const job = (name: string, priority: number) => limiter.hold(async () => void order.push(name), priority);
    let unblock!: () => void;
    const first = limiter.run(() => new Promise<void>((resolve) => (unblock = resolve)));
    const waiting = [job('worker-1', 1), job('cp-1', 0), job('worker-2', 1), job('cp-2', 0)];
    await sleep(1); // the first job holds the slot by now
    unblock();
    await Promise.all([first, ...waiting]);
    expect(order).toEqual(['cp-1', 'cp-2', 'worker-1', 'worker-2']);
  });
});
