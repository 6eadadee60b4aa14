import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../src/lab/lab.js';
import { labConnection, runTwin, useLabTools } from '../cli/in-process.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { PveClient } from '../../src/proxmox/client.js';
import { parsePveConnection } from '../../src/proxmox/connection.js';
import { loadSpec } from '../../src/spec/load.js';
import { claimBeingBuilt } from '../lab/slot-fixture.js';

/**
 * `plan` runs the admission `up` runs: on the default lab (three nodes of 64 GiB, 400 GiB of local-lvm
 * each) one preview of the example fits, and a second one does not beside the reservation of the first,
 * which is being built. `plan` says so with `up`'s words, and `up` refuses with them.
 */
const TIME_SCALE = 0.01;
const SPEC = 'examples/twin.yaml';
let lab: LabHandle;
let stateDir: string;
let restoreEnv: (() => void) | undefined;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'plan-admission-lab-')), timeScale: TIME_SCALE });
  stateDir = mkdtempSync(join(tmpdir(), 'plan-admission-state-'));
  restoreEnv = useLabTools(lab, TIME_SCALE);
});
afterAll(async () => {
  restoreEnv?.();
  await lab?.close();
});

async function twin(command: string, env: string, extra: string[] = []) {
  const connection = labConnection(lab, stateDir);
  return runTwin([command, SPEC, '--env', env, ...extra, ...connection], { pveToken: lab.token });
}

const rootClient = () =>
  new PveClient(parsePveConnection({ endpoint: lab.endpoint, token: lab.rootToken, caFile: lab.caFile }));

const poolsOf = async (name: string) =>
  (await rootClient().get<{ poolid: string; comment?: string }[]>('/pools')).filter((pool) =>
    (pool.comment ?? '').startsWith(`aggrik8s-twin slot of ${name} `),
  );

describe('plan runs the admission up runs', { timeout: 120_000 }, () => {
  it('a twin that fits: the plan is as before, admitted, exit 0', async () => {
    const text = await twin('plan', 'pr-7');
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toMatch(/^12 to create, 0 to keep, 0 to change, 0 to destroy$/m);
    expect(text.stdout).not.toMatch(/refuse/);
    const json = JSON.parse((await twin('plan', 'pr-7', ['--json'])).stdout);
    expect(json.admission).toEqual({ admitted: true });
  });

  it("a twin that does not fit beside one being built: plan gives up's reason (exit 1), up refuses with it", async () => {
    await claimBeingBuilt(rootClient(), loadSpec(SPEC).spec, 'pr-8');
    const planned = await twin('plan', 'pr-7', ['--json']);
    expect(planned.code).toBe(1);
    const { admission, summary } = JSON.parse(planned.stdout);
    expect(summary.create).toBe(12);
    expect(admission.admitted).toBe(false);
    expect(admission.refusal).toMatch(
      /^twin pr-7 does not fit the Proxmox nodes' free capacity \(free after what twins being built reserved: pr-8\), so nothing was created:\n {2}pve\d needs \d+ GiB of disk on local-lvm/,
    );
    const text = await twin('plan', 'pr-7');
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      `12 to create, 0 to keep, 0 to change, 0 to destroy\n\n` +
        `up would refuse this twin, before claiming or changing anything:\n${admission.refusal}\n`,
    );

    const up = await twin('up', 'pr-7');
    expect(up.code).toBe(1);
    expect(up.stderr).toBe(`twin up: error: ${admission.refusal}`);
    expect(await poolsOf('pr-7')).toEqual([]); // nothing claimed, as plan said
  });
});
