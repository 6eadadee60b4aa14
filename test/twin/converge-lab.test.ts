import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { execRunner } from '../../src/exec/runner.js';
import { Helm } from '../../src/kube/helm.js';
import { Kubectl } from '../../src/kube/kubectl.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { LocalStateStore } from '../../src/state/store.js';
import { Talosctl } from '../../src/talos/talosctl.js';
import { loadTwinRecord } from '../../src/twin/outcome.js';

/**
 * Issue 13's "Done when" on a one-worker preview twin (1 control plane + 1 worker per cluster): created at
 * Talos v1.11.6 / Kubernetes 1.34.1 / Cilium 1.19.6, then converged by spec changes to v1.13.9 / 1.36.3 /
 * 1.20.0 with bigger workers and another time server. plan shows the path first, refuses a path Talos
 * refuses, and is empty after; every node reports the new releases; the run reports availability.
 */
const TIME_SCALE = 0.01;
const TWIN = 'pr-13';
const BEFORE = readFileSync('test/fixtures/twins/one-worker.yaml', 'utf8');
const AFTER = BEFORE.replace('version: v1.11.6', 'version: v1.13.9')
  .replace('kubernetesVersion: 1.34.1', 'kubernetesVersion: 1.36.3')
  .replace('version: 1.19.6', 'version: 1.20.0')
  .replace('  arch: amd64', '  arch: amd64\n  timeServers: [/dev/ptp0]')
  .replaceAll(
    'workers: { count: 1, cores: 2, memoryMiB: 6144 }',
    'workers: { count: 1, cores: 3, memoryMiB: 7168 }',
  );

let lab: LabHandle;
let dir: string;
let savedPath: string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'converge-'));
  lab = await startLab({ dir: join(dir, 'lab'), timeScale: TIME_SCALE });
  savedPath = process.env.PATH;
  process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH}`;
  process.env.TWIN_PACE_SCALE = String(TIME_SCALE);
  process.env.PVE_TOKEN = lab.token;
  writeFileSync(join(dir, 'before.yaml'), BEFORE);
  writeFileSync(join(dir, 'after.yaml'), AFTER);
  writeFileSync(
    join(dir, 'downgrade.yaml'),
    BEFORE.replace('kubernetesVersion: 1.34.1', 'kubernetesVersion: 1.33.5'),
  );
});
afterAll(async () => {
  process.env.PATH = savedPath;
  delete process.env.TWIN_PACE_SCALE;
  delete process.env.PVE_TOKEN;
  await lab?.close();
});

function argv(command: string, spec: string): string[] {
  const endpoint = lab.endpoint.replace(/\/api2\/json$/, '');
  return [
    command,
    join(dir, spec),
    '--env',
    TWIN,
    '--endpoint',
    endpoint,
    '--ca-file',
    lab.caFile,
    '--state-dir',
    join(dir, 'state'),
  ];
}

async function twin(command: string, spec: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  process.env.PVE_TOKEN = lab.token; // each run's own step environment: the CLI takes it out once read
  const code = await run(argv(command, spec), io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

let up: Awaited<ReturnType<typeof twin>>;

describe('a running twin converged in place to the current releases', { timeout: 1_200_000 }, () => {
  it('is created at Talos v1.11.6, Kubernetes 1.34.1 and Cilium 1.19.6', async () => {
    const up = await twin('up', 'before.yaml');
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/pr-13 .*: ready/);
  });

  it('plan shows every layer and the ordered path, and refuses going back a Kubernetes minor', async () => {
    const plan = await twin('plan', 'after.yaml');
    expect(plan.code).toBe(0);
    const path = plan.stdout.slice(plan.stdout.indexOf('path, layer by layer'));
    expect(path).toMatch(/talos-upgrade v1\.11\.6 -> v1\.12\.11[\s\S]*talos-upgrade v1\.12\.11 -> v1\.13\.9/);
    expect(path).toMatch(/kubernetes-upgrade 1\.34\.1 -> 1\.35\.\d+[\s\S]*1\.35\.\d+ -> 1\.36\.3/);
    expect(path).toMatch(/vm .*cores|vm-resize/);
    const refused = await twin('plan', 'downgrade.yaml');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Kubernetes 1\.34\.1 -> 1\.33\.5 is refused/);
  });

  it('up killed in the middle of the rolling upgrade is finished by the next up, without a second bootstrap', async () => {
    const store = new LocalStateStore(join(dir, 'state'));
    const bootstraps = async () =>
      Promise.all(
        ['east', 'west'].map((cluster) => store.read({ twin: TWIN, cluster, name: 'etcd-bootstrap.json' })),
      );
    const before = await bootstraps();
    const child = spawn(process.execPath, ['dist/cli/index.js', ...argv('up', 'after.yaml')], {
      env: { ...process.env, PVE_TOKEN: lab.token }, // the in-process runs took it out of process.env
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise((done) => child.once('exit', done));
    let seen = '';
    await new Promise<void>((killed) => {
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        // The first node's upgrade is under way: kill the run in the middle of the rollout.
        if (/upgrade to v1\.12\.11 accepted/.test(seen)) killed();
      });
      void exited.then(() => killed());
    });
    child.kill('SIGKILL');
    await exited;
    expect(seen).toMatch(/upgrade to v1\.12\.11 accepted/);
    // Started at once: the killed run's node may still be rebooting into its upgrade; up waits for it.
    up = await twin('up', 'after.yaml');
    expect(await bootstraps()).toEqual(before);
  });

  it('up converges every layer, reports availability meanwhile, and plan is empty after', async () => {
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/availability while nodes changed/);
    const figures = [...up.stdout.matchAll(/(east|west): (\d+) sent, (\d+) answered, (\d+) failed/g)];
    expect(figures.map((m) => m[1]).sort()).toEqual(['east', 'west']);
    for (const m of figures) expect(Number(m[2])).toBeGreaterThan(0);

    const plan = await twin('plan', 'after.yaml');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/0 layer change\(s\) pending/);
    expect(plan.stdout).toMatch(/0 to create, \d+ to keep, 0 to change, 0 to destroy/);

    const clusters = await loadTwinRecord(new LocalStateStore(join(dir, 'state')), TWIN);
    const talosctl = new Talosctl(execRunner);
    for (const cluster of clusters) {
      const versions = await talosctl.versions(
        cluster.talosconfig,
        cluster.nodes.map((node) => node.address),
      );
      expect(versions.map((v) => ('release' in v ? v.release : v.unknown))).toEqual(
        cluster.nodes.map(() => 'v1.13.9'),
      );
      const kubectl = new Kubectl(execRunner, { kubeconfig: cluster.kubeconfig });
      const nodes = await kubectl.nodes();
      expect(nodes.map((node) => node.kubeletVersion)).toEqual(cluster.nodes.map(() => 'v1.36.3'));
      expect(
        (await new Helm(execRunner, { kubeconfig: cluster.kubeconfig }).status('cilium', 'kube-system'))
          ?.chartVersion,
      ).toBe('1.20.0');
    }
  });
});
