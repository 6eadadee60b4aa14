/**
 * Events in time, each with the event that set its time (`via`): the chain behind an event is read back
 * through them (upgrade-bound.ts's path).
 */
export class Events {
  readonly list: { event: string; at: number; via?: number }[] = [];

  add(event: string, at: number, via?: number): number {
    return this.list.push({ event, at, ...(via === undefined ? {} : { via }) }) - 1;
  }

  at(id: number | undefined): number {
    return id === undefined ? 0 : this.list[id]!.at;
  }

  /** The latest of `ids` (what waits for all of them follows it); undefined when there are none. */
  latest(ids: (number | undefined)[]): number | undefined {
    return ids.reduce<number | undefined>(
      (best, id) => (id !== undefined && (best === undefined || this.at(id) > this.at(best)) ? id : best),
      undefined,
    );
  }

  trace(id: number): { event: string; at: number }[] {
    const path: { event: string; at: number }[] = [];
    for (let at: number | undefined = id; at !== undefined; at = this.list[at]!.via)
      path.push({ event: this.list[at]!.event, at: Math.round(this.list[at]!.at * 100) / 100 });
    return path.reverse();
  }
}
