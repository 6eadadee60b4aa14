import { execFile } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanForSecrets, twinSecrets, withEncodings } from '../../bench/secret-scan.js';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { LocalStateStore } from '../../src/state/store.js';
import { extractBundle } from './extract.js';

/**
 * Issue 16's forced failure: every raw disk of the twin still holds another Ceph cluster's OSD (lab fault
 * foreignOsdDisks), so Rook makes no OSD and Ceph never gets healthy. `twin up` fails at day 2's Ceph gate
 * and names a diagnostics bundle that holds every item, with no byte of the twin's secrets; `twin diagnose`
 * writes one on demand, describing a pod no node can hold.
 */
const TIME_SCALE = 0.01;
const SPEC = 'test/fixtures/twins/one-worker.yaml';
const TWIN = 'pr-3';
let lab: LabHandle;
let stateDir: string;
let savedPath: string | undefined;

beforeAll(async () => {
  lab = await startLab({
    dir: mkdtempSync(join(tmpdir(), 'diag-lab-')),
    timeScale: TIME_SCALE,
    faults: { foreignOsdDisks: [{ rate: 1 }] },
  });
  stateDir = mkdtempSync(join(tmpdir(), 'diag-state-'));
  savedPath = process.env.PATH;
  process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH}`;
  process.env.TWIN_PACE_SCALE = String(TIME_SCALE);
});
afterAll(async () => {
  process.env.PATH = savedPath;
  delete process.env.TWIN_PACE_SCALE;
  delete process.env.PVE_TOKEN;
  await lab?.close();
});

async function twin(command: string, extra: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  process.env.PVE_TOKEN = lab.token; // the CLI takes it out of the environment once read
  const endpoint = lab.endpoint.replace(/\/api2\/json$/, '');
  const argv = [command, SPEC, '--env', TWIN, '--endpoint', endpoint, '--ca-file', lab.caFile];
  const code = await run([...argv, '--state-dir', stateDir, ...extra], io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The bundle's files by their path inside its folder. */
const extract = (archive: string) => extractBundle(archive);

/** The twin's secrets (Talos secrets, keys, kubeconfig credentials, mesh CA) and the lab's token, raw and base64. */
function secretHits(files: Record<string, string>): string[] {
  const needles = withEncodings([...twinSecrets(join(stateDir, TWIN)), lab.tokenSecret]);
  return scanForSecrets({ ...files, names: Object.keys(files).join('\n') }, needles);
}

const PER_CLUSTER = [
  'nodes.txt',
  'events.txt',
  'pods-not-ready.txt',
  'cilium-status.txt',
  'clustermesh-status.txt',
  'ceph-status.json',
  'ceph-health-detail.txt',
  'talos/pr-3-CLUSTER-cp-1/services.txt',
  'talos/pr-3-CLUSTER-cp-1/kubelet.log',
  'talos/pr-3-CLUSTER-cp-1/etcd.log',
  'talos/pr-3-CLUSTER-w-1/services.txt',
  'talos/pr-3-CLUSTER-w-1/kubelet.log',
];

describe('a Ceph that never gets healthy leaves a diagnostics bundle', { timeout: 300_000 }, () => {
  let files: Record<string, string>;

  it('twin up fails at the Ceph gate and names the bundle it wrote: 0600, in the twin’s state folder', async () => {
    const up = await twin('up');
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/twin up: error: .*Ceph HEALTH_OK in (east|west)/);
    const named = /twin up: diagnostics (\S+\.tar\.gz) \(\d+ items: /.exec(up.stderr);
    expect(named, up.stderr).not.toBeNull();
    const archive = named![1]!;
    expect(relative(join(stateDir, TWIN), archive)).toMatch(/^diagnostics-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    files = extract(archive);
  });

  it('holds every item: the run, its plan and timings, and per cluster Talos, events, pods, Cilium, mesh, Ceph', () => {
    const expected = [
      'manifest.json',
      'run/failure.txt',
      'run/steps.json',
      'run/timings.txt',
      'twin/plan.json',
      ...['east', 'west'].flatMap((cluster) =>
        PER_CLUSTER.map((file) => `${cluster}/${file.replace('CLUSTER', cluster)}`),
      ),
    ];
    expect(Object.keys(files).sort()).toEqual(expected.sort());
    const manifest = JSON.parse(files['manifest.json']!) as { items: { status: string; title: string }[] };
    expect(manifest.items.filter((item) => item.status !== 'ok')).toEqual([]);
  });

  it("says what is wrong in the tools' own words: no OSD, the Ceph gate that timed out; etcd and the mesh fine", () => {
    for (const cluster of ['east', 'west']) {
      expect(files[`${cluster}/ceph-health-detail.txt`]).toMatch(
        /^HEALTH_WARN .*\n(\[WRN\] .*\n)*\[WRN\] TOO_FEW_OSDS: OSD count 0 < osd_pool_default_size 1\n/,
      );
      expect(JSON.parse(files[`${cluster}/ceph-status.json`]!)).toMatchObject({
        ceph: { health: 'HEALTH_WARN' },
      });
      expect(files[`${cluster}/talos/pr-3-${cluster}-cp-1/services.txt`]).toMatch(
        /^NODE +SERVICE +STATE +HEALTH +LAST CHANGE +LAST EVENT\n(.*\n)*\S+ +etcd +Running +OK /,
      );
      expect(files[`${cluster}/talos/pr-3-${cluster}-cp-1/etcd.log`]).toMatch(
        /ready to serve client requests/,
      );
      expect(files[`${cluster}/cilium-status.txt`]).toMatch(/^KVStore: +Disabled/);
      expect(files[`${cluster}/clustermesh-status.txt`]).toMatch(/: connected=true ready=true synced=true/);
    }
    expect(files['run/failure.txt']).toMatch(/Ceph health detail:\n(\s+.*\n)*\s+TOO_FEW_OSDS/);
    expect(files['run/timings.txt']).toMatch(/^STAGE +WALL +LAB TIME \(scale 0\.01\) +STEPS\n/);
    const steps = JSON.parse(files['run/steps.json']!) as { id: string; state: string }[];
    expect(steps.filter((step) => step.state === 'failed').map((step) => step.id)).toContain('ceph:east');
    expect(JSON.parse(files['twin/plan.json']!)).toMatchObject({ slot: expect.any(Number) });
  });

  it("holds no byte of the twin's secret material, raw or base64-encoded", () => {
    expect(Object.keys(files).length).toBeGreaterThan(20);
    expect(secretHits(files)).toEqual([]);
  });

  it('twin diagnose writes one on demand where --out says: a pod no node can hold, described', async () => {
    const kubeconfig = new LocalStateStore(stateDir).pathOf({
      twin: TWIN,
      cluster: 'east',
      name: 'kubeconfig',
    });
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: greedy, namespace: default }
spec:
  replicas: 1
  selector: { matchLabels: { app: greedy } }
  template:
    metadata: { labels: { app: greedy } }
    spec:
      containers:
        - name: web
          image: docker.io/library/nginx:1.27.1
          resources: { requests: { cpu: "64" } }
`;
    // Not execFileSync: the lab that answers kubectl runs in this very process.
    const apply = execFile('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-']);
    apply.stdin!.end(manifest);
    expect(await new Promise((done) => apply.on('exit', done))).toBe(0);
    const out = join(mkdtempSync(join(tmpdir(), 'diag-out-')), 'bundle.tar.gz');
    const diagnose = await twin('diagnose', ['--out', out]);
    expect(diagnose.stderr).toBe('');
    expect(diagnose.code).toBe(0);
    expect(diagnose.stdout).toMatch(new RegExp(`^twin pr-3: diagnostics ${out} \\(\\d+ items: \\d+ got\\)$`));
    const onDemand = extract(out);
    expect(onDemand['east/pods-not-ready.txt']).toMatch(/^default\/greedy-\S+ {2}Pending$/m);
    const described = Object.entries(onDemand).find(([name]) =>
      name.startsWith('east/describe/default.greedy-'),
    );
    expect(described?.[1]).toMatch(/Status: +Pending\n[\s\S]*Warning +FailedScheduling .*Insufficient cpu/);
    expect(secretHits(onDemand)).toEqual([]);
  });
});
