import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { WaitTimeoutError, waitUntil, type Probe } from '../../src/kube/readiness.js';
import { fakeTime } from '../util/fake-time.js';

describe('waitUntil', () => {
  it('returns as soon as the probe is ready, probing every interval', async () => {
    const time = fakeTime();
    let checks = 0;
    await waitUntil(async () => ++checks === 3, {
      timeoutMs: 60_000,
      intervalMs: 5_000,
      describe: 'x',
      ...time,
    });
    expect(checks).toBe(3);
    expect(time.sleeps).toEqual([5_000, 5_000]);
  });

  it('times out naming what was awaited and the last observation', async () => {
    const time = fakeTime();
    let checks = 0;
    const probe: Probe = async () => ({
      ready: false,
      detail: `production-east-w-1 NotReady (check ${++checks})`,
    });
    const error = await waitUntil(probe, {
      timeoutMs: 12_000,
      intervalMs: 5_000,
      describe: 'all nodes of east to be Ready',
      ...time,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe(
      'timed out after 12s (4 checks) waiting for all nodes of east to be Ready; last observation: production-east-w-1 NotReady (check 4)',
    );
    expect(time.sleeps).toEqual([5_000, 5_000, 2_000]);
  });

  it('counts a failing probe as not ready and reports its error last', async () => {
    const time = fakeTime();
    const error = await waitUntil(
      async () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 1_000, intervalMs: 400, describe: 'the API', ...time },
    ).catch((e: unknown) => e);
    expect((error as WaitTimeoutError).lastObservation).toBe('connection refused');
    expect((error as WaitTimeoutError).awaited).toBe('the API');
  });

  it('stops at once on a ConfigurationError (waiting cannot fix it)', async () => {
    const time = fakeTime();
    const missing = new ConfigurationError('kubectl was not found on PATH');
    await expect(
      waitUntil(
        async () => {
          throw missing;
        },
        { timeoutMs: 60_000, intervalMs: 1_000, describe: 'the API', ...time },
      ),
    ).rejects.toBe(missing);
    expect(time.sleeps).toEqual([]);
  });

  it('runs on the real clock by default', async () => {
    const started = Date.now();
    await expect(
      waitUntil(async () => false, { timeoutMs: 30, intervalMs: 10, describe: 'nothing' }),
    ).rejects.toThrow(/waiting for nothing; last observation: not ready yet/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('waitUntil with notBeforeMs', () => {
  it('looks once at once, then not again before notBeforeMs, then every interval', async () => {
    const time = fakeTime();
    let checks = 0;
    await waitUntil(async () => ++checks === 4, {
      timeoutMs: 60_000,
      intervalMs: 2_000,
      notBeforeMs: 30_000,
      describe: 'x',
      ...time,
    });
    expect(time.sleeps).toEqual([30_000, 2_000, 2_000]);
  });

  it('ends at once when the first look finds the work done', async () => {
    const time = fakeTime();
    await waitUntil(async () => true, {
      timeoutMs: 60_000,
      intervalMs: 2_000,
      notBeforeMs: 30_000,
      describe: 'x',
      ...time,
    });
    expect(time.sleeps).toEqual([]);
  });
});
