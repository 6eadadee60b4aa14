/**
 * The checks PVE's handlers make themselves, beyond the declared permissions
 * (PVE-PERMISSIONS.md P.6): RPCEnvironment check/check_any/check_vm_perm, PVE::Storage
 * check_volume_access, qemu-server check_vm_modify_config_perm and check_bridge_access.
 */
import { PermissionDenied } from '../access/check.js';
import { ROOT } from '../access/evaluate.js';
import { splitVolid } from '../state.js';
import { parsePropertyString } from '../property-string.js';
import type { LabContext } from './context.js';
import { fail } from './context.js';
import { configKeySchema } from './vm.js';
import { parseVolname, storageOf } from './volumes.js';

/** RPCEnvironment::check (or check_any): 403 naming the path and the first missing privilege. */
export function requirePrivs(
  lab: LabContext,
  user: string,
  path: string,
  privs: string[],
  any = false,
): void {
  const model = lab.state.access.model;
  if (model.has(user, path, privs, any)) return;
  throw new PermissionDenied(`${path}, ${any ? privs.join('|') : (model.missing(user, path, privs) ?? '')}`);
}

export function may(lab: LabContext, user: string, path: string, privs: string[], any = false): boolean {
  return lab.state.access.model.has(user, path, privs, any);
}

/** check_vm_perm: the pool first (quietly, when one is given), then /vms/<vmid>, which the error names. */
export function requireVmPerm(
  lab: LabContext,
  user: string,
  vmid: number,
  pool: string | undefined,
  privs: string[],
  any = false,
): void {
  if (pool !== undefined && may(lab, user, `/pool/${pool}`, privs, any)) return;
  requirePrivs(lab, user, `/vms/${vmid}`, privs, any);
}

/** PVE::Storage::check_volume_access for a `storage:volname` a request names. */
export function checkVolumeAccess(
  lab: LabContext,
  user: string,
  node: string,
  volid: string,
  vmid?: number,
): void {
  if (user === ROOT) return;
  const [storeid, volname] = splitVolid(volid);
  if (volname === undefined) fail('Only root can pass arbitrary filesystem paths.');
  if (may(lab, user, `/storage/${storeid}`, ['Datastore.Allocate'])) return;
  const { vtype, vmid: owner } = parseVolname(storageOf(lab, node, storeid), volname);
  if (vtype === 'iso' || vtype === 'vztmpl' || vtype === 'import') {
    requirePrivs(lab, user, `/storage/${storeid}`, ['Datastore.AllocateSpace', 'Datastore.Audit'], true);
  } else if (owner !== undefined && vmid !== undefined && owner === vmid) {
    // the VM's own volume
  } else if (vtype === 'images' && owner !== undefined) {
    requirePrivs(lab, user, `/storage/${storeid}`, ['Datastore.Audit']);
    requirePrivs(lab, user, `/vms/${owner}`, ['VM.Config.Disk']);
  } else {
    fail(`missing privileges to access ${volid}`);
  }
}

const indexed = (base: string, count: number) => Array.from({ length: count }, (_, i) => `${base}${i}`);

/** check_vm_modify_config_perm's option lists (QS Qemu.pm lines 789-862, P.6.1 item 7). */
const OPTION_PRIVILEGES: Record<string, string[]> = Object.fromEntries([
  ...['cores', 'cpu', 'cpulimit', 'cpuunits', 'numa', 'smp', 'sockets', 'vcpus', ...indexed('numa', 8)].map(
    (key) => [key, ['VM.Config.CPU']],
  ),
  ...['memory', 'balloon', 'shares', 'allow-ksm'].map((key) => [key, ['VM.Config.Memory']]),
  ...[
    'acpi',
    'hotplug',
    'kvm',
    'machine',
    'scsihw',
    'smbios1',
    'tablet',
    'vga',
    'watchdog',
    'audio0',
    'rng0',
  ].map((key) => [key, ['VM.Config.HWType']]),
  ...[
    'agent',
    'autostart',
    'bios',
    'description',
    'keyboard',
    'localtime',
    'migrate_downtime',
    'migrate_speed',
    'name',
    'onboot',
    'ostype',
    'protection',
    'reboot',
    'startdate',
    'startup',
    'tdf',
    'template',
  ].map((key) => [key, ['VM.Config.Options']]),
  ['freeze', ['VM.PowerMgmt']],
  ...['boot', 'bootdisk', 'vmstatestorage'].map((key) => [key, ['VM.Config.Disk']]),
  ['vmstate', ['VM.Config.Disk', 'VM.PowerMgmt']],
]);

const CLOUDINIT_OPTIONS = [
  'cicustom',
  'cipassword',
  'citype',
  'ciuser',
  'ciupgrade',
  'nameserver',
  'searchdomain',
  'sshkeys',
];
/** Keys check_vm_modify_config_perm leaves to other checks (drives, devices, tags). */
const SKIPPED =
  /^(ide|scsi|virtio|sata|unused|serial|usb|hostpci|virtiofs)\d+$|^(efidisk0|tpmstate0|cdrom|tags)$/;

/**
 * check_vm_modify_config_perm: each key needs its privilege on the pool (when given, for create)
 * or on /vms/<vmid>; a key outside the lists is root's alone.
 */
export function checkConfigKeys(
  lab: LabContext,
  user: string,
  vmid: number,
  pool: string | undefined,
  keys: string[],
): void {
  if (user === ROOT) return;
  for (const key of keys) {
    if (SKIPPED.test(key)) continue;
    if (/^net\d+$/.test(key)) requireVmPerm(lab, user, vmid, pool, ['VM.Config.Network']);
    else if (/^ipconfig\d+$/.test(key) || CLOUDINIT_OPTIONS.includes(key))
      requireVmPerm(lab, user, vmid, pool, ['VM.Config.Cloudinit', 'VM.Config.Network'], true);
    else if (OPTION_PRIVILEGES[key]) requireVmPerm(lab, user, vmid, pool, OPTION_PRIVILEGES[key]);
    else fail(`only root can set '${key}' config`);
    if (key === 'startup') requirePrivs(lab, user, '/', ['Sys.Modify']);
  }
}

/** `serialN=socket` is VM.Config.HWType; a real serial device is root's alone (P.6.1 item 8). */
export function checkSerialPorts(
  lab: LabContext,
  user: string,
  vmid: number,
  pool: string | undefined,
  params: Record<string, string>,
): void {
  if (user === ROOT) return;
  for (const key of Object.keys(params).filter((name) => /^serial\d+$/.test(name))) {
    if (params[key] !== 'socket') fail(`only root can set '${key}' config for real devices`);
    requireVmPerm(lab, user, vmid, pool, ['VM.Config.HWType']);
  }
}

/**
 * check_bridge_access -> check_vnet_access: SDN.Use on /sdn/zones/localnetwork/<bridge>/<tag> for a
 * tagged NIC (each trunk VLAN likewise), else on /sdn/zones/localnetwork/<bridge>.
 */
export function checkBridgeAccess(lab: LabContext, user: string, nets: Record<string, string>[]): void {
  if (user === ROOT) return;
  for (const net of nets) {
    const bridge = net.bridge;
    if (!bridge) continue;
    const zone = `/sdn/zones/localnetwork/${bridge}`;
    const trunks = (net.trunks ?? '').split(';').filter((vlan) => vlan !== '');
    if (net.tag !== undefined) requirePrivs(lab, user, `${zone}/${net.tag}`, ['SDN.Use']);
    for (const vlan of trunks) requirePrivs(lab, user, `${zone}/${vlan}`, ['SDN.Use']);
    if (net.tag === undefined && trunks.length === 0) requirePrivs(lab, user, zone, ['SDN.Use']);
  }
}

/** The NICs of a request, parsed by the contract's netN format. */
export function netsOf(lab: LabContext, params: Record<string, string>): Record<string, string>[] {
  return Object.keys(params)
    .filter((key) => /^net\d+$/.test(key))
    .map((key) => {
      const format = configKeySchema(lab, key)?.format;
      return typeof format === 'object' ? parsePropertyString(format, params[key] ?? '') : {};
    });
}
