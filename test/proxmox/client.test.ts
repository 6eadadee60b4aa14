import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { PveClient, type PveClientOptions } from '../../src/proxmox/client.js';
import type { PveConnection } from '../../src/proxmox/connection.js';
import { PveApiError, PveNetworkError, PveProtocolError } from '../../src/proxmox/errors.js';
import { createCertificateAuthority, sha256Fingerprint } from '../../src/util/x509.js';
import { PveTestServer, TOKEN_ID, TOKEN_SECRET, fakeClock, recordingLogger } from './pve-test-server.js';

const UPID = 'UPID:pve1:0000C0DE:0001B207:65F1A2B3:qmcreate:101:ci@pve!gha:';

let server: PveTestServer;
const clients: PveClient[] = [];

beforeAll(async () => {
  server = await PveTestServer.start();
});
afterAll(() => server.close());
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  server.requests.length = 0;
  server.connections = 0;
  server.handler = () => ({ json: { data: null } });
});

function clientFor(conn: PveConnection, opts: PveClientOptions = {}): PveClient {
  const clock = fakeClock();
  const defaults = { sleep: clock.sleep, now: clock.now, random: () => 0.5, logger: recordingLogger() };
  const client = new PveClient(conn, { ...defaults, ...opts });
  clients.push(client);
  return client;
}

describe('PveClient requests', () => {
  it('authenticates with the PVEAPIToken header and unwraps {data}', async () => {
    server.handler = () => ({ json: { data: { version: '9.1.3', release: '9.1' } } });
    const client = clientFor(server.connection());
    await expect(client.get('/version')).resolves.toEqual({ version: '9.1.3', release: '9.1' });
    expect(server.requests[0]?.headers.authorization).toBe(`PVEAPIToken=${TOKEN_ID}=${TOKEN_SECRET}`);
    expect(server.requests[0]?.url).toBe('/api2/json/version');
  });

  it('sends GET/DELETE parameters as a query and POST/PUT parameters as a form, booleans as 1/0', async () => {
    const client = clientFor(server.connection());
    await client.get('/cluster/resources', { type: 'vm', full: true, skip: undefined });
    await client.post('/nodes/pve1/qemu', { vmid: 101, start: false, tags: 'talos;cp', name: 'a b' });
    await client.delete('/pools', { poolid: 'twin-pr-7' });
    const [get, post, del] = server.requests;
    expect(get?.url).toBe('/api2/json/cluster/resources?type=vm&full=1');
    expect(get?.body).toBe('');
    expect(post?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(post?.body))).toEqual({
      vmid: '101',
      start: '0',
      tags: 'talos;cp',
      name: 'a b',
    });
    expect(del?.query.get('poolid')).toBe('twin-pr-7');
  });

  it('percent-encodes each path segment, so a UPID arrives intact', async () => {
    server.handler = () => ({ json: { data: { status: 'running' } } });
    const client = clientFor(server.connection());
    await client.get(`/nodes/pve1/tasks/${UPID}/status`);
    expect(server.requests[0]?.url).toBe(
      '/api2/json/nodes/pve1/tasks/UPID%3Apve1%3A0000C0DE%3A0001B207%3A65F1A2B3%3Aqmcreate%3A101%3Aci%40pve%21gha%3A/status',
    );
    expect(server.requests[0]?.path).toBe(`/nodes/pve1/tasks/${UPID}/status`);
  });

  it('turns an error status into PveApiError with reason, body message and per-parameter errors', async () => {
    server.handler = () => ({
      status: 400,
      reason: 'Parameter verification failed.',
      json: { data: null, errors: { name: 'invalid format - value does not look like a valid DNS name' } },
    });
    const client = clientFor(server.connection());
    const err = await client
      .post('/nodes/pve1/qemu', { vmid: 101, name: 'bad_name' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveApiError);
    expect(err).toMatchObject({
      status: 400,
      reason: 'Parameter verification failed.',
      serverMessage: 'Parameter verification failed.',
      errors: { name: 'invalid format - value does not look like a valid DNS name' },
      method: 'POST',
      path: '/nodes/pve1/qemu',
    });
    expect((err as Error).message).toContain('name: invalid format');
    expect((err as Error).message).not.toContain(TOKEN_SECRET);
    expect(server.requests).toHaveLength(1); // a 400 is never repeated
  });

  it('prefers the JSON body message over the reason phrase', async () => {
    server.handler = () => ({
      status: 500,
      reason: 'Internal',
      json: { data: null, message: 'VM 101 is running - destroy failed\n' },
    });
    const client = clientFor(server.connection());
    await expect(client.delete('/nodes/pve1/qemu/101')).rejects.toMatchObject({
      serverMessage: 'VM 101 is running - destroy failed',
      reason: 'Internal',
    });
  });

  it('refuses a path that is not below the API base', async () => {
    const client = clientFor(server.connection());
    await expect(client.get('nodes')).rejects.toThrow(/start with '\/'/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a 2xx reply that is not a {data} envelope', async () => {
    server.handler = () => ({ raw: '<html>proxy</html>' });
    const client = clientFor(server.connection());
    await expect(client.get('/version')).rejects.toBeInstanceOf(PveProtocolError);
  });

  it('counts requests, task polls apart', async () => {
    server.handler = () => ({ json: { data: { status: 'running' } } });
    const client = clientFor(server.connection());
    await client.get('/nodes');
    await client.get(`/nodes/pve1/tasks/${UPID}/status`);
    await client.get(`/nodes/pve1/tasks/${UPID}/status`);
    expect(client.stats()).toEqual({ requests: 3, taskPolls: 2 });
  });
});

describe('PveClient TLS trust', () => {
  it('accepts the server when caPem is the CA that signed it', async () => {
    const client = clientFor(server.connection({ caPem: server.ca.certPem }));
    await expect(client.get('/version')).resolves.toBeNull();
  });

  it('refuses a server signed by another CA, before any request is sent', async () => {
    const otherCa = await createCertificateAuthority('Some Other CA', 1);
    const client = clientFor(server.connection({ caPem: otherCa.certPem }));
    const err = await client.get('/version').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(/not trusted by the configured CA/);
    expect(server.requests).toHaveLength(0);
  });

  it('accepts the server whose certificate matches the fingerprint pin (any case, with or without colons)', async () => {
    const pin = sha256Fingerprint(server.serverCert.certPem).replaceAll(':', '').toLowerCase();
    const client = clientFor(server.connection({ fingerprint: pin }));
    await expect(client.get('/version')).resolves.toBeNull();
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a wrong fingerprint naming both, and the server never receives the request', async () => {
    const actual = sha256Fingerprint(server.serverCert.certPem);
    const wrong = sha256Fingerprint(server.ca.certPem);
    const client = clientFor(server.connection({ fingerprint: wrong }));
    const err = await client.get('/version').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toContain(actual);
    expect((err as Error).message).toContain(wrong);
    expect((err as Error).message).not.toContain(TOKEN_SECRET);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let anything sent reach the server
    expect(server.connections).toBeGreaterThan(0); // it did connect ...
    expect(server.requests).toHaveLength(0); // ... but sent nothing
  });

  it('warns once, loudly, when certificate checks are off', async () => {
    const logger = recordingLogger();
    const client = clientFor(server.connection({ insecure: true }), { logger });
    await client.get('/version');
    await client.get('/version');
    const warnings = logger.lines.filter((line) => line.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/TLS certificate checks are OFF/);
    expect(logger.lines.join('\n')).not.toContain(TOKEN_SECRET);
  });
});

describe('PveClient retries', () => {
  it('repeats a GET on 503 a bounded number of times with jittered backoff, then throws the PveApiError', async () => {
    server.handler = () => ({
      status: 503,
      reason: 'Service Unavailable',
      json: { data: null, message: 'too many connections', errors: { node: 'busy' } },
    });
    const clock = fakeClock();
    const client = clientFor(server.connection(), {
      sleep: clock.sleep,
      retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 },
      random: () => 0.5,
    });
    const err = await client.get('/nodes/pve1/status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveApiError);
    expect(err).toMatchObject({ status: 503, reason: 'Service Unavailable', errors: { node: 'busy' } });
    expect(server.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([500, 1000, 1500]); // half of min(3000, 1000 * 2^n)
  });

  it('does not repeat a POST create on a plain 500', async () => {
    server.handler = () => ({ status: 500, reason: 'unable to create VM 101 - storage full' });
    const client = clientFor(server.connection());
    await expect(client.post('/nodes/pve1/qemu', { vmid: 101 })).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a POST create refused by a lock timeout, and succeeds', async () => {
    const lockError = "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout";
    server.handler = () =>
      server.requests.length === 1
        ? { status: 500, reason: lockError }
        : { json: { data: 'UPID:pve1:00000001:00000002:00000003:qmcreate:101:ci@pve!gha:' } };
    const logger = recordingLogger();
    const client = clientFor(server.connection(), { logger });
    await expect(client.post('/nodes/pve1/qemu', { vmid: 101 })).resolves.toMatch(/^UPID:/);
    expect(server.requests).toHaveLength(2);
    expect(logger.lines.some((line) => line.includes('got timeout') && line.includes('trying again'))).toBe(
      true,
    );
  });

  it('repeats a write when the connection is refused (nothing was sent)', async () => {
    const closed = await PveTestServer.start();
    const conn = closed.connection();
    await closed.close();
    const client = clientFor(conn, { retry: { attempts: 3 } });
    const err = await client.post('/pools', { poolid: 'twin-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveNetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', requestMayHaveArrived: false });
    expect(client.stats().requests).toBe(3);
  });

  it('does not repeat a write whose connection broke after the request was sent', async () => {
    server.handler = () => 'reset';
    const client = clientFor(server.connection());
    const err = await client.post('/nodes/pve1/qemu', { vmid: 101 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveNetworkError);
    expect(err).toMatchObject({ requestMayHaveArrived: true });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on a request that gets no answer within requestTimeoutMs', async () => {
    server.handler = () => 'hang';
    const client = clientFor(server.connection(), { requestTimeoutMs: 150, retry: { attempts: 2 } });
    await expect(client.get('/version')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(server.requests).toHaveLength(2); // a read is repeated after a timeout
  });
});

describe('PveClient concurrency', () => {
  it('keeps at most perNodeConcurrency requests in flight per node, nodes independent of each other', async () => {
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    let peakOverall = 0;
    server.handler = async (req) => {
      const key = req.path.split('/')[2] ?? 'cluster';
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      peak.set(key, Math.max(peak.get(key) ?? 0, inFlight.get(key) ?? 0));
      peakOverall = Math.max(
        peakOverall,
        [...inFlight.values()].reduce((a, b) => a + b, 0),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      return { json: { data: null } };
    };
    const client = clientFor(server.connection(), { perNodeConcurrency: 2 });
    const calls = ['pve1', 'pve2'].flatMap((node) =>
      Array.from({ length: 6 }, (_, i) => client.get(`/nodes/${node}/qemu/${100 + i}/status/current`)),
    );
    await Promise.all(calls);
    expect(peak.get('pve1')).toBeLessThanOrEqual(2);
    expect(peak.get('pve2')).toBeLessThanOrEqual(2);
    expect(peakOverall).toBeGreaterThan(2); // so the limit is per node, not global
  });
});
