import { ConfigurationError } from '../errors.js';
import type { KubeObject } from '../kube/objects.js';
import type { VmSize } from '../sizing/allocatable.js';
import type { RookTier } from './rook-resources.js';
import { csiResourceList, rookTierFor } from './rook-resources.js';

/** Rook Ceph on Talos (CONTRACTS D): the operator chart, then the cluster chart, both in rook-ceph. */

export const ROOK_REPO = 'https://charts.rook.io/release';
export const ROOK_NAMESPACE = 'rook-ceph';

export interface RookInput {
  cluster: string;
  /** The workers' node names (= VM names) and how many extra disks each has. */
  workers: { name: string; extraDisks: number }[];
  /** The size of every worker VM of the cluster: Rook's requests follow it (rook-resources.ts). */
  workerVm: VmSize;
}

/** Proxmox attaches extra disks as scsi1.. after the Talos system disk scsi0 (sda); Linux names them sdb, sdc, ... */
const FIRST_EXTRA_DISK = 'b'.charCodeAt(0);
/** sdb..sdz: far above twin.yaml's limit of 8 extra disks per VM. */
const MAX_EXTRA_DISKS = 25;
/** Three mons on distinct nodes and size-3 pools with failure domain host need three OSD hosts. */
const FULL_CLUSTER_HOSTS = 3;

/**
 * The device names of a VM's extra disks: scsi1.. appear as sdb, sdc, ... (scsi0 = sda is the Talos system
 * disk, which never becomes an OSD; the cloud-init drive is ide2 = sr0).
 */
export function osdDeviceNames(extraDisks: number): string[] {
  if (!Number.isInteger(extraDisks) || extraDisks < 0 || extraDisks > MAX_EXTRA_DISKS) {
    throw new ConfigurationError(
      `extraDisks ${extraDisks} is not a disk count from 0 to ${MAX_EXTRA_DISKS}: list at most 8 workers.extraDisks in twin.yaml`,
    );
  }
  return Array.from({ length: extraDisks }, (_, i) => `sd${String.fromCharCode(FIRST_EXTRA_DISK + i)}`);
}

/** Ceph's pods are privileged (they own raw disks): the Talos guide labels the namespace so (CONTRACTS D). */
export function rookNamespaceManifest(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ROOK_NAMESPACE,
      labels: {
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      },
    },
  };
}

/**
 * The rook-ceph (operator) chart: its CRDs, no Prometheus the twin does not run, and the RBD driver only
 * (the twin has no CephFS), everything sized to the workers.
 */
export function rookOperatorValues(workerVm: VmSize): Record<string, unknown> {
  const tier = rookTierFor(workerVm);
  return {
    crds: { enabled: true },
    monitoring: { enabled: false },
    resources: tier.operator,
    csi: {
      enableRbdDriver: true,
      enableCephfsDriver: false,
      provisionerReplicas: tier.provisionerReplicas,
      csiRBDProvisionerResource: csiResourceList(tier.rbdProvisioner),
      csiRBDPluginResource: csiResourceList(tier.rbdPlugin),
    },
  };
}

/**
 * Too few hosts for the chart's defaults: fewer than 3 workers carrying OSD disks. Mons schedule on
 * workers only (control planes are tainted), and OSD hosts are a subset of the workers, so this also
 * covers fewer than 3 workers.
 */
export function isSmallCluster(input: RookInput): boolean {
  return osdNodes(input).length < FULL_CLUSTER_HOSTS;
}

/**
 * The rook-ceph-cluster chart: OSDs on the workers' extra disks only, mons and mgrs sized to the workers,
 * block storage only (ceph-block, the default StorageClass), no filesystem and no object store, each
 * daemon's requests from the workers' tier. Changing the tier restarts daemons one at a time (Rook waits
 * for clean PGs between OSDs); it never touches storage.nodes, so no OSD is recreated.
 * cleanupPolicy is never set: its confirmation makes Rook wipe the hosts' data on deletion, and the same
 * values converge production, which must never lose data.
 */
export function rookClusterValues(input: RookInput): Record<string, unknown> {
  const nodes = osdNodes(input);
  if (nodes.length === 0) {
    throw new ConfigurationError(
      `cluster ${input.cluster}: Rook Ceph has no disk for an OSD (the workers have no extra disks and the system disk ` +
        'is never used): add workers.extraDisks in twin.yaml, or turn addons.rook.enabled off',
    );
  }
  const small = isSmallCluster(input);
  const tier = rookTierFor(input.workerVm);
  return {
    operatorNamespace: ROOK_NAMESPACE,
    toolbox: { enabled: false },
    monitoring: { enabled: false },
    cephClusterSpec: {
      dataDirHostPath: '/var/lib/rook',
      mon: small ? { count: 1, allowMultiplePerNode: true } : { count: 3, allowMultiplePerNode: false },
      mgr: small
        ? { count: 1, allowMultiplePerNode: true }
        : { count: tier.mgrCount, allowMultiplePerNode: false },
      // Without these a single-replica cluster sits in HEALTH_WARN (ROOK cluster-test.yaml).
      ...(small
        ? { cephConfig: { global: { osd_pool_default_size: '1', mon_warn_on_pool_no_redundancy: 'false' } } }
        : {}),
      storage: { useAllNodes: false, useAllDevices: false, nodes },
      // Rook copies `ceph status` into the CephCluster's status every 60 s unless told (rook cephstatus.go,
      // ceph-cluster-crd.md "Health settings"); the twin waits on that field, so Rook refreshes it every 10 s.
      healthCheck: { daemonHealth: { status: { interval: '10s' } } },
      ...daemonSettings(tier),
    },
    cephBlockPools: [blockPool(small)],
    cephFileSystems: [],
    cephObjectStores: [],
  };
}

/**
 * Resources, and nothing the twin does not need: no logcollector sidecar in every Ceph pod (100m/100Mi
 * each; the daemons still log to stderr, which `kubectl logs` shows) and no dashboard. The crash collector stays: it feeds `ceph crash`
 * and the RECENT_CRASH health check (LIFECYCLE H.4).
 */
function daemonSettings(tier: RookTier): Record<string, unknown> {
  return {
    resources: tier.daemons,
    logCollector: { enabled: false },
    crashCollector: { disable: false },
    dashboard: { enabled: false },
  };
}

interface OsdNode {
  name: string;
  devices: { name: string }[];
}

/** The workers with extra disks, each with its disks named; workers without any are left out. */
function osdNodes(input: RookInput): OsdNode[] {
  return input.workers
    .filter((worker) => worker.extraDisks > 0)
    .map((worker) => ({
      name: worker.name,
      devices: osdDeviceNames(worker.extraDisks).map((name) => ({ name })),
    }));
}

function blockPool(small: boolean): Record<string, unknown> {
  return {
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
      parameters: blockStorageClassParameters(),
    },
  };
}

/** The chart's default RBD parameters: the CSI secrets Rook creates in its namespace. */
function blockStorageClassParameters(): Record<string, string> {
  return {
    imageFormat: '2',
    imageFeatures: 'layering',
    'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
    'csi.storage.k8s.io/provisioner-secret-namespace': ROOK_NAMESPACE,
    'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
    'csi.storage.k8s.io/controller-expand-secret-namespace': ROOK_NAMESPACE,
    'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
    'csi.storage.k8s.io/node-stage-secret-namespace': ROOK_NAMESPACE,
    'csi.storage.k8s.io/fstype': 'ext4',
  };
}
