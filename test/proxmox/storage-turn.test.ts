import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PveClient } from '../../src/proxmox/client.js';
import { lockFreeAt, StorageTurns } from '../../src/proxmox/storage-turn.js';
import { PveTestServer, fakeClock, recordingLogger, type SeenRequest } from './pve-test-server.js';

const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
const upid = (vmid: number, starttime: number) =>
  `UPID:pve1:0000C0DE:0001B207:${hex(starttime)}:qmcreate:${vmid}:ci@pve!gha:`;

let server: PveTestServer;
let client: PveClient;
let clock: ReturnType<typeof fakeClock>;
let running: { upid: string; starttime: number; endtime?: number; status: string }[];

beforeAll(async () => {
  server = await PveTestServer.start();
});
afterAll(() => server.close());

function setUp(): StorageTurns {
  clock = fakeClock(); // starts at 1,000,000 ms: 1000 s
  client = new PveClient(server.connection(), {
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0,
    logger: recordingLogger(),
  });
  running = [];
  server.handler = () => ({ json: { data: running } });
  return new StorageTurns(client, {
    lockTimeoutMs: 10_000,
    longHoldMs: 30_000,
    shortHoldMs: 4_000,
    random: () => 0,
  });
}

afterEach(() => {
  client?.close();
  server.requests.length = 0;
});

const listed = (requests: SeenRequest[]) =>
  requests.map((req) => `${req.method} ${req.path}?${req.query.toString()}`);

describe('lockFreeAt: PVE grants a storage lock in turn, and a waiter past its timeout holds nothing', () => {
  it('adds the holds of the creates that get the lock and skips those that time out waiting', () => {
    expect(lockFreeAt([], -Infinity, 10_000)).toBe(-Infinity);
    const creates = [
      { startMs: 5_000, holdMs: 30_000 }, // waits 25 s behind the first: fails at 15 s
      { startMs: 0, holdMs: 30_000 }, // granted at 0, free at 30 s
      { startMs: 22_000, holdMs: 30_000 }, // granted at 30 s (8 s wait), free at 60 s
    ];
    expect(lockFreeAt(creates, -Infinity, 10_000)).toBe(60_000);
    const short = [
      { startMs: 0, holdMs: 3_000 },
      { startMs: 1_000, holdMs: 3_000 },
    ];
    expect(lockFreeAt(short, -Infinity, 10_000)).toBe(6_000);
  });

  it('starts from the last release: a create that waited for one that has ended since was granted then', () => {
    const waiting = { startMs: 25_000, holdMs: 30_000 };
    expect(lockFreeAt([waiting], 30_000, 10_000)).toBe(60_000);
    expect(lockFreeAt([waiting], 20_000, 10_000)).toBe(55_000); // released before it started
  });
});

describe('StorageTurns', () => {
  it('sends at once when no create runs on the node, after one look at its running creates', async () => {
    const turns = setUp();
    await turns.waitForTurn('pve1');
    expect(listed(server.requests)).toEqual([
      'GET /nodes/pve1/tasks?source=all&typefilter=qmcreate&limit=30',
    ]);
    expect(clock.sleeps).toEqual([]);
  });

  it("waits for another runner's create to be due within the lock timeout, then looks again", async () => {
    const turns = setUp();
    running = [{ upid: upid(7101, 1000), starttime: 1000, status: 'RUNNING' }]; // started now, 30 s hold
    server.handler = () => {
      const reply = { json: { data: running } };
      running = []; // gone by the second look
      return reply;
    };
    await turns.waitForTurn('pve1');
    // Free at 1000.5 s + 30 s; sent 40% of the window (10 s x 0.9 - 1 s for the start's whole seconds) before.
    expect(clock.sleeps).toEqual([30_500 - 3_200]);
    expect(server.requests).toHaveLength(2);
  });

  it('does not wait for our own creates alone, counts one without extra disks as short, reads PVE times on our clock', async () => {
    const turns = setUp();
    // PVE's clock is 100 s ahead of ours: our create sent at 1000 s started at 1100 s there.
    turns.started(upid(7102, 1100), 1_000_000, 1_000_000, false);
    turns.started(upid(7103, 1100), 1_000_000, 1_000_000, true);
    running = [
      { upid: upid(7102, 1100), starttime: 1100, status: 'RUNNING' },
      { upid: upid(7103, 1100), starttime: 1100, status: 'RUNNING' },
    ];
    await turns.waitForTurn('pve1');
    expect(clock.sleeps).toEqual([]); // the run sent them in turn itself
    running = [
      { upid: upid(7102, 1100), starttime: 1100, status: 'RUNNING' },
      { upid: upid(7201, 1100), starttime: 1100, status: 'RUNNING' }, // another runner's, from 1000 s on our clock
    ];
    server.handler = () => {
      const reply = { json: { data: running } };
      running = [];
      return reply;
    };
    await turns.waitForTurn('pve1');
    // Ours holds 4 s from 1000 s, the other's 30 s from then: free at 1034 s, sent 3.2 s before.
    expect(clock.sleeps).toEqual([34_000 - 3_200]);
  });

  it('counts a running create as granted when the last create that succeeded ended, if it started before', async () => {
    const turns = setUp();
    running = [
      { upid: upid(7105, 1005), starttime: 1005, status: 'RUNNING' }, // waiting since 1005.5 s
      { upid: upid(7104, 980), starttime: 980, endtime: 1010, status: 'OK' }, // released at 1010.5 s
      { upid: upid(7106, 1000), starttime: 1000, endtime: 1010, status: "can't lock file - got timeout" },
    ];
    server.handler = () => {
      const reply = { json: { data: running } };
      running = [];
      return reply;
    };
    await turns.waitForTurn('pve1');
    expect(clock.sleeps).toEqual([1_040_500 - 3_200 - 1_000_000]);
  });

  it('does not wait when only finished creates are listed', async () => {
    const turns = setUp();
    running = [{ upid: upid(7104, 1000), starttime: 1000, endtime: 1001, status: 'OK' }];
    await turns.waitForTurn('pve1');
    expect(clock.sleeps).toEqual([]);
  });
});
