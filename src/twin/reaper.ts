import { ConfigurationError, errorMessage } from '../errors.js';
import type { ForeignVm } from '../proxmox/ownership.js';
import { describeForeign } from '../proxmox/ownership.js';
import { TwinLockedError } from '../proxmox/twin-lock.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { environmentOf } from '../spec/environment.js';
import { TWIN_NAME_REGEX } from '../spec/identity.js';
import type { ReapPolicy } from './expiry.js';
import { hoursSince, lastActivity, pullRequestOf } from './expiry.js';

export type PullRequestState = 'open' | 'closed' | 'unknown';

/** What the reaper asks GitHub of a `pr-<n>` twin's pull request. */
export interface PullRequestInfo {
  state: PullRequestState;
  /** Its label names (empty when unknown). */
  labels: string[];
}

export interface ReapDecision {
  twin: string;
  slot: number;
  poolId: string;
  reason: 'pr-closed' | 'ttl-expired';
  /** The reason in words, for the log and the job summary. */
  detail: string;
}

/**
 * The preview twins the scheduled reaper destroys, read from the slot claims (the pool comment names the
 * twin, when it was created and when it was last applied): a `pr-<n>` twin whose pull request is closed,
 * and any preview whose last apply (each push applies it again; else its creation) is older than the TTL,
 * unless it is long-lived or its pull request carries the keep label. Production is never reaped. A twin
 * whose age or PR state cannot be known is kept: destroying the wrong twin costs more than keeping one.
 */
export async function reapCandidates(opts: {
  claims: SlotClaim[];
  now: Date;
  policy: ReapPolicy;
  pullRequest: (pullNumber: number) => Promise<PullRequestInfo>;
}): Promise<ReapDecision[]> {
  const { ttlHours } = opts.policy;
  if (!Number.isFinite(ttlHours) || ttlHours <= 0) {
    throw new ConfigurationError(
      `ttlHours ${ttlHours} is not a positive number of hours: set environments.preview.ttlHours, e.g. 72`,
    );
  }
  const decisions: ReapDecision[] = [];
  for (const claim of opts.claims) {
    const decision = await decide(claim, opts);
    if (decision) decisions.push(decision);
  }
  return decisions;
}

async function decide(
  claim: SlotClaim,
  opts: { now: Date; policy: ReapPolicy; pullRequest: (pullNumber: number) => Promise<PullRequestInfo> },
): Promise<ReapDecision | undefined> {
  const twin = claim.twin;
  if (!twin || !TWIN_NAME_REGEX.test(twin) || environmentOf(twin) === 'production') return undefined;
  const base = { twin, slot: claim.slot, poolId: claim.poolId };
  const pullNumber = pullRequestOf(twin);
  const pull = pullNumber === undefined ? undefined : await opts.pullRequest(pullNumber);
  if (pull?.state === 'closed') {
    return { ...base, reason: 'pr-closed', detail: `pull request #${pullNumber} is closed` };
  }
  const { ttlHours, keepLabel, longLived } = opts.policy;
  if (longLived.includes(twin) || pull?.labels.includes(keepLabel)) return undefined;
  const { at: since, what } = lastActivity(claim);
  const ageHours = hoursSince(since, opts.now);
  if (!(ageHours > ttlHours)) return undefined; // young, or its age unknown (NaN)
  return {
    ...base,
    reason: 'ttl-expired',
    detail: `${what} ${since}, ${Math.floor(ageHours)} h ago, past the TTL of ${ttlHours} h`,
  };
}

export interface ReapRun {
  reaped: string[];
  /** Twins another operation held the lock of (an apply under way): left for a later reaper run. */
  skipped: string[];
  /** `<twin>: <why>` for every twin whose destroy failed. */
  failures: string[];
  /** `<twin>: <VM and why>` for VMs that look like a reaped twin's but are not provably its own: left alone. */
  leftAlone: string[];
}

/**
 * Reaps each twin in its own try, so one that fails does not keep the others. A twin whose lock another
 * operation holds is skipped with the holder named, not failed: it is in use (an apply of its pull request
 * is running), and the next scheduled run takes it if it is still due. VMs the destroy left alone because
 * they only look like the twin's (its tags on a VM in another pool, say) are warned about: someone should
 * know that a VM carries a reaped twin's tags.
 */
export async function reapEach(
  decisions: ReapDecision[],
  reapOne: (decision: ReapDecision) => Promise<{ foreign: ForeignVm[] }>,
  log: { warning(line: string): void; error(line: string): void },
): Promise<ReapRun> {
  const run: ReapRun = { reaped: [], skipped: [], failures: [], leftAlone: [] };
  for (const decision of decisions) {
    try {
      const { foreign } = await reapOne(decision);
      run.reaped.push(decision.twin);
      for (const vm of foreign) {
        log.warning(`left alone while reaping ${decision.twin}, not its own: ${describeForeign(vm)}`);
        run.leftAlone.push(`${decision.twin}: ${describeForeign(vm)}`);
      }
    } catch (error) {
      if (error instanceof TwinLockedError) {
        log.warning(`skipped ${decision.twin}: ${error.message}`);
        run.skipped.push(`${decision.twin}: skipped, ${error.message}`);
        continue;
      }
      log.error(`reaping ${decision.twin} failed: ${errorMessage(error)}`);
      run.failures.push(`${decision.twin}: ${errorMessage(error)}`);
    }
  }
  return run;
}
