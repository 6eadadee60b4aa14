import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubClient } from '../../src/github/octokit.js';
import type { SlotClaim } from '../../src/proxmox/slots.js';
import { reapCandidates, type PullRequestState } from '../../src/twin/reaper.js';
import { pullRequestStateLookup } from '../../src/github/pull-requests.js';
import { GitHubStandin, WRITE_TOKEN } from './standin/server.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const TTL_HOURS = 72;
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

describe('reapCandidates', () => {
  const prStates: Record<number, PullRequestState> = { 1: 'open', 2: 'closed', 3: 'unknown', 4: 'closed' };
  const asked: number[] = [];
  const prState = async (n: number) => {
    asked.push(n);
    return prStates[n] ?? 'unknown';
  };

  // twin, claimed hours ago (undefined: no time in the pool comment), reaped with reason or kept
  const table: [string, number | undefined, string | undefined][] = [
    ['pr-1', 1, undefined], // open PR, young
    ['pr-1', 100, 'ttl-expired'], // open PR, but past the TTL
    ['pr-2', 1, 'pr-closed'], // closed PR
    ['pr-3', 1, undefined], // PR state unknown, young: kept
    ['pr-3', 73, 'ttl-expired'], // PR state unknown, past the TTL
    ['pr-4', undefined, 'pr-closed'], // closed PR, age unknown
    ['br-feature-abc123', 10, undefined], // branch preview, young
    ['br-feature-abc123', 72.5, 'ttl-expired'], // branch preview, past the TTL
    ['my-test', undefined, undefined], // dispatch preview, age unknown: kept
    ['production', 10_000, undefined], // production: never
  ];

  it.each(table)('%s claimed %s h ago: %s', async (twin, age, reason) => {
    const claim: SlotClaim = {
      slot: 3,
      poolId: 'twin-3',
      twin,
      ...(age === undefined ? {} : { claimedAt: hoursAgo(age) }),
    };
    const decisions = await reapCandidates({ claims: [claim], now: NOW, ttlHours: TTL_HOURS, prState });
    expect(decisions.map((decision) => decision.reason)).toEqual(reason ? [reason] : []);
    if (reason) expect(decisions[0]).toMatchObject({ twin, slot: 3, poolId: 'twin-3' });
  });

  it('skips pools that name no twin, explains each decision, and asks GitHub only about PR twins', async () => {
    asked.length = 0;
    const decisions = await reapCandidates({
      claims: [
        { slot: 0, poolId: 'twin-0' },
        { slot: 1, poolId: 'twin-1', twin: 'production', claimedAt: hoursAgo(500) },
        { slot: 2, poolId: 'twin-2', twin: 'pr-2', claimedAt: hoursAgo(2) },
        { slot: 4, poolId: 'twin-4', twin: 'my-test', claimedAt: hoursAgo(80) },
        { slot: 5, poolId: 'twin-5', twin: 'pr-1', claimedAt: 'not a time' },
      ],
      now: NOW,
      ttlHours: TTL_HOURS,
      prState,
    });
    expect(decisions).toEqual([
      { twin: 'pr-2', slot: 2, poolId: 'twin-2', reason: 'pr-closed', detail: 'pull request #2 is closed' },
      {
        twin: 'my-test',
        slot: 4,
        poolId: 'twin-4',
        reason: 'ttl-expired',
        detail: `created ${hoursAgo(80)}, 80 h ago, past the TTL of 72 h`,
      },
    ]);
    expect(asked).toEqual([2, 1]);
  });

  it('refuses a TTL that is not a positive number of hours', async () => {
    for (const ttlHours of [0, -1, Number.NaN]) {
      await expect(reapCandidates({ claims: [], now: NOW, ttlHours, prState })).rejects.toThrow(
        /environments\.preview\.ttlHours/,
      );
    }
  });
});

describe('pullRequestStateLookup', () => {
  let standin: GitHubStandin;

  beforeAll(async () => {
    standin = await GitHubStandin.start();
    standin.addPullRequest({ number: 1, headRef: 'a', headSha: 'a'.repeat(40) });
    standin.addPullRequest({ number: 2, headRef: 'b', headSha: 'b'.repeat(40) });
    standin.setPullRequestState(2, 'closed');
  });
  afterAll(() => standin.close());

  it('reads open and closed from GitHub, unknown for a number it does not know, once per number', async () => {
    const lookup = pullRequestStateLookup(
      githubClient(WRITE_TOKEN, { baseUrl: standin.url }),
      standin.repoRef,
    );
    expect(await lookup(1)).toBe('open');
    expect(await lookup(2)).toBe('closed');
    expect(await lookup(404)).toBe('unknown');
    expect(await lookup(2)).toBe('closed');
    expect(standin.requests.filter((r) => r.operationId === 'pulls/get')).toHaveLength(3);
    expect(standin.violations).toEqual([]);
  });

  it('throws when GitHub cannot be asked, rather than keeping every twin in silence', async () => {
    const lookup = pullRequestStateLookup(
      githubClient('wrong-token', { baseUrl: standin.url }),
      standin.repoRef,
    );
    await expect(lookup(1)).rejects.toMatchObject({ status: 401 });
  });
});
