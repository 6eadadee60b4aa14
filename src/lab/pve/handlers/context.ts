import type { Clock } from '../../clock.js';
import type { FaultInjector } from '../../faults.js';
import type { Timing } from '../../profile.js';
import type { ContractEndpoint, PveContract } from '../contract.js';
import type { LockTable } from '../locks.js';
import type { LabState } from '../state.js';
import type { TaskScheduler } from '../tasks.js';

/** What every handler works with. */
export interface LabContext {
  state: LabState;
  tasks: TaskScheduler;
  locks: LockTable;
  timing: Timing;
  faults: FaultInjector;
  clock: Clock;
  contract: PveContract;
  /** SHA-256 fingerprint of the API certificate, as GET /nodes reports it. */
  fingerprint: string;
  /** The qemu-server release whose create handler the lab keeps (P.6.1). */
  qemuServer: QemuServerRelease;
}

export type QemuServerRelease = '9.1' | '9.2';

export interface ApiRequest {
  method: string;
  endpoint: ContractEndpoint;
  /** Path, query and body parameters, all strings, already verified against the contract. */
  params: Record<string, string>;
  /** The authenticated token, e.g. `twin@pve!gha`: the caller of every check and the UPID user field. */
  user: string;
}

export interface ApiResult {
  data: unknown;
  /** PVE adds `total` beside `data` for paged lists (task logs). */
  total?: number;
}

export type Handler = (lab: LabContext, req: ApiRequest) => ApiResult | Promise<ApiResult>;

/** Handlers by `METHOD /path/template`. */
export type HandlerTable = Record<string, Handler>;

/**
 * An API error: the status, PVE's message (the status line's reason phrase and the body's
 * `message`) and, for parameter errors, the per-parameter map.
 */
export class PveError extends Error {
  override name = 'PveError';
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message.replace(/\n+$/, ''));
  }
}

/** A `die` in a PVE handler: HTTP 500 with the die text. */
export function fail(message: string): never {
  throw new PveError(500, message);
}

/** PVE::Exception::raise_param_exc. */
export function paramError(errors: Record<string, string>): never {
  throw new PveError(400, 'Parameter verification failed.', errors);
}

/** PVE::Exception::raise_perm_exc. */
export function permissionError(what: string): never {
  throw new PveError(403, `Permission check failed (${what})`);
}

export function ok(data: unknown): ApiResult {
  return { data };
}

/** An integer parameter (the contract already checked its syntax). */
export function intParam(params: Record<string, string>, key: string): number | undefined {
  const value = params[key];
  return value === undefined ? undefined : Number(value);
}

export function requireInt(params: Record<string, string>, key: string): number {
  const value = intParam(params, key);
  if (value === undefined) paramError({ [key]: 'property is missing and it is not optional' });
  return value;
}

export function requireString(params: Record<string, string>, key: string): string {
  const value = params[key];
  if (value === undefined) paramError({ [key]: 'property is missing and it is not optional' });
  return value;
}

/** A boolean parameter as PVE reads it after verification (1/0). */
export function boolParam(params: Record<string, string>, key: string, fallback = false): boolean {
  const value = params[key];
  if (value === undefined) return fallback;
  return /^(1|on|yes|true)$/i.test(value);
}

/** Only root@pam may pass these; the lab's API token never is root. */
export function refuseRootOnly(req: ApiRequest, keys: string[]): void {
  for (const key of keys) {
    const value = req.params[key];
    // Perl truthiness, as in `raise_param_exc(...) if $value && $authuser ne 'root@pam'`.
    if (value !== undefined && value !== '' && value !== '0')
      paramError({ [key]: 'Only root may use this option.' });
  }
}
