import { stringify } from 'yaml';
import type { Resources, VmSize } from '../sizing/allocatable.js';
import { allocatable } from '../sizing/allocatable.js';

/**
 * How much Rook asks for, by the size of the workers it runs on. The chart defaults (LIFECYCLE H.1:
 * ≈ 2950m CPU and 6.5 GiB per node before anything else) fit neither a preview worker (2 vCPU / 6 GiB)
 * nor a production one (4 vCPU / 8 GiB), so the twin picks the largest tier the workers' allocatable
 * (F.7) reaches. Every key the chart gives a default is set, because helm merges maps key by key.
 */

export interface DaemonResources {
  requests: { cpu: string; memory: string };
  limits?: { memory: string };
}

/** cephClusterSpec.resources keys the twin's daemons use (logcollector is off, cleanup runs on teardown). */
export type CephDaemon = 'mon' | 'mgr' | 'mgr-sidecar' | 'osd' | 'prepareosd' | 'crashcollector' | 'exporter';

export interface RookTier {
  name: 'compact' | 'standard' | 'large';
  /** The smallest worker allocatable the tier is meant for. */
  minimum: Resources;
  /** Two mgrs (active + standby) where there is room; one otherwise (also drops the mgr sidecar). */
  mgrCount: number;
  /** csi.provisionerReplicas: two for a provisioner that survives a node's loss, where there is room. */
  provisionerReplicas: number;
  daemons: Record<CephDaemon, DaemonResources>;
  operator: DaemonResources;
  /** The containers of the RBD provisioner Deployment (csi.csiRBDProvisionerResource). */
  rbdProvisioner: Record<string, DaemonResources>;
  /** The containers of the RBD nodeplugin DaemonSet (csi.csiRBDPluginResource). */
  rbdPlugin: Record<string, DaemonResources>;
}

const sized = (cpu: string, memory: string, limit?: string): DaemonResources => ({
  requests: { cpu, memory },
  ...(limit ? { limits: { memory: limit } } : {}),
});

/** The provisioner's sidecars, as ceph-csi-operator deploys them for RBD (chart values lines 231–282). */
const PROVISIONER_SIDECARS = ['csi-provisioner', 'csi-resizer', 'csi-attacher', 'csi-snapshotter'];

function provisioner(sidecar: DaemonResources, plugin: DaemonResources): Record<string, DaemonResources> {
  return {
    ...Object.fromEntries(PROVISIONER_SIDECARS.map((name) => [name, sidecar])),
    'csi-rbdplugin': plugin,
  };
}

/*
 * OSD memory: Ceph sets osd_memory_target = min(POD_MEMORY_REQUEST, POD_MEMORY_LIMIT × 0.8)
 * (md_config_t::parse_env; osd_memory_target_cgroup_limit_ratio 0.8), so each limit is the request / 0.8:
 * the OSD aims at its request and has a fifth more before the kernel kills it. Rook's recommended
 * minimum OSD limit is 2048 MB (ceph-cluster-crd.md); every tier's limit is above it.
 */
const COMPACT: RookTier = {
  name: 'compact',
  minimum: { cpuMilli: 0, memoryMiB: 0 },
  mgrCount: 1,
  provisionerReplicas: 1,
  daemons: {
    mon: sized('150m', '384Mi', '1Gi'),
    mgr: sized('100m', '384Mi', '1Gi'),
    'mgr-sidecar': sized('10m', '40Mi', '100Mi'),
    osd: sized('500m', '2Gi', '2560Mi'),
    prepareosd: sized('50m', '50Mi'),
    crashcollector: sized('10m', '32Mi', '60Mi'),
    exporter: sized('10m', '32Mi', '128Mi'),
  },
  operator: sized('50m', '128Mi', '512Mi'),
  rbdProvisioner: provisioner(sized('10m', '32Mi', '256Mi'), sized('10m', '128Mi', '1Gi')),
  rbdPlugin: {
    'driver-registrar': sized('10m', '32Mi', '256Mi'),
    'csi-rbdplugin': sized('50m', '128Mi', '1Gi'),
  },
};

const STANDARD: RookTier = {
  name: 'standard',
  minimum: { cpuMilli: 3900, memoryMiB: 7000 },
  mgrCount: 2,
  provisionerReplicas: 2,
  daemons: {
    mon: sized('500m', '1Gi', '2Gi'),
    mgr: sized('250m', '512Mi', '1Gi'),
    'mgr-sidecar': sized('20m', '40Mi', '100Mi'),
    osd: sized('1000m', '2560Mi', '3200Mi'),
    prepareosd: sized('100m', '50Mi'),
    crashcollector: sized('20m', '60Mi', '60Mi'),
    exporter: sized('20m', '50Mi', '128Mi'),
  },
  operator: sized('100m', '128Mi', '512Mi'),
  rbdProvisioner: provisioner(sized('20m', '32Mi', '256Mi'), sized('20m', '128Mi', '1Gi')),
  rbdPlugin: {
    'driver-registrar': sized('20m', '32Mi', '256Mi'),
    'csi-rbdplugin': sized('100m', '128Mi', '1Gi'),
  },
};

/** The chart's own defaults (H.1), with the OSD limit raised so its memory target stays its request. */
const LARGE: RookTier = {
  name: 'large',
  minimum: { cpuMilli: 7900, memoryMiB: 15000 },
  mgrCount: 2,
  provisionerReplicas: 2,
  daemons: {
    mon: sized('1000m', '1Gi', '2Gi'),
    mgr: sized('500m', '512Mi', '1Gi'),
    'mgr-sidecar': sized('100m', '40Mi', '100Mi'),
    osd: sized('1000m', '4Gi', '5Gi'),
    prepareosd: sized('500m', '50Mi'),
    crashcollector: sized('100m', '60Mi', '60Mi'),
    exporter: sized('50m', '50Mi', '128Mi'),
  },
  operator: sized('200m', '128Mi', '512Mi'),
  rbdProvisioner: provisioner(sized('100m', '128Mi', '256Mi'), sized('0m', '512Mi', '1Gi')),
  rbdPlugin: {
    'driver-registrar': sized('50m', '128Mi', '256Mi'),
    'csi-rbdplugin': sized('250m', '512Mi', '1Gi'),
  },
};

/** Largest first. */
export const ROOK_TIERS: readonly RookTier[] = [LARGE, STANDARD, COMPACT];

/** The largest tier the workers reach; compact below that (the capacity check decides whether it fits). */
export function rookTierFor(worker: VmSize): RookTier {
  const offered = allocatable('worker', worker);
  return (
    ROOK_TIERS.find(
      (tier) => offered.cpuMilli >= tier.minimum.cpuMilli && offered.memoryMiB >= tier.minimum.memoryMiB,
    ) ?? COMPACT
  );
}

/** The chart's csi.*Resource shape: a YAML string listing `- name: <container>` with its `resource`. */
export function csiResourceList(containers: Record<string, DaemonResources>): string {
  return stringify(
    Object.entries(containers).map(([name, resource]) => ({ name, resource })),
    { lineWidth: 0 },
  );
}
