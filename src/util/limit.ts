/** Runs at most `max` async jobs at once; the rest wait their turn in arrival order. */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {
    assertLimit(max);
  }

  /** True when nothing runs and nothing waits. */
  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    // The slot is handed over directly by release(), so `running` never drops below the queue's needs.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
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
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Limiter(this.maxPerKey);
      this.limiters.set(key, limiter);
    }
    try {
      return await limiter.run(fn);
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
