import type { LabContext } from '../pve/handlers/context.js';
import { dhcpAddress } from '../pve/handlers/agent.js';
import { driveSizeBytes, isCloudinitDrive, isDriveKey, parseDrive } from '../pve/handlers/vm.js';
import type { VmRecord } from '../pve/state.js';
import type { Release } from './releases.js';
import { DEFAULT_RELEASE, imageVersion, isRelease, releaseOfImage } from './releases.js';
import type { Doc } from './yaml-docs.js';
import { get, getString, isMap } from './yaml-docs.js';

/** What a lab Talos node shows of its VM and config, computed from the PVE records. */

export interface DiskInfo {
  id: string;
  sizeBytes: number;
  readOnly: boolean;
  transport: string;
  model: string;
}

export function identityOf(vm: VmRecord): string {
  return (/([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})/.exec(vm.config.net0 ?? '')?.[1] ?? '').toUpperCase();
}

/** What a node view reads of its config's main document. */
export interface ConfigFacts {
  role: 'controlplane' | 'worker';
  clusterId: string;
  hostname: string | undefined;
}

const factsMemo = new WeakMap<Doc, ConfigFacts>();

/** The config's role, cluster id and hostname (by config document, as kubernetesOf). */
export function configFacts(config: Doc): ConfigFacts {
  let facts = factsMemo.get(config);
  if (!facts) {
    facts = {
      role: getString(config, 'machine.type') === 'controlplane' ? 'controlplane' : 'worker',
      clusterId: getString(config, 'cluster.id') ?? '',
      hostname: getString(config, 'machine.network.hostname'),
    };
    factsMemo.set(config, facts);
  }
  return facts;
}

const staticMemo = new WeakMap<Doc, string[]>();

/** The address nocloud configures: ipconfig0 when a cloud-init drive carries it, else a DHCP lease. */
export function platformAddress(lab: LabContext, vm: VmRecord): string {
  const hasDrive = Object.keys(vm.config).some(
    (key) => isDriveKey(key) && isCloudinitOption(lab, key, vm.config[key] ?? ''),
  );
  const fixed = /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\/\d+/.exec(vm.config.ipconfig0 ?? '')?.[1];
  return hasDrive && fixed ? fixed : dhcpAddress(vm.vmid, 0).ip;
}

/** By drive option text (`ide2=local-lvm:vm-100-cloudinit,media=cdrom`): views ask far more often than VMs change. */
const cloudinitOptions = new Map<string, boolean>();

function isCloudinitOption(lab: LabContext, key: string, value: string): boolean {
  const option = `${key}=${value}`;
  let cloudinit = cloudinitOptions.get(option);
  if (cloudinit === undefined) {
    cloudinit = isCloudinitDrive(parseDrive(lab, key, value));
    if (cloudinitOptions.size >= 10_000) cloudinitOptions.clear();
    cloudinitOptions.set(option, cloudinit);
  }
  return cloudinit;
}

/** Static addresses of the config's interfaces, without prefix lengths (by config document, as kubernetesOf). */
export function staticAddresses(config: Doc): string[] {
  let addresses = staticMemo.get(config);
  if (!addresses) staticMemo.set(config, (addresses = computeStaticAddresses(config)));
  return addresses;
}

function computeStaticAddresses(config: Doc): string[] {
  const interfaces = get(config, 'machine.network.interfaces');
  if (!Array.isArray(interfaces)) return [];
  return interfaces
    .filter(isMap)
    .flatMap((device) => (Array.isArray(device.addresses) ? device.addresses : []))
    .map((address) => String(address).split('/')[0] ?? '');
}

/** The VIP a control plane's config carries, if any. */
export function vipOf(config: Doc): string | undefined {
  const interfaces = get(config, 'machine.network.interfaces');
  if (!Array.isArray(interfaces)) return undefined;
  for (const device of interfaces.filter(isMap)) {
    if (isMap(device.vip) && typeof device.vip.ip === 'string') return device.vip.ip;
  }
  return undefined;
}

/** `constants.DefaultKubernetesVersion` of each release: what its components run when the config names no image. */
const DEFAULT_KUBERNETES: Record<Release, string> = {
  'v1.11.6': '1.34.1',
  'v1.12.11': '1.35.4',
  'v1.13.9': '1.36.3',
};

export function defaultKubernetesOf(release: string): string {
  return isRelease(release) ? DEFAULT_KUBERNETES[release] : DEFAULT_KUBERNETES[DEFAULT_RELEASE];
}

type NodeKubernetes = ReturnType<typeof computeKubernetes>;
/** By config document (parsed configs are cached by their text and never changed): views ask this often. */
const kubernetesMemo = new WeakMap<Doc, Map<string, NodeKubernetes>>();

/** The Kubernetes versions a config runs: machine.kubelet.image, and cluster.<component>.image on control planes. */
export function kubernetesOf(config: Doc, role: 'controlplane' | 'worker', release: string): NodeKubernetes {
  const byInput = kubernetesMemo.get(config) ?? new Map<string, NodeKubernetes>();
  kubernetesMemo.set(config, byInput);
  const key = `${role}/${release}`;
  let versions = byInput.get(key);
  if (!versions) byInput.set(key, (versions = computeKubernetes(config, role, release)));
  return versions;
}

function computeKubernetes(config: Doc, role: 'controlplane' | 'worker', release: string) {
  const fallback = defaultKubernetesOf(release);
  const version = (path: string) => imageVersion(get(config, path)) ?? fallback;
  return {
    kubelet: version('machine.kubelet.image'),
    ...(role === 'controlplane'
      ? {
          apiServer: version('cluster.apiServer.image'),
          controllerManager: version('cluster.controllerManager.image'),
          scheduler: version('cluster.scheduler.image'),
        }
      : {}),
  };
}

/**
 * The release of the image the VM's boot disk was imported from (the product imports the Image Factory
 * nocloud image with import-from; the lab PVE records the source on the disk it made, following linked
 * clones to their base). The lab's default release when the disk says nothing (e.g. a full clone).
 */
export function bootImageRelease(lab: LabContext, vm: VmRecord): string {
  const key = /order=([a-z]+\d+)/.exec(vm.config.boot ?? '')?.[1] ?? 'scsi0';
  const value = vm.config[key];
  if (!value || !isDriveKey(key)) return DEFAULT_RELEASE;
  const volid = parseDrive(lab, key, value).file ?? '';
  const storeid = volid.split(':')[0] ?? '';
  let volume = lab.state.volume(vm.node, volid);
  for (let depth = 0; volume && !volume.importedFrom && volume.baseVolname && depth < 8; depth += 1) {
    volume = lab.state.storage(vm.node, storeid)?.volumes[volume.baseVolname];
  }
  const release = releaseOfImage(volume?.importedFrom);
  return release && isRelease(release) ? release : DEFAULT_RELEASE;
}

/** The disks Talos sees: SCSI disks as sda, sdb, ... and the cloud-init drive as sr0. */
export function disksOf(lab: LabContext, vm: VmRecord): DiskInfo[] {
  const keys = Object.keys(vm.config).filter(isDriveKey);
  const scsi = keys
    .filter((key) => key.startsWith('scsi'))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const disks = scsi.map((key, index) => ({
    id: `sd${String.fromCharCode(97 + index)}`,
    sizeBytes: driveSizeBytes(parseDrive(lab, key, vm.config[key] ?? '')),
    readOnly: false,
    transport: 'virtio',
    model: 'QEMU HARDDISK',
  }));
  const cdroms = keys.filter((key) => isCloudinitDrive(parseDrive(lab, key, vm.config[key] ?? '')));
  return [
    ...disks,
    ...cdroms.map((_, index) => ({
      id: `sr${index}`,
      sizeBytes: 4 * 1024 * 1024,
      readOnly: true,
      transport: 'ata',
      model: 'QEMU DVD-ROM',
    })),
  ];
}
