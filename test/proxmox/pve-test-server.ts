import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/util/x509.js';
import { parsePveConnection, type PveConnection } from '../../src/proxmox/connection.js';

/** What the server saw of one request, path decoded the way PVE decodes it. */
export interface SeenRequest {
  method: string;
  /** The raw request target, as sent. */
  url: string;
  /** Decoded path below /api2/json. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Reply = { status?: number; reason?: string; json?: unknown; raw?: string } | 'reset' | 'hang';
export type Handler = (req: SeenRequest) => Reply | Promise<Reply>;

export const TOKEN_ID = 'ci@pve!gha';
export const TOKEN_SECRET = '5f0c3c1e-9d2b-4a77-b1f1-0123456789ab';

/** A small HTTPS stand-in for pveproxy: scripted replies, every request recorded. */
export class PveTestServer {
  readonly requests: SeenRequest[] = [];
  /** TCP connections accepted, so "zero requests" can be told apart from "never connected". */
  connections = 0;
  handler: Handler = () => ({ json: { data: null } });

  private constructor(
    private readonly server: https.Server,
    readonly ca: CertificateAndKey,
    readonly serverCert: CertificateAndKey,
  ) {}

  static async start(): Promise<PveTestServer> {
    const ca = await createCertificateAuthority('PVE Cluster Test CA', 1);
    const serverCert = await issueCertificate(ca, {
      commonName: 'pve1',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      days: 1,
    });
    const server = https.createServer({ cert: serverCert.certPem, key: serverCert.keyPem });
    const instance = new PveTestServer(server, ca, serverCert);
    server.on('connection', () => instance.connections++);
    server.on('request', (req, res) => void instance.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  connection(tls: { caPem?: string; fingerprint?: string; insecure?: boolean } = {}): PveConnection {
    const trust = Object.keys(tls).length > 0 ? tls : { caPem: this.ca.certPem };
    return parsePveConnection({ endpoint: this.endpoint, token: `${TOKEN_ID}=${TOKEN_SECRET}`, ...trust });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'https://pve.invalid');
    const seen: SeenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      path: decodeURIComponent(url.pathname.replace(/^\/api2\/json/, '')),
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(seen);
    const reply = await this.handler(seen);
    if (reply === 'reset') return void req.socket.destroy();
    if (reply === 'hang') return;
    const body = reply.raw ?? JSON.stringify(reply.json ?? { data: null });
    res.writeHead(reply.status ?? 200, reply.reason ?? 'OK', {
      'Content-Type': 'application/json;charset=UTF-8',
    });
    res.end(body);
  }
}

/** A clock whose sleeps return at once and move time forward, recording what was asked for. */
export function fakeClock(): { sleep: (ms: number) => Promise<void>; now: () => number; sleeps: number[] } {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

export function recordingLogger(): {
  debug: (m: string) => void;
  warning: (m: string) => void;
  lines: string[];
} {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(`debug: ${m}`), warning: (m) => lines.push(`warning: ${m}`) };
}
