import type { LabContext } from '../pve/handlers/context.js';
import { driveSizeBytes, isCloudinitDrive, isDriveKey, parseDrive } from '../pve/handlers/vm.js';
import type { VmRecord } from '../pve/state.js';
import type { Release } from './releases.js';
import { DEFAULT_RELEASE, imageVersion, isRelease, releaseOfImage } from './releases.js';
import type { Doc } from './yaml-docs.js';
import { get, isMap } from './yaml-docs.js';

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

/** Static addresses of the config's interfaces, without prefix lengths. */
export function staticAddresses(config: Doc): string[] {
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

/** The Kubernetes versions a config runs: machine.kubelet.image, and cluster.<component>.image on control planes. */
export function kubernetesOf(config: Doc, role: 'controlplane' | 'worker', release: string) {
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
