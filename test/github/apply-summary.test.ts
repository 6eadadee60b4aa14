import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterAll, describe, expect, it } from 'vitest';
import { writeApplySummary } from '../../src/actions/summary.js';
import type { TwinOutcome } from '../../src/twin/outcome.js';

const GITHUB_TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const PVE_TOKEN = 'twin@pve!gha=' + '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('writeApplySummary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apply-summary-'));
  const file = join(dir, 'summary.md');
  const previous = process.env.GITHUB_STEP_SUMMARY;
  afterAll(() => {
    if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a failure block redacted, cut short and fenced like the platform summary', async () => {
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    core.summary.emptyBuffer();
    const failure = [
      'stage cilium: helm upgrade failed: Error: ```',
      `Authorization: Bearer ${GITHUB_TOKEN}`,
      `PVE token ${PVE_TOKEN}`,
      '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
      '<img src=x onerror=alert(1)>',
      'helm says: '.repeat(1_000),
    ].join('\n');
    const outcome: TwinOutcome = {
      twin: 'pr-7',
      environment: 'preview',
      slot: 1,
      pool: 'aggrik8s/slot-1',
      clusters: [],
      records: [],
      ok: false,
      failure,
    };
    await writeApplySummary(outcome, 1);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toContain('<h3>What failed</h3>');
    expect(markdown).toContain('\n````\nstage cilium: helm upgrade failed: Error: ```\n');
    expect(markdown).toContain('Authorization: Bearer [redacted]');
    expect(markdown).toContain('[redacted] PEM block');
    expect(markdown).toContain('… (cut short; the job log has all of it)\n````\n');
    for (const secret of [GITHUB_TOKEN, PVE_TOKEN, '0f1e2d3c-4b5a', 'MIIE', 'helm says: '.repeat(500)]) {
      expect(markdown).not.toContain(secret);
    }
    const outsideFence = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
    expect(outsideFence).not.toContain('<img');
  });

  it("tells the twin's share of the lab and when the reaper destroys it, beside its slot", async () => {
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    core.summary.emptyBuffer();
    const outcome: TwinOutcome = {
      twin: 'pr-7',
      environment: 'preview',
      slot: 1,
      pool: 'aggrik8s/slot-1',
      clusters: [],
      records: [],
      ok: true,
    };
    await writeApplySummary(outcome, 1, {
      share: { vms: 4, running: 4, cores: 8, memoryMiB: 20_480, diskGiB: 328 },
      expiry: { kind: 'ttl', ttlHours: 72, at: '2026-03-13T12:00:00.000Z', keepLabel: 'keep' },
    });
    expect(readFileSync(file, 'utf8')).toContain(
      'Environment preview, slot 1 (pool `aggrik8s/slot-1`). Its share of the lab: 4 VM(s) (4 running), 8 cores, ' +
        '20.0 GiB of memory, 328 GiB of disk. Destroyed after 2026-03-13 12:00 UTC unless pushed again or ' +
        'labelled "keep" (environments.preview.ttlHours: 72 h from the last apply).',
    );
  });
});
