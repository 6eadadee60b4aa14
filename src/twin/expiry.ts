import type { SlotClaim } from '../proxmox/slots.js';
import { environmentOf } from '../spec/environment.js';
import type { TwinSpec } from '../spec/schema.js';

/**
 * When a preview twin goes for its age: the one rule the reaper applies and `twin list`, the job summary
 * and the pull request's comment tell in advance.
 */

/** The previews' reaping policy (environments.preview). */
export interface ReapPolicy {
  ttlHours: number;
  /** A pull request carrying this label keeps its preview past the TTL (not past its close). */
  keepLabel: string;
  /** Preview twins the TTL never applies to (named, long-lived ones). */
  longLived: readonly string[];
}

/** The policy as the spec sets it. */
export function reapPolicyOf(spec: TwinSpec): ReapPolicy {
  const { ttlHours, keepLabel, longLived } = spec.environments.preview;
  return { ttlHours, keepLabel, longLived };
}

const HOUR_MS = 3_600_000;
const PULL_REQUEST_TWIN = /^pr-(\d+)$/;

/** The pull request a `pr-<n>` twin belongs to; undefined for production and dispatched twins. */
export function pullRequestOf(twin: string): number | undefined {
  const number = PULL_REQUEST_TWIN.exec(twin)?.[1];
  return number === undefined ? undefined : Number(number);
}

/** What the TTL counts from: the last apply (each push applies the twin again), else the claim of its slot. */
export function lastActivity(claim: Pick<SlotClaim, 'activeAt' | 'claimedAt'>): {
  at?: string;
  what: 'last applied' | 'created';
} {
  if (claim.activeAt) return { at: claim.activeAt, what: 'last applied' };
  return { ...(claim.claimedAt ? { at: claim.claimedAt } : {}), what: 'created' };
}

/** Hours from `since` (ISO) to `now`; NaN when `since` is missing or unreadable. */
export function hoursSince(since: string | undefined, now: Date): number {
  return (now.getTime() - Date.parse(since ?? '')) / HOUR_MS;
}

/**
 * `never`: production. `long-lived`: named in environments.preview.longLived. `ttl`: reaped once `at` has
 * passed (absent when the claim records no time: the reaper then keeps it), unless its pull request
 * carries `keepLabel` (only `pr-<n>` twins have one); a `pr-<n>` twin also goes when its pull request closes.
 */
export type Expiry =
  | { kind: 'never' }
  | { kind: 'long-lived' }
  | { kind: 'ttl'; ttlHours: number; at?: string; keepLabel?: string };

export function expiryOf(
  twin: string,
  claim: Pick<SlotClaim, 'activeAt' | 'claimedAt'> | undefined,
  policy: ReapPolicy,
): Expiry {
  if (environmentOf(twin) === 'production') return { kind: 'never' };
  if (policy.longLived.includes(twin)) return { kind: 'long-lived' };
  const since = Date.parse(lastActivity(claim ?? {}).at ?? '');
  return {
    kind: 'ttl',
    ttlHours: policy.ttlHours,
    ...(Number.isNaN(since) ? {} : { at: new Date(since + policy.ttlHours * HOUR_MS).toISOString() }),
    ...(pullRequestOf(twin) === undefined ? {} : { keepLabel: policy.keepLabel }),
  };
}
