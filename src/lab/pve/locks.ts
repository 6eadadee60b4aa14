/**
 * PVE's flock-based locks on a timeline. A VM's config lock is the file
 * `/var/lock/qemu-server/lock-<vmid>.conf` (QemuConfig::config_file_lock); allocations on a
 * local storage hold `/var/lock/pve-manager/pve-storage-<id>` (Plugin::cluster_lock_storage).
 * Lock holders in the lab are tasks whose durations are known when they start, so a lock is a
 * list of reservations: a request is granted when the earlier reservations end, or fails with
 * PVE's "got timeout" error when that is further away than the caller's timeout. Waiters are
 * served in order (a fair lock), shared holders only wait for exclusive ones.
 */
export interface LockReservation {
  holder: string;
  mode: 'exclusive' | 'shared';
  from: number;
  until: number;
}

/** Reservations by `node:path`; persisted with the lab state. */
export type LockTableData = Record<string, LockReservation[]>;

export interface LockRequest {
  /** Lock files are per node: the node whose /var/lock holds the file. */
  node: string;
  path: string;
  mode: 'exclusive' | 'shared';
  /** When the caller asks for the lock (ms). */
  at: number;
  timeoutMs: number;
  /** How long the holder keeps it; may be extended later with `holdUntil`. */
  holdMs: number;
  holder: string;
}

export type LockOutcome =
  { ok: true; grantedAt: number; until: number } | { ok: false; failedAt: number; message: string };

function lockKey(node: string, path: string): string {
  return `${node}:${path}`;
}

export function configLockPath(vmid: number): string {
  return `/var/lock/qemu-server/lock-${vmid}.conf`;
}

export function storageLockPath(storeid: string): string {
  return `/var/lock/pve-manager/pve-storage-${storeid}`;
}

/** PVE::Tools::lock_file_full's error when run_with_timeout gives up. */
export function lockTimeoutMessage(path: string): string {
  return `can't lock file '${path}' - got timeout`;
}

export class LockTable {
  constructor(private readonly data: LockTableData) {}

  request(req: LockRequest): LockOutcome {
    const key = lockKey(req.node, req.path);
    const grantedAt = Math.max(req.at, this.freeAt(key, req.mode, req.at));
    if (grantedAt - req.at > req.timeoutMs) {
      return { ok: false, failedAt: req.at + req.timeoutMs, message: lockTimeoutMessage(req.path) };
    }
    const until = grantedAt + req.holdMs;
    const list = (this.data[key] ??= []);
    list.push({ holder: req.holder, mode: req.mode, from: grantedAt, until });
    return { ok: true, grantedAt, until };
  }

  /** Moves the end of `holder`'s reservations on a lock (a task knows its end only after planning). */
  holdUntil(node: string, path: string, holder: string, until: number): void {
    for (const reservation of this.data[lockKey(node, path)] ?? []) {
      if (reservation.holder === holder) reservation.until = Math.max(reservation.from, until);
    }
  }

  /** Keeps every lock `holder` holds until `from` held until `to` instead (a stalled task). */
  extendHeld(holder: string, from: number, to: number): void {
    for (const list of Object.values(this.data)) {
      for (const reservation of list) {
        if (reservation.holder === holder && reservation.until === from) reservation.until = to;
      }
    }
  }

  /** Ends every reservation of `holder` at `at`, e.g. a task aborted before its planned end. */
  release(holder: string, at: number): void {
    for (const list of Object.values(this.data)) {
      for (const reservation of list) {
        if (reservation.holder === holder && reservation.until > at)
          reservation.until = Math.max(reservation.from, at);
      }
    }
  }

  private freeAt(key: string, mode: 'exclusive' | 'shared', at: number): number {
    let free = at;
    for (const reservation of this.data[key] ?? []) {
      if (reservation.until <= at) continue;
      if (mode === 'shared' && reservation.mode === 'shared') continue;
      free = Math.max(free, reservation.until);
    }
    return free;
  }

  /** Forgets reservations that ended before `now`. */
  prune(now: number): void {
    for (const [key, list] of Object.entries(this.data)) {
      const live = list.filter((reservation) => reservation.until > now);
      if (live.length > 0) this.data[key] = live;
      else delete this.data[key];
    }
  }
}
