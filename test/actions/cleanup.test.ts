import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCleanupPost } from '../../src/actions/cleanup.js';
import { refuseRemoval, stepWorkDir } from '../../src/actions/work-dirs.js';

/**
 * The post step trusts nothing in the saved state: a step's code (a pull request's own dist/) can write
 * any list there, and the post step runs on the runner's disk that holds production's state too.
 */
let root: string;
let runnerTemp: string;
let victim: string;
const saved = { ...process.env };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cleanup-'));
  runnerTemp = join(root, 'runner-temp');
  victim = join(root, 'production-state');
  mkdirSync(runnerTemp);
  mkdirSync(victim);
  writeFileSync(join(victim, 'talosconfig'), 'keep me');
  process.env.RUNNER_TEMP = runnerTemp;
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

async function postWith(paths: unknown): Promise<void> {
  process.env['STATE_temporary-files'] = JSON.stringify(paths);
  await runCleanupPost();
}

describe('the post step', () => {
  it("removes the step's own scratch folders inside RUNNER_TEMP", async () => {
    const work = stepWorkDir('pr-7', 'work');
    const mesh = stepWorkDir('pr-7', 'mesh');
    expect(work).toBe(join(runnerTemp, 'aggrik8s-twin-pr-7-work'));
    for (const dir of [work, mesh]) mkdirSync(join(dir, 'east'), { recursive: true });
    await postWith([work, mesh]);
    expect(existsSync(work)).toBe(false);
    expect(existsSync(mesh)).toBe(false);
  });

  it('never removes a hostile path from the saved state: outside RUNNER_TEMP, escaping it, or a link', async () => {
    const link = join(runnerTemp, 'aggrik8s-twin-pr-8-work');
    symlinkSync(victim, link);
    const named = join(runnerTemp, 'something-else');
    mkdirSync(named);
    const hostile = [
      victim,
      join(runnerTemp, '..', 'production-state'),
      join(runnerTemp, 'aggrik8s-twin-pr-7-work', '..', '..', 'production-state'),
      `${runnerTemp}/aggrik8s-twin-../../production-state`,
      link,
      named,
      runnerTemp,
      '/',
      42,
    ];
    await postWith(hostile);
    expect(existsSync(join(victim, 'talosconfig'))).toBe(true);
    expect(existsSync(link)).toBe(true);
    expect(existsSync(named)).toBe(true);
    expect(existsSync(runnerTemp)).toBe(true);
    await postWith(victim); // not even a list
    expect(existsSync(join(victim, 'talosconfig'))).toBe(true);
  });

  it('names why each refused path was left alone', () => {
    expect(refuseRemoval(victim)).toMatch(/not directly inside the temporary folder/);
    expect(refuseRemoval(join(runnerTemp, 'x'))).toMatch(/not named like a scratch folder/);
    writeFileSync(join(runnerTemp, 'aggrik8s-twin-pr-9-day2'), '');
    expect(refuseRemoval(join(runnerTemp, 'aggrik8s-twin-pr-9-day2'))).toMatch(/not a folder/);
    expect(refuseRemoval(join(runnerTemp, 'aggrik8s-twin-pr-9-mesh'))).toBeUndefined(); // nothing there
  });
});
