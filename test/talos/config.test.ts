import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigurationError } from '../../src/errors.js';
import {
  ROLE_LABEL,
  clusterEndpoint,
  commonPatch,
  controlPlanePatch,
  nodePatch,
  workerPatch,
  type TalosClusterInput,
  type TalosNodeInput,
} from '../../src/talos/config.js';
import { strategicMerge, talosSchemaErrors, withoutFieldsTheSchemaLacks } from './talos-schema.js';

type Doc = Record<string, unknown>;

const cluster: TalosClusterInput = {
  name: 'east',
  vip: '192.168.15.10',
  pods: '10.245.0.0/16',
  services: '10.97.0.0/16',
  installImage:
    'factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.6',
  kubernetesVersion: '1.34.1',
  talosVersion: 'v1.11.6',
  workers: 2,
};

const controlPlane: TalosNodeInput = {
  name: 'production-east-cp-1',
  role: 'controlplane',
  address: '192.168.15.11',
  prefixLength: 24,
  gateway: '192.168.15.1',
  dns: ['192.168.15.1', '1.1.1.1'],
  vip: '192.168.15.10',
};

const worker: TalosNodeInput = {
  name: 'production-east-w-1',
  role: 'worker',
  address: '192.168.15.14',
  prefixLength: 24,
  gateway: '192.168.15.1',
  dns: ['192.168.15.1'],
};

function fixture(name: 'controlplane' | 'worker'): Doc {
  return parse(readFileSync(new URL(`./fixtures/${name}.yaml`, import.meta.url), 'utf8')) as Doc;
}

/** What talosctl builds: gen config output + role patches, then machineconfig patch with the node patch. */
function assemble(base: Doc, patches: string[]): Doc {
  return patches.reduce<Doc>((config, patch) => strategicMerge(config, parse(patch)) as Doc, base);
}

function at(doc: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Doc | undefined)?.[key], doc);
}

describe('the gen config fixtures', () => {
  it('fail the schema only by the field the contract says it lacks (persist)', () => {
    for (const name of ['controlplane', 'worker'] as const) {
      const doc = fixture(name);
      expect(talosSchemaErrors(doc)).toEqual([expect.stringContaining('"additionalProperty":"persist"')]);
      expect(talosSchemaErrors(withoutFieldsTheSchemaLacks(doc))).toEqual([]);
    }
  });
});

describe('patches against the Talos v1.11 config schema', () => {
  it.each([
    ['common', commonPatch(cluster)],
    ['control plane', controlPlanePatch(cluster)],
    ['worker', workerPatch(cluster)],
    ['control plane node', nodePatch(controlPlane)],
    ['worker node', nodePatch(worker)],
  ])('the %s patch is a valid v1alpha1 document', (_name, patch) => {
    expect(talosSchemaErrors(parse(patch))).toEqual([]);
  });

  it('assembles a valid control-plane config with the cluster network, KubePrism, install image and VIP', () => {
    const config = assemble(withoutFieldsTheSchemaLacks(fixture('controlplane')), [
      commonPatch(cluster),
      controlPlanePatch(cluster),
      nodePatch(controlPlane),
    ]);
    expect(talosSchemaErrors(config)).toEqual([]);
    expect(at(config, 'machine.type')).toBe('controlplane');
    expect(at(config, 'cluster.network.cni')).toEqual({ name: 'none' });
    expect(at(config, 'cluster.proxy')).toEqual({
      image: 'registry.k8s.io/kube-proxy:v1.34.1',
      disabled: true,
    });
    expect(at(config, 'cluster.network.podSubnets')).toEqual(['10.245.0.0/16']);
    expect(at(config, 'cluster.network.serviceSubnets')).toEqual(['10.97.0.0/16']);
    expect(at(config, 'machine.features.kubePrism')).toEqual({ enabled: true, port: 7445 });
    expect(at(config, 'machine.features.hostDNS.forwardKubeDNSToHost')).toBe(true);
    expect(at(config, 'machine.install.disk')).toBe('/dev/sda');
    expect(at(config, 'machine.install.image')).toBe(cluster.installImage);
    expect(at(config, 'cluster.allowSchedulingOnControlPlanes')).toBe(false);
    expect(at(config, 'machine.nodeLabels')).toEqual({
      'node.kubernetes.io/exclude-from-external-load-balancers': '',
      [ROLE_LABEL]: 'control-plane',
    });
    expect(at(config, 'machine.network')).toEqual({
      hostname: 'production-east-cp-1',
      nameservers: ['192.168.15.1', '1.1.1.1'],
      interfaces: [
        {
          interface: 'eth0',
          dhcp: false,
          addresses: ['192.168.15.11/24'],
          routes: [{ network: '0.0.0.0/0', gateway: '192.168.15.1' }],
          vip: { ip: '192.168.15.10' },
        },
      ],
    });
  });

  it('assembles a valid worker config without a VIP', () => {
    const config = assemble(withoutFieldsTheSchemaLacks(fixture('worker')), [
      commonPatch(cluster),
      workerPatch(cluster),
      nodePatch(worker),
    ]);
    expect(talosSchemaErrors(config)).toEqual([]);
    expect(at(config, 'machine.type')).toBe('worker');
    expect(at(config, 'cluster.network.podSubnets')).toEqual(['10.245.0.0/16']);
    expect(at(config, 'machine.nodeLabels')).toEqual({ [ROLE_LABEL]: 'worker' });
    expect(at(config, 'machine.network.interfaces')).toEqual([
      {
        interface: 'eth0',
        dhcp: false,
        addresses: ['192.168.15.14/24'],
        routes: [{ network: '0.0.0.0/0', gateway: '192.168.15.1' }],
      },
    ]);
  });

  it('lets control planes take workloads only when the cluster has no workers', () => {
    expect(
      at(parse(controlPlanePatch({ ...cluster, workers: 0 })), 'cluster.allowSchedulingOnControlPlanes'),
    ).toBe(true);
    expect(at(parse(controlPlanePatch(cluster)), 'cluster.allowSchedulingOnControlPlanes')).toBe(false);
  });

  it('never labels nodes in the node-role namespace a kubelet may not set', () => {
    for (const patch of [controlPlanePatch(cluster), workerPatch(cluster)]) {
      expect(Object.keys(at(parse(patch), 'machine.nodeLabels') as Doc)).not.toContainEqual(
        expect.stringMatching(/^node-role\.kubernetes\.io\//),
      );
    }
  });

  it('puts the VIP in the API endpoint', () => {
    expect(clusterEndpoint(cluster)).toBe('https://192.168.15.10:6443');
  });
});

describe('time servers and registry mirrors (LIFECYCLE F.6)', () => {
  const withBoth = {
    ...cluster,
    timeServers: ['/dev/ptp0', 'time.cloudflare.com'],
    registryMirrors: {
      'docker.io': { endpoints: ['https://cache.lab:5000'], overridePath: false },
      '*': { endpoints: ['https://cache.lab:5000'], skipFallback: true },
    },
  };

  it('leaves machine.time and machine.registries to Talos unless the spec sets them', () => {
    const patch = parse(commonPatch(cluster)) as Record<string, unknown>;
    expect(at(patch, 'machine.time')).toBeUndefined();
    expect(at(patch, 'machine.registries')).toBeUndefined();
  });

  it('renders them into a config the Talos v1.11 schema accepts', () => {
    expect(talosSchemaErrors(parse(commonPatch(withBoth)))).toEqual([]);
    const config = assemble(withoutFieldsTheSchemaLacks(fixture('worker')), [
      commonPatch(withBoth),
      workerPatch(withBoth),
      nodePatch(worker),
    ]);
    expect(talosSchemaErrors(config)).toEqual([]);
    expect(at(config, 'machine.time')).toEqual({ servers: ['/dev/ptp0', 'time.cloudflare.com'] });
    expect(at(config, 'machine.registries.mirrors')).toEqual(withBoth.registryMirrors);
  });
});

describe('bad input names the field and the fix', () => {
  it.each<[string, () => string, RegExp]>([
    [
      'a worker with a VIP',
      () => nodePatch({ ...worker, vip: '192.168.15.10' }),
      /node production-east-w-1: vip is set on a worker: Talos accepts a VIP on control planes only/,
    ],
    [
      'a control plane without a VIP',
      () => nodePatch({ ...controlPlane, vip: undefined }),
      /node production-east-cp-1: vip is missing/,
    ],
    [
      'a bad address',
      () => nodePatch({ ...worker, address: '192.168.15.300' }),
      /node production-east-w-1: address "192.168.15.300" is not an IPv4 address: write e\.g\./,
    ],
    [
      'a bad gateway',
      () => nodePatch({ ...worker, gateway: 'router' }),
      /gateway "router" is not an IPv4 address/,
    ],
    [
      'a bad resolver',
      () => nodePatch({ ...worker, dns: ['1.1.1.1', 'dns.local'] }),
      /dns\[1\] "dns.local" is not an IPv4 address/,
    ],
    ['no resolver', () => nodePatch({ ...worker, dns: [] }), /dns is empty: list at least one resolver/],
    [
      'a prefix length of 0',
      () => nodePatch({ ...worker, prefixLength: 0 }),
      /prefixLength 0 is not a prefix length: use 1-32/,
    ],
    [
      'a bad pod CIDR',
      () => commonPatch({ ...cluster, pods: '10.245.0.0' }),
      /cluster east: pods "10.245.0.0" is not an IPv4 CIDR: write e\.g\. 10\.244\.0\.0\/16/,
    ],
    [
      'no install image',
      () => commonPatch({ ...cluster, installImage: ' ' }),
      /cluster east: installImage is empty/,
    ],
    [
      'a mirror endpoint that is not an http(s) URL',
      () => commonPatch({ ...cluster, registryMirrors: { 'docker.io': { endpoints: ['ftp://cache.lab'] } } }),
      /cluster east: registryMirrors\.docker\.io\.endpoints\[0\] "ftp:\/\/cache\.lab" is not an http\(s\) URL/,
    ],
    [
      'an empty time server list',
      () => commonPatch({ ...cluster, timeServers: [] }),
      /cluster east: timeServers is empty: list a server, or leave it out for time\.cloudflare\.com/,
    ],
    [
      'a negative worker count',
      () => workerPatch({ ...cluster, workers: -1 }),
      /cluster east: workers -1 is not a count/,
    ],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });
});
