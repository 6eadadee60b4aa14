import { coalesce } from '../../../src/lab/kube/cilium-chart.js';
import { cephClusterStatus } from '../../../src/lab/kube/ceph.js';
import type {
  CephCreation,
  CephDiskClaim,
  Interval,
  KubeClusters,
  NodeOutage,
} from '../../../src/lab/kube/clusters.js';
import { byKind } from '../../../src/lab/kube/kinds.js';
import type { StoredObject } from '../../../src/lab/kube/objects.js';
import { ObjectStore } from '../../../src/lab/kube/objects.js';
import type { PodView } from '../../../src/lab/kube/pods.js';
import {
  clusterDefaults,
  operatorDefaults,
  renderCluster,
  renderOperator,
} from '../../../src/lab/kube/rook-charts.js';
import { podsOf } from '../../../src/lab/kube/workloads.js';
import type { FaultConfig } from '../../../src/lab/faults.js';
import { FaultInjector } from '../../../src/lab/faults.js';
import { TIME_PROFILES } from '../../../src/lab/profile.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';

/** A cluster as the Ceph model reads it, with nodes held by the test (shared by the Ceph tests). */

const GIB = 1024 ** 3;
export const SECONDS = TIME_PROFILES.realistic.seconds;
/** Well after every step (operator, mons, mgrs, OSDs, PG settle) at time scale 1. */
export const LATER = 3_600_000;

export interface FakeNode {
  name: string;
  role: 'controlplane' | 'worker';
  /** The VM's vCPUs and RAM (MiB): the chart defaults need large nodes. */
  cores: number;
  memoryMiB: number;
  /** scsi disks in GiB: sda is the Talos install disk. */
  disks: number[];
  uuid: string;
  /** Talos reboots (lab ms), as lab-talos puts them on its nodes. */
  outages?: NodeOutage[];
  /** kubectl cordons (lab ms). */
  cordons?: Interval[];
  /** When the node registers and is Ready (lab ms; 0 unless told). */
  joinsAt?: number;
}

/** A cluster as ceph.ts reads it: nodes with their VMs and disks, an API object store, the disk records. */
export class FakeCluster {
  readonly objects: Record<string, StoredObject> = {};
  readonly claims: Record<string, CephDiskClaim> = {};
  readonly monVerdicts: Record<string, boolean> = {};
  readonly cephCreations: Record<string, CephCreation> = {};
  /** `<namespace>/<pod>` -> when the eviction API deleted it. */
  readonly evictions: Record<string, number> = {};
  now = 0;
  readonly store = new ObjectStore(
    this.objects,
    () => this.now,
    () => undefined,
  );

  private readonly faults: FaultInjector;

  constructor(
    readonly nodes: FakeNode[],
    faults: FaultConfig = {},
  ) {
    this.faults = new FaultInjector(faults);
  }

  kube(): KubeClusters {
    const vmOf = (node: FakeNode) => ({
      vmid: 100 + this.nodes.indexOf(node),
      config: {
        cores: String(node.cores),
        memory: String(node.memoryMiB),
        smbios1: `uuid=${node.uuid}`,
        ide2: 'local-lvm:vm-cloudinit,media=cdrom',
        ...Object.fromEntries(
          node.disks.map((size, i) => [
            `scsi${i}`,
            `local-lvm:vm-${100 + this.nodes.indexOf(node)}-disk-${i},size=${size}G`,
          ]),
        ),
      },
    });
    const fake = {
      revision: 0,
      apiUpAt: () => 0,
      release: () => undefined,
      ciliumValues: () => undefined,
      talos: {
        now: () => this.now,
        all: () => [],
        ms: (seconds: number) => seconds * 1000,
        seconds: SECONDS,
        faults: this.faults,
        disks: (vm: { vmid: number }) => {
          const node = this.nodes[vm.vmid - 100]!;
          return [
            ...node.disks.map((size, i) => ({
              id: `sd${String.fromCharCode(97 + i)}`,
              sizeBytes: size * GIB,
              readOnly: false,
            })),
            { id: 'sr0', sizeBytes: 4 * 1024 * 1024, readOnly: true },
          ];
        },
      },
      nodes: () =>
        this.nodes.map((node) => ({
          name: node.name,
          ready: this.now >= (node.joinsAt ?? 0),
          registeredAt: node.joinsAt ?? 0,
          readyAt: node.joinsAt ?? 0,
          unschedulable: false,
          cordons: node.cordons ?? [],
          outages: node.outages ?? [],
          notReady: (node.outages ?? []).map((outage) => ({ from: outage.from, until: outage.until })),
          talos: { vm: vmOf(node), role: node.role, config: { machine: { install: { disk: '/dev/sda' } } } },
        })),
      objects: () => this.store,
      evictions: () => this.evictions,
      cephDisk: (key: string) => this.claims[key],
      claimCephDisk: (key: string, claim: CephDiskClaim) => (this.claims[key] = claim),
      monVerdict: (key: string) => this.monVerdicts[key],
      recordMonVerdict: (key: string, placed: boolean) => (this.monVerdicts[key] = placed),
      cephCreation: (uid: string) => this.cephCreations[uid],
      recordCephCreation: (uid: string, creation: CephCreation) => (this.cephCreations[uid] = creation),
    };
    return fake as unknown as KubeClusters;
  }

  /**
   * The operator chart (its CRDs, and unless told otherwise the operator and the CSI drivers, whose pods
   * the scheduler places), then what rook-ceph-cluster renders for these values.
   */
  install(values: Doc, opts: { operator?: boolean; operatorValues?: Doc } = {}): StoredObject {
    const operatorValues = coalesce(operatorDefaults(), opts.operatorValues ?? {}) as Doc;
    const operatorRelease = { name: 'rook-ceph', namespace: 'rook-ceph', chartVersion: 'v1.18.8' };
    this.store.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rook-ceph' } },
      { defaultNamespace: '' },
    );
    for (const doc of renderOperator(operatorValues, operatorRelease)) {
      if (doc.kind !== 'CustomResourceDefinition' && opts.operator === false) continue;
      this.store.apply(doc, { defaultNamespace: 'rook-ceph', owner: 'rook-ceph/rook-ceph' });
    }
    const release = { name: 'rook-ceph-cluster', namespace: 'rook-ceph', chartVersion: 'v1.18.8' };
    for (const doc of renderCluster(coalesce(clusterDefaults(), values) as Doc, release))
      this.store.apply(doc, { defaultNamespace: 'rook-ceph', owner: 'rook-ceph/rook-ceph-cluster' });
    return this.cephCluster();
  }

  cephCluster(): StoredObject {
    return this.store.get(byKind('CephCluster'), 'rook-ceph', 'rook-ceph')!;
  }

  /** The pods in rook-ceph at `at`, as `kubectl get pods -n rook-ceph` lists them. */
  pods(at = LATER): PodView[] {
    return podsOf(this.kube(), 'east', at).filter((pod) => pod.namespace === 'rook-ceph');
  }

  status(at = LATER): Doc {
    return cephClusterStatus(this.kube(), 'east', this.cephCluster(), at);
  }
}

export const controlPlane = (i: number): FakeNode => ({
  name: `east-cp-${i}`,
  role: 'controlplane',
  cores: 4,
  memoryMiB: 8192,
  disks: [10],
  uuid: `cp-${i}`,
});
/** Workers large enough for the chart defaults (H.1: about 3 cores and 6.6 GiB a node before the mgrs). */
export const worker = (i: number, disks = [10, 20], size = { cores: 8, memoryMiB: 16384 }): FakeNode => ({
  name: `east-w-${i}`,
  role: 'worker',
  ...size,
  disks,
  uuid: `w-${i}`,
});

export function cluster(
  controlPlanes: number,
  workers: number,
  size?: { cores: number; memoryMiB: number },
  faults: FaultConfig = {},
): FakeCluster {
  const nodes = [
    ...Array.from({ length: controlPlanes }, (_, i) => controlPlane(i + 1)),
    ...Array.from({ length: workers }, (_, i) => worker(i + 1, [10, 20], size)),
  ];
  return new FakeCluster(nodes, faults);
}
