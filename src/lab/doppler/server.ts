/**
 * The lab's Doppler stand-in: the operations of contracts/doppler-api-subset.json over HTTPS on
 * 127.0.0.1, with a certificate from the lab CA, Bearer-token authentication, Doppler's error body
 * and a per-token rate limit (LIFECYCLE section J).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../errors.js';
import type { CertificateAndKey } from '../../util/x509.js';
import { issueCertificate } from '../../util/x509.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { DopplerExchange } from './contract.js';
import { DopplerContract, checkQueryValue } from './contract.js';
import type { Answer, Caller } from './handlers.js';
import { HANDLERS } from './handlers.js';
import { RateLimiter } from './rate-limit.js';
import { readBoundedBody } from '../http-body.js';
import { DopplerError, SERVICE_TOKEN_PREFIX, newToken } from './rules.js';
import { DopplerState } from './state.js';

export type { DopplerExchange } from './contract.js';

export interface DopplerStandIn {
  /** https://127.0.0.1:<port> */
  url: string;
  /** The lab's project name. */
  project: string;
  /** Full access to that project. */
  serviceAccountToken: string;
  /** A service token for one existing config (read or read/write). */
  serviceToken(config: string, access: 'read' | 'read/write'): string;
  /** The requests seen, the newest 5000 (method, path, query, body parsed, status, response body parsed), for tests. */
  requests(): DopplerExchange[];
  /** The configs of the project that exist now. */
  configs(): string[];
  close(): Promise<void>;
}

export interface DopplerStandInOptions {
  /** Where the state (DIR/doppler-state.json) is kept; without it the stand-in lives in memory. */
  dir?: string;
  /** The lab CA that signs the stand-in's certificate (the PVE lab's DIR/pve-root-ca.pem and .key). */
  ca: CertificateAndKey;
  /** Requests per token per lab minute before 429; default 120 (LIFECYCLE J.3). */
  ratePerMinute?: number;
  /** The lab clock; default the system clock. */
  clock?: Clock;
  /** A lab minute is 60 s times this, as every lab duration is; default 1. */
  timeScale?: number;
  /** The lab's project, made with the state; default aggrik8s-twin. */
  project?: string;
  /** Its environments (each with its root config of the same name); default ci and prd. */
  environments?: string[];
  /** 0 (default) picks a free port. */
  port?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** Exchanges kept for tests: a lab served for days must not grow without bound. */
const EXCHANGES_KEPT = 5000;
const DEFAULT_RATE_PER_MINUTE = 120;
const BEARER = /^Bearer (\S+)$/;

export async function startDopplerStandIn(opts: DopplerStandInOptions): Promise<DopplerStandIn> {
  const clock = opts.clock ?? systemClock;
  const state = DopplerState.open(
    opts.dir,
    { project: opts.project ?? 'aggrik8s-twin', environments: opts.environments ?? ['ci', 'prd'] },
    clock.now(),
  );
  const contract = DopplerContract.load();
  const limiter = new RateLimiter(
    opts.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
    clock,
    60_000 * (opts.timeScale ?? 1),
  );
  const exchanges: DopplerExchange[] = [];
  const tls = await issueCertificate(opts.ca, {
    commonName: '127.0.0.1',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });

  const answer = (req: IncomingMessage, url: URL, body: unknown): Answer => {
    const caller = authenticate(state, req.headers.authorization);
    if (!caller) throw new DopplerError(401, 'Invalid or missing token: send Authorization: Bearer <token>');
    if (!limiter.admit(caller.token)) {
      // No Retry-After: Doppler sending one is UNCONFIRMED (LIFECYCLE J.3).
      throw new DopplerError(429, 'Too many requests: the rate limit of this token is spent for this minute');
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const operation = contract.find(method, url.pathname);
    const handler = operation && HANDLERS[operation.operationId];
    if (!operation || !handler)
      throw new DopplerError(404, `${method} ${url.pathname} is not a Doppler API operation`);
    const problems = operation.parameters.flatMap((param) => {
      const text = url.searchParams.get(param.name);
      const problem = param.in === 'query' && text !== null ? checkQueryValue(text, param.schema) : undefined;
      return problem ? [`${param.name}: ${problem}`] : [];
    });
    if (problems.length > 0) throw new DopplerError(400, problems.join('; '));
    const query = Object.fromEntries(url.searchParams);
    const result = handler(state, { caller: caller.caller, query, body, now: clock.now() });
    if (method !== 'GET') state.save();
    return result;
  };

  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      let body: unknown;
      let reply: Answer;
      try {
        body = await readJsonBody(req);
        reply = answer(req, url, body);
      } catch (error) {
        reply = errorAnswer(error);
      }
      exchanges.push({
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        status: reply.status,
        response: reply.body,
      });
      if (exchanges.length > EXCHANGES_KEPT) exchanges.splice(0, exchanges.length - EXCHANGES_KEPT);
      send(res, reply);
    })();
  });
  const port = await new Promise<number>((done, failed) => {
    server.once('error', failed);
    server.listen(opts.port ?? 0, '127.0.0.1', () => done((server.address() as AddressInfo).port));
  });

  return {
    url: `https://127.0.0.1:${port}`,
    project: state.data.labProject,
    serviceAccountToken: state.data.serviceAccountToken,
    serviceToken(config, access) {
      const project = state.data.labProject;
      const secret = newToken(SERVICE_TOKEN_PREFIX);
      state.addToken(secret, {
        kind: 'service-token',
        project,
        configId: state.config(project, config).id,
        access,
      });
      return secret;
    },
    requests: () => exchanges.map((exchange) => structuredClone(exchange)),
    configs() {
      const project = state.data.projects[state.data.labProject];
      return project ? Object.keys(project.configs).sort() : [];
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        state.save();
      }),
  };
}

/**
 * `Authorization: Bearer <token>` (Doppler's API reference, LIFECYCLE J.2; the older HTTP Basic form
 * is not served). A service token whose config was deleted no longer authenticates.
 */
function authenticate(
  state: DopplerState,
  header: string | undefined,
): { token: string; caller: Caller } | undefined {
  const token = BEARER.exec(header ?? '')?.[1];
  const record = token === undefined ? undefined : state.token(token);
  if (!token || !record) return undefined;
  if (record.kind === 'service-account') return { token, caller: { kind: 'service-account' } };
  const config = state.configById(record.project, record.configId);
  if (!config) return undefined;
  return { token, caller: { kind: 'service-token', project: record.project, config, access: record.access } };
}

function errorAnswer(error: unknown): Answer {
  if (error instanceof DopplerError) {
    return { status: error.status, body: { messages: [error.message], success: false } };
  }
  // A bug in the stand-in, not a Doppler answer: still Doppler's error shape, so clients see why.
  const message = errorMessage(error);
  console.error(
    `lab doppler: internal error: ${error instanceof Error ? (error.stack ?? message) : message}`,
  );
  return { status: 500, body: { messages: [message], success: false } };
}

function send(res: ServerResponse, reply: Answer): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The JSON body, undefined when there is none. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBoundedBody(
    req,
    MAX_BODY_BYTES,
    () => new DopplerError(413, 'request body too large'),
  );
  const text = body.toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new DopplerError(400, 'the request body is not valid JSON');
  }
}
