import { splitTokenId } from '../access/evaluate.js';
import { splitList } from '../property-string.js';
import type { TaskRecord } from '../state.js';
import { decodeUpid } from '../upid.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { boolParam, intParam, ok, paramError, requireString } from './context.js';
import { may, requirePrivs } from './permissions.js';

/** pve-manager API2/Tasks.pm and Cluster.pm tasks: task lists, a task's status and its log. */
export const taskHandlers: HandlerTable = {
  'GET /nodes/{node}/tasks': nodeTasks,
  'GET /nodes/{node}/tasks/{upid}/status': taskStatus,
  'GET /nodes/{node}/tasks/{upid}/log': taskLog,
  'GET /cluster/tasks': clusterTasks,
};

/** $convert_token_task: a token's task shows the user and the token name apart. */
export function splitTaskUser(user: string): { user: string; tokenid?: string } {
  const token = splitTokenId(user);
  return token ? { user: token.userid, tokenid: token.name } : { user };
}

/**
 * $check_task_user: a token owns the tasks it started; a user owns its own and its tokens' tasks;
 * a token does not own its user's tasks.
 */
export function ownsTask(caller: string, taskUser: string): boolean {
  const token = splitTokenId(taskUser);
  return caller === taskUser || (token !== undefined && caller === token.userid);
}

/** Anyone else needs Sys.Audit on the node the request names (P.7). */
function requireTaskAccess(lab: LabContext, req: ApiRequest, taskUser: string): void {
  if (!ownsTask(req.user, taskUser)) requirePrivs(lab, req.user, `/nodes/${req.params.node}`, ['Sys.Audit']);
}

function parseUpid(req: ApiRequest) {
  const upid = requireString(req.params, 'upid');
  const parts = decodeUpid(upid);
  if (!parts) paramError({ upid: 'unable to parse worker upid' });
  return { upid, parts };
}

function findTask(lab: LabContext, req: ApiRequest, upid: string): TaskRecord {
  const task = lab.state.task(upid);
  if (!task || task.node !== req.params.node) paramError({ upid: 'no such task' });
  return task;
}

/** read_task_status: the UPID is parsed and the task file found before the owner check. */
function taskStatus(lab: LabContext, req: ApiRequest) {
  const { upid, parts } = parseUpid(req);
  const task = findTask(lab, req, upid);
  requireTaskAccess(lab, req, parts.user);
  return ok({
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    ...splitTaskUser(task.user),
    status: task.status,
    ...(task.status === 'stopped' ? { exitstatus: task.exitstatus } : {}),
  });
}

/** read_task_log: the owner check comes before the log file is opened; dump_logfile pages it. */
function taskLog(lab: LabContext, req: ApiRequest) {
  const { upid, parts } = parseUpid(req);
  requireTaskAccess(lab, req, parts.user);
  const task = findTask(lab, req, upid);
  const now = lab.clock.now();
  const lines = task.log
    .filter((line) => task.status === 'stopped' || line.at <= now)
    .sort((a, b) => a.at - b.at)
    .map((line) => line.text);
  if (lines.length === 0) return { data: [{ n: 1, t: 'no content' }], total: 1 };
  const start = intParam(req.params, 'start') ?? 0;
  const limit = intParam(req.params, 'limit') ?? 50;
  const page = lines.slice(start, start + limit).map((t, index) => ({ n: start + index + 1, t }));
  return { data: page, total: lines.length };
}

const endtimeOf = (task: TaskRecord) => Math.floor(task.endsAt / 1000);

/**
 * An entry of the task index (/var/log/pve/tasks/index): the decoded UPID with the token split
 * off, its end time and its status line.
 */
function archivedEntry(task: TaskRecord) {
  return {
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    ...splitTaskUser(task.user),
    endtime: endtimeOf(task),
    status: task.exitstatus ?? 'unexpected status',
  };
}

/**
 * An entry of the active list for a running task: read_active_workers keeps the `saved` flag
 * (the string "0") and node_tasks neither splits the token off nor filters on a status.
 */
function activeEntry(task: TaskRecord) {
  return {
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
    saved: '0',
  };
}

type TaskEntry = ReturnType<typeof archivedEntry> | ReturnType<typeof activeEntry>;

/** PVE::UPID::normalize_status_type; a running task has no status yet, so it is `unknown`. */
function statusType(entry: TaskEntry): string {
  const status = 'status' in entry ? entry.status : undefined;
  if (!status || status === 'unexpected status') return 'unknown';
  if (status === 'OK') return 'ok';
  return /^WARNINGS: \d+$/.test(status) ? 'warning' : 'error';
}

/** node_tasks' statusfilter: every type; `errors` drops ok; a given list wins unless `errors`. */
function wantedStatusTypes(params: Record<string, string>): Set<string> {
  const errors = boolParam(params, 'errors');
  if (params.statusfilter !== undefined && !errors)
    return new Set(splitList(params.statusfilter).map((type) => type.toLowerCase()));
  return new Set(errors ? ['warning', 'error', 'unknown'] : ['ok', 'warning', 'error', 'unknown']);
}

/**
 * $check_task_user on a list entry. Entries of running tasks keep the full token id as their user
 * (no tokenid), so there only the token itself owns them, not its user.
 */
function ownsEntry(caller: string, entry: TaskEntry): boolean {
  const tokenid = 'tokenid' in entry ? entry.tokenid : undefined;
  return tokenid ? ownsTask(caller, `${entry.user}!${tokenid}`) : caller === entry.user;
}

/** node_tasks' $filter_task without the paging, which the caller counts. */
function taskFilter(lab: LabContext, req: ApiRequest): (entry: TaskEntry) => boolean {
  const { params } = req;
  const auditor = may(lab, req.user, `/nodes/${params.node}`, ['Sys.Audit']);
  const userfilter = params.userfilter?.toLowerCase();
  const vmid = params.vmid;
  const since = intParam(params, 'since');
  const until = intParam(params, 'until');
  const statusTypes = wantedStatusTypes(params);
  return (entry) => {
    if (userfilter && !entry.user.toLowerCase().includes(userfilter)) return false;
    if (!auditor && !ownsEntry(req.user, entry)) return false;
    if (params.typefilter && entry.type !== params.typefilter) return false;
    if (vmid && entry.id !== vmid) return false;
    if (since !== undefined && entry.starttime < since) return false;
    if (until !== undefined && entry.starttime > until) return false;
    return statusTypes.has(statusType(entry));
  };
}

/**
 * Tasks.pm node_tasks: the caller's own tasks, or all with Sys.Audit on /nodes/<node>. `source`
 * archive (default) reads the index of finished tasks, newest end first; active the running ones
 * (status RUNNING); all both. `start`/`limit` page over the matches, `total` counts them all.
 */
function nodeTasks(lab: LabContext, req: ApiRequest) {
  const node = req.params.node ?? '';
  const source = req.params.source ?? 'archive';
  const finished = tasksOn(lab, node, 'stopped').sort(
    (a, b) => b.endsAt - a.endsAt || b.starttime - a.starttime,
  );
  const candidates: { entry: TaskEntry; active: boolean }[] = [
    ...(source === 'archive'
      ? []
      : runningOn(lab, node).map((task) => ({ entry: activeEntry(task), active: true }))),
    ...(source === 'active' ? [] : finished.map((task) => ({ entry: archivedEntry(task), active: false }))),
  ];
  const matches = taskFilter(lab, req);
  const start = intParam(req.params, 'start') ?? 0;
  const limit = intParam(req.params, 'limit') ?? 50;
  const matched = candidates.filter(({ entry }) => matches(entry));
  const page = matched
    .slice(start, start + limit)
    .map(({ entry, active }) => (active ? { ...entry, status: 'RUNNING' } : entry));
  return { data: page, total: matched.length };
}

const tasksOn = (lab: LabContext, node: string, status: TaskRecord['status']) =>
  lab.state.tasks().filter((task) => task.node === node && task.status === status);

/** Running tasks in the order the active file lists them: by start. */
const runningOn = (lab: LabContext, node: string) =>
  tasksOn(lab, node, 'running').sort((a, b) => a.startedAt - b.startedAt);

/** active_workers keeps the running tasks and the newest finished ones, 25 entries in all. */
const ACTIVE_LIST_FINISHED = 25;

/**
 * The task list pvestatd broadcasts for a node: the running tasks, then the newest finished ones by
 * start time. active_workers deletes pstart from every entry and pid from finished ones. PVE's copy
 * is as old as pvestatd's last cycle (10 s); the lab's is current.
 */
function broadcastTaskList(lab: LabContext, node: string) {
  const running = runningOn(lab, node);
  const finished = tasksOn(lab, node, 'stopped')
    .sort((a, b) => b.starttime - a.starttime || b.startedAt - a.startedAt)
    .slice(0, Math.max(0, ACTIVE_LIST_FINISHED - running.length));
  const common = (task: TaskRecord) => ({
    upid: task.upid,
    node: task.node,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    ...splitTaskUser(task.user),
  });
  return [
    ...running.map((task) => ({ ...common(task), pid: task.pid, saved: '0' })),
    ...finished.map((task) => ({
      ...common(task),
      saved: '1',
      endtime: endtimeOf(task),
      status: task.exitstatus ?? 'unexpected status',
    })),
  ];
}

/**
 * Cluster.pm tasks: every node's broadcast list with Sys.Audit on /, otherwise the tasks whose
 * user, after the token was split off, equals the caller. A token caller therefore never matches,
 * not even its own tasks (P.7, DERIVED): it has to ask the nodes.
 */
function clusterTasks(lab: LabContext, req: ApiRequest) {
  const all = may(lab, req.user, '/', ['Sys.Audit']);
  const tasks = lab.state.nodeNames().flatMap((node) => broadcastTaskList(lab, node));
  return ok(all ? tasks : tasks.filter((task) => task.user === req.user));
}
