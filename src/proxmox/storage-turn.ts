import type { PveClient } from './client.js';
import type { TaskListItem } from './tasks.js';
import { parseUpid } from './upid.js';

/**
 * When a node storage's allocation lock will be free, read from the node's running creates. PVE grants the
 * lock (PVE::Tools::lock_file, 10 s timeout) to waiting allocations in turn; a create that cannot get it
 * within the timeout fails before anything exists. A create with extra disks allocates them after copying
 * its image, so it keeps its turn across the copy (~30 s): sending one while another holds the lock only
 * buys a failed task. So such a create is sent when the running creates ahead of it are due to be done.
 *
 * The list gives each create's start and, once finished, its end and status: the lock is taken to be
 * released when the last successful create ended, then granted in turn to the running ones. What the list
 * cannot say is which running create holds the lock that long: a create without extra disks releases it
 * after allocating its volumes, yet runs as long, copying. Ours are known; any other is taken as a long
 * holder, so waiting creates with extra disks let short ones (the control planes) go first.
 */

export interface RunningCreate {
  /** When PVE started the task, on our clock (ms). */
  startMs: number;
  /** How long it keeps the lock once granted (ms). */
  holdMs: number;
}

/**
 * The moment the lock is due to be free after every running create, granted first come first served from
 * its last release on; a create that would wait longer than the timeout fails at its timeout and holds
 * nothing. -Infinity when nothing runs or was released.
 */
export function lockFreeAt(running: RunningCreate[], releasedAtMs: number, timeoutMs: number): number {
  let free = releasedAtMs;
  for (const create of [...running].sort((a, b) => a.startMs - b.startMs)) {
    const grantedAt = Math.max(create.startMs, free);
    if (grantedAt - create.startMs > timeoutMs) continue;
    free = grantedAt + create.holdMs;
  }
  return free;
}

/** The node's creates: those running, and when the last one that succeeded ended (our clock, ms). */
interface NodeCreates {
  running: (RunningCreate & { own: boolean })[];
  releasedAtMs: number;
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

/** Running creates come first in the list, then the newest finished ones: the last release is among them. */
const LIST_LIMIT = 30;
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
  /** Our creates by UPID: whether each holds the lock through its copy. */
  private readonly ours = new Map<string, boolean>();
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
    this.ours.set(upid, holdsThroughCopy);
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
      const { running, releasedAtMs } = await this.nodeCreates(pveNode);
      if (running.every((create) => create.own)) return;
      const free = lockFreeAt(running, releasedAtMs, this.opts.lockTimeoutMs);
      const waitMs = free - this.windowMs() * LEAD_SHARE - clock.now();
      if (waitMs <= 0) return;
      await clock.sleep(waitMs + this.random() * this.windowMs() * WAKE_SPREAD);
    }
  }

  /**
   * One look at the node's creates, running and finished: a create waiting behind one that has ended since
   * was granted when that ended, which its start alone does not say.
   */
  private async nodeCreates(pveNode: string): Promise<NodeCreates> {
    const tasks = await this.client.get<TaskListItem[]>(`/nodes/${pveNode}/tasks`, {
      source: 'all',
      typefilter: 'qmcreate',
      limit: LIST_LIMIT,
    });
    const onOurClock = (seconds: number) => seconds * 1000 + START_RESOLUTION_MS / 2 - this.clockOffsetMs;
    const running = tasks
      .filter((task) => task.endtime === undefined)
      .map((task) => {
        const short = this.ours.get(task.upid) === false;
        return {
          startMs: onOurClock(task.starttime ?? parseUpid(task.upid).starttime),
          holdMs: short ? this.opts.shortHoldMs : this.opts.longHoldMs,
          own: this.ours.has(task.upid),
        };
      });
    // Our creates without extra disks released the lock long before they ended.
    const released = tasks.filter(
      (task) => task.endtime !== undefined && task.status === 'OK' && this.ours.get(task.upid) !== false,
    );
    return {
      running,
      releasedAtMs: Math.max(-Infinity, ...released.map((task) => onOurClock(task.endtime!))),
    };
  }
}
