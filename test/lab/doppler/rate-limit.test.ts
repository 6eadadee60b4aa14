import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/lab/clock.js';
import { errorBody, useDopplerStandIns } from './helpers.js';

const start = useDopplerStandIns();

/** A lab clock the test moves by hand. */
function manualClock(at: number): Clock & { advance(ms: number): void } {
  let now = at;
  return { now: () => now, advance: (ms) => (now += ms) };
}

const MINUTE_START = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('Doppler stand-in: rate limit', () => {
  it('answers 429 with the error body and no Retry-After once a token has spent its minute, and recovers the next minute', async () => {
    const clock = manualClock(MINUTE_START);
    const { standIn, client } = await start({ ratePerMinute: 3, clock });
    for (let i = 0; i < 3; i++) expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(200);
    const limited = await client.listSecrets(standIn.project, 'ci');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual(errorBody(/rate limit/));
    expect(limited.headers['retry-after']).toBeUndefined();

    // Per token: another token has its own allowance.
    const other = client.as(standIn.serviceToken('ci', 'read'));
    expect((await other.listSecrets(standIn.project, 'ci')).status).toBe(200);

    clock.advance(59_000);
    expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(429);
    clock.advance(1_000);
    expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(200);
  });

  it('measures the minute on the lab time scale', async () => {
    const clock = manualClock(MINUTE_START);
    const { standIn, client } = await start({ ratePerMinute: 1, clock, timeScale: 0.01 });
    expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(200);
    expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(429);
    clock.advance(600); // one lab minute at 1/100 of real time
    expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(200);
  });

  it('allows 120 requests a minute by default', async () => {
    const clock = manualClock(MINUTE_START);
    const { standIn, client } = await start({ clock });
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await client.listSecrets(standIn.project, 'ci')).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(120);
    expect(statuses.at(-1)).toBe(429);
  });
});
