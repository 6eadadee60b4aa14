import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTwin } from './in-process.js';
import { serveLab } from '../../src/lab/embedded.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { changingRequests } from '../lab/request-log.js';
import { scanForSecrets, twinSecrets, withEncodings } from '../../bench/secret-scan.js';

/**
 * --lab-log against a lab that already serves the folder (as `twin lab serve` or an earlier --lab run left
 * it): the same log is used, another is refused before anything changes, and without --lab it is refused.
 * The log has a line per tool call the product made, and no secret.
 */
const TIME_SCALE = 0.01;
let root: string;
let labDir: string;
let labLog: string;
let lab: LabHandle;
let savedPath: string | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lab-log-'));
  labDir = join(root, 'lab');
  labLog = join(root, 'lab.jsonl');
  savedPath = process.env.PATH;
  ({ handle: lab } = await serveLab({ dir: labDir, timeScale: TIME_SCALE, logFile: labLog }));
});
afterAll(async () => {
  process.env.PATH = savedPath; // --lab puts the lab's tools first on PATH
  await lab?.close();
});

const twin = (args: string[]) => runTwin(args);

describe('--lab-log while a lab already serves the folder', () => {
  it('another log is refused before any change, naming the running lab, its log and how to get one', async () => {
    const other = join(root, 'other.jsonl');
    const result = await twin([
      'up',
      'examples/twin.yaml',
      '--env',
      'pr-3',
      '--lab',
      labDir,
      '--lab-log',
      other,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `--lab-log ${other}: the lab already serving ${labDir} (pid ${process.pid}, `,
    );
    expect(result.stderr).toContain(
      `logs to ${labLog}, and a running lab cannot be re-pointed; nothing was changed`,
    );
    expect(result.stderr).toContain(`twin lab stop --dir ${labDir}`);
    expect(existsSync(other)).toBe(false);
    expect(changingRequests(labLog)).toEqual([]);
    expect(Object.keys(lab.state.data.vms)).toEqual([]);
  });

  it('the log the lab keeps is accepted (the next run of a command that started it)', async () => {
    const result = await twin(['doctor', 'examples/twin.yaml', '--lab', labDir, '--lab-log', labLog]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const paths = readFileSync(labLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).path);
    expect(paths).toContain('/api2/json/access/permissions');
  });

  it('without --lab it is refused as a usage error, not ignored', async () => {
    const result = await twin(['plan', 'examples/twin.yaml', '--env', 'pr-3', '--lab-log', labLog]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--lab-log FILE is the log of the embedded lab: it needs --lab DIR/);
  });
});

interface ToolLine {
  tool: string;
  args: string[];
  exitCode: number | null;
  durationMs: number;
}

describe("--lab-log records the lab's tool calls", { timeout: 600_000 }, () => {
  it('up --no-platform leaves a line per talosctl, kubectl and helm call, with no token, key or credential', async () => {
    const up = await twin([
      'up',
      'test/fixtures/twins/one-worker.yaml',
      '--env',
      'pr-5',
      '--no-platform',
      '--lab',
      labDir,
      '--lab-log',
      labLog,
    ]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const text = readFileSync(labLog, 'utf8');
    const calls = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Partial<ToolLine>)
      .filter((entry): entry is ToolLine => entry.tool !== undefined);
    expect(new Set(calls.map((call) => call.tool))).toEqual(new Set(['talosctl', 'kubectl', 'helm']));
    for (const call of calls) {
      expect(call.args.every((arg) => typeof arg === 'string')).toBe(true);
      expect(call.exitCode === null || Number.isInteger(call.exitCode)).toBe(true);
      expect(call.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(calls).toContainEqual(
      expect.objectContaining({ tool: 'talosctl', args: expect.arrayContaining(['bootstrap']), exitCode: 0 }),
    );
    expect(calls).toContainEqual(
      expect.objectContaining({ tool: 'helm', args: expect.arrayContaining(['cilium']), exitCode: 0 }),
    );

    const secrets = twinSecrets(join(labDir, 'state', 'pr-5'));
    expect(secrets.size).toBeGreaterThan(0);
    const rootSecret = lab.rootToken.slice(lab.rootToken.indexOf('=') + 1);
    const labSecrets = [lab.tokenSecret, rootSecret, lab.doppler.token];
    expect(scanForSecrets({ 'lab log': text }, withEncodings([...secrets, ...labSecrets]))).toEqual([]);
  });
});
