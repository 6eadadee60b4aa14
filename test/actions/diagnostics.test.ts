import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { runStep } from './runner.js';

/**
 * A step that fails leaves its diagnostics bundle where the workflow's upload step finds it: output
 * `diagnostics`, a 0600 file in RUNNER_TEMP, named in the job summary. Here action-day2 runs on a twin whose
 * record names clusters that answer nothing (their credentials are gone): every cluster item fails, quickly,
 * each with its error, and the bundle is still written.
 */
let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'diag-action-lab-')), timeScale: 0.01 });
});
afterAll(async () => lab?.close());

const SECRET = 'c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1sZWFr';

function stateWithRecord(twin: string): string {
  const stateDir = mkdtempSync(join(tmpdir(), 'diag-action-state-'));
  const node = (name: string, role: string, address: string) => ({
    name,
    role,
    address,
    vmid: 7100,
    pveNode: 'pve1',
    extraDisks: 1,
  });
  const cluster = (name: string, id: number, octet: number) => ({
    name,
    id,
    vip: `192.168.${octet}.80`,
    endpoint: `https://192.168.${octet}.80:6443`,
    pods: `10.24${id}.0.0/16`,
    nodes: [
      node(`${twin}-${name}-cp-1`, 'controlplane', `192.168.${octet}.81`),
      node(`${twin}-${name}-w-1`, 'worker', `192.168.${octet}.84`),
    ],
  });
  const record = {
    twin,
    environment: 'preview',
    slot: 1,
    clusters: [cluster('east', 1, 15), cluster('west', 2, 20)],
  };
  const files = join(stateDir, twin, 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'twin.json'), JSON.stringify(record));
  writeFileSync(join(files, 'secrets.yaml'), `cluster:\n  secret: ${SECRET}\n`);
  return stateDir;
}

describe('action-day2 that fails', { timeout: 120_000 }, () => {
  it('sets output diagnostics to a 0600 bundle in RUNNER_TEMP and names it in the job summary', async () => {
    const run = await runStep('day2', {
      inputs: {
        spec: 'examples/twin.yaml',
        twin: 'pr-5',
        tools: 'path',
        'state-dir': stateWithRecord('pr-5'),
      },
      env: { PATH: `${lab.binDir}${delimiter}${process.env.PATH}`, TWIN_PACE_SCALE: '0.01' },
    });
    expect(run.code).toBe(1);
    const archive = run.outputs.diagnostics;
    expect(archive, run.stdout).toMatch(/\/aggrik8s-twin-pr-5-day2-diagnostics\.tar\.gz$/);
    expect(basename(dirname(archive!))).toMatch(/^runner-/); // runStep's RUNNER_TEMP
    expect(statSync(archive!).mode & 0o777).toBe(0o600);
    expect(run.summary).toContain('Diagnostics');
    expect(run.summary).toContain(archive);
    expect(run.stdout).toMatch(/diagnostics: \S+ \(\d+ items: /);
    const listed = execFileSync('tar', ['-tzf', archive!], { encoding: 'utf8' });
    expect(listed).toMatch(/^diagnostics-pr-5-\d{8}T\d{6}Z\/manifest\.json$/m);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xOzf', archive!, '--wildcards', '*/manifest.json'], { encoding: 'utf8' }),
    ) as { items: { title: string; status: string; note?: string }[] };
    const events = manifest.items.find((item) => item.title === 'east: Kubernetes events');
    expect(events).toMatchObject({ status: 'failed' });
    expect(events!.note).toMatch(/kubeconfig/);
    expect(manifest.items.find((item) => item.title === 'What failed')).toMatchObject({ status: 'ok' });
    const everything = execFileSync('tar', ['-xOzf', archive!], { encoding: 'utf8' });
    expect(everything).toContain('What failed');
    expect(everything).not.toContain(SECRET);
  });
});

describe('action-provision whose apply fails', { timeout: 120_000 }, () => {
  it('leaves the bundle too, with the run, its steps and the plan, and no byte of the Proxmox token', async () => {
    const faulty = await startLab({
      dir: mkdtempSync(join(tmpdir(), 'diag-action-faulty-')),
      timeScale: 0.002,
      faults: { taskFailures: [{ type: 'qmstart', rate: 1, message: 'injected: start failed' }] },
    });
    try {
      const run = await runStep('provision', {
        inputs: {
          spec: 'examples/twin.yaml',
          twin: 'pr-6',
          operation: 'apply',
          tools: 'path',
          'state-dir': mkdtempSync(join(tmpdir(), 'diag-action-state-')),
          'proxmox-endpoint': faulty.endpoint.replace(/\/api2\/json$/, ''),
          'proxmox-token': faulty.token,
          'proxmox-ca-file': faulty.caFile,
        },
        env: { PATH: `${faulty.binDir}${delimiter}${process.env.PATH}`, TWIN_PACE_SCALE: '0.002' },
      });
      expect(run.code).toBe(1);
      const archive = run.outputs.diagnostics;
      expect(archive, run.stdout).toMatch(/\/aggrik8s-twin-pr-6-provision-diagnostics\.tar\.gz$/);
      expect(run.summary).toContain(archive);
      const listed = execFileSync('tar', ['-tzf', archive!], { encoding: 'utf8' });
      for (const file of ['run/failure.txt', 'run/steps.json', 'run/timings.txt', 'twin/plan.json'])
        expect(listed).toContain(`/${file}\n`);
      const everything = execFileSync('tar', ['-xOzf', archive!], { encoding: 'utf8' });
      expect(everything).toMatch(/injected: start failed/);
      expect(everything).not.toContain(faulty.tokenSecret);
    } finally {
      await faulty.close();
    }
  });
});
