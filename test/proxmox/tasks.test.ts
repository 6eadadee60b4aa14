import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PveClient } from '../../src/proxmox/client.js';
import { PveTaskError, PveTaskTimeoutError, isLockTimeout } from '../../src/proxmox/errors.js';
import { runTask, waitForTask } from '../../src/proxmox/tasks.js';
import {
  PveTestServer,
  fakeClock,
  recordingLogger,
  type Reply,
  type SeenRequest,
} from './pve-test-server.js';

const UPID = 'UPID:pve2:0000C0DE:0001B207:65F1A2B3:qmclone:9000:ci@pve!gha:';
const STATUS_PATH = `/nodes/pve2/tasks/${UPID}/status`;
const LOG_PATH = `/nodes/pve2/tasks/${UPID}/log`;

let server: PveTestServer;
let client: PveClient;
let clock: ReturnType<typeof fakeClock>;

beforeAll(async () => {
  server = await PveTestServer.start();
});
afterAll(() => server.close());

function setUp(route: (req: SeenRequest) => Reply): void {
  clock = fakeClock();
  const logger = recordingLogger();
  client = new PveClient(server.connection(), {
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0,
    logger,
  });
  server.handler = route;
}

afterEach(() => {
  client.close();
  server.requests.length = 0;
});

/** Status replies: `running` for the first polls, then stopped with the given exit status. */
function taskThatStops(
  afterPolls: number,
  exitstatus: string,
  log: string[] = [],
): (req: SeenRequest) => Reply {
  let polls = 0;
  return (req) => {
    if (req.path === STATUS_PATH) {
      polls++;
      const stopped = polls > afterPolls;
      return {
        json: {
          data: { upid: UPID, status: stopped ? 'stopped' : 'running', ...(stopped && { exitstatus }) },
        },
      };
    }
    if (req.path === LOG_PATH) {
      const start = Number(req.query.get('start'));
      const limit = Number(req.query.get('limit'));
      const page = log.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
      return { json: { data: page } };
    }
    return { status: 501, reason: `Method '${req.method} ${req.path}' not implemented` };
  };
}

describe('waitForTask', () => {
  it('treats WARNINGS: 2 as success, polling on the UPID node with capped backoff', async () => {
    setUp(taskThatStops(4, 'WARNINGS: 2'));
    const result = await waitForTask(client, UPID, { initialDelayMs: 2000, maxDelayMs: 4000 });
    expect(result).toEqual({ exitstatus: 'WARNINGS: 2', warnings: 2 });
    expect(server.requests.every((req) => req.path === STATUS_PATH)).toBe(true);
    expect(clock.sleeps).toEqual([2000, 3200, 4000, 4000, 4000]);
    expect(client.stats()).toEqual({ requests: 5, taskPolls: 5 });
  });

  it('looks first when a verdict is due, then when the task is due to end, then closer together', async () => {
    setUp(taskThatStops(3, 'OK'));
    await waitForTask(client, UPID, {
      initialDelayMs: 10_500,
      thenEveryMs: 19_500,
      laterEveryMs: 7_500,
      maxDelayMs: 30_000,
    });
    expect(clock.sleeps).toEqual([10_500, 19_500, 7_500, 12_000]);
  });

  it('returns OK without reading the log when nobody asked for it', async () => {
    setUp(taskThatStops(0, 'OK', ['TASK OK']));
    await expect(waitForTask(client, UPID)).resolves.toEqual({ exitstatus: 'OK', warnings: 0 });
    expect(server.requests.map((req) => req.path)).toEqual([STATUS_PATH]);
  });

  it('hands the log to onLog once the task has stopped', async () => {
    setUp(taskThatStops(1, 'OK', ['create full clone of drive scsi0', 'TASK OK']));
    const seen: string[][] = [];
    await waitForTask(client, UPID, { onLog: (lines) => seen.push(lines) });
    expect(seen).toEqual([['create full clone of drive scsi0', 'TASK OK']]);
  });

  it('throws PveTaskError with the exit status and the end of the log for any other exit status', async () => {
    const failure = "unable to create VM 9000 - volume 'local-lvm:vm-9000-disk-0' already exists";
    const log = [...Array.from({ length: 520 }, (_, i) => `progress ${i}`), `TASK ERROR: ${failure}`];
    setUp(taskThatStops(1, failure, log));
    const err = await waitForTask(client, UPID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTaskError);
    const taskError = err as PveTaskError;
    expect(taskError.upid).toBe(UPID);
    expect(taskError.exitstatus).toBe(failure);
    expect(taskError.log.at(-1)).toBe(`TASK ERROR: ${failure}`);
    expect(taskError.log).toHaveLength(50);
    expect(taskError.message).toContain(failure);
    expect(isLockTimeout(taskError)).toBe(false);
    expect(server.requests.filter((req) => req.path === LOG_PATH)).toHaveLength(2); // 521 lines, pages of 500
  });

  it('a lock timeout is told by its exit status alone: the caller tries again, no log is read', async () => {
    const lockError = "can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout";
    setUp(taskThatStops(1, lockError, [`TASK ERROR: ${lockError}`]));
    const err = await waitForTask(client, UPID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTaskError);
    expect((err as PveTaskError).exitstatus).toBe(lockError);
    expect(isLockTimeout(err)).toBe(true);
    expect(server.requests.filter((req) => req.path === LOG_PATH)).toEqual([]);
  });

  it('keeps the task error when the log cannot be read', async () => {
    setUp((req) =>
      req.path === STATUS_PATH
        ? { json: { data: { status: 'stopped', exitstatus: 'unexpected status' } } }
        : { status: 403, reason: 'Permission check failed (/nodes/pve2, Sys.Audit)' },
    );
    const err = (await waitForTask(client, UPID).catch((e: unknown) => e)) as PveTaskError;
    expect(err.exitstatus).toBe('unexpected status');
    expect(err.log[0]).toMatch(/task log could not be read: .*403/);
  });

  it('gives up after timeoutMs, saying the task may still run', async () => {
    setUp(taskThatStops(Infinity, 'OK'));
    const err = await waitForTask(client, UPID, {
      timeoutMs: 10_000,
      initialDelayMs: 1000,
      maxDelayMs: 3000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveTaskTimeoutError);
    expect((err as Error).message).toMatch(/may still be running/);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('refuses a malformed UPID before polling anything', async () => {
    setUp(taskThatStops(0, 'OK'));
    await expect(waitForTask(client, 'UPID:pve2:nope')).rejects.toThrow(/not a PVE task id/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('runTask', () => {
  it('calls the endpoint and waits for the UPID it returns', async () => {
    const waitFor = taskThatStops(1, 'OK');
    setUp((req) => (req.path === '/nodes/pve2/qemu/9000/clone' ? { json: { data: UPID } } : waitFor(req)));
    const result = await runTask(client, 'POST', '/nodes/pve2/qemu/9000/clone', { newid: 101, full: true });
    expect(result).toEqual({ exitstatus: 'OK', warnings: 0 });
    expect(server.requests[0]?.body).toBe('newid=101&full=1');
    expect(client.stats()).toEqual({ requests: 3, taskPolls: 2 });
  });

  it('counts data: null (finished within the call) as done without polling', async () => {
    setUp(() => ({ json: { data: null } }));
    const result = await runTask(client, 'POST', '/nodes/pve2/qemu/101/config', {
      tags: 'talos',
      background_delay: 5,
    });
    expect(result).toEqual({ exitstatus: 'OK', warnings: 0 });
    expect(client.stats().taskPolls).toBe(0);
  });

  it('refuses a reply that is neither a UPID nor null', async () => {
    setUp(() => ({ json: { data: { unexpected: true } } }));
    await expect(
      runTask(client, 'PUT', '/nodes/pve2/qemu/101/resize', { disk: 'scsi0', size: '32G' }),
    ).rejects.toThrow(/instead of a task id/);
  });
});
