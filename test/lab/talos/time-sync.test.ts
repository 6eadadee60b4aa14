import { describe, expect, it } from 'vitest';
import {
  OFFLINE_TIME_NETWORK,
  ONLINE_TIME_NETWORK,
  goDurationMs,
  reachable,
  timeSyncedAt,
} from '../../../src/lab/talos/time-sync.js';

const at = (time: object, network = ONLINE_TIME_NETWORK) =>
  timeSyncedAt({
    config: { machine: { time } },
    bootAt: 1_000,
    upAt: 26_000,
    network,
    ms: (seconds) => seconds * 1000,
    syncSeconds: 2,
    timeScale: 1,
  });

describe('lab Talos time sync (LIFECYCLE F.6)', () => {
  it('syncs to the default time.cloudflare.com when the network reaches it, never when offline', () => {
    expect(at({})).toBe(28_000);
    expect(at({}, OFFLINE_TIME_NETWORK)).toBe(Infinity);
  });

  it('the VM PTP clocks always work; pool.ntp.org hosts match the wildcard; a LAN server is not reachable by default', () => {
    expect(at({ servers: ['/dev/ptp0'] }, OFFLINE_TIME_NETWORK)).toBe(28_000);
    expect(reachable('/dev/ptp_kvm', OFFLINE_TIME_NETWORK)).toBe(true);
    expect(reachable('2.europe.pool.ntp.org', ONLINE_TIME_NETWORK)).toBe(true);
    expect(reachable('ntp.lab.internal', ONLINE_TIME_NETWORK)).toBe(false);
    expect(at({ servers: ['ntp.lab.internal', 'time.google.com'] })).toBe(28_000);
  });

  it('disabled counts as synced at once; bootTimeout gives up waiting from boot; 0 waits forever', () => {
    expect(at({ disabled: true }, OFFLINE_TIME_NETWORK)).toBe(26_000);
    expect(at({ bootTimeout: '2m' }, OFFLINE_TIME_NETWORK)).toBe(121_000);
    expect(at({ bootTimeout: '5s' }, OFFLINE_TIME_NETWORK)).toBe(26_000);
    expect(at({ bootTimeout: '0s' }, OFFLINE_TIME_NETWORK)).toBe(Infinity);
  });

  it('reads Go durations', () => {
    expect(goDurationMs('1m30s')).toBe(90_000);
    expect(goDurationMs('1.5h')).toBe(5_400_000);
    expect(goDurationMs('250ms')).toBe(250);
    expect(goDurationMs('2 minutes')).toBeUndefined();
  });
});
