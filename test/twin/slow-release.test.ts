import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';

/**
 * A helm release that times out: Tetragon's images pull longer than day 2's `helm --wait` allows. The step
 * fails naming its stage, the release and helm's cause; the next run (the registry fast again) upgrades the
 * failed release and converges.
 */
const TIME_SCALE = 0.01;
let dir: string;
let spec: string;
let lab: LabHandle | undefined;
let savedPath: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slow-release-'));
  savedPath = process.env.PATH;
  const withTetragon = parse(readFileSync('test/fixtures/twins/one-worker.yaml', 'utf8')) as {
    addons: Record<string, unknown>;
    environments: { preview: { clusters: Record<string, { workers: { count: number } }> } };
  };
  withTetragon.addons.tetragon = { enabled: true, version: '1.5.0' };
  // helm --wait lets a DaemonSet have one pod unready: with one worker it would not wait at all.
  for (const cluster of Object.values(withTetragon.environments.preview.clusters)) cluster.workers.count = 2;
  spec = join(dir, 'twin.yaml');
  writeFileSync(spec, stringify(withTetragon));
});
afterAll(async () => {
  process.env.PATH = savedPath;
  delete process.env.PVE_TOKEN;
  delete process.env.TWIN_PACE_SCALE;
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startOn(faults: Parameters<typeof startLab>[0]['faults']) {
  await lab?.close();
  lab = await startLab({ dir: join(dir, 'lab'), timeScale: TIME_SCALE, ...(faults ? { faults } : {}) });
  process.env.PATH = `${lab.binDir}${delimiter}${savedPath}`;
  process.env.PVE_TOKEN = lab.token;
  process.env.TWIN_PACE_SCALE = String(TIME_SCALE);
}

async function twinUp() {
  const out: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void out.push(t) };
  const argv = ['up', spec, '--env', 'pr-4', '--state-dir', join(dir, 'state')];
  const endpoint = lab!.endpoint.replace(/\/api2\/json$/, '');
  process.env.PVE_TOKEN = lab!.token; // each run's own step environment: the CLI takes it out once read
  const code = await run([...argv, '--endpoint', endpoint, '--ca-file', lab!.caFile], io);
  return { code, output: out.join('\n') };
}

describe('a helm release that times out in day 2', { timeout: 300_000 }, () => {
  it('fails the step with the release and the cause named; the next run converges', async () => {
    await startOn({ slowReleases: [{ release: 'tetragon', rate: 1, seconds: 1500 }] });
    const first = await twinUp();
    expect(first.code, first.output).toBe(1);
    expect(first.output).toMatch(
      /stage extras, east: Tetragon: helm .*upgrade --install tetragon .*--wait --timeout 6s .*failed with exit code 1: Error: context deadline exceeded/,
    );
    await startOn(undefined);
    const second = await twinUp();
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/HEALTH_OK/);
    expect(second.output).not.toMatch(/error/);
  });
});
