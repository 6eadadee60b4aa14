import type { PveClient } from './client.js';
import { parseUpid } from './upid.js';

/**
 * When a node storage's allocation lock will be free, read from the node's running creates. PVE grants the
 * lock (PVE::Tools::lock_file, 10 s timeout) to waiting allocations in turn; a create that cannot get it
 * within the timeout fails before anything exists. A create with extra disks allocates them after copying
 * its image, so it keeps its turn across the copy (~30 s): sending one while another holds the lock only
 * buys a failed task. So such a create is sent when the running creates ahead of it are due to be done.
 *
 * What the list cannot say is which running create holds the lock that long: a create without extra disks
 * releases it after allocating its volumes, yet runs as long, copying. Ours are known; any other is taken
 * as a long holder, so waiting creates with extra disks let short ones (the control planes) go first.
 */

export interface RunningCreate {
  upid: string;
  /** When PVE started the task, on our clock (ms). */
  startMs: number;
  /** How long it keeps the lock once granted (ms). */
  holdMs: number;
}

/**
 * A node storage's lock queue as the looks saw it: each running create and when the lock is due to be free
 * after it, granted first come first served. A create that would wait longer than the timeout fails at its
 * timeout and holds nothing. What a create was due is kept while it runs: a create granted late, behind
 * one that has ended since, is still known to be late.
 */
export class LockQueue {
  /** By UPID: when the lock is free after that create, or undefined for a create that times out. */
  private readonly due = new Map<string, number | undefined>();

  constructor(private readonly timeoutMs: number) {}

  /** The moment the lock is due to be free after every running create (-Infinity when none runs). */
  update(running: RunningCreate[]): number {
    const ids = new Set(running.map((create) => create.upid));
    for (const upid of [...this.due.keys()]) if (!ids.has(upid)) this.due.delete(upid);
    let free = -Infinity;
    for (const create of [...running].sort((a, b) => a.startMs - b.startMs)) {
      if (this.due.has(create.upid)) {
        free = Math.max(free, this.due.get(create.upid) ?? -Infinity);
        continue;
      }
      const grantedAt = Math.max(create.startMs, free);
      const timesOut = grantedAt - create.startMs > this.timeoutMs;
      if (!timesOut) free = grantedAt + create.holdMs;
      this.due.set(create.upid, timesOut ? undefined : free);
    }
    return free;
  }
}

interface TaskListItem {
  upid: string;
  starttime?: number;
  status?: string;
}

export interface StorageTurnOptions {
  /** PVE's storage lock timeout times the run's pace (ms). */
  lockTimeoutMs: number;
  /** How long a create with extra disks keeps the lock (ms): its whole task. */
  longHoldMs: number;
  /** How long a create without extra disks keeps it (ms): allocating two volumes. */
  shortHoldMs: number;
  random?: () => number;
}

/** No more looks than this before sending the create anyway (a create queue of hours is not ours to wait out). */
const MAX_LOOKS = 60;
/** A task's start time is whole seconds: the turn is sent this much earlier than the timeout allows. */
const START_RESOLUTION_MS = 1_000;
/** How wrong a holder's duration may be (a share of the lock timeout). */
const HOLD_SLACK = 0.1;
/**
 * A create with extra disks is sent this share of the window before the lock is due to be free: late, so a
 * waiting create without extra disks (tried again at each verdict) is likely ahead of it in the lock's queue.
 */
const LEAD_SHARE = 0.4;
/** The wakes of creates waiting for the same turn spread over this share of the window. */
const WAKE_SPREAD = 0.15;

/** Our creates' tasks and how long each holds its storage's lock, and the offset of PVE's clock from ours. */
export class StorageTurns {
  private readonly holds = new Map<string, number>();
  private readonly queues = new Map<string, LockQueue>();
  private clockOffsetMs = 0;
  private readonly random: () => number;

  constructor(
    private readonly client: PveClient,
    private readonly opts: StorageTurnOptions,
  ) {
    this.random = opts.random ?? Math.random;
  }

  /**
   * Records one of our creates as PVE accepted it; its UPID's start time (whole seconds on PVE's clock)
   * against when we sent it gives the offset of PVE's clock from ours.
   */
  started(upid: string, sentAtMs: number, acceptedAtMs: number, holdsThroughCopy: boolean): void {
    this.holds.set(upid, holdsThroughCopy ? -1 : this.opts.shortHoldMs);
    const startedPve = parseUpid(upid).starttime * 1000 + START_RESOLUTION_MS / 2;
    this.clockOffsetMs = startedPve - (sentAtMs + acceptedAtMs) / 2;
  }

  /** How far before the lock is free a create may be sent and still get it. */
  private windowMs(): number {
    return Math.max(0, this.opts.lockTimeoutMs * (1 - HOLD_SLACK) - START_RESOLUTION_MS);
  }

  /**
   * Waits until the running creates on the node are due to leave the lock within a create's timeout. Our
   * own creates alone are no reason to wait: the run sends them in an order the lock can take.
   */
  async waitForTurn(pveNode: string): Promise<void> {
    const { clock } = this.client;
    for (let look = 0; look < MAX_LOOKS; look++) {
      const running = await this.runningCreates(pveNode);
      const free = this.queue(pveNode).update(running);
      if (running.every((create) => create.own)) return;
      const waitMs = free - this.windowMs() * LEAD_SHARE - clock.now();
      if (waitMs <= 0) return;
      await clock.sleep(waitMs + this.random() * this.windowMs() * WAKE_SPREAD);
    }
  }

  private queue(pveNode: string): LockQueue {
    let queue = this.queues.get(pveNode);
    if (!queue) this.queues.set(pveNode, (queue = new LockQueue(this.opts.lockTimeoutMs)));
    return queue;
  }

  private async runningCreates(pveNode: string): Promise<(RunningCreate & { own: boolean })[]> {
    const tasks = await this.client.get<TaskListItem[]>(`/nodes/${pveNode}/tasks`, {
      source: 'active',
      typefilter: 'qmcreate',
    });
    return tasks
      .filter((task) => task.status === undefined || task.status === 'RUNNING')
      .map((task) => {
        const starttime = task.starttime ?? parseUpid(task.upid).starttime;
        const own = this.holds.get(task.upid);
        return {
          upid: task.upid,
          startMs: starttime * 1000 + START_RESOLUTION_MS / 2 - this.clockOffsetMs,
          holdMs: own === undefined || own < 0 ? this.opts.longHoldMs : own,
          own: own !== undefined,
        };
      });
  }
}
