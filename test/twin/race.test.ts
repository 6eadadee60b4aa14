import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, isConfigurationError } from '../../src/errors.js';
import { execRunner } from '../../src/exec/runner.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { operatorClient } from '../lab/operator-client.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import { LocalStateStore } from '../../src/state/store.js';
import { applyTwin } from '../../src/twin/apply.js';
import type { TwinContext } from '../../src/twin/context.js';
import { scaledPace } from '../../src/twin/context.js';
import { destroyTwin } from '../../src/twin/destroy.js';
import type { TwinOutcome } from '../../src/twin/outcome.js';

/**
 * Ten preview twins applied at once in one lab, as ten pull requests opened together would: the lab has
 * room for a few. Each twin either converges, or is refused cleanly before it created anything; no two
 * twins share a VMID, an address, a VIP or a slot; after every destroy the lab is empty.
 */
const TIME_SCALE = 0.01;
const TWINS = Array.from({ length: 10 }, (_, index) => `pr-${101 + index}`);
let lab: LabHandle;
let stateDir: string;
let savedPath: string | undefined;

beforeAll(async () => {
  lab = await startLab({ dir: mkdtempSync(join(tmpdir(), 'race-lab-')), timeScale: TIME_SCALE });
  stateDir = mkdtempSync(join(tmpdir(), 'race-state-'));
  savedPath = process.env.PATH;
  process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH}`;
});
afterAll(async () => {
  process.env.PATH = savedPath;
  await lab?.close();
});

function contextFor(twin: string): TwinContext {
  const { spec } = loadSpec('test/fixtures/twins/one-worker.yaml');
  return {
    twin: resolveTwin(spec, twin),
    client: operatorClient(lab),
    store: new LocalStateStore(stateDir),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    pace: scaledPace(TIME_SCALE),
    workDir: join(mkdtempSync(join(tmpdir(), 'race-work-')), twin),
    log: () => undefined,
  };
}

function labVms(): { vmid: string; name: string }[] {
  return Object.entries(lab.state.data.vms).map(([vmid, vm]) => ({ vmid, name: vm.config.name ?? '' }));
}

describe('ten twins applied and destroyed at once in one lab', { timeout: 600_000 }, () => {
  it('converge or are refused cleanly, share nothing, and leave nothing after destroy', async () => {
    const settled = await Promise.allSettled(TWINS.map((twin) => applyTwin(contextFor(twin))));
    const converged: TwinOutcome[] = [];
    const refused: { twin: string; message: string }[] = [];
    settled.forEach((result, index) => {
      const twin = TWINS[index]!;
      if (result.status === 'fulfilled') {
        expect(result.value.failure, `${twin} converged or failed clearly`).toBeUndefined();
        converged.push(result.value);
      } else {
        expect(isConfigurationError(result.reason), `${twin}: ${errorMessage(result.reason)}`).toBe(true);
        refused.push({ twin, message: errorMessage(result.reason) });
      }
    });
    expect(converged.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0); // the lab cannot hold ten
    for (const { twin, message } of refused) {
      expect(message).toMatch(/does not fit the Proxmox nodes. free capacity|all \d+ twin slots are taken/);
      expect(
        labVms().filter((vm) => vm.name.startsWith(`${twin}-`)),
        `${twin} left VMs`,
      ).toEqual([]);
      expect(
        Object.values(lab.state.access.config.pools).filter((pool) => pool.comment?.includes(` of ${twin} `)),
        `${twin} kept a slot`,
      ).toEqual([]);
    }

    const unique = (values: (string | number)[]) => expect(new Set(values).size).toBe(values.length);
    unique(converged.map((outcome) => outcome.slot));
    unique(converged.flatMap((outcome) => outcome.clusters.map((cluster) => cluster.vip)));
    unique(converged.flatMap((outcome) => outcome.clusters.flatMap((c) => c.nodes.map((node) => node.vmid))));
    unique(
      converged.flatMap((outcome) => outcome.clusters.flatMap((c) => c.nodes.map((node) => node.address))),
    );
    expect(labVms()).toHaveLength(converged.length * 4);

    await Promise.all(converged.map((outcome) => destroyTwin(contextFor(outcome.twin))));
    expect(labVms()).toEqual([]);
    expect(Object.keys(lab.state.access.config.pools)).toEqual(['aggrik8s-production', 'aggrik8s']); // the operator's parent pools stay
  });
});
