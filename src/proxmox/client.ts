import { errorMessage } from '../errors.js';
import { KeyedLimiter } from '../util/limit.js';
import { retry } from '../util/retry.js';
import { sleep as realSleep } from '../util/sleep.js';
import type { PveConnection } from './connection.js';
import {
  PveApiError,
  PveProtocolError,
  isLockTimeout,
  isTransient,
  isWriteNotApplied,
  type HttpMethod,
} from './errors.js';
import { PveTransport, type PveLogger, type PveParams, type TransportResponse } from './transport.js';

export type { PveLogger, PveParams, PveParamValue } from './transport.js';

export interface RetryPolicy {
  /** Total tries per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface PveClientOptions {
  /** Requests in flight per PVE node (and for the cluster-wide paths together). */
  perNodeConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  logger?: PveLogger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  requestTimeoutMs?: number;
}

/** Waiting and telling the time, injectable so tests run without real delays; task polling uses it too. */
export interface Clock {
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface PveClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Of those, task status polls. */
  taskPolls: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1_000, maxDelayMs: 15_000 };
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_MS = 60_000;
const TASK_STATUS_PATH = /^\/nodes\/[^/]+\/tasks\/[^/]+\/status$/;
const NODE_PATH = /^\/nodes\/([^/]+)\//;

const defaultLogger: PveLogger = { debug: () => {}, warning: (message) => console.warn(message) };

/**
 * The PVE REST client: `{data}` in, typed data out, PveApiError on error statuses.
 *
 * Retries are bounded and jittered. Reads are repeated on transient failures and lock timeouts. Writes
 * are repeated only when they provably did not take effect (isWriteNotApplied): a lock timeout or
 * `VM is locked` refusal, a 502/503/595, or a connection that failed before the request got through.
 * A plain 500 is never retried for a write such as POST create: it is the handler's own `die`, a definite
 * answer that a repeat cannot change, and it may come after the handler already did part of the work (a
 * create can have reserved the VMID's config), so a repeat could act twice or bury the real error under
 * "VM 101 already exists".
 */
export class PveClient {
  readonly clock: Clock;
  private readonly transport: PveTransport;
  private readonly limiter: KeyedLimiter;
  private readonly logger: PveLogger;
  private readonly retryPolicy: RetryPolicy;
  private readonly random: () => number;
  private readonly requestTimeoutMs: number;
  private readonly counts: PveClientStats = { requests: 0, taskPolls: 0 };

  constructor(conn: PveConnection, opts: PveClientOptions = {}) {
    this.logger = opts.logger ?? defaultLogger;
    this.clock = { sleep: opts.sleep ?? realSleep, now: opts.now ?? Date.now };
    this.random = opts.random ?? Math.random;
    this.retryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.limiter = new KeyedLimiter(opts.perNodeConcurrency ?? DEFAULT_CONCURRENCY);
    this.transport = new PveTransport(conn, this.logger, this.requestTimeoutMs);
  }

  get<T>(path: string, params?: PveParams): Promise<T> {
    return this.call<T>('GET', path, params);
  }

  post<T>(path: string, params?: PveParams): Promise<T> {
    return this.call<T>('POST', path, params);
  }

  put<T>(path: string, params?: PveParams): Promise<T> {
    return this.call<T>('PUT', path, params);
  }

  delete<T>(path: string, params?: PveParams): Promise<T> {
    return this.call<T>('DELETE', path, params);
  }

  stats(): PveClientStats {
    return { ...this.counts };
  }

  /** Closes the keep-alive connections when done. Optional: idle ones do not keep the process alive. */
  close(): void {
    this.transport.close();
  }

  private async call<T>(method: HttpMethod, path: string, params: PveParams | undefined): Promise<T> {
    if (!path.startsWith('/'))
      throw new TypeError(`PVE paths start with '/' (below /api2/json), got '${path}'`);
    const { attempts } = this.retryPolicy;
    return retry(() => this.limiter.run(limiterKey(path), () => this.send<T>(method, path, params)), {
      ...this.retryPolicy,
      isRetryable: method === 'GET' ? (err) => isTransient(err) || isLockTimeout(err) : isWriteNotApplied,
      onRetry: (err, attempt, delayMs) =>
        this.logger.warning(
          `${errorMessage(err)}; trying again in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`,
        ),
      sleep: this.clock.sleep,
      random: this.random,
    });
  }

  private async send<T>(method: HttpMethod, path: string, params: PveParams | undefined): Promise<T> {
    this.counts.requests++;
    if (method === 'GET' && TASK_STATUS_PATH.test(path)) this.counts.taskPolls++;
    const started = this.clock.now();
    const response = await this.transport.request({ method, path, params, timeoutMs: this.requestTimeoutMs });
    this.logger.debug(`PVE ${method} ${path} -> ${response.status} in ${this.clock.now() - started} ms`);
    return unwrapEnvelope<T>(response, method, path);
  }
}

/** Requests for one node share a limit; everything not under /nodes/{node}/ shares the 'cluster' one. */
function limiterKey(path: string): string {
  return NODE_PATH.exec(path)?.[1] ?? 'cluster';
}

interface Envelope {
  data?: unknown;
  message?: unknown;
  errors?: unknown;
}

function unwrapEnvelope<T>(response: TransportResponse, method: HttpMethod, path: string): T {
  const envelope = parseBody(response.body);
  if (response.status >= 200 && response.status < 300) {
    if (!envelope || !('data' in envelope)) {
      throw new PveProtocolError(
        `PVE ${method} ${path} answered ${response.status} without a JSON {data} envelope`,
      );
    }
    return envelope.data as T;
  }
  throw new PveApiError({
    status: response.status,
    reason: response.reason,
    serverMessage: typeof envelope?.message === 'string' ? envelope.message : undefined,
    errors: parameterErrors(envelope?.errors),
    method,
    path,
  });
}

function parseBody(body: string): Envelope | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Envelope) : undefined;
  } catch {
    return undefined; // error replies from proxies in front of PVE need not be JSON
  }
}

function parameterErrors(errors: unknown): Record<string, string> | undefined {
  if (typeof errors !== 'object' || errors === null) return undefined;
  const entries = Object.entries(errors).map(([name, msg]) => [name, String(msg)] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
