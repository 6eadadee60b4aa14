import type { Clock } from '../clock.js';

/**
 * Requests per token per minute of the lab clock, in fixed minutes (minute n is [n, n+1) × 60 s ×
 * timeScale). Doppler's API reference gives a per-key limit of 120 requests a minute in older
 * snapshots, 240 in a later one (LIFECYCLE J.3, the current figure UNCONFIRMED); how Doppler counts
 * the minute is not documented. A refused request does not count.
 */
export class RateLimiter {
  private readonly used = new Map<string, { minute: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly minuteMs: number,
  ) {}

  /** Counts a request of this token; false when its minute's allowance is spent. */
  admit(token: string): boolean {
    const minute = Math.floor(this.clock.now() / this.minuteMs);
    const seen = this.used.get(token);
    const count = seen?.minute === minute ? seen.count : 0;
    if (count >= this.perMinute) return false;
    this.used.set(token, { minute, count: count + 1 });
    return true;
  }
}
