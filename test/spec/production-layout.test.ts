import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatIssue, loadSpec, parseSpec, SpecError } from '../../src/spec/load.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../examples/twin.yaml'), 'utf8');
const production = parseSpec(EXAMPLE, 'main/twin.yaml').spec;
const layout = { spec: production, file: 'main/twin.yaml' };

/** The example with each [from, to] replaced once (each `from` must occur). */
function edited(...changes: [string, string][]): string {
  return changes.reduce((text, [from, to]) => {
    expect(text).toContain(from);
    return text.replace(from, to);
  }, EXAMPLE);
}

describe("a preview's spec with the production branch's layout", () => {
  it("takes slots, address pools, production's settings, TTL and quota from production, and sizes from the PR", () => {
    const pr = edited(
      ['vmidBase: 7000', 'vmidBase: 8000'],
      ['addressPool: 192.168.15.64-192.168.15.191', 'addressPool: 192.168.15.2-192.168.15.191'],
      ['ttlHours: 72', 'ttlHours: 8000'],
      ['vip: 192.168.20.10', 'vip: 192.168.20.11'],
      ['version: v1.18.8', 'version: v1.18.8 # unchanged'],
      [
        'workers: { cores: 2, memoryMiB: 6144 } # previews',
        'workers: { cores: 3, memoryMiB: 6144 } # previews',
      ],
    );
    const { spec, warnings } = parseSpec(pr, 'pr/twin.yaml', layout);
    expect(spec.proxmox.slots.vmidBase).toBe(7000);
    expect(spec.clusters[0]!.network.addressPool).toBe('192.168.15.64-192.168.15.191');
    expect(spec.environments.preview.ttlHours).toBe(72);
    expect(spec.environments.production.clusters?.west?.vip).toBe('192.168.20.10');
    expect(spec.environments.preview.clusters?.east?.workers?.cores).toBe(3);

    const lines = warnings.map(formatIssue);
    expect(lines.map((line) => /warning: ([^:]+):/.exec(line)?.[1])).toEqual([
      'proxmox.slots',
      'clusters[0].network',
      'environments.production',
      'environments.preview.ttlHours',
    ]);
    expect(lines[0]).toMatch(
      /^pr\/twin\.yaml:\d+:\d+: warning: proxmox\.slots: differs from the production branch's spec \(main\/twin\.yaml\); this twin takes the production branch's value/,
    );
  });

  it("keeps production's quota when the PR drops it, and its lack of one when the PR adds one", () => {
    const withQuota = parseSpec(
      edited(['ttlHours: 72', 'ttlHours: 72\n    quota: { vms: 12, cores: 40 }']),
      'main/twin.yaml',
    ).spec;
    const dropped = parseSpec(EXAMPLE, 'pr/twin.yaml', { spec: withQuota, file: 'main/twin.yaml' });
    expect(dropped.spec.environments.preview.quota).toEqual({ vms: 12, cores: 40 });
    expect(dropped.warnings.map(formatIssue).join('\n')).toMatch(/environments\.preview\.quota: differs/);

    const added = parseSpec(
      edited(['ttlHours: 72', 'ttlHours: 72\n    quota: { vms: 100 }']),
      'pr.yaml',
      layout,
    );
    expect(added.spec.environments.preview.quota).toBeUndefined();
  });

  it('refuses a cluster the production branch does not have, naming it', () => {
    const pr = edited(['name: west # second cluster', 'name: south # second cluster']);
    expect(() => parseSpec(pr, 'pr/twin.yaml', layout)).toThrow(SpecError);
    expect(() => parseSpec(pr, 'pr/twin.yaml', layout)).toThrow(
      /clusters\[1\]\.name: cluster south is not in the production branch's spec \(main\/twin\.yaml\).*fix: add the cluster's network to the production branch first/,
    );
  });

  it("judges the twin that runs: the PR's pod CIDR against production's node network", () => {
    // Alone, the PR is consistent: its own east network moved to 10.60.0.0/16 and pods took 192.168.15.0/24.
    const pr = edited(
      ['cidr: 192.168.15.0/24 # node network', 'cidr: 10.60.0.0/16 # node network'],
      ['gateway: 192.168.15.1 # default route', 'gateway: 10.60.0.1 # default route'],
      ['dns: [192.168.15.1]', 'dns: [10.60.0.1]'],
      ['addressPool: 192.168.15.64-192.168.15.191', 'addressPool: 10.60.0.64-10.60.0.191'],
      ['vip: 192.168.15.10', 'vip: 10.60.0.10'],
      ['pods: 10.244.0.0/16', 'pods: 192.168.15.0/24'],
    );
    expect(() => parseSpec(pr, 'pr/twin.yaml')).not.toThrow();
    expect(() => parseSpec(pr, 'pr/twin.yaml', layout)).toThrow(/clusters\[0\]\.pods: .*overlaps/);
  });

  it('warns of nothing when the layout is the same', () => {
    expect(parseSpec(EXAMPLE, 'pr/twin.yaml', layout).warnings).toEqual([]);
  });
});

describe('loadSpec with a layout file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layout-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('reads the layout file as strictly as the spec, inside the workspace', async () => {
    await writeFile(join(dir, 'twin.yaml'), EXAMPLE.replace('vmidBase: 7000', 'vmidBase: 8000'));
    await writeFile(join(dir, 'main.yaml'), EXAMPLE);
    const root = { dir, name: 'the workspace' };
    const { spec, warnings } = loadSpec(join(dir, 'twin.yaml'), root, join(dir, 'main.yaml'));
    expect(spec.proxmox.slots.vmidBase).toBe(7000);
    expect(warnings).toHaveLength(1);
    expect(() => loadSpec(join(dir, 'twin.yaml'), root, '/etc/hostname')).toThrow(
      /production branch's twin spec/,
    );
    expect(() => loadSpec(join(dir, 'twin.yaml'), root, join(dir, 'missing.yaml'))).toThrow(
      /production branch's twin spec/,
    );
  });
});
