import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { DopplerContract } from '../../../src/lab/doppler/contract.js';
import type { DopplerStandIn, DopplerStandInOptions } from '../../../src/lab/doppler/server.js';
import { startDopplerStandIn } from '../../../src/lab/doppler/server.js';
import type { CertificateAndKey } from '../../../src/util/x509.js';
import { createCertificateAuthority } from '../../../src/util/x509.js';

export interface DopplerResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body, checked field by field in tests
  body: any;
}

let ca: Promise<CertificateAndKey> | undefined;

/** One lab CA per test file, as the lab has one per dir. */
export function labCa(): Promise<CertificateAndKey> {
  ca ??= createCertificateAuthority('twin lab test CA');
  return ca;
}

/**
 * A small Doppler API client for tests: node:https with the lab CA pinned (no insecure TLS), Bearer
 * token, JSON bodies.
 */
export class DopplerClient {
  constructor(
    private readonly standIn: DopplerStandIn,
    private readonly caPem: string,
    /** null: send no Authorization header. */
    readonly token: string | null = standIn.serviceAccountToken,
  ) {}

  as(token: string | null): DopplerClient {
    return new DopplerClient(this.standIn, this.caPem, token);
  }

  call(
    method: string,
    path: string,
    opts: { query?: Record<string, string>; body?: unknown; authorization?: string } = {},
  ): Promise<DopplerResponse> {
    const query = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
    const authorization = opts.authorization ?? (this.token ? `Bearer ${this.token}` : undefined);
    const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    return new Promise((done, failed) => {
      const req = request(`${this.standIn.url}${path}${query}`, {
        method,
        ca: this.caPem,
        headers: {
          Accept: 'application/json',
          ...(authorization ? { Authorization: authorization } : {}),
          // Node sends a DELETE's body only with its length given.
          ...(text !== undefined
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }
            : {}),
        },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          done({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: raw ? JSON.parse(raw) : undefined,
          });
        });
      });
      req.on('error', failed);
      req.end(text);
    });
  }

  // The operations, as the product would call them.
  listSecrets(project: string, config: string) {
    return this.call('GET', '/v3/configs/config/secrets', { query: { project, config } });
  }

  setSecrets(project: string, config: string, secrets: Record<string, string>) {
    return this.call('POST', '/v3/configs/config/secrets', { body: { project, config, secrets } });
  }

  changeSecrets(project: string, config: string, changeRequests: Record<string, unknown>[]) {
    return this.call('POST', '/v3/configs/config/secrets', {
      body: { project, config, change_requests: changeRequests },
    });
  }

  createConfig(project: string, environment: string, name: string) {
    return this.call('POST', '/v3/configs', { body: { project, environment, name } });
  }

  deleteConfig(project: string, config: string) {
    return this.call('DELETE', '/v3/configs/config', { query: { project, config } });
  }
}

export interface Started {
  standIn: DopplerStandIn;
  client: DopplerClient;
  dir: string;
}

/**
 * Starts stand-ins for a test file; after each test every exchange they saw is held against
 * contracts/doppler-api-subset.json, then they are closed and their dirs removed.
 */
export function useDopplerStandIns(): (opts?: Partial<DopplerStandInOptions>) => Promise<Started> {
  const running: DopplerStandIn[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    const contract = DopplerContract.load();
    const violations = running.flatMap((standIn) => standIn.requests().flatMap((one) => contract.check(one)));
    await Promise.all(running.splice(0).map((standIn) => standIn.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    expect(violations).toEqual([]);
  });
  return async (opts = {}) => {
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'doppler-lab-'));
    if (!opts.dir) dirs.push(dir);
    const authority = await labCa();
    const standIn = await startDopplerStandIn({ ...opts, dir, ca: opts.ca ?? authority });
    running.push(standIn);
    return { standIn, client: new DopplerClient(standIn, authority.certPem), dir };
  };
}

/** Doppler's error body (LIFECYCLE J.3). */
export function errorBody(text: RegExp | string) {
  return {
    messages: [typeof text === 'string' ? text : expect.stringMatching(text)],
    success: false,
  };
}
