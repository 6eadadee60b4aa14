import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { runProvision } from '../../src/actions/provision.js';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { cpuMilli, memoryMiB } from '../../src/util/quantity.js';

/** Issue 12: a twin too small for what it places is refused before Proxmox hears of it; plan and render show the sums. */

const EXAMPLE = readFileSync('examples/twin.yaml', 'utf8');
const TINY_PREVIEW = EXAMPLE.replaceAll(
  'workers: { cores: 2, memoryMiB: 6144 }',
  'workers: { cores: 1, memoryMiB: 2048 }',
);
/** Where east's preview `cores` value sits in the example: the error points at that line and column. */
const EAST_PREVIEW_CORES = (() => {
  const lines = TINY_PREVIEW.split('\n');
  const line = lines.findIndex(
    (text, index) => index > lines.indexOf('  preview:') && /workers: \{ cores: 1/.test(text),
  );
  return `${line + 1}:${lines[line]!.indexOf('cores: 1') + 'cores: '.length + 1}`;
})();
const CPU_SHORT =
  'environments.preview.clusters.east.workers.cores: cluster east (previews): a worker (1 vCPU, 2048 MiB) has ' +
  '950m CPU allocatable but the twin may place 1350m there (Rook osd 500m, ';
const MEMORY_SHORT =
  /workers\.memoryMiB: cluster east \(previews\): .* has 1323Mi memory allocatable but the twin may place 3784Mi there .*: 2461Mi short/;

let lab: LabHandle;
let labLog: string;
let tinySpec: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sizing-lab-'));
  labLog = join(dir, 'requests.jsonl');
  lab = await startLab({ dir, timeScale: 0.002, logFile: labLog });
  // Inside the workspace (the step's folder, this repository; tmp/ is ignored by git): action-provision reads specs only there.
  mkdirSync('tmp', { recursive: true });
  tinySpec = join(mkdtempSync(join(process.cwd(), 'tmp', 'sizing-spec-')), 'twin.yaml');
  writeFileSync(tinySpec, TINY_PREVIEW);
});
afterAll(async () => lab?.close());

/** Every request the lab answered so far. */
function requestCount(): number {
  return existsSync(labLog) ? readFileSync(labLog, 'utf8').split('\n').filter(Boolean).length : 0;
}

const connection = () => ['--endpoint', lab.endpoint.replace(/\/api2\/json$/, ''), '--ca-file', lab.caFile];

async function twin(args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
  const saved = process.env.PVE_TOKEN;
  process.env.PVE_TOKEN = lab.token;
  try {
    const code = await run(args, io);
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    process.env.PVE_TOKEN = saved;
  }
}

/** action-provision's main step in this process, with INPUT_* as the runner sets them. */
async function provision(inputs: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'sizing-runner-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const saved = { env: { ...process.env }, exitCode: process.exitCode };
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  Object.assign(process.env, files, {
    RUNNER_TEMP: dir,
    PATH: `${lab.binDir}${delimiter}${process.env.PATH ?? ''}`,
    ...Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
  });
  try {
    await runProvision();
    return {
      failed: process.exitCode === 1,
      stdout: written.join(''),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    };
  } finally {
    stdout.mockRestore();
    process.env = saved.env;
    process.exitCode = saved.exitCode;
  }
}

describe('a twin too small for what it places', () => {
  it('validate refuses it with the figures, exit 1', async () => {
    const result = await twin(['validate', tinySpec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${tinySpec}:${EAST_PREVIEW_CORES}: error: ${CPU_SHORT}`);
    expect(result.stderr).toContain(
      ': 400m short (fix: set environments.preview.clusters.east.workers.cores to 2',
    );
    expect(result.stderr).toMatch(MEMORY_SHORT);
  });

  it('plan, render and up refuse it before any Proxmox request', async () => {
    const before = requestCount();
    const plan = await twin(['plan', tinySpec, '--env', 'pr-7', ...connection()]);
    const out = join(mkdtempSync(join(tmpdir(), 'sizing-render-')), 'out');
    const render = await twin(['render', tinySpec, '--env', 'pr-7', '--out', out, ...connection()]);
    const stateDir = mkdtempSync(join(tmpdir(), 'sizing-state-'));
    const up = await twin(['up', tinySpec, '--env', 'pr-7', '--state-dir', stateDir, ...connection()]);
    for (const result of [plan, render, up]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(CPU_SHORT);
      expect(result.stderr).toMatch(MEMORY_SHORT);
    }
    expect(existsSync(out)).toBe(false);
    expect(requestCount()).toBe(before);
  });

  it('action-provision apply fails with the figures before any Proxmox request', async () => {
    const before = requestCount();
    const result = await provision({
      spec: tinySpec,
      operation: 'apply',
      twin: 'pr-7',
      'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
      'proxmox-token': lab.token,
      'proxmox-ca-file': lab.caFile,
    });
    expect(result.failed).toBe(true);
    expect(result.stdout).toContain('::error::');
    expect(result.stdout).toContain('400m short');
    expect(requestCount()).toBe(before);
  });
});

describe('the example twin', () => {
  it('plan shows the requests on the fullest node of each role against its allocatable', async () => {
    const before = requestCount();
    const result = await twin(['plan', 'examples/twin.yaml', '--env', 'pr-7', ...connection()]);
    expect(result.code).toBe(0);
    expect(requestCount()).toBeGreaterThan(before); // the request log the refusals are checked against works
    expect(result.stdout).toContain(
      '  east worker (2 vCPU, 6144 MiB): 1350m of 1950m CPU (69%), 3784Mi of 5337Mi memory (71%)',
    );
    expect(result.stdout).toContain(
      '  west control plane (2 vCPU, 4096 MiB): 560m of 1950m CPU (29%), 982Mi of 3202Mi memory (31%)',
    );
    const json = await twin(['plan', 'examples/twin.yaml', '--env', 'production', '--json', ...connection()]);
    const worker = JSON.parse(json.stdout).nodeRequests.find(
      (load: { cluster: string; role: string }) => load.cluster === 'east' && load.role === 'worker',
    );
    expect(worker).toMatchObject({
      vm: { cores: 4, memoryMiB: 8192 },
      allocatable: { cpuMilli: 3950, memoryMiB: 7344 },
      requested: { cpuMilli: 2700, memoryMiB: 5406 },
    });
  });

  it("action-provision plan's job summary has each role's requests against its allocatable", async () => {
    const result = await provision({
      spec: 'examples/twin.yaml',
      operation: 'plan',
      twin: 'pr-7',
      'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
      'proxmox-token': lab.token,
      'proxmox-ca-file': lab.caFile,
    });
    expect(result.failed).toBe(false);
    expect(result.summary).toContain('Requests on the fullest node of each role');
    expect(result.summary).toContain(
      '<td>east</td><td>worker</td><td>2 vCPU, 6144 MiB</td><td>1350m / 1950m (69%)</td><td>3784Mi / 5337Mi (71%)</td>',
    );
  });

  it("render of a preview writes Rook values whose per-node sum fits a preview worker's allocatable", async () => {
    const out = mkdtempSync(join(tmpdir(), 'sizing-render-'));
    const result = await twin(['render', 'examples/twin.yaml', '--env', 'pr-7', '--slot', '1', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  east worker (2 vCPU, 6144 MiB): 1350m of 1950m CPU (69%)');
    const helm = join(out, 'pr-7', 'east', 'helm');
    const cluster = parse(readFileSync(join(helm, 'rook-ceph-cluster.values.yaml'), 'utf8'));
    const operator = parse(readFileSync(join(helm, 'rook-ceph.values.yaml'), 'utf8'));
    // Summed here from the files, by hand: one of each daemon on a worker with one OSD disk, one mgr, one
    // provisioner, the operator, ceph-csi's operator (10m/64Mi), Cilium (100m/10Mi), CoreDNS (2x100m/70Mi),
    // the demo and the mesh check (6 pods of 10m/16Mi).
    const resources = cluster.cephClusterSpec.resources;
    expect(cluster.cephClusterSpec).toMatchObject({ mgr: { count: 1 }, logCollector: { enabled: false } });
    expect(operator.csi).toMatchObject({ enableCephfsDriver: false, provisionerReplicas: 1 });
    const requests = [
      ...['osd', 'prepareosd', 'mon', 'mgr', 'crashcollector', 'exporter'].map(
        (key) => resources[key].requests,
      ),
      operator.resources.requests,
      ...parse(operator.csi.csiRBDPluginResource).map(
        (c: { resource: { requests: object } }) => c.resource.requests,
      ),
      ...parse(operator.csi.csiRBDProvisionerResource).map(
        (c: { resource: { requests: object } }) => c.resource.requests,
      ),
      { cpu: '10m', memory: '64Mi' },
      { cpu: '100m', memory: '10Mi' },
      { cpu: '200m', memory: '140Mi' },
      { cpu: '60m', memory: '96Mi' },
    ] as { cpu: string; memory: string }[];
    const cpu = requests.reduce((sum, r) => sum + cpuMilli(r.cpu), 0);
    const memory = requests.reduce((sum, r) => sum + memoryMiB(r.memory), 0);
    expect({ cpu, memory }).toEqual({ cpu: 1350, memory: 3784 });
    // A preview worker's allocatable (F.7): 2x1000m - 50m; 6144 MiB - kernel 323 - 384 - 100.
    expect(cpu).toBeLessThanOrEqual(0.8 * 1950);
    expect(memory).toBeLessThanOrEqual(0.8 * 5337);
  });
});
