import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cephHealthDetail } from '../../src/diagnostics/ceph-detail.js';
import { DiagnosticsRefusedError, describeBundle, writeDiagnostics } from '../../src/diagnostics/bundle.js';
import type { DiagnosticsRequest } from '../../src/diagnostics/bundle.js';
import { nodesToInspect } from '../../src/diagnostics/talos.js';
import { LocalStateStore } from '../../src/state/store.js';
import { scaledPace } from '../../src/twin/context.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';
import { extractBundle } from './extract.js';

/**
 * The bundle over scripted tools: what it holds and where, how a failing item is recorded, redaction, and the
 * scan for the twin's secrets that leaves an item out (or refuses the bundle) rather than write one byte.
 */
const CLUSTER_SECRET = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';
const KEY_LINE = 'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZZYARmMvgkrhfEFVMIE9cMhoAoGCCqGSM49';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  dirs.push(dir);
  return dir;
}

async function storeWithSecrets(): Promise<LocalStateStore> {
  const store = new LocalStateStore(join(scratch(), 'state'));
  await store.write({ twin: 'pr-3', name: 'secrets.yaml' }, `cluster:\n  secret: ${CLUSTER_SECRET}\n`);
  const key = `-----BEGIN EC PRIVATE KEY-----\n${KEY_LINE}\n-----END EC PRIVATE KEY-----\n`;
  const kubeconfig = `users:\n  - name: admin\n    user:\n      client-key-data: ${Buffer.from(key).toString('base64')}\n`;
  await store.write({ twin: 'pr-3', cluster: 'east', name: 'kubeconfig' }, kubeconfig);
  return store;
}

const CEPH = {
  status: {
    phase: 'Ready',
    ceph: {
      health: 'HEALTH_WARN',
      details: {
        TOO_FEW_OSDS: { message: 'OSD count 0 < osd_pool_default_size 1', severity: 'HEALTH_WARN' },
        PG_AVAILABILITY: { message: 'Reduced data availability: 9 pgs inactive', severity: 'HEALTH_WARN' },
      },
    },
  },
};

const PODS = {
  items: [{ metadata: { name: 'rook-ceph-mon-a-1', namespace: 'rook-ceph' }, status: { phase: 'Pending' } }],
};

/** kubectl and talosctl as a broken cluster answers; the worker's Talos API does not answer at all. */
const tools: Script = (tool, args) => {
  const has = (...words: string[]) => words.every((word) => args.includes(word));
  if (tool === 'talosctl' && args.includes('192.168.15.72'))
    return { exitCode: 1, stderr: 'connect: no route to host' };
  if (tool === 'talosctl' && has('services'))
    return { stdout: 'NODE   SERVICE   STATE\n192.168.15.71   etcd   Preparing\n' };
  if (tool === 'talosctl' && has('logs')) return { stdout: `192.168.15.71: started; ${CLUSTER_SECRET}\n` };
  if (has('get', 'nodes'))
    return { stdout: JSON.stringify({ items: [{ metadata: { name: 'pr-3-east-cp-1' } }] }) };
  if (has('get', 'events'))
    return { stdout: 'NAMESPACE   LAST SEEN   TYPE\nrook-ceph   1s   Warning   token: abc123def456ghi\n' };
  if (has('get', 'pods')) return { stdout: JSON.stringify(PODS) };
  if (has('describe')) return { stdout: 'Name:  rook-ceph-mon-a-1\nStatus:  Pending\n' };
  if (has('cilium-dbg', '-o')) return { stdout: JSON.stringify({ 'cluster-mesh': { clusters: [] } }) };
  if (has('cilium-dbg')) return { stdout: 'KVStore:  Disabled\n' };
  if (has('cephclusters.ceph.rook.io')) return { stdout: JSON.stringify(CEPH) };
  return { exitCode: 1, stderr: `unexpected ${args.join(' ')}` };
};

async function request(store: LocalStateStore, script = tools): Promise<DiagnosticsRequest> {
  return {
    twin: 'pr-3',
    clusters: [
      {
        name: 'east',
        kubeconfig: '/s/east/kubeconfig',
        talosconfig: '/s/east/talosconfig',
        nodes: [
          { name: 'pr-3-east-cp-1', role: 'controlplane', address: '192.168.15.71' },
          { name: 'pr-3-east-w-1', role: 'worker', address: '192.168.15.72' },
        ],
      },
    ],
    runner: scriptedRunner(script).runner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    store,
    pace: scaledPace(0.01),
    ceph: true,
    run: {
      failure: 'stage ceph, east: Ceph HEALTH_OK in east: timed out',
      records: [
        {
          id: 'ceph:east',
          title: 'east: Ceph healthy',
          doing: 'waiting for Ceph HEALTH_OK in east',
          stage: 'ceph',
          state: 'failed',
          startedAt: 0,
          endedAt: 2000,
          error: new Error('timed out'),
        },
      ],
      scale: 0.01,
    },
  };
}

function extracted(path: string): Record<string, string> {
  return extractBundle(path, scratch());
}

describe('writeDiagnostics', () => {
  it('writes one 0600 archive: the run, each cluster item, and a manifest naming sources and outcomes', async () => {
    const path = join(scratch(), 'out', 'diagnostics.tar.gz');
    const bundle = await writeDiagnostics(
      await request(await storeWithSecrets()),
      path,
      new Date('2026-01-02T03:04:05Z'),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(execFileSync('tar', ['-tzf', path], { encoding: 'utf8' })).toMatch(
      /^diagnostics-pr-3-20260102T030405Z\/manifest\.json\n/,
    );
    const files = extracted(path);
    expect(Object.keys(files).sort()).toEqual([
      'east/ceph-health-detail.txt',
      'east/ceph-status.json',
      'east/cilium-status.txt',
      'east/clustermesh-status.txt',
      'east/describe/rook-ceph.rook-ceph-mon-a-1.txt',
      'east/events.txt',
      'east/nodes.txt',
      'east/pods-not-ready.txt',
      'east/talos/pr-3-east-cp-1/services.txt',
      'manifest.json',
      'run/failure.txt',
      'run/steps.json',
      'run/timings.txt',
    ]);
    expect(files['east/ceph-health-detail.txt']).toBe(cephHealthDetail(CEPH));
    expect(files['east/pods-not-ready.txt']).toBe('rook-ceph/rook-ceph-mon-a-1  Pending\n');
    expect(JSON.parse(files['run/steps.json']!)[0]).toMatchObject({
      id: 'ceph:east',
      state: 'failed',
      error: 'timed out',
    });
    const manifest = JSON.parse(files['manifest.json']!) as {
      items: { title: string; status: string; note?: string; source: string }[];
      secretScan: string;
    };
    const status = (title: string) => manifest.items.find((item) => item.title.includes(title));
    expect(status('services of pr-3-east-w-1')).toMatchObject({
      status: 'failed',
      source: 'talosctl --nodes 192.168.15.72 services',
    });
    expect(status('services of pr-3-east-w-1')!.note).toMatch(/no route to host/);
    expect(status('kubelet log of pr-3-east-w-1')).toMatchObject({
      status: 'skipped',
      note: 'the node did not answer talosctl services',
    });
    expect(status('Ceph health detail')).toMatchObject({ status: 'ok' });
    expect(describeBundle(bundle)).toMatch(
      new RegExp(`^${path} \\(\\d+ items: \\d+ got, 1 failed, 1 skipped, 2 withheld\\)$`),
    );
  });

  it('redacts credentials, and leaves out an item that still holds the twin’s secret material', async () => {
    const path = join(scratch(), 'diagnostics.tar.gz');
    await writeDiagnostics(await request(await storeWithSecrets()), path);
    const files = extracted(path);
    expect(files['east/events.txt']).toContain('token: [redacted]');
    const manifest = JSON.parse(files['manifest.json']!) as {
      items: { title: string; status: string; file?: string }[];
      secretScan: string;
    };
    const withheld = manifest.items.filter((item) => item.status === 'withheld');
    expect(withheld.map((item) => item.title)).toEqual([
      'east: kubelet log of pr-3-east-cp-1 (last 200 lines)',
      'east: etcd log of pr-3-east-cp-1 (last 200 lines)',
    ]);
    expect(manifest.secretScan).toMatch(/raw and base64-encoded: 2 item\(s\) held some and were left out$/);
    const all = Object.values(files).join('\n');
    expect(all).not.toContain(CLUSTER_SECRET);
    expect(all).not.toContain(KEY_LINE);
  });

  it('a secret in what no item can leave out (a name in the manifest) refuses the whole bundle, writing nothing', async () => {
    const dir = scratch();
    const path = join(dir, 'diagnostics.tar.gz');
    const asked = await request(await storeWithSecrets());
    asked.clusters = asked.clusters.map((cluster) => ({ ...cluster, name: `east-${CLUSTER_SECRET}` }));
    await expect(writeDiagnostics(asked, path)).rejects.toThrow(DiagnosticsRefusedError);
    await expect(writeDiagnostics(asked, path)).rejects.toThrow(
      /would hold the twin's secret material \(diagnostics-pr-3-/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('parts of the bundle', () => {
  it("renders Rook's copy of Ceph's checks as ceph health detail prints them", () => {
    expect(cephHealthDetail(CEPH)).toBe(
      'HEALTH_WARN OSD count 0 < osd_pool_default_size 1; Reduced data availability: 9 pgs inactive\n' +
        '[WRN] TOO_FEW_OSDS: OSD count 0 < osd_pool_default_size 1\n' +
        '[WRN] PG_AVAILABILITY: Reduced data availability: 9 pgs inactive\n',
    );
    expect(cephHealthDetail({ status: {} })).toMatch(/has not written Ceph's health yet/);
  });

  it('inspects every node of a small cluster, else only those not Ready (all when the API did not answer)', () => {
    const node = (i: number) => ({ name: `n${i}`, role: 'worker', address: `10.0.0.${i}` });
    const nodes = Array.from({ length: 8 }, (_, i) => node(i));
    const kube = nodes.map((n, i) => ({
      name: n.name,
      ready: i !== 3,
      addresses: [],
      unschedulable: false,
      annotations: {},
      capacity: {},
    }));
    expect(nodesToInspect(nodes.slice(0, 6), kube)).toHaveLength(6);
    expect(nodesToInspect(nodes, kube).map((n) => n.name)).toEqual(['n3']);
    expect(nodesToInspect(nodes, undefined)).toHaveLength(8);
  });
});
