import type { TaskRecord } from '../state.js';
import { decodeUpid } from '../upid.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { intParam, ok, paramError, requireString } from './context.js';

/** pve-manager API2/Tasks.pm: a task's status and log, read on the node that runs it. */
export const taskHandlers: HandlerTable = {
  'GET /nodes/{node}/tasks/{upid}/status': taskStatus,
  'GET /nodes/{node}/tasks/{upid}/log': taskLog,
};

function findTask(lab: LabContext, req: ApiRequest): TaskRecord {
  const upid = requireString(req.params, 'upid');
  if (!decodeUpid(upid)) paramError({ upid: 'unable to parse worker upid' });
  const task = lab.state.task(upid);
  if (!task || task.node !== req.params.node) paramError({ upid: 'no such task' });
  return task;
}

function taskStatus(lab: LabContext, req: ApiRequest) {
  const task = findTask(lab, req);
  return ok({
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
    status: task.status,
    ...(task.status === 'stopped' ? { exitstatus: task.exitstatus } : {}),
  });
}

/** dump_logfile: lines numbered from 1, `start`/`limit` paging, "no content" for an empty log. */
function taskLog(lab: LabContext, req: ApiRequest) {
  const task = findTask(lab, req);
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
