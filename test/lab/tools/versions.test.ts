import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRunner } from '../../../src/exec/runner.js';
import { startLab } from '../../../src/lab/lab.js';
import type { LabHandle } from '../../../src/lab/lab.js';
import { reportedVersion } from '../../../src/tools/probe.js';
import { pinnedToolTable, TOOL_NAMES } from '../../../src/tools/table.js';

/**
 * The lab's tools stand in for those runner-setup installs on a lab runner: they report the pinned
 * versions, so the actions' default (`tools: pinned`) takes them from PATH as it would take the real ones.
 * A pin bumped without the lab following fails here.
 */
let lab: LabHandle;
beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'versions-lab-')), timeScale: 0.01 });
});
afterAll(async () => lab?.close());

describe("the lab's talosctl, kubectl and helm", () => {
  it.each(TOOL_NAMES)('%s reports the version runner-setup/tools.json pins', async (tool) => {
    expect(await reportedVersion(execRunner, tool, join(lab.binDir, tool))).toBe(
      pinnedToolTable()[tool].version,
    );
  });

  it('kubectl version without a reachable server prints the client part, then the connection error', async () => {
    const result = await execRunner.run(join(lab.binDir, 'kubectl'), ['version'], { allowFailure: true });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('Client Version: v1.35.0\nKustomize Version: v5.7.1\n');
    expect(result.stderr).not.toBe('');
  });
});
