import type { Clock } from '../clock.js';
import type { LockTable } from './locks.js';
import type { LabState, TaskRecord } from './state.js';
import { encodeUpid } from './upid.js';
import { PermissionDenied } from './access/check.js';

/** Where a finishing task writes its log and warnings; `at` is the task's end time. */
export interface TaskOutput {
  readonly at: number;
  log(text: string): void;
  /** A warning: logged as "WARN: ..." and counted, so the task ends with "WARNINGS: n". */
  warn(text: string): void;
}

/** What happens when a task of one kind ends. */
export interface TaskFinisher {
  /** Applies the task's effects; throwing ends the task with the error's message. */
  finish(task: TaskRecord, out: TaskOutput): void;
  /** Undoes what the task set up when it fails (planned failure or a throw from `finish`). */
  fail?(task: TaskRecord, message: string, out: TaskOutput): void;
}

export interface TaskStart {
  node: string;
  type: string;
  id: string;
  user: string;
}

/**
 * Runs PVE tasks on lab time. A task is planned when it starts (its end time, its log lines
 * with their times, a failure if one is already certain) and its effects apply when it ends:
 * on the first request after that moment or from a timer, whichever comes first. Nothing lives
 * only in memory, so a restarted lab settles tasks that ended while it was down.
 */
export class TaskScheduler {
  private readonly finishers = new Map<string, TaskFinisher>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly state: LabState,
    private readonly locks: LockTable,
    private readonly clock: Clock,
  ) {}

  register(kind: string, finisher: TaskFinisher): void {
    this.finishers.set(kind, finisher);
  }

  /** A new running task with its UPID; the caller plans it and then calls `commit`. */
  begin(start: TaskStart): TaskRecord {
    const now = this.clock.now();
    const node = this.state.node(start.node);
    const pid = this.state.data.nextPid++;
    const pstart = Math.floor((now - (node?.bootedAt ?? now)) / 10); // clock ticks since boot
    const starttime = Math.floor(now / 1000);
    const upid = encodeUpid({ ...start, pid, pstart, starttime });
    return {
      upid,
      ...start,
      pid,
      pstart,
      starttime,
      startedAt: now,
      endsAt: now,
      status: 'running',
      log: [],
      warnings: 0,
      action: { kind: 'none' },
    };
  }

  commit(task: TaskRecord): string {
    this.state.data.tasks[task.upid] = task;
    this.arm();
    return task.upid;
  }

  /** Ends a running task early with an error, e.g. a shutdown overruled by a stop. */
  abort(upid: string, message: string, at: number): void {
    const task = this.state.task(upid);
    if (!task || task.status !== 'running') return;
    task.failure = message;
    task.endsAt = Math.min(task.endsAt, at);
    this.locks.release(upid, at);
  }

  running(): TaskRecord[] {
    return this.state.tasks().filter((task) => task.status === 'running');
  }

  /** Applies every task that ended by `now`, oldest end first. Returns whether anything changed. */
  settle(now = this.clock.now()): boolean {
    const due = this.running()
      .filter((task) => task.endsAt <= now)
      .sort((a, b) => a.endsAt - b.endsAt);
    for (const task of due) this.finishTask(task);
    this.locks.prune(now);
    if (due.length > 0) this.arm();
    return due.length > 0;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private finishTask(task: TaskRecord): void {
    const out: TaskOutput = {
      at: task.endsAt,
      log: (text) => task.log.push({ at: task.endsAt, text }),
      warn: (text) => {
        task.warnings++;
        task.log.push({ at: task.endsAt, text: `WARN: ${text}` });
      },
    };
    const finisher = this.finishers.get(task.action.kind);
    let failure = task.failure;
    if (failure === undefined) {
      try {
        if (!finisher) throw new Error(`lab has no finisher for task kind '${task.action.kind}'`);
        finisher.finish(task, out);
      } catch (error) {
        failure = stringifyError(error);
      }
    }
    if (failure !== undefined) {
      const message = failure.replace(/\n+$/, '');
      finisher?.fail?.(task, message, out);
      task.exitstatus = message;
      out.log(`TASK ERROR: ${message}`);
    } else if (task.warnings > 0) {
      task.exitstatus = `WARNINGS: ${task.warnings}`;
      out.log(`TASK WARNINGS: ${task.warnings}`);
    } else {
      task.exitstatus = 'OK';
      out.log('TASK OK');
    }
    task.status = 'stopped';
  }

  /** One timer for the next task end; it settles and saves so effects land even without requests. */
  private arm(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = Math.min(...this.running().map((task) => task.endsAt));
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.settle()) this.state.save();
        else this.arm();
      },
      Math.max(0, next - this.clock.now()),
    );
    this.timer.unref();
  }
}

/** PVE::Exception's stringify in a task: a permission failure keeps its code in front (P.5). */
export function stringifyError(error: unknown): string {
  if (error instanceof PermissionDenied) return `403 ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
