import { describe, expect, it } from 'vitest';
import { buildWait, buildWaits } from '../../src/twin/build-waits.js';
import { fakeTime } from '../util/fake-time.js';

describe('buildWait', () => {
  it('looks at once, then not before 3/4 of the typical duration, then every half interval; and learns', async () => {
    const time = fakeTime(0);
    const waits = buildWaits({ scale: 1 });
    const doneAt = 36_000;
    const opts = { timeoutMs: 600_000, intervalMs: 2_000, describe: 'x', now: time.now, sleep: time.sleep };
    await buildWait(waits, 'talos-config', async () => time.now() >= doneAt, opts);
    // 40 s typical: quiet for 30 s, then looks every half interval (1 s) until 36 s.
    expect(time.sleeps).toEqual([30_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000]);
    expect(waits.estimateMs('talos-config')).toBe(36_000);
    // The next node's wait is quiet for 3/4 of the 36 s learned.
    time.sleeps.length = 0;
    const second = time.now() + 36_000;
    await buildWait(waits, 'talos-config', async () => time.now() >= second, opts);
    expect(time.sleeps[0]).toBe(27_000);
  });

  it('learns nothing from a wait whose first look found the work done', async () => {
    const time = fakeTime(0);
    const waits = buildWaits({ scale: 0.05 });
    const opts = { timeoutMs: 60_000, intervalMs: 100, describe: 'x', now: time.now, sleep: time.sleep };
    await buildWait(waits, 'kubernetes-api', async () => true, opts);
    expect(time.sleeps).toEqual([]);
    expect(waits.estimateMs('kubernetes-api')).toBe(75 * 1000 * 0.05);
  });
});
