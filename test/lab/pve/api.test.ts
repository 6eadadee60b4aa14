import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestLab } from './helpers.js';
import { TEST_TIME_SCALE, startTestLab } from './helpers.js';

let t: TestLab;
let logFile: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twin-lab-'));
  logFile = join(dir, 'requests.jsonl');
  t = await startTestLab({ logFile }, dir);
});
afterAll(async () => {
  await t.stop();
  rmSync(t.dir, { recursive: true, force: true });
});

describe('transport and authentication', () => {
  it('answers 401 to a wrong or missing token, after the scaled 3 s delay', async () => {
    const started = Date.now();
    const wrong = await t.root.withToken(`${t.lab.tokenId}=not-the-secret`).get('/version');
    expect(wrong.status).toBe(401);
    expect(wrong.statusMessage).toBe('authentication failure');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000 * TEST_TIME_SCALE);
    const missing = await t.root.withToken('').get('/version');
    expect(missing.status).toBe(401);
  });

  it('wraps answers in {data} and reports the PVE version', async () => {
    const res = await t.root.get('/version');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ release: '9.1' });
  });

  it("answers an unknown path with 501 Method '... not implemented'", async () => {
    const res = await t.root.get('/x');
    expect(res.status).toBe(501);
    expect(res.statusMessage).toBe("Method 'GET /x' not implemented");
    expect(res.body).toEqual({ data: null, message: "Method 'GET /x' not implemented\n" });
    expect((await t.root.post('/version')).status).toBe(501);
  });

  it('answers 596 for a node that is not in the cluster', async () => {
    const res = await t.root.get('/nodes/pve9/status');
    expect(res.status).toBe(596);
    expect(res.statusMessage).toBe("no such cluster node 'pve9'");
  });
});

describe('parameter verification', () => {
  const create = (params: Record<string, string | number>) => t.root.post('/nodes/pve1/qemu', params);

  it('gives 400 with the per-parameter errors: a name with an underscore', async () => {
    const res = await create({ vmid: 150, name: 'bad_name' });
    expect(res.status).toBe(400);
    expect(res.statusMessage).toBe('Parameter verification failed.');
    expect(res.body.data).toBeNull();
    expect(res.body.message).toBe('Parameter verification failed.\n');
    expect(Object.keys(res.body.errors)).toEqual(['name']);
  });

  it('a tag with a colon, an unknown parameter and a missing vmid', async () => {
    expect(Object.keys((await create({ vmid: 150, tags: 'owner:me' })).body.errors)).toEqual(['tags']);
    expect(Object.keys((await create({ vmid: 150, colour: 'red' })).body.errors)).toEqual(['colour']);
    const missing = await create({ name: 'ok' });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.errors)).toEqual(['vmid']);
  });
});

describe('cluster endpoints', () => {
  it('lists the three nodes with the certificate fingerprint', async () => {
    const nodes = await t.root.data('GET', '/nodes');
    expect(nodes.map((node: { node: string }) => node.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(nodes[0]).toMatchObject({
      status: 'online',
      maxmem: 64 * 1024 ** 3,
      ssl_fingerprint: t.lab.fingerprint,
    });
  });

  it('reports node memory in bytes', async () => {
    const status = await t.root.data('GET', '/nodes/pve2/status');
    expect(status.memory.total).toBe(64 * 1024 ** 3);
    expect(status.memory.used + status.memory.free).toBe(status.memory.total);
  });

  it('lists storages per node in /cluster/resources', async () => {
    const storages = await t.root.data('GET', '/cluster/resources', { type: 'storage' });
    expect(storages).toHaveLength(6);
    expect(storages).toContainEqual(
      expect.objectContaining({
        id: 'storage/pve3/local-lvm',
        type: 'storage',
        plugintype: 'lvmthin',
        content: 'images,rootdir',
      }),
    );
  });

  it('/cluster/nextid reserves nothing: two calls give the same id', async () => {
    const first = await t.root.data('GET', '/cluster/nextid');
    expect(await t.root.data('GET', '/cluster/nextid')).toBe(first);
    expect(Number(first)).toBeGreaterThanOrEqual(100);
    expect(await t.root.data('GET', '/cluster/nextid', { vmid: 4242 })).toBe('4242');
  });
});

describe('pools', () => {
  it('refuses to create a pool twice with the text of pve-manager Pool.pm', async () => {
    expect((await t.root.post('/pools', { poolid: 'twin-slot-1', comment: 'slot' })).status).toBe(200);
    const again = await t.root.post('/pools', { poolid: 'twin-slot-1' });
    expect(again.status).toBe(500);
    expect(again.statusMessage).toBe("create pool failed: pool 'twin-slot-1' already exists");
    expect(await t.root.data('GET', '/pools')).toContainEqual({ poolid: 'twin-slot-1', comment: 'slot' });
  });

  it('takes nested pool ids under an existing parent', async () => {
    expect((await t.root.post('/pools', { poolid: 'twins/pr-7' })).status).toBe(500);
    expect((await t.root.post('/pools', { poolid: 'twins' })).status).toBe(200);
    expect((await t.root.post('/pools', { poolid: 'twins/pr-7' })).status).toBe(200);
    const del = await t.root.delete('/pools', { poolid: 'twins' });
    expect(del.statusMessage).toBe(
      "delete pool failed: pool 'twins' is not empty (contains pool 'twins/pr-7')",
    );
  });

  it('deletes an empty pool, and an unknown one is an error', async () => {
    await t.root.post('/pools', { poolid: 'scratch' });
    expect((await t.root.delete('/pools', { poolid: 'scratch' })).status).toBe(200);
    const gone = await t.root.delete('/pools', { poolid: 'scratch' });
    expect(gone.statusMessage).toBe("delete pool failed: pool 'scratch' does not exist");
  });
});

describe('request log', () => {
  it('has one JSON line per request with method, path, params and status, and never the token', async () => {
    await t.root.put('/pools', { poolid: 'twin-slot-1', comment: 'logged', cipassword: 'hunter2' });
    const text = readFileSync(logFile, 'utf8');
    expect(text).not.toContain(t.lab.tokenSecret);
    expect(text).not.toContain('hunter2');
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        method: 'PUT',
        path: '/api2/json/pools',
        params: { poolid: 'twin-slot-1', comment: 'logged', cipassword: '***' },
      }),
    );
    expect(lines.find((line) => line.path === '/api2/json/x')).toMatchObject({ method: 'GET', status: 501 });
    for (const line of lines) expect(typeof line.durationMs).toBe('number');
  });
});
