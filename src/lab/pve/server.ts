import { readBoundedBody } from '../http-body.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sleep } from '../clock.js';
import { errorMessage } from '../../errors.js';
import type { LabLogWriter } from '../lab-log.js';
import { PermissionDenied, checkDeclared } from './access/check.js';
import type { ApiResult, LabContext } from './handlers/context.js';
import { PveError } from './handlers/context.js';
import { HANDLERS } from './handlers/index.js';

export interface PveServerOptions {
  lab: LabContext;
  tls: { certPem: string; keyPem: string };
  /** The --lab-log: a line per request; the Authorization header and secret-looking parameters never reach it. */
  log?: LabLogWriter;
  /** The lab's own API under /lab/v1/ (behind the same token): method, path after the prefix, JSON body. */
  labApi?: (method: string, path: string, body: unknown) => Promise<unknown>;
}

const API_PREFIX = '/api2/json';
const LAB_PREFIX = '/lab/v1';
const MAX_BODY_BYTES = 1024 * 1024;
const SECRET_PARAM = /password|secret|token|key/i;

interface Reply {
  status: number;
  message?: string;
  body?: unknown;
}

/**
 * The PVE REST API over HTTPS (pveproxy as a client sees it): token authentication, routing and
 * parameter checks by the real API schema, PVE's envelope and error shapes, injected faults.
 */
export class PveApiServer {
  private readonly server: Server;
  private inFlight = 0;
  private lastRequest = 0;

  constructor(private readonly options: PveServerOptions) {
    this.server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
      void this.handle(req, res);
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((done, failed) => {
      this.server.once('error', failed);
      this.server.listen(port, '127.0.0.1', () => done((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    return new Promise((done) => {
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  lastRequestAt(): number {
    return this.lastRequest;
  }

  busy(): boolean {
    return this.inFlight > 0 || this.options.lab.tasks.running().length > 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { lab } = this.options;
    const started = lab.clock.now();
    this.inFlight++;
    this.lastRequest = started;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    let params: Record<string, string> = {};
    let reply: Reply | 'dropped';
    try {
      if (url.pathname.startsWith(`${LAB_PREFIX}/`) && this.options.labApi) {
        reply = await this.dispatchLab(req, method, url.pathname.slice(LAB_PREFIX.length));
      } else {
        params = await readParams(req, url);
        reply = await this.dispatch(req, method, url.pathname, params);
      }
    } catch (error) {
      reply = errorReply(error);
    }
    if (reply === 'dropped') {
      req.socket.destroy();
    } else {
      send(res, reply);
    }
    this.inFlight--;
    this.lastRequest = lab.clock.now(); // idle counts from the answer: a long request is activity throughout
    this.logRequest(
      method,
      url.pathname,
      params,
      reply === 'dropped' ? 0 : reply.status,
      lab.clock.now() - started,
    );
  }

  private async dispatch(
    req: IncomingMessage,
    method: string,
    pathname: string,
    params: Record<string, string>,
  ) {
    const { lab } = this.options;
    if (!pathname.startsWith(`${API_PREFIX}/`) && pathname !== API_PREFIX)
      return { status: 404, message: 'Not Found' };
    const relPath = pathname.slice(API_PREFIX.length) || '/';
    const user = this.authenticate(req.headers.authorization);
    if (user === undefined) {
      await sleep(lab.timing.ms(lab.timing.profile.seconds.unauthorizedDelay));
      return { status: 401, message: req.headers.authorization ? 'authentication failure' : 'No ticket' };
    }
    const decoded = relPath
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
    const route = lab.contract.route(method, decoded);
    const notImplemented = { status: 501, message: `Method '${method} ${relPath}' not implemented` };
    if (!route) return notImplemented;
    const { endpoint, pathParams } = route;
    const template = `${endpoint.method} ${endpoint.path}`;
    const handler = HANDLERS[template];
    if (!handler) return notImplemented;

    const fault = lab.faults.forRequest(method, endpoint.path);
    if (fault?.kind === 'drop') return 'dropped' as const;
    if (fault?.kind === 'error') return { status: fault.status, message: fault.message };

    // HTTPServer.pm rest_handler: allowtoken, then the declared permissions on the unvalidated
    // parameters, then the proxy to the node, then parameter validation and the handler.
    const all = { ...params, ...pathParams };
    if (!endpoint.allowtoken)
      throw new PveError(403, `URI '${relPath}' not available with API token, need proper ticket.`);
    checkDeclared(lab.state.access.model, user, endpoint.permissions, all);
    const node = pathParams.node;
    if (endpoint.proxyto && node !== undefined && !lab.state.node(node)) {
      return { status: 596, message: `no such cluster node '${node}'` };
    }
    const errors = lab.contract.verify(endpoint, all);
    if (Object.keys(errors).length > 0) throw new PveError(400, 'Parameter verification failed.', errors);

    const settled = lab.tasks.settle();
    try {
      const result: ApiResult = await handler(lab, { method, endpoint, params: all, user });
      return {
        status: 200,
        body: { data: result.data ?? null, ...(result.total !== undefined ? { total: result.total } : {}) },
      };
    } finally {
      if (settled || method !== 'GET') lab.state.save();
    }
  }

  /** The lab's own API: JSON in and out, the lab token required; its errors carry their status. */
  private async dispatchLab(req: IncomingMessage, method: string, path: string): Promise<Reply> {
    const { lab, labApi } = this.options;
    if (this.authenticate(req.headers.authorization) === undefined) {
      await sleep(lab.timing.ms(lab.timing.profile.seconds.unauthorizedDelay));
      return { status: 401, message: 'authentication failure' };
    }
    const body = await readBody(req);
    let json: unknown;
    try {
      json = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      return { status: 400, message: 'the lab API takes a JSON body' };
    }
    lab.tasks.settle();
    try {
      return { status: 200, body: await labApi!(method, path, json) };
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number') return { status, message: errorMessage(error) };
      throw error;
    } finally {
      lab.state.save();
    }
  }

  /**
   * `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`, checked against user.cfg and
   * priv/token.cfg; the token id is the caller of every permission check and the user tasks run as.
   */
  private authenticate(header: string | undefined): string | undefined {
    const match = /^PVEAPIToken=(\S+?)=(\S+)$/.exec(header ?? '');
    if (!match) return undefined;
    const [, id = '', secret = ''] = match;
    const { lab } = this.options;
    return lab.state.access.authenticate(id, secret, Math.floor(lab.clock.now() / 1000));
  }

  private logRequest(
    method: string,
    path: string,
    params: Record<string, string>,
    status: number,
    durationMs: number,
  ) {
    if (!this.options.log) return;
    const safe = Object.fromEntries(
      Object.entries(params).map(([key, value]) => [key, SECRET_PARAM.test(key) ? '***' : value]),
    );
    this.options.log({ method, path, params: safe, status, durationMs });
  }
}

function errorReply(error: unknown): Reply {
  if (error instanceof PermissionDenied) return errorReply(new PveError(403, error.message));
  if (error instanceof PveError) {
    return {
      status: error.status,
      message: error.message,
      body: { data: null, message: `${error.message}\n`, ...(error.errors ? { errors: error.errors } : {}) },
    };
  }
  // A bug in the lab, not a PVE answer: still an HTTP 500 with the text, so a client sees why.
  const message = errorMessage(error);
  console.error(`lab: internal error: ${error instanceof Error ? (error.stack ?? message) : message}`);
  return { status: 500, message, body: { data: null, message: `${message}\n` } };
}

/** The reason phrase must be one header-safe line. */
function reasonPhrase(message: string): string {
  return message.replace(/[\r\n]+/g, ' ').replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.body ?? { data: null, ...(reply.message ? { message: `${reply.message}\n` } : {}) };
  const text = JSON.stringify(body);
  res.writeHead(reply.status, reasonPhrase(reply.message ?? 'OK'), {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'max-age=0',
    Pragma: 'no-cache',
    Server: 'pve-api-daemon/3.0',
  });
  res.end(text);
}

/** Query parameters, then the body (form-encoded or JSON); a repeated key joins with NUL as in PVE. */
async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  const add = (key: string, value: string) => {
    params[key] = params[key] === undefined ? value : `${params[key]}\0${value}`;
  };
  for (const [key, value] of url.searchParams) add(key, value);
  const body = await readBody(req);
  if (body.length === 0) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(json ?? {})) {
      if (value === null || value === undefined) continue;
      add(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
    }
  } else {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) add(key, value);
  }
  return params;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return readBoundedBody(req, MAX_BODY_BYTES, () => new PveError(413, 'request too large'));
}
