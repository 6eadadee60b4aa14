import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../src/lab/faults.js';
import { resolveTiming } from '../../../src/lab/profile.js';
import { LockTable, configLockPath, storageLockPath } from '../../../src/lab/pve/locks.js';
import { UPID_REGEX, decodeUpid, encodeUpid } from '../../../src/lab/pve/upid.js';
import { ConfigurationError } from '../../../src/errors.js';

describe('UPIDs', () => {
  const parts = {
    node: 'pve1',
    pid: 0x1a2b3,
    pstart: 0x83d628,
    starttime: 0x6b025f04,
    type: 'qmcreate',
    id: '101',
    user: 'twin@pve!lab',
  };

  it('are encoded as UPID.pm does: upper-case hex, 8 digits, a trailing colon', () => {
    const upid = encodeUpid(parts);
    expect(upid).toBe('UPID:pve1:0001A2B3:0083D628:6B025F04:qmcreate:101:twin@pve!lab:');
    expect(upid).toMatch(UPID_REGEX);
  });

  it('decode back to their parts, and junk does not decode', () => {
    expect(decodeUpid(encodeUpid(parts))).toEqual(parts);
    expect(decodeUpid('UPID:pve1:1:2:3:qmcreate:101:twin@pve!lab:')).toBeUndefined();
    expect(decodeUpid('UPID:pve1:0001A2B3:0083D628:6B025F04:qmcreate:101:twin@pve!lab')).toBeUndefined();
  });
});

describe('LockTable', () => {
  const request = (
    table: LockTable,
    at: number,
    holdMs: number,
    mode: 'exclusive' | 'shared' = 'exclusive',
    holder = 'h',
  ) =>
    table.request({ node: 'pve1', path: configLockPath(101), mode, at, timeoutMs: 10_000, holdMs, holder });

  it('grants a free lock at once and queues the next caller behind the holder', () => {
    const table = new LockTable({});
    expect(request(table, 0, 5_000)).toEqual({ ok: true, grantedAt: 0, until: 5_000 });
    expect(request(table, 1_000, 1_000)).toEqual({ ok: true, grantedAt: 5_000, until: 6_000 });
  });

  it("fails with PVE's text when the wait exceeds the timeout", () => {
    const table = new LockTable({});
    request(table, 0, 30_000);
    expect(request(table, 1_000, 1_000)).toEqual({
      ok: false,
      failedAt: 11_000,
      message: "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout",
    });
  });

  it('lets shared holders overlap but makes an exclusive caller wait for all of them', () => {
    const table = new LockTable({});
    request(table, 0, 4_000, 'shared', 'a');
    expect(request(table, 1_000, 4_000, 'shared', 'b')).toMatchObject({ ok: true, grantedAt: 1_000 });
    expect(request(table, 2_000, 1_000)).toMatchObject({ ok: true, grantedAt: 5_000 });
  });

  it('keeps locks of different nodes apart and forgets reservations that ended', () => {
    const data = {};
    const table = new LockTable(data);
    table.request({
      node: 'pve1',
      path: storageLockPath('local-lvm'),
      mode: 'exclusive',
      at: 0,
      timeoutMs: 0,
      holdMs: 100,
      holder: 'x',
    });
    const other = table.request({
      node: 'pve2',
      path: storageLockPath('local-lvm'),
      mode: 'exclusive',
      at: 0,
      timeoutMs: 0,
      holdMs: 100,
      holder: 'y',
    });
    expect(other).toMatchObject({ ok: true, grantedAt: 0 });
    table.prune(100);
    expect(data).toEqual({});
  });
});

describe('FaultInjector', () => {
  const config = {
    httpErrors: [{ match: 'GET /cluster/*', rate: 0.5 }],
    taskFailures: [{ type: 'qmstart', rate: 0.3, message: 'start failed: QEMU exited with code 1' }],
  };
  const draw = (seed: number) => {
    const faults = new FaultInjector(config, seed);
    return {
      http: Array.from({ length: 40 }, () => faults.forRequest('GET', '/cluster/resources')?.kind ?? 'ok'),
      tasks: Array.from({ length: 40 }, () => faults.forTask('qmstart').failure ?? 'ok'),
    };
  };

  it('gives the same faults for the same seed and other faults for another seed', () => {
    const first = draw(7);
    expect(draw(7)).toEqual(first);
    expect(draw(8)).not.toEqual(first);
    expect(first.http).toContain('error');
    expect(first.http).toContain('ok');
    expect(first.tasks).toContain('start failed: QEMU exited with code 1');
  });

  it('only hits requests and tasks its patterns match', () => {
    const faults = new FaultInjector({
      httpErrors: [{ match: 'POST /pools', rate: 1 }],
      slowTasks: [{ type: '*', rate: 1, multiplier: 3 }],
    });
    expect(faults.forRequest('GET', '/pools')).toBeUndefined();
    expect(faults.forRequest('POST', '/pools')).toEqual({
      kind: 'error',
      status: 500,
      message: 'injected fault',
    });
    expect(faults.forTask('qmcreate').slowMultiplier).toBe(3);
  });

  it('refuses a rate outside 0..1 naming the field', () => {
    expect(() => new FaultInjector({ taskFailures: [{ type: 'qmstart', rate: 2 }] })).toThrow(
      new ConfigurationError('faults.taskFailures[0].rate is 2: use a probability from 0 to 1, e.g. 0.1'),
    );
  });
});

describe('time profiles', () => {
  it('scale every duration, the lock timeout included', () => {
    const timing = resolveTiming('realistic', 0.01);
    expect(timing.ms(timing.profile.seconds.configLockTimeout)).toBe(100);
    expect(resolveTiming('fast').timeScale).toBe(0.01);
  });

  it('refuse an unusable time scale', () => {
    expect(() => resolveTiming('realistic', 0)).toThrow(ConfigurationError);
  });
});
