import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRunner } from '../../src/exec/runner.js';
import { startLab } from '../../src/lab/lab.js';
import type { LabHandle } from '../../src/lab/lab.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';
import type { TwinSpec } from '../../src/spec/schema.js';
import { LocalStateStore } from '../../src/state/store.js';
import { Talosctl } from '../../src/talos/talosctl.js';
import { applyTwin } from '../../src/twin/apply.js';
import type { TwinContext } from '../../src/twin/context.js';
import { scaledPace } from '../../src/twin/context.js';
import { BOOTSTRAP_RECORD } from '../../src/twin/etcd-bootstrap.js';
import { LabClient } from '../lab/pve/helpers.js';
import { operatorClient } from '../lab/operator-client.js';

/**
 * The product's etcd bootstrap against the lab's Talos (LIFECYCLE F.4, F.6): a twin of one cluster with three
 * control planes; its first control plane destroyed and created again joins the running etcd without a
 * second bootstrap (with the state record, and with it lost); in an offline lab nodes never sync their time,
 * and apply says why.
 */
const TIME_SCALE = 0.01;
const TWIN = 'pr-21';

/** The one-worker fixture cut to east alone, with three control planes in previews. */
function threeControlPlanes(timeServers?: string[]): TwinSpec {
  const { spec } = loadSpec('test/fixtures/twins/one-worker.yaml');
  const east = spec.clusters.filter((cluster) => cluster.name === 'east');
  const preview = spec.environments.preview;
  const talos = { ...spec.talos, ...(timeServers ? { timeServers } : {}) };
  return {
    ...spec,
    talos,
    clusters: east,
    environments: {
      production: { ...spec.environments.production, clusters: {} },
      preview: { ...preview, clusters: { east: { ...preview.clusters?.east, controlPlanes: { count: 3 } } } },
    },
  };
}

interface LabRun {
  lab: LabHandle;
  stateDir: string;
  logs: string[];
  context(spec: TwinSpec, twin?: string): TwinContext;
}

async function startRun(offline: boolean): Promise<LabRun> {
  const lab = await startLab({
    dir: mkdtempSync(join(tmpdir(), 'etcd-lab-')),
    timeScale: TIME_SCALE,
    ...(offline ? { reachableTimeServers: [] } : {}),
  });
  const stateDir = mkdtempSync(join(tmpdir(), 'etcd-state-'));
  const logs: string[] = [];
  return {
    lab,
    stateDir,
    logs,
    context: (spec, twin = TWIN) => ({
      twin: resolveTwin(spec, twin),
      client: operatorClient(lab),
      store: new LocalStateStore(stateDir),
      runner: execRunner,
      tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
      pace: scaledPace(TIME_SCALE),
      workDir: join(mkdtempSync(join(tmpdir(), 'etcd-work-')), twin),
      log: (line) => logs.push(line),
    }),
  };
}

let savedPath: string | undefined;
beforeAll(() => {
  savedPath = process.env.PATH;
});
afterAll(() => {
  process.env.PATH = savedPath;
});

describe('a twin is bootstrapped once; a recreated first control plane joins', { timeout: 300_000 }, () => {
  let run: LabRun;
  const spec = threeControlPlanes();
  const store = () => new LocalStateStore(run.stateDir);
  const recordKey = { twin: TWIN, cluster: 'east', name: BOOTSTRAP_RECORD };

  beforeAll(async () => {
    run = await startRun(false);
    process.env.PATH = `${run.lab.binDir}${delimiter}${savedPath}`;
  });
  afterAll(async () => run?.lab.close());

  /** Stops and deletes the VM named `name`, as a lost host or an operator would. */
  async function destroyVm(name: string): Promise<void> {
    const vm = Object.values(run.lab.state.data.vms).find((candidate) => candidate.config.name === name)!;
    const root = new LabClient(run.lab, run.lab.rootToken);
    await root.run('POST', `/nodes/${vm.node}/qemu/${vm.vmid}/status/stop`);
    expect((await root.run('DELETE', `/nodes/${vm.node}/qemu/${vm.vmid}`, { purge: 1 })).exitstatus).toBe(
      'OK',
    );
  }

  /** Each control plane's etcd members, as the node itself lists them. */
  async function membersOnEach(): Promise<string[][]> {
    const talosctl = new Talosctl(execRunner);
    const talosconfig = store().pathOf({ twin: TWIN, cluster: 'east', name: 'talosconfig' });
    const addresses = Object.values(run.lab.state.data.vms)
      .filter((vm) => /-east-cp-/.test(vm.config.name ?? ''))
      .map((vm) => /ip=([\d.]+)\//.exec(vm.config.ipconfig0 ?? '')?.[1] ?? '')
      .sort();
    const lists: string[][] = [];
    for (const node of addresses) {
      const answer = await talosctl.etcdMembers({ talosconfig, node });
      lists.push('members' in answer ? answer.members.map((member) => member.id).sort() : [answer.unknown]);
    }
    return lists;
  }

  it('bootstraps etcd once and records it', async () => {
    const outcome = await applyTwin(run.context(spec));
    expect(outcome.failure).toBeUndefined();
    expect(run.logs).toContain(`east: bootstrapped etcd on ${TWIN}-east-cp-1`);
    expect(JSON.parse((await store().read(recordKey))!)).toMatchObject({
      node: `${TWIN}-east-cp-1`,
      how: 'bootstrapped',
    });
    const lists = await membersOnEach();
    expect(lists).toHaveLength(3);
    expect(lists[0]).toHaveLength(3);
    expect(new Set(lists.map((list) => list.join()))).toEqual(new Set([lists[0]!.join()]));
  });

  it('the first control plane created again joins the running etcd: the record forbids a second bootstrap', async () => {
    await destroyVm(`${TWIN}-east-cp-1`);
    run.logs.length = 0;
    const outcome = await applyTwin(run.context(spec));
    expect(outcome.failure).toBeUndefined();
    expect(
      run.logs.some((line) =>
        /^east: etcd was bootstrapped before \(pr-21-east-cp-1 at .*\): not again$/.test(line),
      ),
    ).toBe(true);
    expect(run.logs.some((line) => /bootstrapped etcd on/.test(line))).toBe(false);
    const lists = await membersOnEach();
    expect(lists.every((list) => list.length === 3 && list.join() === lists[0]!.join())).toBe(true);
  });

  it('with the record lost, the members the other control planes list stop a second bootstrap', async () => {
    await store().remove(recordKey);
    await destroyVm(`${TWIN}-east-cp-1`);
    run.logs.length = 0;
    const outcome = await applyTwin(run.context(spec));
    expect(outcome.failure).toBeUndefined();
    // One etcd: every control plane lists the same three members (a second bootstrap would split it).
    const lists = await membersOnEach();
    expect(lists.every((list) => list.length === 3 && list.join() === lists[0]!.join())).toBe(true);
    expect(
      run.logs.some((line) =>
        /^east: pr-21-east-cp-2 lists etcd members \(.*\): etcd runs, no bootstrap$/.test(line),
      ),
    ).toBe(true);
    expect(JSON.parse((await store().read(recordKey))!)).toMatchObject({
      node: `${TWIN}-east-cp-2`,
      how: 'members-found',
    });
  });
});

describe('nodes that reach no time server never get Ready; apply says why', { timeout: 300_000 }, () => {
  let run: LabRun;
  beforeAll(async () => {
    run = await startRun(true);
    process.env.PATH = `${run.lab.binDir}${delimiter}${savedPath}`;
  });
  afterAll(async () => run?.lab.close());

  it('an offline lab with Talos’ default time server: a bounded failure naming the server and talos.timeServers', async () => {
    const spec = threeControlPlanes();
    delete spec.talos.timeServers;
    const outcome = await applyTwin(run.context(spec));
    expect(outcome.failure).toMatch(
      /east: pr-21-east-cp-1 \(192\.168\.15\.\d+\) refused the etcd bootstrap for 6 s: time is not in sync yet\. Its time servers \(time\.cloudflare\.com\) are not reachable.*Set talos\.timeServers in twin\.yaml/s,
    );
    expect(
      await new LocalStateStore(run.stateDir).read({ twin: TWIN, cluster: 'east', name: BOOTSTRAP_RECORD }),
    ).toBeUndefined();
  });

  it('the same lab with talos.timeServers [/dev/ptp0] syncs to the VM clock and converges', async () => {
    const outcome = await applyTwin(run.context(threeControlPlanes(['/dev/ptp0']), 'pr-22'));
    expect(outcome.failure).toBeUndefined();
    expect(run.logs).toContain('east: bootstrapped etcd on pr-22-east-cp-1');
  });
});
