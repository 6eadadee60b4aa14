import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  ROOK_NAMESPACE,
  ROOK_REPO,
  isSmallCluster,
  osdDeviceNames,
  rookClusterValues,
  rookNamespaceManifest,
  rookOperatorValues,
  type RookInput,
} from '../../src/addons/rook.js';
import { ConfigurationError } from '../../src/errors.js';

/** The example's preview worker: 2 vCPU / 6 GiB. */
const PREVIEW_WORKER = { cores: 2, memoryMiB: 6144 };
const PRODUCTION_WORKER = { cores: 4, memoryMiB: 8192 };

function workers(...disks: number[]): RookInput {
  return {
    cluster: 'east',
    workers: disks.map((extraDisks, i) => ({ name: `east-w${i + 1}`, extraDisks })),
    workerVm: PREVIEW_WORKER,
  };
}

/** The compact tier's cephClusterSpec.resources, as a preview worker gets them. */
const COMPACT_RESOURCES = {
  mon: { requests: { cpu: '150m', memory: '384Mi' }, limits: { memory: '1Gi' } },
  mgr: { requests: { cpu: '100m', memory: '384Mi' }, limits: { memory: '1Gi' } },
  'mgr-sidecar': { requests: { cpu: '10m', memory: '40Mi' }, limits: { memory: '100Mi' } },
  osd: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2560Mi' } },
  prepareosd: { requests: { cpu: '50m', memory: '50Mi' } },
  crashcollector: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '60Mi' } },
  exporter: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
};

const CSI_PARAMETERS = {
  imageFormat: '2',
  imageFeatures: 'layering',
  'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
  'csi.storage.k8s.io/provisioner-secret-namespace': 'rook-ceph',
  'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
  'csi.storage.k8s.io/controller-expand-secret-namespace': 'rook-ceph',
  'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
  'csi.storage.k8s.io/node-stage-secret-namespace': 'rook-ceph',
  'csi.storage.k8s.io/fstype': 'ext4',
};

function expectedValues(opts: {
  small: boolean;
  nodes: { name: string; devices: { name: string }[] }[];
}): Record<string, unknown> {
  const { small, nodes } = opts;
  return {
    operatorNamespace: 'rook-ceph',
    toolbox: { enabled: false },
    monitoring: { enabled: false },
    cephClusterSpec: {
      dataDirHostPath: '/var/lib/rook',
      mon: small ? { count: 1, allowMultiplePerNode: true } : { count: 3, allowMultiplePerNode: false },
      // One mgr on a preview worker: the compact tier has no room for a standby.
      mgr: small ? { count: 1, allowMultiplePerNode: true } : { count: 1, allowMultiplePerNode: false },
      ...(small
        ? { cephConfig: { global: { osd_pool_default_size: '1', mon_warn_on_pool_no_redundancy: 'false' } } }
        : {}),
      storage: { useAllNodes: false, useAllDevices: false, nodes },
      healthCheck: { daemonHealth: { status: { interval: '10s' } } },
      resources: COMPACT_RESOURCES,
      logCollector: { enabled: false },
      crashCollector: { disable: false },
      dashboard: { enabled: false },
    },
    cephBlockPools: [
      {
        name: 'ceph-blockpool',
        spec: {
          failureDomain: 'host',
          replicated: small ? { size: 1, requireSafeReplicaSize: false } : { size: 3 },
        },
        storageClass: {
          enabled: true,
          name: 'ceph-block',
          isDefault: true,
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
          volumeBindingMode: 'Immediate',
          parameters: CSI_PARAMETERS,
        },
      },
    ],
    cephFileSystems: [],
    cephObjectStores: [],
  };
}

const sdb = [{ name: 'sdb' }];

describe('rook constants and the small pieces', () => {
  it('names the chart repository and namespace of the Talos guide (CONTRACTS D)', () => {
    expect(ROOK_REPO).toBe('https://charts.rook.io/release');
    expect(ROOK_NAMESPACE).toBe('rook-ceph');
  });

  it.each<[number, string[]]>([
    [0, []],
    [1, ['sdb']],
    [3, ['sdb', 'sdc', 'sdd']],
    [8, ['sdb', 'sdc', 'sdd', 'sde', 'sdf', 'sdg', 'sdh', 'sdi']],
  ])('names %i extra disks after the system disk sda', (count, names) => {
    expect(osdDeviceNames(count)).toEqual(names);
  });

  it.each([-1, 1.5, 26])('refuses a disk count of %s', (count) => {
    expect(() => osdDeviceNames(count)).toThrow(ConfigurationError);
    expect(() => osdDeviceNames(count)).toThrow(`extraDisks ${count} is not a disk count from 0 to 25`);
  });

  it('labels the namespace privileged for enforce, audit and warn', () => {
    expect(rookNamespaceManifest()).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'rook-ceph',
        labels: {
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'privileged',
          'pod-security.kubernetes.io/warn': 'privileged',
        },
      },
    });
  });

  it('sizes the operator and the RBD driver to a preview worker, without CephFS', () => {
    const values = rookOperatorValues(PREVIEW_WORKER) as { csi: Record<string, unknown> };
    expect(values).toMatchObject({
      crds: { enabled: true },
      monitoring: { enabled: false },
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      csi: { enableRbdDriver: true, enableCephfsDriver: false, provisionerReplicas: 1 },
    });
    // The chart's shape (rook-ceph values.yaml lines 233-306): a YAML string listing `- name` + `resource`.
    expect(parse(values.csi.csiRBDPluginResource as string)).toEqual([
      {
        name: 'driver-registrar',
        resource: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
      },
      {
        name: 'csi-rbdplugin',
        resource: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '1Gi' } },
      },
    ]);
    const provisioner = parse(values.csi.csiRBDProvisionerResource as string) as { name: string }[];
    expect(provisioner.map((container) => container.name)).toEqual([
      'csi-provisioner',
      'csi-resizer',
      'csi-attacher',
      'csi-snapshotter',
      'csi-rbdplugin',
    ]);
  });

  it('gives production workers two provisioners and a larger operator', () => {
    expect(rookOperatorValues(PRODUCTION_WORKER)).toMatchObject({
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
      csi: { enableCephfsDriver: false, provisionerReplicas: 2 },
    });
  });
});

describe('rookClusterValues', () => {
  it.each<[string, RookInput, Record<string, unknown>]>([
    [
      '1 worker: one mon, one mgr, size-1 pool without the no-redundancy warning',
      workers(1),
      expectedValues({ small: true, nodes: [{ name: 'east-w1', devices: sdb }] }),
    ],
    [
      '2 workers',
      workers(1, 2),
      expectedValues({
        small: true,
        nodes: [
          { name: 'east-w1', devices: sdb },
          { name: 'east-w2', devices: [{ name: 'sdb' }, { name: 'sdc' }] },
        ],
      }),
    ],
    [
      '3 workers: 3 mons on distinct nodes and size-3 pools (one mgr: preview workers are compact)',
      workers(1, 1, 1),
      expectedValues({
        small: false,
        nodes: [
          { name: 'east-w1', devices: sdb },
          { name: 'east-w2', devices: sdb },
          { name: 'east-w3', devices: sdb },
        ],
      }),
    ],
    [
      '4 workers',
      workers(1, 1, 1, 2),
      expectedValues({
        small: false,
        nodes: [
          { name: 'east-w1', devices: sdb },
          { name: 'east-w2', devices: sdb },
          { name: 'east-w3', devices: sdb },
          { name: 'east-w4', devices: [{ name: 'sdb' }, { name: 'sdc' }] },
        ],
      }),
    ],
    [
      '4 workers of which 2 have disks: too few OSD hosts for size-3 pools',
      workers(0, 1, 0, 1),
      expectedValues({
        small: true,
        nodes: [
          { name: 'east-w2', devices: sdb },
          { name: 'east-w4', devices: sdb },
        ],
      }),
    ],
  ])('%s', (_what, input, expected) => {
    expect(rookClusterValues(input)).toEqual(expected);
  });

  it('classes clusters by the workers that hold OSD disks', () => {
    expect(
      [workers(1), workers(1, 1), workers(1, 1, 1), workers(1, 1, 1, 1), workers(1, 0, 1, 1)].map(
        isSmallCluster,
      ),
    ).toEqual([true, true, false, false, false]);
    expect(isSmallCluster(workers(2, 0, 0))).toBe(true);
  });

  it('never puts an OSD on the system disk, and never sets a cleanupPolicy', () => {
    const values = rookClusterValues(workers(1, 1, 1, 1));
    const text = stringify(values);
    expect(text).not.toMatch(/\bsda\b/);
    expect(text).not.toMatch(/cleanupPolicy|yes-really-destroy-data/);
    expect(parse(text)).toEqual(values);
  });

  it.each<[string, RookInput]>([
    ['no workers', workers()],
    ['workers without extra disks', workers(0, 0, 0)],
  ])('refuses %s: zero OSD devices', (_what, input) => {
    const build = () => rookClusterValues(input);
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(
      'cluster east: Rook Ceph has no disk for an OSD (the workers have no extra disks and the system disk is never used): ' +
        'add workers.extraDisks in twin.yaml, or turn addons.rook.enabled off',
    );
  });
});
