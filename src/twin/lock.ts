import { errorMessage } from '../errors.js';
import { acquireTwinLock, thisProcess } from '../proxmox/twin-lock.js';
import type { LockTiming } from '../proxmox/twin-lock.js';
import { poolPrefixOf } from '../spec/pools.js';
import type { Pace } from './context.js';
import type { TwinContext } from './context.js';

/**
 * How long a silent lock is honoured: as long as the longest single wait of a run (a node's boot). Its holder
 * renews it every quarter of that, so three renewals in a row can fail (an API hiccup) before another run
 * may break it; more often would only spend Proxmox requests (each renewal is a GET and a PUT of /pools).
 */
export function lockTiming(pace: Pace): LockTiming {
  return { staleAfterMs: pace.bootTimeoutMs, renewEveryMs: Math.max(pace.pollMs, pace.bootTimeoutMs / 4) };
}

/**
 * Runs `work` holding the twin's lock (src/proxmox/twin-lock.ts), the one apply, destroy and the reaper
 * take, and releases it however `work` ends. A second holder is refused at once, naming who holds it.
 */
export async function withTwinLock<T>(
  ctx: Pick<TwinContext, 'twin' | 'client' | 'pace' | 'log'>,
  operation: 'apply' | 'destroy' | 'reap',
  work: () => Promise<T>,
): Promise<T> {
  const lock = await acquireTwinLock(ctx.client, {
    poolPrefix: poolPrefixOf(ctx.twin.spec, ctx.twin.environment),
    twin: ctx.twin.twin,
    holder: thisProcess(operation),
    timing: lockTiming(ctx.pace),
    log: ctx.log,
  });
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // The work's own error is the one to report; a lock left behind is broken once it goes stale.
    await lock.release().catch((releaseError: unknown) => {
      ctx.log(`the lock of twin ${ctx.twin.twin} (pool ${lock.poolId}) stays: ${errorMessage(releaseError)}`);
    });
    throw error;
  }
  await lock.release();
  return result;
}
