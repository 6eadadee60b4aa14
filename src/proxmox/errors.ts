/**
 * What can go wrong talking to Proxmox VE, and the questions callers ask about it. No message here ever
 * carries the API token, request parameters (they can hold `cipassword`) or response bodies beyond PVE's
 * own error text.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** PVE answered with an error status (CONTRACTS A.1: the reason phrase is the message, the body may add more). */
export class PveApiError extends Error {
  override name = 'PveApiError';
  readonly status: number;
  /** The status line's reason phrase, which PVE sets to the error text. */
  readonly reason: string;
  /** The error text: the body's `message` if present, else the reason phrase. */
  readonly serverMessage: string;
  /** Per-parameter errors of a 400 "Parameter verification failed." */
  readonly errors?: Record<string, string>;
  readonly method: HttpMethod;
  readonly path: string;

  constructor(init: {
    status: number;
    reason: string;
    serverMessage?: string;
    errors?: Record<string, string>;
    method: HttpMethod;
    path: string;
  }) {
    const serverMessage = (init.serverMessage ?? '').trim() || init.reason.trim() || `HTTP ${init.status}`;
    super(describeApiError(init.method, init.path, init.status, serverMessage, init.errors));
    this.status = init.status;
    this.reason = init.reason;
    this.serverMessage = serverMessage;
    if (init.errors) this.errors = init.errors;
    this.method = init.method;
    this.path = init.path;
  }
}

function describeApiError(
  method: HttpMethod,
  path: string,
  status: number,
  serverMessage: string,
  errors: Record<string, string> | undefined,
): string {
  let text = `PVE ${method} ${path} failed with ${status}: ${serverMessage}`;
  const perParameter = Object.entries(errors ?? {}).map(([name, msg]) => `${name}: ${msg.trim()}`);
  if (perParameter.length > 0) text += ` (${perParameter.join('; ')})`;
  if (status === 401)
    text += ' - check the API token (USER@REALM!TOKENID=SECRET) and that it has not expired';
  if (PERMISSION_FAILURE.test(serverMessage)) text += ` - ${RIGHTS_HINT}`;
  return text;
}

/** The connection failed or broke before a complete response arrived. */
export class PveNetworkError extends Error {
  override name = 'PveNetworkError';
  /** Node's error code, e.g. ECONNREFUSED, ECONNRESET, ETIMEDOUT. */
  readonly code: string;
  /**
   * False when PVE provably never received the whole request (refused, name lookup failed, the request was
   * not fully written, or an idle keep-alive socket had already been closed by the server). Only then may a
   * write be repeated safely.
   */
  readonly requestMayHaveArrived: boolean;
  readonly method: HttpMethod;
  readonly path: string;

  constructor(init: {
    code: string;
    detail: string;
    requestMayHaveArrived: boolean;
    method: HttpMethod;
    path: string;
    /** What to check, for failures a person must fix (nothing listens, no route, no such host). */
    hint?: string;
  }) {
    super(
      `PVE ${init.method} ${init.path}: ${init.detail} (${init.code})${init.hint ? `: ${init.hint}` : ''}`,
    );
    this.code = init.code;
    this.requestMayHaveArrived = init.requestMayHaveArrived;
    this.method = init.method;
    this.path = init.path;
  }
}

/** PVE answered something the API contract rules out (not JSON, a malformed UPID). */
export class PveProtocolError extends Error {
  override name = 'PveProtocolError';
}

/** A PVE task ended with an error exit status (anything but `OK` or `WARNINGS: n`). */
export class PveTaskError extends Error {
  override name = 'PveTaskError';

  constructor(
    readonly upid: string,
    readonly exitstatus: string,
    /** The last lines of the task log, oldest first. */
    readonly log: string[],
  ) {
    const tail = log.slice(-LOG_LINES_IN_MESSAGE).map((line) => `\n  | ${line}`);
    // A right the token lacks that PVE checks inside the task (tags at create on qemu-server 9.2, the
    // storage in a resize): say it is about rights, not a transient failure.
    const hint = PERMISSION_FAILURE.test(exitstatus) ? ` - ${RIGHTS_HINT}` : '';
    super(`PVE task ${upid} failed: ${exitstatus}${hint}${tail.join('')}`);
  }
}

/** raise_perm_exc's text, as a 403 answer or stringified as `403 Permission check failed ...` in a task. */
const PERMISSION_FAILURE = /Permission check failed/;
const RIGHTS_HINT =
  'the API token lacks a right: run `twin doctor` for the missing privileges and the pveum commands that grant them (runner-setup/README.md)';

/** PVE refused for lack of rights (an HTTP 403, or a task that failed its own permission check). */
export function isPermissionFailure(err: unknown): boolean {
  return PERMISSION_FAILURE.test(pveErrorText(err) ?? '');
}

const LOG_LINES_IN_MESSAGE = 10;

/** A PVE task did not stop within the time the caller allowed; it may still be running. */
export class PveTaskTimeoutError extends Error {
  override name = 'PveTaskTimeoutError';

  constructor(
    readonly upid: string,
    readonly timeoutMs: number,
  ) {
    super(
      `PVE task ${upid} did not finish within ${Math.round(timeoutMs / 1000)} s; it may still be running`,
    );
  }
}

// `can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout` (A.5) and its cluster-filesystem
// sibling `cfs-lock 'storage-local' error: got lock request timeout`, which parallel creates hit on a shared storage.
const LOCK_TIMEOUT = /can't lock file '[^']*' - got timeout|cfs-lock '[^']*' error: got lock request timeout/;
const VM_LOCKED = /VM is locked \([^)]*\)/;
const CONFIG_DOES_NOT_EXIST = /Configuration file '[^']*' does not exist/;

/** PVE's error text, whether it came back from the HTTP call or as a task's exit status. */
function pveErrorText(err: unknown): string | undefined {
  if (err instanceof PveApiError) return err.serverMessage;
  if (err instanceof PveTaskError) return err.exitstatus;
  return undefined;
}

/** Another operation held the lock for too long; nothing was changed, so trying again later is safe. */
export function isLockTimeout(err: unknown): boolean {
  return isLockTimeoutText(pveErrorText(err) ?? '');
}

/** A task's exit status or an API error's message that says a lock timed out. */
export function isLockTimeoutText(text: string): boolean {
  return LOCK_TIMEOUT.test(text);
}

/** The VM carries a `lock:` (clone, create, ...) until its owning task ends; nothing was changed. */
export function isVmLocked(err: unknown): boolean {
  return VM_LOCKED.test(pveErrorText(err) ?? '');
}

/** The VM is gone (HTTP 500 from load_config); deleting it again counts as done. */
export function isDoesNotExist(err: unknown): boolean {
  return err instanceof PveApiError && err.status === 500 && CONFIG_DOES_NOT_EXIST.test(err.serverMessage);
}

/**
 * Statuses that come from the way to the handler rather than the handler: bad gateway, unavailable,
 * gateway timeout, and the 59x codes pveproxy passes on when proxying to another node fails
 * (AnyEvent::HTTP: 595 connecting, 596 sending/headers, 597 body, 599 other). A plain 500 is the
 * handler's own `die`, a definite answer, so it is not in this list.
 */
const TRANSIENT_STATUSES = new Set([502, 503, 504, 595, 596, 597, 599]);

/**
 * Statuses after which a write was not applied: 502/503 (a proxy in front could not reach or was refused
 * by pveproxy) and 595 (pveproxy could not connect to the VM's node). 504 and 596/597 are left out on
 * purpose: they mean the upstream took too long or broke mid-way, so the write may have happened.
 */
const NOT_DELIVERED_STATUSES = new Set([502, 503, 595]);

/** Worth asking again for a read: a transient status or a broken connection. */
export function isTransient(err: unknown): boolean {
  if (err instanceof PveNetworkError) return true;
  return err instanceof PveApiError && TRANSIENT_STATUSES.has(err.status);
}

/**
 * True when a write provably did not take effect: PVE refused it for a lock before changing anything, the
 * request did not reach the handler, or it never left this machine.
 */
export function isWriteNotApplied(err: unknown): boolean {
  if (isLockTimeout(err) || isVmLocked(err)) return true;
  if (err instanceof PveNetworkError) return !err.requestMayHaveArrived;
  return err instanceof PveApiError && NOT_DELIVERED_STATUSES.has(err.status);
}
