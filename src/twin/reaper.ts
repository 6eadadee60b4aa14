import { ConfigurationError, errorMessage } from '../errors.js';
import type { ForeignVm } from '../proxmox/ownership.js';
import { describeForeign } from '../proxmox/ownership.js';
import { TwinLockedError } from '../proxmox/twin-lock.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { environmentOf } from '../spec/environment.js';
import { TWIN_NAME_REGEX } from '../spec/identity.js';

export type PullRequestState = 'open' | 'closed' | 'unknown';

export interface ReapDecision {
  twin: string;
  slot: number;
  poolId: string;
  reason: 'pr-closed' | 'ttl-expired';
  /** The reason in words, for the log and the job summary. */
  detail: string;
}

const HOUR_MS = 3_600_000;
const PULL_REQUEST_TWIN = /^pr-(\d+)$/;

/**
 * The preview twins the scheduled reaper destroys, read from the slot claims (the pool comment names the
 * twin and when it was created): any preview older than the TTL, and a `pr-<n>` twin whose pull request is
 * closed. Production is never reaped. A twin whose age or PR state cannot be known is kept: destroying
 * the wrong twin costs more than keeping one a while longer.
 */
export async function reapCandidates(opts: {
  claims: SlotClaim[];
  now: Date;
  ttlHours: number;
  prState: (pullNumber: number) => Promise<PullRequestState>;
}): Promise<ReapDecision[]> {
  if (!Number.isFinite(opts.ttlHours) || opts.ttlHours <= 0) {
    throw new ConfigurationError(
      `ttlHours ${opts.ttlHours} is not a positive number of hours: set environments.preview.ttlHours, e.g. 72`,
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
  opts: { now: Date; ttlHours: number; prState: (pullNumber: number) => Promise<PullRequestState> },
): Promise<ReapDecision | undefined> {
  const twin = claim.twin;
  if (!twin || !TWIN_NAME_REGEX.test(twin) || environmentOf(twin) === 'production') return undefined;
  const base = { twin, slot: claim.slot, poolId: claim.poolId };
  const claimedAt = claim.claimedAt ? Date.parse(claim.claimedAt) : Number.NaN;
  const ageHours = (opts.now.getTime() - claimedAt) / HOUR_MS;
  if (ageHours > opts.ttlHours) {
    return {
      ...base,
      reason: 'ttl-expired',
      detail: `created ${claim.claimedAt}, ${Math.floor(ageHours)} h ago, past the TTL of ${opts.ttlHours} h`,
    };
  }
  const pullNumber = PULL_REQUEST_TWIN.exec(twin)?.[1];
  if (pullNumber !== undefined && (await opts.prState(Number(pullNumber))) === 'closed') {
    return { ...base, reason: 'pr-closed', detail: `pull request #${pullNumber} is closed` };
  }
  return undefined;
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
