import { sleep } from '../../clock.js';
import type { TaskFault } from '../../faults.js';
import type { LockOutcome } from '../locks.js';
import { configLockPath } from '../locks.js';
import type { TaskRecord } from '../state.js';
import type { TaskStart } from '../tasks.js';
import type { LabContext } from './context.js';
import { fail } from './context.js';

/** What a handler's planner knows about the worker it plans. */
export interface WorkerPlan {
  task: TaskRecord;
  /** When the forked worker starts doing anything. */
  startAt: number;
  /** Fault injection: every step takes this many times longer. */
  slow: number;
}

/**
 * RPCEnvironment::fork_worker on lab time: `plan` sets the task's end, log, action (and a
 * failure when one is certain); injected faults then stretch, stall or fail it.
 */
export function forkWorker(lab: LabContext, start: TaskStart, plan: (worker: WorkerPlan) => void): string {
  const task = lab.tasks.begin(start);
  const fault: TaskFault = lab.faults.forTask(start.type);
  const startAt = task.startedAt + lab.timing.ms(lab.timing.profile.seconds.workerStart);
  task.endsAt = startAt;
  plan({ task, startAt, slow: fault.slowMultiplier });
  if (fault.lockStallSeconds > 0) {
    const stalledEnd = task.endsAt + lab.timing.ms(fault.lockStallSeconds);
    lab.locks.extendHeld(task.upid, task.endsAt, stalledEnd);
    task.endsAt = stalledEnd;
  }
  if (fault.failure !== undefined && task.failure === undefined) task.failure = fault.failure;
  return lab.tasks.commit(task);
}

/** A worker's lock on its VM's config (lock_config / lock_config_full with the given timeout). */
export function lockVmConfig(
  lab: LabContext,
  worker: WorkerPlan,
  node: string,
  vmid: number,
  timeoutSeconds: number,
  mode: 'exclusive' | 'shared' = 'exclusive',
  at = worker.startAt,
): LockOutcome {
  return lab.locks.request({
    node,
    path: configLockPath(vmid),
    mode,
    at,
    timeoutMs: lab.timing.ms(timeoutSeconds),
    holdMs: 0,
    holder: worker.task.upid,
  });
}

/** Ends the plan: the worker holds its VM lock until `endsAt`. */
export function holdVmLockUntil(
  lab: LabContext,
  worker: WorkerPlan,
  node: string,
  vmid: number,
  endsAt: number,
): void {
  lab.locks.holdUntil(node, configLockPath(vmid), worker.task.upid, endsAt);
  worker.task.endsAt = endsAt;
}

/** The plan of a worker that could not get its lock: it fails at the timeout. */
export function failAt(worker: WorkerPlan, at: number, message: string): void {
  worker.task.endsAt = at;
  worker.task.failure = message;
}

/**
 * The synchronous API calls' lock_config: waits (really, on scaled time) for the VM's config
 * lock and holds it for the moment the change takes, or fails after the timeout.
 */
export async function waitForVmLock(
  lab: LabContext,
  node: string,
  vmid: number,
  holder: string,
): Promise<void> {
  const now = lab.clock.now();
  const lock = lab.locks.request({
    node,
    path: configLockPath(vmid),
    mode: 'exclusive',
    at: now,
    timeoutMs: lab.timing.ms(lab.timing.profile.seconds.configLockTimeout),
    holdMs: 1,
    holder,
  });
  if (!lock.ok) {
    await sleep(lock.failedAt - now);
    fail(lock.message);
  }
  await sleep(lock.grantedAt - now + 1); // +1: the holder's end must be in the past to settle
  lab.tasks.settle();
}

/**
 * `background_delay` / `delay`: waits up to `seconds` for the task; null when it finished well,
 * its error when it failed ("failed to update VM ..." style prefix from the caller), else the UPID.
 */
export async function waitBriefly(
  lab: LabContext,
  upid: string,
  seconds: number | undefined,
  errorPrefix = '',
): Promise<string | null> {
  if (!seconds) return upid;
  const task = lab.state.task(upid);
  if (!task) return upid;
  const waitMs = Math.min(lab.timing.ms(seconds), task.endsAt - lab.clock.now());
  await sleep(waitMs + 1);
  lab.tasks.settle();
  if (task.status === 'running') return upid;
  const status = task.exitstatus ?? 'unexpected status';
  if (status === 'OK' || /^WARNINGS: \d+$/.test(status)) return null;
  return fail(`${errorPrefix}${status}`);
}
