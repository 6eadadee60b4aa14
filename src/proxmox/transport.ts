import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ConfigurationError } from '../errors.js';
import type { PveConnection, PveTls } from './connection.js';
import { PveNetworkError, type HttpMethod } from './errors.js';

/** Where the client reports; `@actions/core` fits as is. Nothing secret is ever passed to it. */
export interface PveLogger {
  debug(message: string): void;
  warning(message: string): void;
}

export type PveParamValue = string | number | boolean | undefined;
/** Request parameters; `undefined` values are left out, booleans go as 1/0 (CONTRACTS Corrections). */
export type PveParams = Record<string, PveParamValue>;

export interface TransportRequest {
  method: HttpMethod;
  /** Below the API base, unencoded: `/nodes/pve1/tasks/UPID:pve1:...:/status`. */
  path: string;
  params?: PveParams;
  timeoutMs: number;
}

export interface TransportResponse {
  status: number;
  /** The status line's reason phrase, which PVE uses for its error text. */
  reason: string;
  body: string;
}

// PVE closes idle keep-alive connections on its own schedule; dropping ours sooner keeps a request from
// being written into a socket the server is closing (a write could not then be retried safely).
const IDLE_SOCKET_MS = 2_000;

/**
 * TLS-checking HTTPS to one PVE API endpoint with keep-alive connections. It speaks HTTP only: the
 * `{data}` envelope and PVE errors are the client's business.
 */
export class PveTransport {
  private readonly agent: https.Agent;
  private readonly authorization: string;

  constructor(
    private readonly conn: PveConnection,
    logger: PveLogger,
    connectTimeoutMs: number,
  ) {
    this.agent = createAgent(conn.tls, connectTimeoutMs);
    this.authorization = `PVEAPIToken=${conn.tokenId}=${conn.tokenSecret}`;
    if (conn.tls.mode === 'insecure') {
      logger.warning(
        `TLS certificate checks are OFF for ${conn.endpoint.origin} (insecure: true): anyone on the network path ` +
          `can read the API token. Use caFile or fingerprint outside throw-away test labs.`,
      );
    }
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    const hasBody = req.method === 'POST' || req.method === 'PUT';
    const form = encodeParams(req.params ?? {});
    const path = this.conn.endpoint.pathname + encodePath(req.path) + (!hasBody && form ? `?${form}` : '');
    const headers: Record<string, string | number> = {
      Authorization: this.authorization,
      Accept: 'application/json',
    };
    if (hasBody) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(form);
    }
    const target = {
      hostname: this.conn.endpoint.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals come bracketed
      port: this.conn.endpoint.port || 443,
      path,
      method: req.method,
      headers,
      agent: this.agent,
    };
    return new Promise((resolve, reject) => {
      let written = false;
      let responded = false;
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(this.describeFailure(err, req, { written, responded, reusedSocket: request.reusedSocket }));
      };
      const request = https.request(target, (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      const timer = setTimeout(() => request.destroy(new RequestTimeout(req.timeoutMs)), req.timeoutMs);
      request.on('finish', () => (written = true)); // the whole request has been handed to the socket
      request.on('error', fail);
      request.end(hasBody ? form : undefined);
    });
  }

  /** Closes every connection; for when the client is done (requests still in flight fail). */
  close(): void {
    this.agent.destroy();
  }

  private describeFailure(
    err: Error,
    req: TransportRequest,
    progress: { written: boolean; responded: boolean; reusedSocket: boolean },
  ): Error {
    if (err instanceof ConfigurationError) return err; // wrong fingerprint
    const code =
      (err as NodeJS.ErrnoException).code ?? (err instanceof RequestTimeout ? 'ETIMEDOUT' : 'EUNKNOWN');
    if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
      return new ConfigurationError(
        `the certificate of ${this.conn.endpoint.origin} is not trusted by the configured CA (${err.message}, ${code}): ` +
          `check that the CA given is the cluster CA (/etc/pve/pve-root-ca.pem) and that the endpoint's host name ` +
          `is one the certificate names`,
      );
    }
    // A reused keep-alive socket that the server had already closed never delivered the request.
    const staleSocket = progress.reusedSocket && !progress.responded && code === 'ECONNRESET';
    const host = this.conn.endpoint.host;
    return new PveNetworkError({
      code,
      detail: err.message.includes(host) ? err.message : `${err.message} (${host})`,
      requestMayHaveArrived: progress.written && !staleSocket,
      method: req.method,
      path: req.path,
      ...(UNREACHABLE_CODES.has(code)
        ? {
            hint:
              `check the endpoint ${this.conn.endpoint.origin} (host, and port 8006 unless PVE was moved) ` +
              'and that this runner can reach it (firewall, VPN, runner network)',
          }
        : {}),
    });
  }
}

class RequestTimeout extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
  }
}

/** Connection failures no retry mends: nothing listens there, no route, no such host. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function createAgent(trust: PveTls, connectTimeoutMs: number): https.Agent {
  const common = { keepAlive: true, timeout: IDLE_SOCKET_MS };
  switch (trust.mode) {
    case 'ca':
      return new https.Agent({ ...common, ca: trust.caPem });
    case 'fingerprint':
      return new FingerprintPinningAgent(trust.sha256, connectTimeoutMs, common);
    case 'insecure':
      return new https.Agent({ ...common, rejectUnauthorized: false });
  }
}

/**
 * Trusts exactly one server certificate, by SHA-256. The socket reaches the HTTP layer only after the
 * handshake and the comparison, so with a wrong certificate not one byte of the request (the token
 * header included) is sent.
 */
class FingerprintPinningAgent extends https.Agent {
  constructor(
    private readonly pinnedSha256: string,
    private readonly connectTimeoutMs: number,
    options: https.AgentOptions,
  ) {
    super({ ...options, rejectUnauthorized: false });
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    let settled = false;
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      if (err) socket.destroy();
      callback?.(err, socket);
    };
    socket.setTimeout(this.connectTimeoutMs, () => settle(new RequestTimeout(this.connectTimeoutMs)));
    socket.once('error', settle);
    socket.once('secureConnect', () => {
      const presented = socket.getPeerCertificate().fingerprint256;
      if (presented === this.pinnedSha256) return settle(null);
      settle(
        new ConfigurationError(
          `the PVE server at ${options.hostname ?? options.host}:${options.port} presented a certificate with ` +
            `SHA-256 fingerprint ${presented ?? '(none)'}, but fingerprint is set to ${this.pinnedSha256}: ` +
            `check the endpoint, or copy the fingerprint from Node > System > Certificates`,
        ),
      );
    });
    return undefined;
  }
}

/** RFC 3986 unreserved characters stay, everything else is percent-encoded (UPIDs carry ':' '@' '!'). */
function encodeStrictly(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Encodes each '/'-separated segment of a path. A volume id such as `local:import/talos.qcow2` keeps its
 * '/', which PVE accepts: the storage content handler takes the rest of the path as the volume.
 */
export function encodePath(path: string): string {
  return path.split('/').map(encodeStrictly).join('/');
}

export function encodeParams(params: PveParams): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    pairs.push(`${encodeStrictly(name)}=${encodeStrictly(wireValue(name, value))}`);
  }
  return pairs.join('&');
}

function wireValue(name: string, value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`PVE parameter ${name} must be a finite number, got ${value}`);
  }
  return String(value);
}
