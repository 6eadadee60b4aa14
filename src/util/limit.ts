/** Runs at most `max` async jobs at once; the rest wait their turn by priority, then in arrival order. */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<{ priority: number; start: () => void }> = [];

  constructor(private readonly max: number) {
    assertLimit(max);
  }

  /** True when nothing runs and nothing waits. */
  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    return this.hold((release) => fn().finally(release));
  }

  /**
   * Runs `fn` holding a slot that `fn` may give back before it ends (with `release`, which is idempotent):
   * for a job that needs the slot only for its first part. The slot is given back at the end at the latest.
   * A lower `priority` goes before waiting jobs of a higher one.
   */
  async hold<T>(fn: (release: () => void) => Promise<T>, priority = 0): Promise<T> {
    await this.acquire(priority);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.release();
    };
    try {
      return await fn(release);
    } finally {
      release();
    }
  }

  private acquire(priority: number): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    // The slot is handed over directly by release(), so `running` never drops below the queue's needs.
    return new Promise((start) => {
      const behind = this.waiting.findIndex((job) => job.priority > priority);
      this.waiting.splice(behind === -1 ? this.waiting.length : behind, 0, { priority, start });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.running--;
  }
}

/** One Limiter per key (e.g. per Proxmox node), created on first use and dropped when idle. */
export class KeyedLimiter {
  private readonly limiters = new Map<string, Limiter>();

  constructor(private readonly maxPerKey: number) {
    assertLimit(maxPerKey);
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.hold(key, (release) => fn().finally(release));
  }

  /** As Limiter.hold, for the key's limiter. */
  async hold<T>(key: string, fn: (release: () => void) => Promise<T>, priority = 0): Promise<T> {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Limiter(this.maxPerKey);
      this.limiters.set(key, limiter);
    }
    try {
      return await limiter.hold(fn, priority);
    } finally {
      if (limiter.idle) this.limiters.delete(key);
    }
  }
}

function assertLimit(max: number): void {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`concurrency limit must be a whole number >= 1, got ${max}`);
  }
}
