import { describe, expect, it } from 'vitest';
import {
  PveApiError,
  PveNetworkError,
  PveTaskError,
  isDoesNotExist,
  isLockTimeout,
  isTransient,
  isVmLocked,
  isWriteNotApplied,
} from '../../src/proxmox/errors.js';

const UPID = 'UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmclone:9000:ci@pve!gha:';

function apiError(status: number, reason: string, serverMessage?: string): PveApiError {
  return new PveApiError({ status, reason, serverMessage, method: 'POST', path: '/nodes/pve1/qemu' });
}

function networkError(requestMayHaveArrived: boolean): PveNetworkError {
  return new PveNetworkError({
    code: 'ECONNRESET',
    detail: 'socket hang up',
    requestMayHaveArrived,
    method: 'POST',
    path: '/pools',
  });
}

describe('PveApiError', () => {
  it('says method, path, status, message and every per-parameter error', () => {
    const err = new PveApiError({
      status: 400,
      reason: 'Parameter verification failed.',
      errors: { vmid: 'value must have a minimum value of 100', name: 'invalid format' },
      method: 'POST',
      path: '/nodes/pve1/qemu',
    });
    expect(err.message).toBe(
      'PVE POST /nodes/pve1/qemu failed with 400: Parameter verification failed. ' +
        '(vmid: value must have a minimum value of 100; name: invalid format)',
    );
    expect(err.serverMessage).toBe('Parameter verification failed.');
  });

  it('points at the token on 401', () => {
    expect(apiError(401, 'authentication failure').message).toMatch(/check the API token/);
  });
});

describe('error questions', () => {
  const lockTimeout = "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout";
  const cfsLockTimeout = "cfs-lock 'storage-local-lvm' error: got lock request timeout";

  it('recognises lock timeouts from the call and from a task', () => {
    expect(isLockTimeout(apiError(500, lockTimeout))).toBe(true);
    expect(isLockTimeout(apiError(500, 'Internal', `create failed: ${cfsLockTimeout}`))).toBe(true);
    expect(isLockTimeout(new PveTaskError(UPID, lockTimeout, []))).toBe(true);
    expect(isLockTimeout(apiError(500, 'VM 101 already exists'))).toBe(false);
    expect(isLockTimeout(new Error(lockTimeout))).toBe(false); // only PVE's own answers count
  });

  it('recognises a VM lock and a missing VM', () => {
    expect(isVmLocked(apiError(500, 'VM is locked (clone)'))).toBe(true);
    expect(isVmLocked(apiError(500, 'VM 101 is running - destroy failed'))).toBe(false);
    const gone = "Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist";
    expect(isDoesNotExist(apiError(500, gone))).toBe(true);
    expect(isDoesNotExist(apiError(400, gone))).toBe(false);
  });

  it.each([
    [apiError(503, 'Service Unavailable'), true, true],
    [apiError(502, 'Bad Gateway'), true, true],
    [apiError(595, 'Connection refused'), true, true],
    [apiError(504, 'Gateway Timeout'), true, false],
    [apiError(596, 'Connection timed out'), true, false],
    [apiError(500, 'unable to create VM'), false, false],
    [apiError(500, "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout"), false, true],
    [apiError(500, 'VM is locked (create)'), false, true],
    [apiError(400, 'Parameter verification failed.'), false, false],
    [networkError(false), true, true],
    [networkError(true), true, false],
  ])('%s: transient %s, write not applied %s', (err, transient, notApplied) => {
    expect(isTransient(err)).toBe(transient);
    expect(isWriteNotApplied(err)).toBe(notApplied);
  });
});
