import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../bench/cli.js';
import { boundTwinInLab } from '../../bench/critical-path.js';
import type { BoundTwin } from '../../bench/critical-path.js';
import { cliEnv } from '../../bench/lab-run.js';
import { upgradeBound } from '../../bench/upgrade-bound.js';
import type { UpgradeBound } from '../../bench/upgrade-bound.js';
import { lastYearSpec } from '../../bench/upgrade-run.js';
import { upgradeWork } from '../../bench/upgrade-work.js';
import type { UpgradeWork } from '../../bench/upgrade-work.js';
import { startLab } from '../../src/lab/lab.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { parseSpec } from '../../src/spec/load.js';

const SCALE = 0.01;
/** talosctl-k8s.ts on 3 control planes and 6 nodes: 3 static pods x 3 x 20 s, 6 kubelets x 10 s, 5 s. */
const UPGRADE_K8S = 3 * 3 * 20 + 6 * 10 + 5;

const twinOf = (text: string, name: string) => resolveTwin(parseSpec(text, 'twin.yaml').spec, name);

/** examples/twin.yaml's preview: 3 control planes and 3 workers (one OSD disk each) per cluster. */
function preview(name: string): BoundTwin {
  const vms = ['east', 'west'].flatMap((cluster) =>
    (['controlplane', 'worker'] as const).flatMap((role) =>
      [1, 2, 3].map((index) => ({
        name: `${name}-${cluster}-${role === 'worker' ? 'w' : 'cp'}-${index}`,
        cluster,
        role,
        pveNode: `pve${index}`,
        bootDiskGiB: 32,
        extraDisks: role === 'worker' ? 1 : 0,
      })),
    ),
  );
  return { name, vms, mesh: true, rook: true, starwars: true };
}

function readmePath(): UpgradeWork {
  const example = readFileSync('examples/twin.yaml', 'utf8');
  return upgradeWork(twinOf(lastYearSpec(example), 'pr-8'), twinOf(example, 'pr-8'), preview('pr-8'));
}

function show(label: string, bound: UpgradeBound): void {
  console.log(`${label}: ${bound.seconds.toFixed(1)} s; parts ${JSON.stringify(bound.parts)}`);
  console.log(`  OSD outages: ${bound.osdOutages.join(' | ')}`);
  for (const step of bound.path) console.log(`  ${step.at.toFixed(1).padStart(8)}  ${step.event}`);
}

describe('the rolling-upgrade bound', () => {
  it("reads the product's path from the README's two specs", () => {
    const work = readmePath();
    expect(work.talosHops).toEqual(['v1.12.11', 'v1.13.9']);
    expect(work.kubernetesHops.map((hop) => [hop.afterTalosHop, hop.afterCilium])).toEqual([
      [0, false],
      [1, true],
    ]);
    expect(work.cilium).toEqual({ preflight: true });
    const workers = work.clusters.flatMap((c) => c.nodes.filter((node) => node.role === 'worker'));
    expect(workers.every((node) => node.osd && node.resize)).toBe(true);
    expect(() => lastYearSpec('talos:\n  version: v1.12.11 # moved on\n')).toThrow(/update the README/);
  });

  it('is a chain in time order that ends at the bound, past every part and both upgrade-k8s runs', () => {
    const bound = upgradeBound(readmePath());
    show('README rolling upgrade', bound);
    expect(bound.path.at(-1)!.at).toBeCloseTo(bound.seconds, 1);
    bound.path.slice(1).forEach((step, i) => expect(step.at).toBeGreaterThanOrEqual(bound.path[i]!.at));
    Object.values(bound.parts).forEach((at) => expect(at).toBeLessThanOrEqual(bound.seconds));
    expect(bound.seconds).toBeGreaterThan(2 * UPGRADE_K8S);
  });

  it('puts every action of every OSD host in exactly one outage, in its order', () => {
    const bound = upgradeBound(readmePath());
    const byHost = new Map<string, string[]>();
    for (const outage of bound.osdOutages) {
      const [host, actions] = outage.split(': ');
      byHost.set(host!, [...(byHost.get(host!) ?? []), ...actions!.split(', ')]);
    }
    expect(byHost.size).toBe(3);
    for (const actions of byHost.values()) {
      expect(actions.filter((a) => a.startsWith('Talos'))).toEqual(['Talos v1.12.11', 'Talos v1.13.9']);
      expect(actions.filter((a) => a.startsWith('PVE'))).toHaveLength(1);
    }
  });

  it('grows with the work: a hop more, a resize, Ceph on the workers', () => {
    const work = readmePath();
    const without = (change: (node: UpgradeWork['clusters'][number]['nodes'][number]) => void) => {
      const copy = structuredClone(work);
      copy.clusters.forEach((cluster) => cluster.nodes.forEach(change));
      return upgradeBound(copy).seconds;
    };
    const full = upgradeBound(work).seconds;
    expect(without((node) => (node.resize = false))).toBeLessThanOrEqual(full);
    expect(without((node) => (node.osd = false))).toBeLessThan(full);
    const oneHop = { ...work, talosHops: ['v1.13.9'], kubernetesHops: work.kubernetesHops.slice(0, 1) };
    oneHop.kubernetesHops[0] = { ...oneHop.kubernetesHops[0]!, afterTalosHop: 0 };
    expect(upgradeBound(oneHop).seconds).toBeLessThan(full);
  });
});

/** test/fixtures/twins/one-worker.yaml converged as test/twin/converge-lab.test.ts does it. */
function oneWorkerSpecs(): { before: string; after: string } {
  const before = readFileSync('test/fixtures/twins/one-worker.yaml', 'utf8');
  const after = before
    .replace('version: v1.11.6', 'version: v1.13.9')
    .replace('kubernetesVersion: 1.34.1', 'kubernetesVersion: 1.36.3')
    .replace('version: 1.19.6', 'version: 1.20.0')
    .replaceAll(
      'workers: { count: 1, cores: 2, memoryMiB: 6144 }',
      'workers: { count: 1, cores: 3, memoryMiB: 7168 }',
    );
  return { before, after };
}

describe('the rolling-upgrade bound against a real converge', { timeout: 300_000 }, () => {
  it('is at most the lab time the one-worker twin takes to converge', async () => {
    const root = mkdtempSync(join(tmpdir(), 'upgrade-bound-'));
    const lab = await startLab({ dir: join(root, 'lab'), timeScale: SCALE, profile: 'realistic' });
    try {
      const specs = oneWorkerSpecs();
      writeFileSync(join(root, 'before.yaml'), specs.before);
      writeFileSync(join(root, 'after.yaml'), specs.after);
      const endpoint = lab.endpoint.replace(/\/api2\/json$/, '');
      const target = ['--env', 'pr-5', '--state-dir', join(root, 'state'), '--endpoint', endpoint];
      const up = (spec: string) =>
        runCli(['up', join(root, spec), ...target, '--ca-file', lab.caFile], cliEnv(lab, root, SCALE));
      const created = await up('before.yaml');
      expect(created.code, created.output.split('\n').slice(-15).join('\n')).toBe(0);
      const layout = boundTwinInLab(lab, 'pr-5');
      const started = Date.now();
      const converged = await up('after.yaml');
      const measured = (Date.now() - started) / 1000 / SCALE;
      expect(converged.code, converged.output.split('\n').slice(-15).join('\n')).toBe(0);
      const work = upgradeWork(twinOf(specs.before, 'pr-5'), twinOf(specs.after, 'pr-5'), layout);
      const bound = upgradeBound(work);
      show(`one-worker converge, measured ${measured.toFixed(0)} s of lab time; bound`, bound);
      expect(bound.seconds).toBeLessThanOrEqual(measured);
      // Not trivially small: the two upgrade-k8s runs of a 2-node cluster follow the first hop's boot.
      expect(bound.seconds).toBeGreaterThan(2 * (3 * 20 + 2 * 10 + 5) + 58);
    } finally {
      await lab.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
