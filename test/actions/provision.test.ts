import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { runStep } from './runner.js';

let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'action-lab-')), timeScale: 0.002 });
});
afterAll(async () => lab?.close());

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    spec: 'examples/twin.yaml',
    'proxmox-endpoint': lab.endpoint.replace(/\/api2\/json$/, ''),
    'proxmox-token': lab.token,
    'proxmox-ca-file': lab.caFile,
    ...extra,
  };
}

describe('action-provision as the runner runs it', () => {
  it('plan: outputs the plan JSON and a summary, names the twin from the pull_request event, changes nothing', async () => {
    const eventDir = mkdtempSync(join(tmpdir(), 'event-'));
    const eventPath = join(eventDir, 'event.json');
    (await import('node:fs')).writeFileSync(
      eventPath,
      JSON.stringify({ number: 42, pull_request: { number: 42 } }),
    );
    const run = await runStep('provision', {
      inputs: inputs({ operation: 'plan' }),
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.twin).toBe('pr-42');
    expect(JSON.parse(run.outputs.plan!)).toHaveLength(12);
    expect(run.summary).toContain('Plan of twin pr-42');
    // ::add-mask:: is the runner's own command (consumed, never shown); every other line must be clean.
    const shown = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(run.stdout).toContain(`::add-mask::${lab.tokenSecret}`);
    expect(shown.join('\n')).not.toContain(lab.tokenSecret);
    expect(run.summary).not.toContain(lab.tokenSecret);
  });

  it('bad input touches nothing and names the input and the fix', async () => {
    const run = await runStep('provision', { inputs: inputs({ operation: 'upgrade', twin: 'pr-1' }) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/input operation is "upgrade": use one of apply, destroy, plan/);
    const noToken = await runStep('provision', {
      inputs: { ...inputs({ twin: 'pr-1' }), 'proxmox-token': '' },
    });
    expect(noToken.stdout).toMatch(/input proxmox-token is required/);
  });

  it('the post entry, with its saved state and no inputs, removes the temporary files and nothing else', async () => {
    const work = mkdtempSync(join(tmpdir(), 'work-'));
    mkdirSync(join(work, 'east'));
    const run = await runStep('provision-post', { state: { 'temporary-files': JSON.stringify([work]) } });
    expect(run.code).toBe(0);
    expect(existsSync(work)).toBe(false);
  });
});
