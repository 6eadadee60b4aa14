import { errorMessage } from '../errors.js';
import type { PveClient, PveParams } from './client.js';
import { isLockTimeoutText, PveProtocolError, PveTaskError, PveTaskTimeoutError } from './errors.js';
import { parseUpid } from './upid.js';

export interface TaskResult {
  exitstatus: string;
  /** N of `WARNINGS: N`, else 0. */
  warnings: number;
}

export interface WaitForTaskOptions {
  timeoutMs?: number;
  /** Receives the task log once the task has stopped (on success and on failure). */
  onLog?: (lines: string[]) => void;
  /** When to look first: the caller's estimate of how long the task takes. */
  initialDelayMs?: number;
  /** The pause after the first look, growing from there up to maxDelayMs (default: initialDelayMs). */
  thenEveryMs?: number;
  /** The pause after the second look, growing from there (default: thenEveryMs grown). */
  laterEveryMs?: number;
  maxDelayMs?: number;
  /** Told once PVE accepted the task (runTask), with its UPID and when the request was sent (our clock). */
  onStarted?: (task: { upid: string; sentAtMs: number }) => void;
}

interface TaskStatus {
  status: string;
  exitstatus?: string;
}

interface TaskLogLine {
  n: number;
  t: string;
}

const DEFAULTS = { timeoutMs: 15 * 60_000, initialDelayMs: 1_000, maxDelayMs: 5_000 };
const BACKOFF_FACTOR = 1.6;
const WARNINGS = /^WARNINGS: (\d+)$/;
const LOG_PAGE = 500;
const LOG_MAX_PAGES = 20;
const LOG_LINES_KEPT_ON_ERROR = 50;

/**
 * Polls the task's status on the node named in its UPID until it stops. `OK` and `WARNINGS: N` are
 * success; anything else throws PveTaskError with the end of the task log.
 */
export async function waitForTask(
  client: PveClient,
  upid: string,
  opts: WaitForTaskOptions = {},
): Promise<TaskResult> {
  const { timeoutMs, initialDelayMs, maxDelayMs } = { ...DEFAULTS, ...opts };
  const { node } = parseUpid(upid);
  const deadline = client.clock.now() + timeoutMs;
  let delayMs = initialDelayMs;
  let next = opts.thenEveryMs ?? initialDelayMs * BACKOFF_FACTOR;
  for (let look = 1; ; look++) {
    await client.clock.sleep(Math.min(delayMs, Math.max(0, deadline - client.clock.now())));
    const status = await client.get<TaskStatus>(`/nodes/${node}/tasks/${upid}/status`);
    if (status.status === 'stopped') return finish(client, node, upid, status, opts.onLog);
    if (client.clock.now() >= deadline) throw new PveTaskTimeoutError(upid, timeoutMs);
    delayMs = Math.min(next, maxDelayMs);
    next = look === 1 && opts.laterEveryMs !== undefined ? opts.laterEveryMs : delayMs * BACKOFF_FACTOR;
  }
}

/**
 * Calls a task-starting endpoint and waits for the task. `data: null` means PVE finished the work within
 * the call (config POST with background_delay, storage content DELETE with delay) and counts as done.
 */
export async function runTask(
  client: PveClient,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  params: PveParams = {},
  opts: WaitForTaskOptions = {},
): Promise<TaskResult> {
  const sentAtMs = client.clock.now();
  const data = await startTask(client, method, path, params);
  if (data === null) return { exitstatus: 'OK', warnings: 0 };
  if (typeof data !== 'string') {
    throw new PveProtocolError(`PVE ${method} ${path} returned ${JSON.stringify(data)} instead of a task id`);
  }
  opts.onStarted?.({ upid: data, sentAtMs });
  return waitForTask(client, data, opts);
}

function startTask(client: PveClient, method: 'POST' | 'PUT' | 'DELETE', path: string, params: PveParams) {
  switch (method) {
    case 'POST':
      return client.post<unknown>(path, params);
    case 'PUT':
      return client.put<unknown>(path, params);
    case 'DELETE':
      return client.delete<unknown>(path, params);
  }
}

async function finish(
  client: PveClient,
  node: string,
  upid: string,
  status: TaskStatus,
  onLog: ((lines: string[]) => void) | undefined,
): Promise<TaskResult> {
  const exitstatus = status.exitstatus ?? 'unexpected status';
  const succeeded = exitstatus === 'OK' || WARNINGS.test(exitstatus);
  if (succeeded && !onLog) return toResult(exitstatus);
  // A lock timeout says all in its status (nothing was changed, the caller tries again): no log to read.
  if (!succeeded && !onLog && isLockTimeoutText(exitstatus)) throw new PveTaskError(upid, exitstatus, []);
  const log = await readTaskLog(client, node, upid);
  onLog?.(log);
  if (succeeded) return toResult(exitstatus);
  throw new PveTaskError(upid, exitstatus, log.slice(-LOG_LINES_KEPT_ON_ERROR));
}

function toResult(exitstatus: string): TaskResult {
  return { exitstatus, warnings: Number(WARNINGS.exec(exitstatus)?.[1] ?? 0) };
}

/** The whole task log, page by page; a log that cannot be read must not hide the task's own outcome. */
async function readTaskLog(client: PveClient, node: string, upid: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for (let page = 0; page < LOG_MAX_PAGES; page++) {
      const entries = await client.get<TaskLogLine[]>(`/nodes/${node}/tasks/${upid}/log`, {
        start: lines.length,
        limit: LOG_PAGE,
      });
      lines.push(...entries.map((entry) => entry.t));
      if (entries.length < LOG_PAGE) break;
    }
  } catch (err) {
    lines.push(`(task log could not be read: ${errorMessage(err)})`);
  }
  return lines;
}

/** An entry of `GET /nodes/{node}/tasks`: finished ones also carry endtime and status. */
export interface TaskListItem {
  upid: string;
  type: string;
  id?: string;
  /** Unix seconds. */
  starttime?: number;
  endtime?: number;
  status?: string;
}

/** A VM create still running on a PVE node: the VMID is taken although a pool-scoped token cannot see it. */
export interface CreateInFlight {
  pveNode: string;
  vmid: number;
  upid: string;
}

/**
 * Running `qmcreate` tasks for any of `vmids` on `pveNodes`. A create left in flight by a killed run is
 * invisible in /cluster/resources to a token whose rights come from the pool (the VM joins its pool only
 * when the task ends, P.7), but the task list shows it: the token owns its tasks, and Sys.Audit on the
 * node shows everyone's.
 */
export async function createsInFlight(
  client: PveClient,
  pveNodes: string[],
  vmids: { has(vmid: number): boolean },
): Promise<VmTaskInFlight[]> {
  return vmTasksInFlight(client, pveNodes, (task) => vmids.has(task.vmid), 'qmcreate');
}

/** A task still running on a VM: its node, VMID, UPID and type (qmcreate, qmreboot, ...). */
export interface VmTaskInFlight extends CreateInFlight {
  type: string;
}

/** Tasks that change whether, or what, a guest runs: a killed run's reboot (say) may still be under way. */
export const POWER_TASKS: ReadonlySet<string> = new Set([
  'qmstart',
  'qmstop',
  'qmshutdown',
  'qmreboot',
  'qmsuspend',
  'qmresume',
]);

/** The running tasks on `pveNodes` that `wanted` picks: one listing per node (`typefilter` narrows it). */
export async function vmTasksInFlight(
  client: PveClient,
  pveNodes: string[],
  wanted: (task: { vmid: number; type: string }) => boolean,
  typefilter?: string,
): Promise<VmTaskInFlight[]> {
  const lists = await Promise.all(
    pveNodes.map(async (pveNode) => {
      const tasks = await client.get<TaskListItem[]>(`/nodes/${pveNode}/tasks`, {
        source: 'active',
        ...(typefilter ? { typefilter } : {}),
      });
      return tasks.map((task) => ({ pveNode, vmid: Number(task.id), upid: task.upid, type: task.type }));
    }),
  );
  return lists.flat().filter(wanted);
}
