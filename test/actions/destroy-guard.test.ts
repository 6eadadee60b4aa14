import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runProvision } from '../../src/actions/provision.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { changingRequests } from '../lab/request-log.js';

/**
 * action-provision destroys production only with input allow-production-destroy: true. Run in-process with
 * the runner's INPUT_* variables (the bundle in dist/ is rebuilt when this branch is merged).
 */
let lab: LabHandle;
let labLog: string;
const saved = { ...process.env };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'destroy-guard-lab-'));
  labLog = join(dir, 'requests.jsonl');
  lab = await startLab({ dir, timeScale: 0.002, logFile: labLog });
});
afterAll(async () => lab?.close());
afterEach(() => {
  process.env = { ...saved };
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function provision(inputs: Record<string, string>): Promise<{ stdout: string; failed: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'destroy-guard-runner-'));
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STATE: 'saved-state', GITHUB_STEP_SUMMARY: 'summary' };
  for (const [name, file] of Object.entries(files)) {
    writeFileSync(join(dir, file), '');
    process.env[name] = join(dir, file);
  }
  process.env.RUNNER_TEMP = dir;
  const all = {
    spec: 'examples/twin.yaml',
    'state-dir': join(dir, 'twin-state'),
    'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
    'proxmox-token': lab.token,
    'proxmox-ca-file': lab.caFile,
    ...inputs,
  };
  for (const [name, value] of Object.entries(all)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  await runProvision();
  vi.restoreAllMocks();
  return {
    stdout: written.join('') + readFileSync(join(dir, 'summary'), 'utf8'),
    failed: process.exitCode === 1,
  };
}

describe('action-provision destroy guard', () => {
  it('refuses operation destroy of production without allow-production-destroy, before any request', async () => {
    for (const allow of [undefined, 'false']) {
      const run = await provision({
        twin: 'production',
        operation: 'destroy',
        ...(allow ? { 'allow-production-destroy': allow } : {}),
      });
      expect(run.failed).toBe(true);
      expect(run.stdout).toMatch(
        /::error::operation destroy of the production twin "production" is refused, nothing was changed: set input allow-production-destroy: true/,
      );
    }
    expect(changingRequests(labLog)).toEqual([]);
  });

  it('with the input it goes ahead, and a twin that does not exist is said to', async () => {
    const run = await provision({
      twin: 'production',
      operation: 'destroy',
      'allow-production-destroy': 'true',
    });
    expect(run.stdout).not.toMatch(/::error::/);
    expect(run.failed).toBe(false);
    expect(run.stdout).toContain('twin production does not exist: nothing to destroy');
    expect(run.stdout).toContain('Twin production does not exist');
    const preview = await provision({ twin: 'pr-3', operation: 'destroy' }); // previews need no consent
    expect(preview.failed).toBe(false);
  });
});
