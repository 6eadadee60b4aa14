import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubClient } from '../../src/github/octokit.js';
import type { SlotClaim } from '../../src/proxmox/slots.js';
import type { ReapPolicy } from '../../src/twin/expiry.js';
import { reapCandidates, type PullRequestInfo } from '../../src/twin/reaper.js';
import { pullRequestLookup } from '../../src/github/pull-requests.js';
import { GitHubStandin, WRITE_TOKEN } from './standin/server.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const TTL_HOURS = 72;
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

describe('reapCandidates', () => {
  const pulls: Record<number, PullRequestInfo> = {
    1: { state: 'open', labels: [] },
    2: { state: 'closed', labels: [] },
    3: { state: 'unknown', labels: [] },
    4: { state: 'closed', labels: ['keep'] },
    5: { state: 'open', labels: ['bug', 'keep'] },
  };
  const asked: number[] = [];
  const pullRequest = async (n: number) => {
    asked.push(n);
    return pulls[n] ?? { state: 'unknown' as const, labels: [] };
  };
  const policy: ReapPolicy = { ttlHours: TTL_HOURS, keepLabel: 'keep', longLived: ['demo'] };

  // twin, claimed hours ago (undefined: no time in the pool comment), last applied hours ago, reason or kept
  const table: [string, number | undefined, number | undefined, string | undefined][] = [
    ['pr-1', 1, undefined, undefined], // open PR, young
    ['pr-1', 100, undefined, 'ttl-expired'], // open PR, but past the TTL
    ['pr-1', 100, 10, undefined], // open PR created long ago, pushed (applied) 10 h ago: kept
    ['pr-1', 200, 80, 'ttl-expired'], // open PR, last applied past the TTL
    ['pr-2', 1, undefined, 'pr-closed'], // closed PR
    ['pr-3', 1, undefined, undefined], // PR state unknown, young: kept
    ['pr-3', 73, undefined, 'ttl-expired'], // PR state unknown, past the TTL
    ['pr-4', undefined, undefined, 'pr-closed'], // closed PR, age unknown; its keep label does not keep it
    ['pr-5', 500, 400, undefined], // open PR with the keep label: past the TTL, kept
    ['br-feature-abc123', 10, undefined, undefined], // branch preview, young
    ['br-feature-abc123', 72.5, undefined, 'ttl-expired'], // branch preview, past the TTL
    ['my-test', undefined, undefined, undefined], // dispatch preview, age unknown: kept
    ['demo', 10_000, undefined, undefined], // long-lived: never for its age
    ['production', 10_000, undefined, undefined], // production: never
  ];

  it.each(table)('%s claimed %s h ago, applied %s h ago: %s', async (twin, age, active, reason) => {
    const claim: SlotClaim = {
      slot: 3,
      poolId: 'twin-3',
      twin,
      ...(age === undefined ? {} : { claimedAt: hoursAgo(age) }),
      ...(active === undefined ? {} : { activeAt: hoursAgo(active) }),
    };
    const decisions = await reapCandidates({ claims: [claim], now: NOW, policy, pullRequest });
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
        { slot: 6, poolId: 'twin-6', twin: 'pr-1', claimedAt: hoursAgo(300), activeAt: hoursAgo(90) },
      ],
      now: NOW,
      policy,
      pullRequest,
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
      {
        twin: 'pr-1',
        slot: 6,
        poolId: 'twin-6',
        reason: 'ttl-expired',
        detail: `last applied ${hoursAgo(90)}, 90 h ago, past the TTL of 72 h`,
      },
    ]);
    expect(asked).toEqual([2, 1, 1]);
  });

  it('refuses a TTL that is not a positive number of hours', async () => {
    for (const ttlHours of [0, -1, Number.NaN]) {
      await expect(
        reapCandidates({ claims: [], now: NOW, policy: { ...policy, ttlHours }, pullRequest }),
      ).rejects.toThrow(/environments\.preview\.ttlHours/);
    }
  });
});

describe('pullRequestLookup', () => {
  let standin: GitHubStandin;

  beforeAll(async () => {
    standin = await GitHubStandin.start();
    standin.addPullRequest({ number: 1, headRef: 'a', headSha: 'a'.repeat(40), labels: ['keep'] });
    standin.addPullRequest({ number: 2, headRef: 'b', headSha: 'b'.repeat(40) });
    standin.setPullRequestState(2, 'closed');
  });
  afterAll(() => standin.close());

  it('reads state and labels from GitHub, unknown for a number it does not know, once per number', async () => {
    const lookup = pullRequestLookup(githubClient(WRITE_TOKEN, { baseUrl: standin.url }), standin.repoRef);
    expect(await lookup(1)).toEqual({ state: 'open', labels: ['keep'] });
    expect(await lookup(2)).toEqual({ state: 'closed', labels: [] });
    expect(await lookup(404)).toEqual({ state: 'unknown', labels: [] });
    expect((await lookup(2)).state).toBe('closed');
    expect(standin.requests.filter((r) => r.operationId === 'pulls/get')).toHaveLength(3);
    expect(standin.violations).toEqual([]);
  });

  it('throws when GitHub cannot be asked, rather than keeping every twin in silence', async () => {
    const lookup = pullRequestLookup(githubClient('wrong-token', { baseUrl: standin.url }), standin.repoRef);
    await expect(lookup(1)).rejects.toMatchObject({ status: 401 });
  });
});
