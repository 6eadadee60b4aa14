import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { SpecError, formatIssue, loadSpec, parseSpec } from '../../src/spec/load.js';
import type { SpecIssue } from '../../src/spec/load.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/specs');
const EXAMPLE = join(import.meta.dirname, '../../examples/twin.yaml');

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

function errorsOf(text: string, file = 'twin.yaml'): SpecIssue[] {
  try {
    parseSpec(text, file);
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

// file, line, column, path, message fragment: each broken spec has exactly this one error.
const BROKEN: [string, number, number, string, string][] = [
  ['malformed-yaml.yaml', 6, 3, '', 'YAML syntax: Flow sequence'],
  ['duplicate-key.yaml', 4, 1, '', 'duplicate key project'],
  ['empty.yaml', 1, 1, '', 'the spec is empty'],
  ['wrong-type.yaml', 12, 12, 'proxmox.slots.count', 'must be a number, found text "eight"'],
  ['unknown-key.yaml', 41, 7, 'clusters[1].network.vlna', 'unknown key vlna'],
  ['missing-field.yaml', 6, 3, 'proxmox.storage.disks', 'missing required field disks'],
  ['duplicate-cluster-name.yaml', 37, 11, 'clusters[1].name', 'cluster name east is used twice'],
  ['duplicate-cluster-id.yaml', 38, 9, 'clusters[1].id', 'cluster id 1 is used twice'],
  ['cluster-id-out-of-range.yaml', 38, 9, 'clusters[1].id', 'from 1 to 255'],
  ['bad-cluster-name.yaml', 37, 11, 'clusters[1].name', 'lower-case letters, digits and "-"'],
  ['default-cluster-name.yaml', 37, 11, 'clusters[1].name', '"default" is reserved by Cilium'],
  [
    'pods-overlap-node-network.yaml',
    33,
    11,
    'clusters[0].pods',
    'overlaps network.cidr 192.168.15.0/24 of cluster east',
  ],
  [
    'pods-overlap-across-clusters.yaml',
    45,
    11,
    'clusters[1].pods',
    'Cluster Mesh requires distinct pod CIDRs',
  ],
  [
    'services-overlap-pods.yaml',
    34,
    15,
    'clusters[0].services',
    'overlaps pods 10.244.0.0/16 of cluster east',
  ],
  ['node-networks-overlap.yaml', 41, 13, 'clusters[1].network.cidr', 'overlaps network.cidr 192.168.15.0/24'],
  ['cidr-host-bits.yaml', 45, 11, 'clusters[1].pods', '10.245.1.0/16 has host bits set'],
  [
    'gateway-outside-cidr.yaml',
    30,
    16,
    'clusters[0].network.gateway',
    'outside the node network 192.168.15.0/24',
  ],
  ['gateway-inside-pool.yaml', 42, 16, 'clusters[1].network.gateway', 'lies inside addressPool'],
  ['pool-outside-cidr.yaml', 32, 20, 'clusters[0].network.addressPool', 'is not inside the host addresses'],
  ['pool-reversed.yaml', 44, 20, 'clusters[1].network.addressPool', 'the range starts after it ends'],
  [
    'pool-too-small.yaml',
    32,
    20,
    'clusters[0].network.addressPool',
    '37 addresses over 8 slots is 4 per slot',
  ],
  ['zero-control-planes.yaml', 35, 29, 'clusters[0].controlPlanes.count', 'needs at least 1 control plane'],
  ['vip-inside-pool.yaml', 57, 20, 'environments.production.clusters.east.vip', 'lies inside addressPool'],
  ['vip-is-gateway.yaml', 58, 20, 'environments.production.clusters.west.vip', 'is the gateway'],
  ['vip-without-slot.yaml', 53, 3, 'environments.production', 'pins the vip of east, west but not a slot'],
  ['preview-pins-slot.yaml', 61, 11, 'environments.preview.slot', 'a preview cannot pin a slot'],
  ['pinned-slot-out-of-range.yaml', 55, 11, 'environments.production.slot', 'slot 8 does not exist'],
  ['overlay-unknown-cluster.yaml', 64, 7, 'environments.preview.clusters.north', 'names cluster north'],
  [
    'bad-schematic.yaml',
    19,
    14,
    'talos.schematic',
    '"CE4C980550DD2AB1" is not an Image Factory schematic id',
  ],
  [
    'bad-talos-version.yaml',
    17,
    12,
    'talos.version',
    'is not a supported Talos version: the v1.11, v1.12 and v1.13 series',
  ],
  ['bad-cilium-version.yaml', 23, 12, 'cilium.version', '"1.18.2" is not a supported Cilium version'],
  ['vmids-per-slot-too-small.yaml', 15, 19, 'proxmox.slots.vmidsPerSlot', 'fewer than the 12 VMs'],
  ['vmid-overflow.yaml', 14, 15, 'proxmox.slots.vmidBase', 'VMID 1000000299, above'],
];

describe('the example spec', () => {
  it('validates without errors or warnings', () => {
    const { spec, warnings } = loadSpec(EXAMPLE);
    expect(warnings).toEqual([]);
    expect(spec.clusters.map((cluster) => cluster.name)).toEqual(['east', 'west']);
    expect(spec.clusters[1]?.workers.extraDisks).toEqual([{ sizeGiB: 100 }]);
    expect(spec.environments.production).toMatchObject({ branch: 'main', slot: 0 });
  });
});

describe('broken specs', () => {
  it('has a row for every fixture and at least 20 of them', () => {
    const files = readdirSync(FIXTURES).filter((name) => !name.startsWith('warn-'));
    expect(files.sort()).toEqual(BROKEN.map(([file]) => file).sort());
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(BROKEN)('%s: one error at %i:%i', (file, line, column, path, fragment) => {
    const issues = errorsOf(fixture(file), file);
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(issue).toMatchObject({ severity: 'error', file, line, column, path });
    expect(issue?.message).toContain(fragment);
    expect(issue?.fix.length).toBeGreaterThan(5);
  });
});

// Rules without a fixture of their own, each made by one edit of the example: [from, to, path, fragment].
const EDITS: [string, string, string, string][] = [
  ['nodes: [pve1, pve2, pve3]', 'nodes: [pve1, pve2, pve1]', 'proxmox.nodes[2]', 'node pve1 is listed twice'],
  [
    'gateway: 192.168.15.1',
    'gateway: 192.168.15.0',
    'clusters[0].network.gateway',
    'network or broadcast address',
  ],
  [
    'vip: 192.168.15.10',
    'vip: 10.0.0.10',
    'environments.production.clusters.east.vip',
    'outside the node network',
  ],
  ['    ttlHours: 72', '    ttlHours: 0', 'environments.preview.ttlHours', 'from 1 to 8760'],
  [
    '    clusters:\n      east:\n        workers',
    '    clusters:\n      "a.b": {}\n      east:\n        workers',
    'environments.preview.clusters["a.b"]',
    'names cluster a.b',
  ],
  [
    'workers: { cores: 2, memoryMiB: 6144 } # previews keep 3 workers (Ceph needs 3 OSD hosts), smaller\n      west',
    'workers: { cores: 2, memoryMiB: 6144 }\n        vip: 192.168.15.11\n      west',
    'environments.preview',
    'pins the vip of east but not a slot',
  ],
  [
    'kubernetesVersion: 1.36.3',
    'kubernetesVersion: 1.28.0',
    'talos.kubernetesVersion',
    'some supported Talos release takes (1.29 to 1.36)',
  ],
  [
    'kubernetesVersion: 1.36.3',
    'kubernetesVersion: 1.30.4',
    'talos.kubernetesVersion',
    'Kubernetes 1.30.4 is not a release Talos v1.13 runs (1.31 to 1.36)',
  ],
];

describe('rules without a fixture', () => {
  it.each(EDITS)('%s -> %s is one error at %s', (from, to, path, fragment) => {
    const example = readFileSync(EXAMPLE, 'utf8');
    expect(example).toContain(from);
    const issues = errorsOf(example.replace(from, to));
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(fragment);
  });
});

describe('warnings', () => {
  it('an even control-plane count is one warning, not an error', () => {
    const { warnings } = parseSpec(fixture('warn-even-control-planes.yaml'), 'even.yaml');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      severity: 'warning',
      line: 35,
      column: 29,
      path: 'clusters[0].controlPlanes.count',
    });
    expect(warnings[0]?.message).toContain('etcd');
  });

  it('warns when the schematic does not list the guest agent', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace(
      'extensions: [siderolabs/qemu-guest-agent]',
      'extensions: []',
    );
    const { warnings } = parseSpec(text, 'twin.yaml');
    expect(warnings.map((warning) => warning.path)).toEqual(['talos.extensions']);
  });

  it('warns about an even count an overlay sets, and about Ceph without disks', () => {
    const text = readFileSync(EXAMPLE, 'utf8')
      .replace(
        'workers: { cores: 2, memoryMiB: 6144 } # previews keep 3 workers (Ceph needs 3 OSD hosts), smaller\n      west',
        'controlPlanes: { count: 2 }\n      west',
      )
      .replace(
        / {6}extraDisks:\n {8}- sizeGiB: 100 # a raw disk per worker for a Ceph OSD\n\n {2}- name: west/,
        '\n  - name: west',
      );
    const { warnings } = parseSpec(text, 'twin.yaml');
    expect(warnings.map((warning) => warning.path)).toEqual([
      'clusters[0].workers',
      'environments.preview.clusters.east.controlPlanes.count',
    ]);
    expect(warnings[0]?.message).toContain('Ceph has no raw disk');
  });
});

describe('messages', () => {
  it('formats each issue as file:line:col: severity: path: message (fix: ...)', () => {
    const text = fixture('bad-talos-version.yaml');
    expect(() => parseSpec(text, 'specs/twin.yaml')).toThrow(
      /^specs\/twin\.yaml:17:12: error: talos\.version: .+ \(fix: write e\.g\. v1\.13\.9 \(the latest v1\.13 release this toolkit knows\)\)$/,
    );
    const issue: SpecIssue = {
      severity: 'warning',
      file: 'a.yaml',
      line: 2,
      column: 3,
      path: '',
      message: 'm',
      fix: 'f',
    };
    expect(formatIssue(issue)).toBe('a.yaml:2:3: warning: m (fix: f)');
  });

  it('is a ConfigurationError, reporting every shape error in file order', () => {
    const text = fixture('wrong-type.yaml').replace('arch: amd64', 'arch: x86').replace('id: 2', 'id: two');
    let caught: unknown;
    try {
      parseSpec(text, 'twin.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const issues = (caught as SpecError).issues;
    expect(issues.map((issue) => issue.path)).toEqual([
      'proxmox.slots.count',
      'talos.arch',
      'clusters[1].id',
    ]);
    expect((caught as SpecError).message.split('\n')).toHaveLength(3);
  });

  it('tells to quote a version YAML read as a number', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace('version: 1.20.0', 'version: 1.20');
    const [issue] = errorsOf(text);
    expect(issue?.path).toBe('cilium.version');
    expect(issue?.message).toContain('found number "1.20"');
    expect(issue?.fix).toContain('quote it: "1.20"');
  });

  it('suggests the allowed keys when a key is not a typo of one', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace(
      '  starwars:',
      '  grafana: { enabled: true }\n  starwars:',
    );
    const [issue] = errorsOf(text);
    expect(issue?.path).toBe('addons.grafana');
    expect(issue?.fix).toBe('remove it; allowed here: rook, starwars, tetragon, extras');
  });

  it('knows the allowed keys inside lists, defaults and overlays', () => {
    const example = readFileSync(EXAMPLE, 'utf8');
    const inList = errorsOf(
      example.replace(
        '- sizeGiB: 100 # a raw disk per worker for a Ceph OSD\n\n  - name: west',
        '- { sizeGiB: 100, sizeGB: 100 }\n\n  - name: west',
      ),
    );
    expect(inList.map((issue) => [issue.path, issue.fix])).toEqual([
      ['clusters[0].workers.extraDisks[0].sizeGB', 'did you mean sizeGiB?'],
    ]);
    const inOverlay = errorsOf(example.replace('vip: 192.168.15.10', 'vip: 192.168.15.10\n        vips: []'));
    expect(inOverlay.map((issue) => [issue.path, issue.fix])).toEqual([
      ['environments.production.clusters.east.vips', 'did you mean vip?'],
    ]);
  });

  it('points a missing top-level section at the document', () => {
    const text = readFileSync(EXAMPLE, 'utf8').replace(/^cilium:\n.*\n/m, '');
    const [issue] = errorsOf(text);
    expect(issue).toMatchObject({
      path: 'cilium',
      line: 4,
      column: 1,
      message: 'missing required field cilium',
    });
  });

  it('refuses a file it cannot read with the path and the way out', () => {
    expect(() => loadSpec('/nonexistent/twin.yaml')).toThrow(ConfigurationError);
    expect(() => loadSpec('/nonexistent/twin.yaml')).toThrow(
      /"\/nonexistent\/twin\.yaml" cannot be read \(ENOENT\).*examples\/twin\.yaml/,
    );
  });
});

describe('talos.timeServers and talos.registryMirrors', () => {
  const example = readFileSync(EXAMPLE, 'utf8');
  const withTalos = (lines: string) =>
    example.replace(/^ {2}timeServers: .*$/m, lines.replace(/^/gm, '  ').trimEnd());

  it('the example syncs to the Proxmox VM clock; mirrors are optional', () => {
    const { spec } = parseSpec(example, 'twin.yaml');
    expect(spec.talos.timeServers).toEqual(['/dev/ptp0']);
    expect(spec.talos.registryMirrors).toBeUndefined();
  });

  it('takes NTP host names, IPv4 addresses, PTP devices and http(s) mirrors per registry', () => {
    const { spec } = parseSpec(
      withTalos(
        'timeServers: [time.cloudflare.com, 192.168.15.1, /dev/ptp_kvm]\n' +
          'registryMirrors:\n' +
          '  docker.io:\n' +
          '    endpoints: [https://cache.lab:5000, http://10.0.0.5:5000/v2/proxy]\n' +
          '    overridePath: true\n' +
          '  "*":\n' +
          '    endpoints: [https://cache.lab:5000]\n' +
          '    skipFallback: true\n',
      ),
      'twin.yaml',
    );
    expect(spec.talos.timeServers).toEqual(['time.cloudflare.com', '192.168.15.1', '/dev/ptp_kvm']);
    expect(spec.talos.registryMirrors).toEqual({
      'docker.io': {
        endpoints: ['https://cache.lab:5000', 'http://10.0.0.5:5000/v2/proxy'],
        overridePath: true,
      },
      '*': { endpoints: ['https://cache.lab:5000'], skipFallback: true },
    });
  });

  it.each([
    ['timeServers: ["ntp://time.cloudflare.com"]', 'talos.timeServers[0]', 'is not a time server'],
    ['timeServers: [/dev/sda]', 'talos.timeServers[0]', 'is not a time server'],
    ['timeServers: []', 'talos.timeServers', 'timeServers is empty'],
    [
      'registryMirrors:\n  docker.io:\n    endpoints: [cache.lab:5000]',
      'talos.registryMirrors["docker.io"].endpoints[0]',
      'is not a mirror endpoint: an http(s) URL',
    ],
    [
      'registryMirrors:\n  docker.io:\n    endpoints: []',
      'talos.registryMirrors["docker.io"].endpoints',
      'at least one endpoint',
    ],
    [
      'registryMirrors:\n  "https://docker.io":\n    endpoints: [https://cache.lab]',
      'talos.registryMirrors',
      'is not a registry host',
    ],
  ])('refuses %j at %s', (lines, path, message) => {
    const issues = errorsOf(withTalos(lines));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toContain(path);
    expect(issues[0]?.message).toContain(message);
    expect(issues[0]?.fix).not.toBe('');
  });
});

describe('talos.imageSha256', () => {
  it('is the pinned digest of the nocloud image, validated as one', () => {
    const text = readFileSync('examples/twin.yaml', 'utf8');
    expect(parseSpec(text, 'twin.yaml').spec.talos.imageSha256).toMatch(/^[0-9a-f]{64}$/);
    const bad = text.replace(/imageSha256: [0-9a-f]+/, 'imageSha256: sha256:ABC');
    let caught: unknown;
    try {
      parseSpec(bad, 'twin.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect(String((caught as Error).message)).toMatch(
      /talos\.imageSha256: "sha256:ABC" is not the sha256 of the Talos nocloud image .*fix: compute it from the image you checked/,
    );
  });
});
