import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rookClusterValues } from '../../src/addons/rook.js';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { execRunner } from '../../src/exec/runner.js';
import { Helm } from '../../src/kube/helm.js';
import { Kubectl } from '../../src/kube/kubectl.js';
import { waitUntil } from '../../src/kube/readiness.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { LocalStateStore } from '../../src/state/store.js';
import { createCertificateAuthority } from '../../src/util/x509.js';
import type { ClusterWorkContext } from '../../src/twin/context.js';
import { scaledPace } from '../../src/twin/context.js';
import { cephStatus } from '../../src/twin/ceph-wait.js';
import { starwarsChecks } from '../../src/twin/day2.js';
import { meshTwin } from '../../src/twin/mesh.js';
import { loadTwinRecord } from '../../src/twin/outcome.js';
import type { ClusterOutcome } from '../../src/twin/outcome.js';
import { loadPlatformReport } from '../../src/twin/platform.js';

/**
 * The whole pipeline on a one-worker preview twin (1 control plane + 1 worker per cluster), then the
 * negative cases of issue 4 against the same twin: the lab keeps the real rules, the product names causes.
 */
const TIME_SCALE = 0.01;
const SPEC = 'test/fixtures/twins/one-worker.yaml';
const TWIN = 'pr-3';
let lab: LabHandle;
let stateDir: string;
let savedPath: string | undefined;
let ctx: ClusterWorkContext;
let clusters: ClusterOutcome[];

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'platform-lab-')), timeScale: TIME_SCALE });
  stateDir = mkdtempSync(join(tmpdir(), 'platform-state-'));
  savedPath = process.env.PATH;
  process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH}`;
  process.env.TWIN_PACE_SCALE = String(TIME_SCALE);
  process.env.PVE_TOKEN = lab.token;
  const { spec } = loadSpec(SPEC);
  ctx = {
    twin: resolveTwin(spec, TWIN),
    store: new LocalStateStore(stateDir),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    pace: scaledPace(TIME_SCALE),
    workDir: join(mkdtempSync(join(tmpdir(), 'platform-work-')), 'work'),
    log: () => undefined,
  };
});
afterAll(async () => {
  process.env.PATH = savedPath;
  delete process.env.TWIN_PACE_SCALE;
  delete process.env.PVE_TOKEN;
  await lab?.close();
});

async function twin(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  process.env.PVE_TOKEN = lab.token; // each run's own step environment: the CLI takes it out once read
  const code = await run(argv, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const kubectlOf = (cluster: ClusterOutcome) => new Kubectl(execRunner, { kubeconfig: cluster.kubeconfig });
const helmOf = (cluster: ClusterOutcome) => new Helm(execRunner, { kubeconfig: cluster.kubeconfig });

describe('the meshed platform on a one-worker preview twin', { timeout: 300_000 }, () => {
  it('twin up ends with the mesh connected, Ceph HEALTH_OK in both clusters (small-cluster settings) and the Star Wars checks passed', async () => {
    const up = await twin([
      'up',
      SPEC,
      '--env',
      TWIN,
      '--endpoint',
      lab.endpoint.replace(/\/api2\/json$/, ''),
      '--ca-file',
      lab.caFile,
      '--state-dir',
      stateDir,
    ]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/ceph:/);
    expect(up.stdout).toMatch(/starwars-failover:east/);
    clusters = await loadTwinRecord(ctx.store, TWIN);
    const report = await loadPlatformReport(ctx.store, TWIN);
    expect(
      report.mesh.map((entry) => [entry.cluster, entry.remotes.map((r) => [r.name, r.ready, r.synced])]),
    ).toEqual([
      ['east', [['west', true, true]]],
      ['west', [['east', true, true]]],
    ]);
    expect(
      report.ceph.map((entry) => [entry.cluster, entry.health, entry.phase, entry.mons, entry.osds]),
    ).toEqual([
      ['east', 'HEALTH_OK', 'Ready', 1, 1],
      ['west', 'HEALTH_OK', 'Ready', 1, 1],
    ]);
    const ids = report.checks.map((check) => check.id);
    for (const id of [
      'mesh-reach:east->west',
      'mesh-reach:west->east',
      'starwars-reach:east',
      'starwars-reach:west',
      'starwars-failover:east',
      'starwars-failover:west',
    ])
      expect(ids).toContain(id);
    expect(report.checks.filter((check) => !check.passed)).toEqual([]);
    const reach = report.checks.find((check) => check.id === 'starwars-reach:east')!;
    expect(reach.counts.east).toBeGreaterThan(0);
    expect(reach.counts.west).toBeGreaterThan(0);
    const failover = report.checks.find((check) => check.id === 'starwars-failover:east')!;
    expect(failover.counts.east ?? 0).toBe(0);
    expect(failover.counts.west).toBe(failover.counts.requests);
  });

  it('a second mesh run changes nothing: the Cilium releases keep their revision', async () => {
    const before = await Promise.all(
      clusters.map((cluster) => helmOf(cluster).status('cilium', 'kube-system')),
    );
    const again = await meshTwin(ctx, clusters);
    expect(again.failure).toBeUndefined();
    const after = await Promise.all(
      clusters.map((cluster) => helmOf(cluster).status('cilium', 'kube-system')),
    );
    expect(after.map((status) => status?.revision)).toEqual(before.map((status) => status?.revision));
  });

  it('without the small-cluster overrides the one-worker cluster stays in HEALTH_WARN (POOL_NO_REDUNDANCY)', async () => {
    const east = clusters[0]!;
    const workers = east.nodes
      .filter((node) => node.role === 'worker')
      .map((node) => ({ name: node.name, extraDisks: node.extraDisks }));
    const { cores, memoryMiB } = ctx.twin.clusters[0]!.workers;
    const workerVm = { cores, memoryMiB };
    const values = rookClusterValues({ cluster: 'east', workers, workerVm });
    const spec = values.cephClusterSpec as { cephConfig?: { global?: Record<string, string> } };
    delete spec.cephConfig!.global!.mon_warn_on_pool_no_redundancy;
    const install = async (content: Record<string, unknown>) => {
      const file = join(stateDir, 'rook-cluster-values.yaml');
      writeFileSync(file, stringify(content));
      await helmOf(east).upgradeInstall({
        release: 'rook-ceph-cluster',
        chart: 'rook-ceph-cluster',
        repo: 'https://charts.rook.io/release',
        version: ctx.twin.spec.addons.rook.version,
        namespace: 'rook-ceph',
        valuesFile: file,
      });
    };
    const health = async () =>
      cephStatus(
        'east',
        await kubectlOf(east).getObject('cephclusters.ceph.rook.io', 'rook-ceph', 'rook-ceph'),
      );
    await install(values);
    await waitUntil(async () => (await health()).health === 'HEALTH_WARN', {
      timeoutMs: 20_000,
      intervalMs: 50,
      describe: 'HEALTH_WARN',
    });
    expect((await health()).details.join('\n')).toMatch(/POOL_NO_REDUNDANCY/);
    await install(rookClusterValues({ cluster: 'east', workers, workerVm }));
    await waitUntil(async () => (await health()).health === 'HEALTH_OK', {
      timeoutMs: 20_000,
      intervalMs: 50,
      describe: 'HEALTH_OK again',
    });
  });

  it('rebel-base scaled to zero everywhere: the reach check fails and quotes its evidence', async () => {
    for (const cluster of clusters) await kubectlOf(cluster).scale('rebel-base', 'starwars', 0);
    try {
      const quick = { ...ctx, pace: { ...ctx.pace, checkTimeoutMs: 500 } };
      const demo = clusters.map((cluster) => ({ name: cluster.name, kubectl: kubectlOf(cluster) }));
      const outcomes = await starwarsChecks(quick, demo.slice(0, 1), ['east', 'west']);
      const reach = outcomes.find((check) => check.id === 'starwars-reach:east')!;
      expect(reach.passed).toBe(false);
      expect(reach.counts.answered).toBe(0);
      expect(reach.evidence.join('\n')).toMatch(/0 of 20 answered/);
      expect(reach.evidence.join('\n')).toMatch(/curl: \(7\)/);
    } finally {
      for (const cluster of clusters) await kubectlOf(cluster).scale('rebel-base', 'starwars', 2);
    }
  });

  it('overlapping pod CIDRs are refused before any change', async () => {
    const before = await helmOf(clusters[1]!).status('cilium', 'kube-system');
    const overlapping = clusters.map((cluster) => ({ ...cluster, pods: '10.244.0.0/16' }));
    await expect(meshTwin(ctx, overlapping)).rejects.toThrow(/nothing was changed[\s\S]*overlap/);
    expect((await helmOf(clusters[1]!).status('cilium', 'kube-system'))?.revision).toBe(before?.revision);
  });

  it('two CAs: the mesh never connects (x509 unknown authority) and action-mesh refuses, naming the cause', async () => {
    const west = clusters[1]!;
    const values = (await helmOf(west).userValues('cilium', 'kube-system'))!;
    const other = await createCertificateAuthority('Cilium CA');
    const tls = {
      ca: {
        cert: Buffer.from(other.certPem).toString('base64'),
        key: Buffer.from(other.keyPem).toString('base64'),
      },
    };
    const file = join(stateDir, 'west-other-ca.yaml');
    writeFileSync(file, stringify({ ...values, tls }), { mode: 0o600 });
    await helmOf(west).upgradeInstall({
      release: 'cilium',
      chart: 'cilium',
      repo: 'https://helm.cilium.io',
      version: ctx.twin.spec.cilium.version,
      namespace: 'kube-system',
      valuesFile: file,
    });
    const status = async () => {
      const result = await kubectlOf(clusters[0]!).exec('kube-system', 'ds/cilium', 'cilium-agent', [
        'cilium-dbg',
        'status',
        '-o',
        'json',
      ]);
      return JSON.parse(result.stdout) as {
        'cluster-mesh': { clusters: { name: string; ready: boolean; status: string }[] };
      };
    };
    await waitUntil(async () => /x509/.test((await status())['cluster-mesh'].clusters[0]?.status ?? ''), {
      timeoutMs: 20_000,
      intervalMs: 50,
      describe: 'west not ready',
    });
    expect((await status())['cluster-mesh'].clusters[0]?.status).toMatch(
      /x509: certificate signed by unknown authority/,
    );
    await expect(meshTwin(ctx, clusters)).rejects.toThrow(/nothing was changed[\s\S]*CA/);
  });
});
