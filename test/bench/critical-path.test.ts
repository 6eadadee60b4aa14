import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../bench/cli.js';
import { boundTwinInLab, criticalPath } from '../../bench/critical-path.js';
import type { BoundTwin, BoundVm, CriticalPath } from '../../bench/critical-path.js';
import { startLab } from '../../src/lab/lab.js';
import { placeVms } from '../../src/proxmox/placement.js';
import { TIME_PROFILES } from '../../src/lab/profile.js';

const SCALE = 0.01;
const SECONDS = TIME_PROFILES.realistic.seconds;
const NODES = ['pve1', 'pve2', 'pve3'];
/** storage.ts download-url of the 1246 MiB image at 20 MiB/s, after the worker start and wget's setup. */
const DOWNLOAD_SECONDS = 0.2 + 2 + 1246 / 20;

type Role = BoundVm['role'];

function vm(twin: string, cluster: string, role: Role, index: number, pveNode: string): BoundVm {
  const short = role === 'controlplane' ? 'cp' : 'w';
  return {
    name: `${twin}-${cluster}-${short}-${index}`,
    cluster,
    role,
    pveNode,
    bootDiskGiB: 32,
    extraDisks: role === 'worker' ? 1 : 0,
  };
}

function twin(name: string, vms: BoundVm[]): BoundTwin {
  return { name, vms, mesh: true, rook: true, starwars: true };
}

/** test/fixtures/twins/one-worker.yaml: one control plane and one worker per cluster, on the nodes given. */
function oneWorker(name: string, nodes = ['pve1', 'pve2', 'pve3', 'pve1']): BoundTwin {
  return twin(name, [
    vm(name, 'east', 'controlplane', 1, nodes[0]!),
    vm(name, 'east', 'worker', 1, nodes[1]!),
    vm(name, 'west', 'controlplane', 1, nodes[2]!),
    vm(name, 'west', 'worker', 1, nodes[3]!),
  ]);
}

/** examples/twin.yaml's preview: 2 clusters x (3 control planes + 3 workers), placed as the planner does. */
function preview(name: string): BoundTwin {
  const wanted = ['east', 'west'].flatMap((cluster) =>
    (['controlplane', 'worker'] as Role[]).flatMap((role) =>
      [1, 2, 3].map((index) => ({ cluster, role, index })),
    ),
  );
  const requests = wanted.map((node, vmid) => ({
    vmid,
    cluster: node.cluster,
    role: node.role,
    memoryMiB: node.role === 'controlplane' ? 4096 : 6144,
  }));
  const placed = placeVms(
    requests,
    NODES.map((node) => ({ name: node, freeMemoryMiB: 64 * 1024 })),
    new Map(),
  );
  return twin(
    name,
    wanted.map((node, vmid) => vm(name, node.cluster, node.role, node.index, placed.get(vmid)!)),
  );
}

function show(label: string, bound: CriticalPath): void {
  console.log(`${label}: ${bound.seconds.toFixed(1)} s, stages ${JSON.stringify(bound.stages)}`);
  for (const step of bound.path) console.log(`  ${step.at.toFixed(2).padStart(8)}  ${step.event}`);
}

describe('critical path bound', () => {
  it('is never faster with more VMs on one node', () => {
    const spread = criticalPath([oneWorker('pr-5')]);
    const stacked = criticalPath([oneWorker('pr-5', ['pve1', 'pve1', 'pve1', 'pve1'])]);
    expect(stacked.seconds).toBeGreaterThan(spread.seconds);
    const wide = criticalPath([preview('pr-7')]);
    const narrow = preview('pr-7');
    narrow.vms.forEach((node) => (node.pveNode = 'pve1'));
    expect(criticalPath([narrow]).seconds).toBeGreaterThanOrEqual(wide.seconds);
  });

  it('is at least the one-twin bound for many twins, and grows when they share nodes', () => {
    const one = criticalPath([oneWorker('pr-1')]).seconds;
    const apart = criticalPath([oneWorker('pr-1'), oneWorker('pr-2', ['pve4', 'pve5', 'pve6', 'pve4'])]);
    expect(apart.seconds).toBeCloseTo(one, 6);
    const shared = [1, 2, 3, 4].map((i) => oneWorker(`pr-${i}`));
    expect(criticalPath(shared).seconds).toBeGreaterThan(one);
    expect(criticalPath([...shared, ...[5, 6].map((i) => oneWorker(`pr-${i}`))]).seconds).toBeGreaterThan(
      criticalPath(shared).seconds,
    );
    const previews = Array.from({ length: 10 }, (_, i) => preview(`pr-${i + 1}`));
    const ten = criticalPath(previews);
    expect(ten.seconds).toBeGreaterThan(criticalPath([previews[0]!]).seconds);
    show('10 preview twins at once', { ...ten, path: ten.path.slice(-8) });
  });

  it('is shorter by about the download when the image is already on the nodes', () => {
    for (const layout of [oneWorker('pr-5'), preview('pr-7')]) {
      const cold = criticalPath([layout]).seconds;
      const warm = criticalPath([layout], { imagesPresent: NODES }).seconds;
      expect(cold - warm).toBeGreaterThan(DOWNLOAD_SECONDS - 1);
      expect(cold - warm).toBeLessThanOrEqual(DOWNLOAD_SECONDS + 1e-6);
    }
  });

  describe('a worker Ready late (many extra disks make its create, alone on pve4, the last by far)', () => {
    const layout = (workers: number) => {
      const late = twin('pr-7', [
        ...['east', 'west'].map((cluster, i) => vm('pr-7', cluster, 'controlplane', 1, NODES[i]!)),
        ...['east', 'west'].flatMap((cluster) =>
          Array.from({ length: workers }, (_, i) => vm('pr-7', cluster, 'worker', i + 1, NODES[i % 3]!)),
        ),
      ]);
      const slow = late.vms.find((node) => node.name === `pr-7-east-w-${workers}`)!;
      Object.assign(slow, { extraDisks: 200, pveNode: 'pve4' });
      const bound = criticalPath([late]);
      const at = (event: string) => bound.path.find((step) => step.event === event)?.at;
      const ready = at(`${slow.name}: node Ready`);
      expect(ready).toBeGreaterThan(400);
      return { ready: ready!, healthOk: at('east: Ceph HEALTH_OK') };
    };
    const { cephMonStart, cephMgrStart, cephOsdPrepare, cephOsdStart, cephPgSettle } = SECONDS;

    it("as one of three mons' nodes, holds back the mons, and all that comes after them", () => {
      const { ready, healthOk } = layout(3);
      // ceph-plan.ts: the mons start once every mon's pod is bound, then the mgr, the prepare, the OSDs.
      const after = 3 * cephMonStart + cephMgrStart + cephOsdPrepare + cephOsdStart + cephPgSettle;
      expect(healthOk).toBeCloseTo(ready + after, 6);
    });

    it('as a fourth OSD host, holds back its own OSD and the PGs', () => {
      const { ready, healthOk } = layout(4);
      // ceph.ts: its OSD pod is bound once the node is Ready, up cephOsdStart later; the PGs settle after.
      expect(healthOk).toBeCloseTo(ready + cephOsdStart + cephPgSettle, 6);
    });
  });

  it('reports a chain in time order that ends at the bound', () => {
    const bound = criticalPath([preview('pr-7')]);
    show('examples/twin.yaml preview', bound);
    expect(bound.path.at(-1)!.at).toBeCloseTo(bound.seconds, 1);
    bound.path.slice(1).forEach((step, i) => expect(step.at).toBeGreaterThanOrEqual(bound.path[i]!.at));
    expect(bound.stages.provision).toBeLessThanOrEqual(bound.seconds);
    expect(bound.stages.mesh).toBeGreaterThan(bound.stages.provision);
  });
});

describe('the bound against a real run', { timeout: 300_000 }, () => {
  it('is at most the lab time the one-worker twin takes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'critical-path-'));
    const lab = await startLab({ dir: join(root, 'lab'), timeScale: SCALE, profile: 'realistic' });
    try {
      const env = {
        PATH: `${lab.binDir}${delimiter}${process.env.PATH}`,
        HOME: root,
        PVE_TOKEN: lab.token,
        TWIN_PACE_SCALE: String(SCALE),
      };
      const args = ['up', 'test/fixtures/twins/one-worker.yaml', '--env', 'pr-5', '--state-dir'];
      const target = [join(root, 'state'), '--endpoint', lab.endpoint.replace(/\/api2\/json$/, '')];
      const started = Date.now();
      const up = await runCli([...args, ...target, '--ca-file', lab.caFile], env);
      const measured = (Date.now() - started) / 1000 / SCALE;
      expect(up.code, up.output.split('\n').slice(-15).join('\n')).toBe(0);
      const layout = boundTwinInLab(lab, 'pr-5');
      expect(layout.vms.length).toBe(4);
      const bound = criticalPath([layout]);
      show(`one-worker twin, measured ${measured.toFixed(0)} s of lab time; bound`, bound);
      console.log(`placement: ${layout.vms.map((node) => `${node.name}@${node.pveNode}`).join(', ')}`);
      expect(bound.seconds).toBeLessThanOrEqual(measured);
      // Not trivially small: at least the chain no orchestrator can shorten, download to Kubernetes API.
      expect(bound.seconds).toBeGreaterThan(DOWNLOAD_SECONDS + 3 + 25 + 40 + 75);
    } finally {
      await lab.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
