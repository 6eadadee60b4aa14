import { ConfigurationError } from '../errors.js';

/**
 * How long things take in the simulated lab. Durations are what a small real PVE cluster
 * (NVMe LVM-thin, 1 Gbit/s uplink) shows; `timeScale` multiplies every one of them, lock
 * timeouts included, so a scaled lab keeps the same ordering of events and the same critical
 * path, only faster. A benchmark can use these numbers to compute the expected critical path.
 */
export type ProfileName = 'realistic' | 'fast';

export type StorageType = 'dir' | 'lvmthin';

export interface TimeProfile {
  name: ProfileName;
  /** Multiplier applied when LabOptions.timeScale is not given. */
  defaultTimeScale: number;
  /** Durations in seconds, before scaling. */
  seconds: {
    /** pve-http-server delays every 401 answer by 3 s. */
    unauthorizedDelay: number;
    /** AbstractConfig::lock_config waits 10 s for a VM's config lock. */
    configLockTimeout: number;
    /** create and clone workers wait 1 s for the new VM's lock (lock_config_full($vmid, 1)). */
    createLockTimeout: number;
    /** clone waits 1 s for the source VM's lock (lock_config_shared/full($vmid, 1)). */
    cloneSourceLockTimeout: number;
    /** PVE::Tools::lock_file's default 10 s, used by cluster_lock_storage for allocations. */
    storageLockTimeout: number;
    /** Forking the worker and writing the task log header. */
    workerStart: number;
    /** Allocating one volume while holding the storage lock (lvcreate is slow, qemu-img create is not). */
    allocate: Record<StorageType, number>;
    /** Creating a linked clone of a base volume. */
    linkedClone: number;
    /** Writing a config change (qmconfig worker without disk work). */
    configUpdate: number;
    /** QEMU start up to "TASK OK". */
    vmStart: number;
    /** Hard stop. */
    vmStop: number;
    /** A guest that reacts to ACPI powers off after this long. */
    guestShutdown: number;
    /** vm_stop's default wait for a shutdown when the caller gives no timeout. */
    shutdownTimeout: number;
    /** Converting a VM into a template (renaming its volumes to base-*). */
    templateConvert: number;
    /** Growing a volume. */
    resize: number;
    /** Destroying a VM, plus `destroyPerVolume` for each of its volumes. */
    destroy: number;
    destroyPerVolume: number;
    /** Removing a volume from a storage (imgdel). */
    volumeDelete: number;
    /** Connecting and starting wget before any byte arrives. */
    downloadSetup: number;
    /** Talos from QEMU start to its API on :50000 (maintenance mode, or the config on disk). */
    talosBoot: number;
    /** apply-config in maintenance mode: the config is written, the node reboots into it. */
    talosApplyReboot: number;
    /**
     * A configured node's CRI (containerd) up after its apid answers; until then `bootstrap` answers
     * "bootstrap is not available yet" (LIFECYCLE F.4: IsBootstrapAllowed waits 1 s for the CRI service).
     */
    talosCriStart: number;
    /** The first SNTP/PTP sync after the network is up, with a reachable time source (F.6). */
    timeSync: number;
    /**
     * A non-bootstrapped control plane adding itself as a member through the running etcd (Talos retries
     * every 3 s, F.4) and its etcd running with the data it pulled.
     */
    etcdJoin: number;
    /**
     * `talosctl upgrade`: the node pulls the installer image and runs `installer --help` before it answers
     * (LIFECYCLE F.1 `PullAndValidateInstallerImage`).
     */
    talosInstallerPull: number;
    /** The upgrade/reboot sequences' StopAllPods (30 s grace at most, F.5) and the stop-all phases. */
    talosStopPods: number;
    /** The installer run in the upgrade phase (pre-flight, writing the new image) and `meta`. UNCONFIRMED (F.1). */
    talosInstall: number;
    /** The `kexec` (or `reboot` for powercycle) phase up to the new kernel running; the boot then takes `talosBoot`. */
    talosKexecReboot: number;
    /** `upgrade-k8s`: one static pod (apiserver, controller-manager or scheduler) on one node updated and Ready. */
    kubeStaticPodUpdate: number;
    /** `upgrade-k8s`: a kubelet restarted with its new image and its Node reporting the version. */
    kubeletRestart: number;
    /** `upgrade-k8s`: the bootstrap manifests synced. */
    kubeManifestsSync: number;
    /** A connection to an address nobody holds: ARP gives up, "no route to host". */
    unreachableTimeout: number;
    /** etcd bootstrap to kube-apiserver answering /readyz (static pods pulled and started). */
    kubernetesApi: number;
    /** A configured node's kubelet registers its Node once the API answers. */
    kubeletRegister: number;
    /** helm upgrade --install: fetching the chart, rendering and applying it. */
    helmInstall: number;
    /** A Cilium agent pod: image pull, init containers, agent ready on its node. */
    ciliumAgentStart: number;
    /**
     * The image pull within ciliumAgentStart: an agent upgraded on a node that already pulled its image
     * (Cilium's preflight pre-pulls it, LIFECYCLE I.1) starts this much sooner.
     */
    ciliumImagePull: number;
    /** The Cilium operator's replicas available. */
    ciliumOperatorStart: number;
    /** A kubelet reports Ready after the CNI config appears. */
    nodeReadyAfterCni: number;
    /** kubectl drain: cordon and evict the node's pods. */
    drain: number;
    /** A container image pulled onto a node (each image once per node). */
    imagePull: number;
    /** A scheduled pod's containers started and its readiness probe passing. */
    podStart: number;
    /** A deleted or scaled-away pod gone (graceful termination). */
    podTerminate: number;
    /** kubectl exec: the API server opening a stream to the container. */
    execSetup: number;
    /** The Rook operator up and watching CephClusters. */
    rookOperatorStart: number;
    /** One Ceph mon started and in quorum (Rook starts mons one after another). */
    cephMonStart: number;
    /** The Ceph mgr(s) up. */
    cephMgrStart: number;
    /** An OSD prepare job on one node: the device inspected and the OSD created. */
    cephOsdPrepare: number;
    /** An OSD daemon up and in. */
    cephOsdStart: number;
    /** Pools created and placement groups active+clean. */
    cephPgSettle: number;
    /** An OSD back after its node's outage: peering and recovery until its PGs are active+clean again. */
    cephRecovery: number;
    /** clustermesh-apiserver (etcd + kvstoremesh) ready. */
    clustermeshApiserverStart: number;
    /** A kvstoremesh/agent connection to a remote cluster established. */
    meshConnect: number;
    /** A remote cluster's nodes, services, endpoints and identities synced into the local cache. */
    meshSync: number;
    /** A change of a remote cluster's endpoints seen by the local agents. */
    meshPropagate: number;
  };
  /** Transfer rates in bytes per second. */
  rates: {
    download: number;
    /** qemu-img convert of an import-from source into the target storage. */
    import: number;
    /** Copying a disk for a full clone. */
    fullClone: number;
    /** Hashing a file already on the storage (download-url with a checksum). */
    checksum: number;
  };
  /** Size of a downloaded image, which the lab never fetches: the Talos nocloud raw image is 1246 MiB. */
  downloadedImageBytes: number;
}

const MIB = 1024 * 1024;

const REALISTIC: TimeProfile = {
  name: 'realistic',
  defaultTimeScale: 1,
  seconds: {
    unauthorizedDelay: 3,
    configLockTimeout: 10,
    createLockTimeout: 1,
    cloneSourceLockTimeout: 1,
    storageLockTimeout: 10,
    workerStart: 0.2,
    allocate: { lvmthin: 1.5, dir: 0.3 },
    linkedClone: 1.5,
    configUpdate: 0.5,
    vmStart: 3,
    vmStop: 1,
    guestShutdown: 6,
    shutdownTimeout: 60,
    templateConvert: 2,
    resize: 1,
    destroy: 1.5,
    destroyPerVolume: 0.5,
    volumeDelete: 0.5,
    downloadSetup: 2,
    talosBoot: 25,
    talosApplyReboot: 40,
    talosCriStart: 6,
    timeSync: 2,
    etcdJoin: 12,
    talosInstallerPull: 10,
    talosStopPods: 8,
    talosInstall: 20,
    talosKexecReboot: 5,
    kubeStaticPodUpdate: 20,
    kubeletRestart: 10,
    kubeManifestsSync: 5,
    unreachableTimeout: 3,
    kubernetesApi: 75,
    kubeletRegister: 15,
    helmInstall: 6,
    ciliumAgentStart: 45,
    ciliumImagePull: 20,
    ciliumOperatorStart: 30,
    nodeReadyAfterCni: 5,
    drain: 10,
    imagePull: 12,
    podStart: 6,
    podTerminate: 4,
    execSetup: 0.3,
    rookOperatorStart: 40,
    cephMonStart: 25,
    cephMgrStart: 20,
    cephOsdPrepare: 35,
    cephOsdStart: 15,
    cephPgSettle: 20,
    cephRecovery: 30,
    clustermeshApiserverStart: 30,
    meshConnect: 8,
    meshSync: 5,
    meshPropagate: 3,
  },
  rates: { download: 20 * MIB, import: 48 * MIB, fullClone: 150 * MIB, checksum: 400 * MIB },
  downloadedImageBytes: 1246 * MIB,
};

/** The same lab, a hundred times faster: the relative timing (and so every race) is unchanged. */
const FAST: TimeProfile = { ...REALISTIC, name: 'fast', defaultTimeScale: 0.01 };

export const TIME_PROFILES: Record<ProfileName, TimeProfile> = { realistic: REALISTIC, fast: FAST };

/** A profile with its time scale applied: converts profile seconds into lab milliseconds. */
export class Timing {
  constructor(
    readonly profile: TimeProfile,
    readonly timeScale: number,
  ) {}

  /** Profile seconds -> scaled milliseconds. */
  ms(seconds: number): number {
    return seconds * 1000 * this.timeScale;
  }

  /** Scaled milliseconds to move `bytes` at `rate` bytes per second. */
  transferMs(bytes: number, rate: keyof TimeProfile['rates']): number {
    return this.ms(bytes / this.profile.rates[rate]);
  }
}

export function resolveTiming(profileName: ProfileName = 'realistic', timeScale?: number): Timing {
  const profile = TIME_PROFILES[profileName];
  if (!profile) {
    throw new ConfigurationError(
      `lab profile '${String(profileName)}' is unknown: use 'realistic' or 'fast'`,
    );
  }
  const scale = timeScale ?? profile.defaultTimeScale;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new ConfigurationError(
      `lab timeScale ${scale} must be a number above 0, e.g. 1 for real time or 0.01`,
    );
  }
  return new Timing(profile, scale);
}
