import { describe, expect, it } from 'vitest';
import { reapCandidates } from '../../src/twin/reaper.js';
import type { ReapPolicy } from '../../src/twin/expiry.js';
import { expiryOf } from '../../src/twin/expiry.js';

const policy: ReapPolicy = { ttlHours: 72, keepLabel: 'keep', longLived: ['demo'] };
const CLAIMED = '2026-03-01T00:00:00.000Z';
const APPLIED = '2026-03-05T06:00:00.000Z';

describe('expiryOf', () => {
  it('counts the TTL from the last apply, else the claim; only a pull request twin can be kept by a label', () => {
    expect(expiryOf('pr-7', { claimedAt: CLAIMED, activeAt: APPLIED }, policy)).toEqual({
      kind: 'ttl',
      ttlHours: 72,
      at: '2026-03-08T06:00:00.000Z',
      keepLabel: 'keep',
    });
    expect(expiryOf('my-test', { claimedAt: CLAIMED }, policy)).toEqual({
      kind: 'ttl',
      ttlHours: 72,
      at: '2026-03-04T00:00:00.000Z',
    });
  });

  it('has no time when the claim records none, and never applies to production or long-lived twins', () => {
    expect(expiryOf('pr-7', undefined, policy)).toEqual({ kind: 'ttl', ttlHours: 72, keepLabel: 'keep' });
    expect(expiryOf('production', { claimedAt: CLAIMED }, policy)).toEqual({ kind: 'never' });
    expect(expiryOf('demo', { claimedAt: CLAIMED }, policy)).toEqual({ kind: 'long-lived' });
  });

  it('is when the reaper takes the twin: kept a minute before, reaped a minute after', async () => {
    const claim = { slot: 2, poolId: 'twin-2', twin: 'pr-7', claimedAt: CLAIMED, activeAt: APPLIED };
    const expiry = expiryOf('pr-7', claim, policy);
    const at = Date.parse(expiry.kind === 'ttl' ? (expiry.at ?? '') : '');
    expect(at).toBe(Date.parse('2026-03-08T06:00:00.000Z'));
    const reaped = async (now: number) =>
      (
        await reapCandidates({
          claims: [claim],
          now: new Date(now),
          policy,
          pullRequest: async () => ({ state: 'open', labels: [] }),
        })
      ).map((decision) => decision.twin);
    expect(await reaped(at - 60_000)).toEqual([]);
    expect(await reaped(at + 60_000)).toEqual(['pr-7']);
  });
});
