import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigurationError, errorMessage } from '../errors.js';
import { POOL_ID_REGEX } from '../spec/identity.js';
import type { PveClient } from './client.js';

/**
 * The per-twin lock that apply, destroy and the reaper take: a Proxmox pool `<poolPrefix>-lock-<twin>`.
 * PVE creates a pool atomically under the user.cfg lock and refuses an id that exists (`create pool failed:
 * pool '<id>' already exists`, PVE-PERMISSIONS.md P.6.4), so Proxmox itself decides who holds it, across
 * runners, hosts and the CLI. It sits next to the slot pools under the same parent, so the rights that
 * claim a slot (Pool.Allocate with propagate) take it too, and `<prefix>-lock-<twin>` never matches a slot's
 * `<prefix>-<n>`. Its comment names the holder; the holder renews it while it runs.
 */
export interface LockHolder {
  operation: string;
  host: string;
  pid: number;
  /** The GitHub run (`<run id>/<attempt>`) when the holder runs in a workflow. */
  run?: string;
}

export interface LockRecord extends LockHolder {
  twin: string;
  /** When it was taken and when the holder last renewed it (ISO times). */
  since: string;
  renewed: string;
  /** Makes this holding unique: a lock broken and taken by another is never released by the first. */
  id: string;
}

export interface LockTiming {
  /** A lock not renewed for this long belongs to a holder that is gone: it may be broken, saying so. */
  staleAfterMs: number;
  renewEveryMs: number;
}

export interface TwinLock {
  poolId: string;
  record: LockRecord;
  /** Stops renewing and removes the pool, unless another holder broke it and holds it now. */
  release(): Promise<void>;
}

const COMMENT =
  /^aggrik8s-twin lock of (\S+) by (\S+) run (\S+) host (\S+) pid (\d+) since (\S+) renewed (\S+) id (\S+)$/;
const ATTEMPTS = 3;

export function lockPoolId(poolPrefix: string, twin: string): string {
  const id = `${poolPrefix}-lock-${twin}`;
  if (!POOL_ID_REGEX.test(id))
    throw new RangeError(`lock pool id ${id} does not match ${POOL_ID_REGEX.source}`);
  return id;
}

/** This process as a lock holder: host, pid and, inside a workflow, the GitHub run and its attempt. */
export function thisProcess(operation: string, env: NodeJS.ProcessEnv = process.env): LockHolder {
  const run = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}/${env.GITHUB_RUN_ATTEMPT ?? '1'}` : undefined;
  return { operation, host: hostname(), pid: process.pid, ...(run ? { run } : {}) };
}

export function lockComment(record: LockRecord): string {
  const { twin, operation, run, host, pid, since, renewed, id } = record;
  return `aggrik8s-twin lock of ${twin} by ${operation} run ${run ?? '-'} host ${host} pid ${pid} since ${since} renewed ${renewed} id ${id}`;
}

export function parseLockComment(comment: string | undefined): LockRecord | undefined {
  const m = COMMENT.exec(comment ?? '');
  if (!m) return undefined;
  return {
    twin: m[1]!,
    operation: m[2]!,
    ...(m[3] === '-' ? {} : { run: m[3]! }),
    host: m[4]!,
    pid: Number(m[5]),
    since: m[6]!,
    renewed: m[7]!,
    id: m[8]!,
  };
}

/** The lock as Proxmox holds it now, or undefined when nobody holds it. */
export async function readLock(
  client: PveClient,
  poolId: string,
): Promise<{ comment?: string; record?: LockRecord } | undefined> {
  const pools = await client.get<{ poolid: string; comment?: string }[]>('/pools');
  const pool = pools.find((one) => one.poolid === poolId);
  if (!pool) return undefined;
  const record = parseLockComment(pool.comment);
  return { ...(pool.comment !== undefined ? { comment: pool.comment } : {}), ...(record ? { record } : {}) };
}

export function describeHolder(record: LockRecord): string {
  const run = record.run ? `run ${record.run}, ` : '';
  return `${record.operation} (${run}host ${record.host}, pid ${record.pid}) since ${record.since}, last renewed ${record.renewed}`;
}

/**
 * Why a lock may be broken, or undefined when its holder may still be running: a holder on this host whose
 * process is gone (a killed run), or one that stopped renewing more than `staleAfterMs` ago.
 */
export function whyStale(record: LockRecord, now: Date, staleAfterMs: number): string | undefined {
  if (record.host === hostname() && !processAlive(record.pid))
    return `its holder, pid ${record.pid} on this host, is gone`;
  const renewed = Date.parse(record.renewed);
  if (Number.isNaN(renewed)) return undefined;
  const silentMs = now.getTime() - renewed;
  if (silentMs > staleAfterMs)
    return `it was not renewed for ${seconds(silentMs)} (more than ${seconds(staleAfterMs)})`;
  return undefined;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** Another operation holds the twin's lock: nothing was changed. */
export class TwinLockedError extends ConfigurationError {
  override name = 'TwinLockedError';
  constructor(
    readonly twin: string,
    readonly poolId: string,
    readonly holder: LockRecord | undefined,
    timing: LockTiming,
  ) {
    super(
      `twin ${twin} is locked, nothing was changed: ${holder ? describeHolder(holder) : `pool ${poolId} exists without a lock record`}. ` +
        'Another operation on this twin is under way; run again once it has ended. If you know that holder ' +
        `is gone, remove the lock: pvesh delete /pools --poolid ${poolId}` +
        (holder ? ` (it is broken by itself once not renewed for ${seconds(timing.staleAfterMs)})` : ''),
    );
  }
}

/**
 * Takes the twin's lock for `holder`: refused at once (TwinLockedError) while another holder may still run,
 * since GitHub's concurrency group already queues apply and destroy of one twin and the reaper takes the
 * twin on its next run; a stale lock is broken, saying why. Renewed every `renewEveryMs` until released.
 */
export async function acquireTwinLock(
  client: PveClient,
  opts: {
    poolPrefix: string;
    twin: string;
    holder: LockHolder;
    timing: LockTiming;
    log: (line: string) => void;
  },
): Promise<TwinLock> {
  const poolId = lockPoolId(opts.poolPrefix, opts.twin);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const since = new Date().toISOString();
    const record: LockRecord = {
      ...opts.holder,
      twin: opts.twin,
      since,
      renewed: since,
      id: randomBytes(6).toString('hex'),
    };
    try {
      await client.post('/pools', { poolid: poolId, comment: lockComment(record) });
      return heldLock(client, poolId, record, opts);
    } catch (error) {
      const held = await readLock(client, poolId);
      // The create went through but its answer was lost (a retried request): the lock is this run's.
      if (held?.record?.id === record.id) return heldLock(client, poolId, record, opts);
      if (!held) {
        if (attempt === ATTEMPTS) throw error; // not taken by anyone, so the create failed for its own reason
        continue; // released a moment ago: take it again
      }
      const stale = held.record && whyStale(held.record, new Date(), opts.timing.staleAfterMs);
      if (!stale) throw new TwinLockedError(opts.twin, poolId, held.record, opts.timing);
      // Only the holding judged stale goes: one another breaker took meanwhile is judged anew.
      if ((await readLock(client, poolId))?.record?.id !== held.record!.id) continue;
      opts.log(`breaking the lock of twin ${opts.twin} (${describeHolder(held.record!)}): ${stale}`);
      await client.delete('/pools', { poolid: poolId });
    }
  }
  throw new ConfigurationError(
    `could not take the lock of twin ${opts.twin} (pool ${poolId}): every attempt lost a race; run again`,
  );
}

function heldLock(
  client: PveClient,
  poolId: string,
  record: LockRecord,
  opts: { twin: string; timing: LockTiming; log: (line: string) => void },
): TwinLock {
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(async () => {
      const renewed = { ...record, renewed: new Date().toISOString() };
      try {
        const held = await readLock(client, poolId);
        if (held?.record?.id !== record.id) return; // broken by another: never overwrite its holding
        await client.put('/pools', { poolid: poolId, comment: lockComment(renewed) });
      } catch (error) {
        opts.log(`lock of twin ${opts.twin} not renewed this time: ${errorMessage(error)}`);
      }
    });
  }, opts.timing.renewEveryMs);
  timer.unref();
  return {
    poolId,
    record,
    release: async () => {
      clearInterval(timer);
      await renewing;
      const held = await readLock(client, poolId);
      if (held?.record?.id !== record.id) {
        opts.log(
          `lock of twin ${opts.twin} is no longer this run's (${held?.record ? describeHolder(held.record) : 'gone'}): left as it is`,
        );
        return;
      }
      await client.delete('/pools', { poolid: poolId });
    },
  };
}
