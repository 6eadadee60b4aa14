/**
 * How long things of each kind take, for waits that look only when a thing is due: a first guess per kind,
 * replaced by the shortest one seen in this run (a thing that waited for a lock took longer than the next
 * one needs to).
 */
export class LearnedDurations {
  private readonly seen = new Map<string, number>();

  constructor(private readonly guessMs: (kind: string) => number) {}

  estimateMs(kind: string): number {
    return this.seen.get(kind) ?? this.guessMs(kind);
  }

  observe(kind: string, ms: number): void {
    this.seen.set(kind, Math.min(ms, this.seen.get(kind) ?? ms));
  }
}
