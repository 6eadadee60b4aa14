import { createHash, randomBytes } from 'node:crypto';
import type { ContractEndpoint, ContractParam } from '../contract.js';
import type { PropertyFormat } from '../property-string.js';
import { parsePropertyString, splitList } from '../property-string.js';
import type { VmRecord } from '../state.js';
import type { LabContext } from './context.js';
import { fail } from './context.js';

/** AbstractConfig::load_config: the config must be on the node the request was proxied to. */
export function loadVm(lab: LabContext, node: string, vmid: number): VmRecord {
  const vm = lab.state.vm(vmid);
  if (!vm || vm.node !== node) fail(configMissingMessage(node, vmid));
  return vm;
}

export function configMissingMessage(node: string, vmid: number): string {
  return `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`;
}

/** AbstractConfig::check_lock. */
export function checkLock(vm: VmRecord): void {
  const lock = vm.config.lock;
  if (lock) fail(`VM is locked (${lock})`);
}

/** The config with pending changes applied, as GET config shows it by default. */
export function effectiveConfig(vm: VmRecord): Record<string, string> {
  const merged: Record<string, string> = { ...vm.config, ...vm.pending };
  for (const key of vm.pendingDelete) delete merged[key];
  return merged;
}

/** The config file as qemu-server writes it; its SHA-1 is the `digest`. */
function renderConfigFile(vm: VmRecord): string {
  const section = (values: Record<string, string>) => [
    ...(values.description === undefined ? [] : values.description.split('\n').map((line) => `#${line}`)),
    ...Object.keys(values)
      .filter((key) => key !== 'description')
      .sort()
      .map((key) => `${key}: ${values[key]}`),
  ];
  const lines = section(vm.config);
  if (Object.keys(vm.pending).length > 0 || vm.pendingDelete.length > 0) {
    lines.push('', '[PENDING]', ...section(vm.pending));
    if (vm.pendingDelete.length > 0) lines.push(`delete: ${vm.pendingDelete.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function configDigest(vm: VmRecord): string {
  return createHash('sha1').update(renderConfigFile(vm)).digest('hex');
}

/** PVE::GuestHelpers::get_unique_tags with the default tag-style: lower case, sorted, unique, ';'. */
export function normalizeTags(value: string): string {
  return [...new Set(splitList(value).map((tag) => tag.toLowerCase()))].sort().join(';');
}

/** A MAC with Proxmox's default prefix BC:24:11 (datacenter.cfg mac_prefix). */
function randomMac(): string {
  const tail = [...randomBytes(3)].map((byte) => byte.toString(16).toUpperCase().padStart(2, '0'));
  return ['BC', '24', '11', ...tail].join(':');
}

/** print_net: `model=MAC` first, then the other keys sorted. */
export function printNet(net: Record<string, string>): string {
  const rest = Object.keys(net)
    .filter((key) => key !== 'model' && key !== 'macaddr')
    .sort()
    .map((key) => `${key}=${net[key]}`);
  return [`${net.model ?? 'virtio'}=${net.macaddr ?? randomMac()}`, ...rest].join(',');
}

/** Network::add_random_macs: every NIC without a MAC gets one. */
export function addRandomMacs(lab: LabContext, params: Record<string, string>): void {
  for (const key of Object.keys(params).filter((candidate) => /^net\d+$/.test(candidate))) {
    const format = configKeySchema(lab, key)?.format as PropertyFormat;
    params[key] = printNet(parsePropertyString(format, params[key] ?? ''));
  }
}

const DRIVE_KEY = /^(ide|sata|scsi|virtio|efidisk|tpmstate|unused)(\d+)$/;

export function isDriveKey(key: string): boolean {
  return DRIVE_KEY.test(key) && !key.startsWith('unused');
}

/** qemu-server Drive.pm NEW_DISK_RE: `[STORAGE:]SIZE_IN_GiB` allocates a new volume. */
export const NEW_DISK = /^(([^/:\s]+):)?(\d+(\.\d+)?)$/;

function endpointOf(lab: LabContext, method: string, path: string): ContractEndpoint {
  const endpoint = lab.contract
    .endpoints()
    .find((candidate) => candidate.method === method && candidate.path === path);
  if (!endpoint) throw new Error(`the PVE contract has no ${method} ${path}`);
  return endpoint;
}

/** The schema of a VM config key (from POST /nodes/{node}/qemu, which takes every key). */
export function configKeySchema(lab: LabContext, key: string): ContractParam | undefined {
  return endpointOf(lab, 'POST', '/nodes/{node}/qemu').params[key];
}

/** A drive's property string split into keys, `file` first as PVE keeps it. */
export function parseDrive(lab: LabContext, key: string, value: string): Record<string, string> {
  const format = configKeySchema(lab, key)?.format;
  if (typeof format !== 'object') throw new Error(`the PVE contract has no drive format for ${key}`);
  return parsePropertyString(format as PropertyFormat, value);
}

/** print_drive: the volume first, then the other keys sorted. */
export function printDrive(drive: Record<string, string>): string {
  const rest = Object.keys(drive)
    .filter((key) => key !== 'file')
    .sort()
    .map((key) => `${key}=${drive[key]}`);
  return [drive.file ?? '', ...rest].join(',');
}

export function isCloudinitDrive(drive: Record<string, string>): boolean {
  return /(^|[:/])vm-\d+-cloudinit(\.\w+)?$/.test(drive.file ?? '') || /:cloudinit$/.test(drive.file ?? '');
}

export function isCdromDrive(drive: Record<string, string>): boolean {
  return drive.media === 'cdrom' || drive.file === 'cdrom' || isCloudinitDrive(drive);
}

/** The order qemu-server looks for the first disk, cdrom and NIC. */
function driveKeysInBootSearchOrder(config: Record<string, string>): string[] {
  const bus = ['ide', 'sata', 'scsi', 'virtio'];
  return Object.keys(config)
    .filter(isDriveKey)
    .sort((a, b) => {
      const [, busA = '', indexA = '0'] = DRIVE_KEY.exec(a) ?? [];
      const [, busB = '', indexB = '0'] = DRIVE_KEY.exec(b) ?? [];
      return bus.indexOf(busA) - bus.indexOf(busB) || Number(indexA) - Number(indexB);
    });
}

/** get_default_bootdevices: first disk, first cdrom (not cloud-init), first NIC. */
export function defaultBootOrder(lab: LabContext, config: Record<string, string>): string {
  const drives = driveKeysInBootSearchOrder(config).map((key) => ({
    key,
    drive: parseDrive(lab, key, config[key] ?? ''),
  }));
  const disk = drives.find(({ drive }) => !isCdromDrive(drive))?.key;
  const cdrom = drives.find(({ drive }) => isCdromDrive(drive) && !isCloudinitDrive(drive))?.key;
  const nic = Object.keys(config)
    .filter((key) => /^net\d+$/.test(key))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))[0];
  return `order=${[disk, cdrom, nic].filter((key) => key !== undefined).join(';')}`;
}

/** Disks in boot order, for the size PVE reports as a VM's maxdisk. */
export function bootDiskKey(config: Record<string, string>): string | undefined {
  const order = /(?:^|,)order=([^,]+)/.exec(config.boot ?? '')?.[1];
  const candidates = order ? splitList(order) : driveKeysInBootSearchOrder(config);
  return candidates.find(
    (key) => isDriveKey(key) && config[key] !== undefined && !/media=cdrom/.test(config[key] ?? ''),
  );
}

/** Memory in MiB: `memory` is the property string `[current=]<MiB>`, 512 by default. */
export function memoryMiB(config: Record<string, string>): number {
  const value = config.memory;
  if (value === undefined) return 512;
  const current = /(?:^|,)(?:current=)?(\d+)(?:,|$)/.exec(value)?.[1];
  return current === undefined ? 512 : Number(current);
}

export function cpuCount(config: Record<string, string>): number {
  return Number(config.cores ?? 1) * Number(config.sockets ?? 1);
}

/** The size in bytes a drive string records (`size=32G`). */
export function driveSizeBytes(drive: Record<string, string>): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(drive.size ?? '');
  if (!match) return 0;
  const power = ['', 'K', 'M', 'G', 'T'].indexOf(match[2] ?? '');
  return Math.round(Number(match[1]) * 1024 ** power);
}

/**
 * Config values typed as PVE's parse_vm_config returns them: integers and booleans become
 * JSON numbers, everything else stays the string the config file holds.
 */
export function typedConfig(lab: LabContext, config: Record<string, string>): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const type = configKeySchema(lab, key)?.type;
    const numeric =
      (type === 'integer' || type === 'number' || type === 'boolean') && /^-?\d+(\.\d+)?$/.test(value);
    typed[key] = numeric ? Number(value) : value;
  }
  return typed;
}
