/**
 * PVE's value checks: `check_prop`/`check_object`/`check_format` of pve-common `PVE::JSONSchema`, and
 * every named format the PVE API subset uses, registered the way pve-common, pve-storage,
 * pve-access-control and qemu-server register them. Error texts are PVE's, verbatim (die texts keep
 * their trailing "\n", as PVE's JSON error bodies do). Where a text could not be read in the source,
 * the comment beside it says so.
 */
import type { ContractParam, PropertyFormat } from './property-string.js';
import { PveValueError, ownSchema, parsePropertyString, perlTrue, splitList } from './property-string.js';

type CodeFormat = (value: string) => void;
interface ObjectFormat {
  properties: PropertyFormat;
  /** Runs on the parsed keys after they passed the schema (PVE's format validators). */
  validate?: (parsed: Record<string, string>) => void;
}

function reject(message: string): never {
  throw new PveValueError(`${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Perl regex semantics

const compiledPatterns = new Map<string, RegExp>();

/**
 * A schema pattern as PVE applies it, `m/^$pattern$/`, in JS syntax. Perl's stringified qr//
 * `(?^:...)` becomes `(?:...)` and `{,n}` becomes `{0,n}` (a quantifier since Perl 5.34). Throws on
 * syntax JS cannot express, so a new contract pattern fails loudly instead of matching wrongly.
 */
export function compilePerlPattern(pattern: string): RegExp {
  const cached = compiledPatterns.get(pattern);
  if (cached) return cached;
  if (/\(\?\^[a-z]/.test(pattern))
    throw new Error(`PVE pattern with inline flags is not supported: ${pattern}`);
  const source = pattern.replace(/\(\?\^:/g, '(?:').replace(/\{,(\d+)\}/g, '{0,$1}');
  const regex = new RegExp(`^${source}$`);
  compiledPatterns.set(pattern, regex);
  return regex;
}

/** Perl's `$` also matches before one final newline; JS's does not. */
function perlMatches(regex: RegExp, value: string): boolean {
  return regex.test(value) || (value.endsWith('\n') && regex.test(value.slice(0, -1)));
}

/** Perl `split(/sep/, $text)`: trailing empty fields are dropped. */
function perlSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Address regexes (pve-common PVE::Tools $IPV4RE / $IPV6RE)

const IPV4_OCTET = '(?:25[0-5]|(?:2[0-4]|1[0-9]|[1-9])?[0-9])';
const IPV4_RE = `(?:(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET})`;
const H16 = '(?:[0-9a-fA-F]{1,4})';
const LS32 = `(?:(?:${IPV4_RE}|${H16}:${H16}))`;
const headUpTo = (n: number) => `(?:(?:${H16}:){0,${n}}${H16})?`;
const IPV6_RE = `(?:${[
  `(?:(?:(?:${H16}:){6})${LS32})`,
  `(?:(?:::(?:${H16}:){5})${LS32})`,
  `(?:(?:(?:${H16})?::(?:${H16}:){4})${LS32})`,
  `(?:(?:${headUpTo(1)}::(?:${H16}:){3})${LS32})`,
  `(?:(?:${headUpTo(2)}::(?:${H16}:){2})${LS32})`,
  `(?:(?:${headUpTo(3)}::(?:${H16}:){1})${LS32})`,
  `(?:(?:${headUpTo(4)}::)${LS32})`,
  `(?:(?:${headUpTo(5)}::)${H16})`,
  `(?:(?:${headUpTo(6)}::))`,
].join('|')})`;

const IPV4 = new RegExp(`^(?:${IPV4_RE})$`);
const IPV6 = new RegExp(`^(?:${IPV6_RE})$`);
const CIDRV4 = new RegExp(`^(?:${IPV4_RE})(?:/(\\d+))$`);
const CIDRV6 = new RegExp(`^(?:${IPV6_RE})(?:/(\\d+))$`);
const DNS_LABEL = '([a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?)';
const DNS_NAME = new RegExp(`^(${DNS_LABEL}\\.)*${DNS_LABEL}$`);

function isIp(value: string): boolean {
  return perlMatches(IPV4, value) || perlMatches(IPV6, value);
}

function cidrPrefixWithin(regex: RegExp, value: string, maxBits: number): boolean {
  const match = regex.exec(value) ?? (value.endsWith('\n') ? regex.exec(value.slice(0, -1)) : null);
  const bits = Number(match?.[1]);
  return match !== null && bits > 7 && bits <= maxBits;
}

const isCidrV4 = (value: string) => cidrPrefixWithin(CIDRV4, value, 32);
const isCidrV6 = (value: string) => cidrPrefixWithin(CIDRV6, value, 128);

// ---------------------------------------------------------------------------------------------
// qemu-server's fixed device counts (PVE/QemuServer.pm, Drive.pm, PCI.pm, USB.pm, Memory.pm,
// Virtiofs.pm). Indexed keys run from 0 to count-1.

export const QEMU_INDEXED_KEY_COUNTS: Readonly<Record<string, number>> = {
  ide: 4,
  sata: 6,
  scsi: 31,
  virtio: 16,
  unused: 256,
  net: 32,
  ipconfig: 32,
  serial: 4,
  parallel: 3,
  hostpci: 16,
  // USB.pm $MAX_USB_DEVICES = 14 (usb0..usb13); the description's "up to 14" is looser than the loop.
  usb: 14,
  numa: 8,
  virtiofs: 10,
};

function indexedKeys(base: string): string[] {
  return Array.from({ length: QEMU_INDEXED_KEY_COUNTS[base] ?? 0 }, (_, i) => `${base}${i}`);
}

/** Drive.pm is_valid_drivename: disks and efidisk0/tpmstate0, never unusedN. */
const DRIVE_NAMES = new Set([
  ...['ide', 'scsi', 'virtio', 'sata'].flatMap(indexedKeys),
  'efidisk0',
  'tpmstate0',
]);
const BOOTABLE_NON_DISKS = new Set(['net', 'usb', 'hostpci'].flatMap(indexedKeys));

// ---------------------------------------------------------------------------------------------
// Code formats: a function that dies with PVE's text

function verifyRegex(regex: RegExp, message: (value: string) => string): CodeFormat {
  return (value) => {
    if (!perlMatches(regex, value)) reject(message(value));
  };
}

const storageIdPattern = /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i;

function storageIdError(id: string): string | undefined {
  return perlMatches(storageIdPattern, id) ? undefined : `storage ID '${id}' contains illegal characters\n`;
}

const verifyStorageId: CodeFormat = (id) => {
  const error = storageIdError(id);
  if (error) throw new PveValueError(error);
};

const verifyVolumeId = verifyRegex(
  /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i,
  (v) => `unable to parse volume ID '${v}'`,
);

const verifyVolumeIdOrAbsolutePath: CodeFormat = (value) => {
  if (!value.startsWith('/')) verifyVolumeId(value);
};

/** pve-common parse_idmap for one entry of a storage-pair-list, with its doubled newlines kept. */
const verifyStoragePair: CodeFormat = (entry) => {
  for (const item of splitList(entry)) {
    if (!perlTrue(item) || item === '1') continue;
    const pair = /^([^:]+):([^:]+)$/.exec(item);
    const ids = pair ? [pair[1] ?? '', pair[2] ?? ''] : [item];
    const inner = ids.map(storageIdError).find((error) => error !== undefined);
    // parse_idmap dies "entry ... - $@\n", and $verify_idpair dies "$@\n" again.
    if (inner) throw new PveValueError(`entry '${item}' contains invalid ID - ${inner}\n\n`);
  }
};

/**
 * pve-access-control verify_poolname with nested pools (PVE 8.1+: up to three levels split by `/`).
 * The character rule and its message are the flat version's, read in the source; the level rule
 * and the "nested too deeply" text come from the nested-pool change, which the index did not hold.
 */
const verifyPoolName: CodeFormat = (name) => {
  if (perlSplit(name, '/').length > 3) reject(`pool name '${name}' nested too deeply (max levels = 3)`);
  if (!perlMatches(/^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/, name)) {
    reject(`pool name '${name}' contains invalid characters`);
  }
};

const verifyStartupOrder: CodeFormat = (value) => {
  const ok =
    perlTrue(value) &&
    perlSplit(value, ',').every(
      (part) =>
        /^\s*$/.test(part) ||
        perlMatches(/^(order=)?(\d+)$/, part) ||
        perlMatches(/^up=(\d+)$/, part) ||
        perlMatches(/^down=(\d+)$/, part),
    );
  if (!ok) reject('unable to parse startup options');
};

/** qemu-server pve_verify_cpuset over pve-common PVE::CpuSet::parse_cpuset. */
const verifyCpuSet: CodeFormat = (value) => {
  const ok = perlSplit(value, ',').every((part) => {
    const range = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    return range !== null && Number(range[2] ?? range[1]) >= Number(range[1]);
  });
  if (!ok) reject('unable to parse cpuset option');
};

/** qemu-server parse_hotplug_features: its die escapes pve_verify_hotplug_features unchanged. */
const verifyHotplugFeatures: CodeFormat = (value) => {
  if (value === '0' || value === '1') return;
  for (const feature of splitList(value)) {
    if (!/^(network|disk|cpu|memory|usb|cloudinit)$/.test(feature)) {
      reject(`invalid hotplug feature '${feature}'`);
    }
  }
};

/** qemu-server verify_bootdev: a disk (not efidisk/tpmstate), or a netN/usbN/hostpciN key. */
const verifyBootDevice: CodeFormat = (device) => {
  const special = /^efidisk/.test(device) || /^tpmstate/.test(device);
  if (DRIVE_NAMES.has(device) && !special) return;
  if (BOOTABLE_NON_DISKS.has(device)) return;
  reject(`invalid boot device '${device}'`);
};

/** pve-storage verify_content: the dir plugin's content types, plus 'import'. */
const STORAGE_CONTENT_TYPES = new Set([
  'images',
  'rootdir',
  'vztmpl',
  'iso',
  'backup',
  'snippets',
  'none',
  'import',
]);

const CODE_FORMATS: Record<string, CodeFormat> = {
  urlencoded: verifyRegex(/^[-%a-zA-Z0-9_.!~*'()]*$/, (v) => `invalid urlencoded string: ${v}`),
  'pve-configid': verifyRegex(/^[a-z][a-z0-9_-]+$/i, (v) => `invalid configuration ID '${v}'`),
  'pve-storage-id': verifyStorageId,
  'pve-bridge-id': verifyRegex(/^[-_.\w\d]+$/, (v) => `invalid bridge ID '${v}'`),
  'pve-vmid': verifyRegex(/^[1-9][0-9]{2,8}$/, () => 'value does not look like a valid VM ID'),
  'pve-node': verifyRegex(
    /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/,
    () => 'value does not look like a valid node name',
  ),
  'storage-pair': verifyStoragePair,
  'mac-addr': verifyRegex(
    /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i,
    () => 'value does not look like a valid unicast MAC address',
  ),
  ipv4: verifyRegex(IPV4, () => 'value does not look like a valid IPv4 address'),
  ipv6: verifyRegex(IPV6, () => 'value does not look like a valid IPv6 address'),
  ip: (v) => {
    if (!isIp(v)) reject('value does not look like a valid IP address');
  },
  CIDRv4: (v) => {
    if (!isCidrV4(v)) reject('value does not look like a valid IPv4 CIDR network');
  },
  CIDRv6: (v) => {
    if (!isCidrV6(v)) reject('value does not look like a valid IPv6 CIDR network');
  },
  CIDR: (v) => {
    if (!isCidrV4(v) && !isCidrV6(v)) reject('value does not look like a valid CIDR network');
  },
  'pve-ipv4-config': (v) => {
    if (!perlMatches(/^(?:dhcp|manual)$/, v) && !isCidrV4(v)) {
      reject('value does not look like a valid ipv4 network configuration');
    }
  },
  'pve-ipv6-config': (v) => {
    if (!perlMatches(/^(?:auto|dhcp|manual)$/, v) && !isCidrV6(v)) {
      reject('value does not look like a valid ipv6 network configuration');
    }
  },
  'dns-name': verifyRegex(DNS_NAME, () => 'value does not look like a valid DNS name'),
  address: (v) => {
    if (!isIp(v) && !perlMatches(DNS_NAME, v)) reject(`value does not look like a valid address: ${v}`);
  },
  'disk-size': verifyRegex(
    /^(\d+(\.\d+)?)([KMGT])?$/,
    (v) => `value does not look like a valid disk size: ${v}`,
  ),
  'pve-startup-order': verifyStartupOrder,
  'pve-tag': verifyRegex(/^[a-z0-9_][a-z0-9_\-+.]*$/i, () => 'invalid characters in tag'),
  'pve-poolid': verifyPoolName,
  'pve-cpuset': verifyCpuSet,
  'pve-volume-id': verifyVolumeId,
  'pve-volume-id-or-absolute-path': verifyVolumeIdOrAbsolutePath,
  'pve-volume-id-or-qm-path': (v) => {
    if (v !== 'none' && v !== 'cdrom') verifyVolumeIdOrAbsolutePath(v);
  },
  'pve-qm-bootdev': verifyBootDevice,
  'pve-qm-bootdisk': (v) => {
    if (!DRIVE_NAMES.has(v)) reject(`invalid boot disk '${v}'`);
  },
  'pve-hotplug-features': verifyHotplugFeatures,
  // pve-manager API2/Tasks.pm: the states GET /nodes/{node}/tasks may filter on.
  'pve-task-status-type': (v) => {
    if (!['ok', 'error', 'warning', 'unknown'].includes(v)) reject(`invalid task status type '${v}'`);
  },
  'pve-storage-content': (v) => {
    if (!STORAGE_CONTENT_TYPES.has(v)) reject(`invalid content type '${v}'`);
  },
  'pve-phys-bits': (v) => {
    const ok =
      perlMatches(/^(host|\d{1,2})$/, v) && (v.startsWith('host') || (Number(v) >= 8 && Number(v) <= 64));
    if (!ok) reject("value must be an integer between 8 and 64 or 'host'");
  },
};

// ---------------------------------------------------------------------------------------------
// Object formats (property strings registered by name in qemu-server)

const optional = 1 as const;
const yes = 1 as const;
const bool: ContractParam = { type: 'boolean', optional };
const optionalInteger = (extra: Partial<ContractParam> = {}): ContractParam => ({
  type: 'integer',
  optional,
  ...extra,
});
const optionalNumber: ContractParam = { type: 'number', optional };
const oneOf = (values: string[], extra: Partial<ContractParam> = {}): ContractParam => ({
  type: 'string',
  enum: values,
  optional,
  ...extra,
});

/** Drive.pm %drivedesc_base with its throttling keys (added there by $add_throttle_desc). */
function driveBaseFormat(): PropertyFormat {
  const format: PropertyFormat = {
    volume: { alias: 'file' },
    file: { type: 'string', format: 'pve-volume-id-or-qm-path', default_key: yes },
    media: oneOf(['cdrom', 'disk']),
    snapshot: bool,
    cache: oneOf(['none', 'writethrough', 'writeback', 'unsafe', 'directsync']),
    format: oneOf(['raw', 'qcow', 'qed', 'qcow2', 'vmdk', 'cloop']),
    size: { type: 'string', format: 'disk-size', optional },
    backup: bool,
    replicate: bool,
    rerror: oneOf(['ignore', 'report', 'stop']),
    werror: oneOf(['enospc', 'ignore', 'report', 'stop']),
    aio: oneOf(['native', 'threads', 'io_uring']),
    discard: oneOf(['ignore', 'on']),
    detect_zeroes: bool,
    serial: { type: 'string', format: 'urlencoded', maxLength: 60, optional },
    shared: bool,
  };
  for (const direction of ['', '_rd', '_wr']) {
    format[`bps${direction}`] = optionalInteger();
    format[`mbps${direction}`] = optionalNumber;
    format[`iops${direction}`] = optionalInteger();
    format[`mbps${direction}_max`] = optionalNumber;
    format[`iops${direction}_max`] = optionalInteger();
    format[`bps${direction}_max_length`] = optionalInteger({ minimum: 1 });
    format[`iops${direction}_max_length`] = optionalInteger({ minimum: 1 });
  }
  for (const legacy of ['bps_rd', 'bps_wr', 'iops_rd', 'iops_wr']) {
    format[`${legacy}_length`] = { alias: `${legacy}_max_length` };
  }
  return format;
}

/** Drive.pm $ide_fmt: what `cdrom` (an alias for ide2) takes. */
const IDE_FORMAT: PropertyFormat = {
  ...driveBaseFormat(),
  model: { type: 'string', format: 'urlencoded', maxLength: 120, optional },
  ssd: bool,
  wwn: { type: 'string', pattern: '(?:^(0x)[0-9a-fA-F]{16})', optional },
};

const PCI_ID = '(?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\\.[a-f0-9])?';
const HEX_ID: ContractParam = { type: 'string', pattern: '(?:^0x[0-9a-fA-F]{4}$)', optional };

/** PCI.pm $hostpci_fmt; `driver` is not in the source read, it is taken from the contract's typetext. */
const HOSTPCI_FORMAT: PropertyFormat = {
  host: { type: 'string', default_key: yes, optional, pattern: `(?:${PCI_ID}(;${PCI_ID})*)` },
  mapping: { type: 'string', format: 'pve-configid', optional },
  rombar: bool,
  romfile: { type: 'string', pattern: '[^,;]+', optional },
  pcie: bool,
  'x-vga': bool,
  'legacy-igd': bool,
  mdev: { type: 'string', pattern: '[^/\\.:]+', optional },
  'vendor-id': HEX_ID,
  'device-id': HEX_ID,
  'sub-vendor-id': HEX_ID,
  'sub-device-id': HEX_ID,
  driver: oneOf(['vfio', 'keep']),
};

/** CPUConfig.pm $cpu_vendor_list keys: the QEMU models a VM may name. */
const CPU_MODELS = [
  ...['486', 'pentium', 'pentium2', 'pentium3', 'coreduo', 'core2duo', 'Conroe', 'Penryn'],
  ...['Nehalem', 'Nehalem-IBRS', 'Westmere', 'Westmere-IBRS', 'SandyBridge', 'SandyBridge-IBRS'],
  ...['IvyBridge', 'IvyBridge-IBRS', 'Haswell', 'Haswell-IBRS', 'Haswell-noTSX', 'Haswell-noTSX-IBRS'],
  ...['Broadwell', 'Broadwell-IBRS', 'Broadwell-noTSX', 'Broadwell-noTSX-IBRS'],
  ...['Skylake-Client', 'Skylake-Client-IBRS', 'Skylake-Client-noTSX-IBRS', 'Skylake-Client-v4'],
  ...['Skylake-Server', 'Skylake-Server-IBRS', 'Skylake-Server-noTSX-IBRS', 'Skylake-Server-v4'],
  ...['Skylake-Server-v5', 'Cascadelake-Server', 'Cascadelake-Server-v2', 'Cascadelake-Server-noTSX'],
  ...['Cascadelake-Server-v4', 'Cascadelake-Server-v5', 'Cooperlake', 'Cooperlake-v2', 'KnightsMill'],
  ...['Icelake-Client', 'Icelake-Client-noTSX', 'Icelake-Server', 'Icelake-Server-noTSX'],
  ...['Icelake-Server-v3', 'Icelake-Server-v4', 'Icelake-Server-v5', 'Icelake-Server-v6'],
  ...['SapphireRapids', 'SapphireRapids-v2', 'GraniteRapids'],
  ...['athlon', 'phenom', 'Opteron_G1', 'Opteron_G2', 'Opteron_G3', 'Opteron_G4', 'Opteron_G5'],
  ...['EPYC', 'EPYC-IBPB', 'EPYC-v3', 'EPYC-v4', 'EPYC-Rome', 'EPYC-Rome-v2', 'EPYC-Rome-v3'],
  ...['EPYC-Rome-v4', 'EPYC-Milan', 'EPYC-Milan-v2', 'EPYC-Genoa'],
  ...['host', 'kvm32', 'kvm64', 'qemu32', 'qemu64', 'max'],
];
/** CPUConfig.pm $builtin_models: PVE's own x86-64 level models. */
const BUILTIN_CPU_MODELS = ['x86-64-v2', 'x86-64-v2-AES', 'x86-64-v3', 'x86-64-v4'];
/** CPUConfig.pm $supported_cpu_flags: the only flags a VM config may set. */
const VM_CPU_FLAGS = [
  ...['nested-virt', 'md-clear', 'pcid', 'spec-ctrl', 'ssbd', 'ibpb', 'virt-ssbd', 'amd-ssbd'],
  ...['amd-no-ssb', 'pdpe1gb', 'hv-tlbflush', 'hv-evmcs', 'aes'],
];
const CPU_FLAG_ANY = '[+-][a-zA-Z0-9\\-_.]+';
const CPU_FLAG_SUPPORTED = new RegExp(
  `^[+-](?:${VM_CPU_FLAGS.join('|')})(?:;[+-](?:${VM_CPU_FLAGS.join('|')}))*$`,
);
const byLowercase = (a: string, b: string) => {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
};

const CPU_FORMAT: PropertyFormat = {
  cputype: { type: 'string', default_key: yes, optional },
  'reported-model': oneOf([...CPU_MODELS].sort(byLowercase)),
  hidden: bool,
  'hv-vendor-id': { type: 'string', pattern: '(?:[a-zA-Z0-9]{1,12})', optional },
  flags: { type: 'string', pattern: `(?:${CPU_FLAG_ANY}(;${CPU_FLAG_ANY})*)`, optional },
  'guest-phys-bits': optionalInteger({ minimum: 32, maximum: 64 }),
  'phys-bits': { type: 'string', format: 'pve-phys-bits', optional },
};

/** CPUConfig.pm validate_vm_cpu_conf. The lab defines no custom CPU models. */
function validateVmCpu(cpu: Record<string, string>): void {
  const cputype = cpu.cputype ?? '';
  if (!perlTrue(cputype)) reject('CPU is missing cputype');
  if (cputype.startsWith('custom-')) reject(`Custom cputype '${cputype.slice('custom-'.length)}' not found`);
  if (!CPU_MODELS.includes(cputype) && !BUILTIN_CPU_MODELS.includes(cputype)) {
    reject(`Built-in cputype '${cputype}' is not defined (missing 'custom-' prefix?)`);
  }
  if (perlTrue(cpu.flags) && !perlMatches(CPU_FLAG_SUPPORTED, cpu.flags ?? '')) {
    reject(`VM-specific CPU flags must be a subset of: ${VM_CPU_FLAGS.join(', ')}`);
  }
  if (cpu['reported-model'] !== undefined) {
    reject("Property 'reported-model' not allowed in VM-specific CPU config.");
  }
}

const BASE64: ContractParam = { type: 'string', pattern: '[A-Za-z0-9+\\/]+={0,2}', optional };
const volume: ContractParam = { type: 'string', format: 'pve-volume-id', optional };

const OBJECT_FORMATS: Record<string, ObjectFormat> = {
  'pve-qm-watchdog': {
    properties: {
      model: oneOf(['i6300esb', 'ib700'], { default_key: yes }),
      action: oneOf(['reset', 'shutdown', 'poweroff', 'pause', 'debug', 'none']),
    },
  },
  'pve-qm-cicustom': { properties: { meta: volume, network: volume, user: volume, vendor: volume } },
  'pve-qm-boot': {
    properties: {
      legacy: { type: 'string', pattern: '[acdn]{1,4}', default_key: yes, optional },
      order: { type: 'string', format: 'pve-qm-bootdev-list', optional },
    },
  },
  'pve-qm-ide': { properties: IDE_FORMAT },
  'pve-qm-ipconfig': {
    properties: {
      ip: { type: 'string', format: 'pve-ipv4-config', optional },
      gw: { type: 'string', format: 'ipv4', optional, requires: 'ip' },
      ip6: { type: 'string', format: 'pve-ipv6-config', optional },
      gw6: { type: 'string', format: 'ipv6', optional, requires: 'ip6' },
    },
  },
  'pve-qemu-sev-fmt': {
    properties: {
      type: { type: 'string', default_key: yes, enum: ['std', 'es', 'snp'], maxLength: 3 },
      'no-debug': bool,
      'no-key-sharing': bool,
      'allow-smt': bool,
      'kernel-hashes': bool,
    },
  },
  'pve-qemu-tdx-fmt': {
    properties: {
      type: { type: 'string', default_key: yes, enum: ['tdx'] },
      attestation: { type: 'boolean' },
      'vsock-cid': optionalInteger({ minimum: 2 }),
      'vsock-port': optionalInteger({ minimum: 0 }),
    },
  },
  'pve-vm-cpu-conf': { properties: CPU_FORMAT, validate: validateVmCpu },
  'pve-qm-hostpci': { properties: HOSTPCI_FORMAT },
  'pve-qm-rng': {
    properties: {
      source: { type: 'string', enum: ['/dev/urandom', '/dev/random', '/dev/hwrng'], default_key: yes },
      max_bytes: optionalInteger(),
      period: optionalInteger(),
    },
  },
  'pve-qm-smbios1': {
    properties: {
      uuid: { type: 'string', pattern: '[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}', optional },
      version: BASE64,
      serial: BASE64,
      manufacturer: BASE64,
      product: BASE64,
      sku: BASE64,
      family: BASE64,
      base64: bool,
    },
  },
};

/** The keys of a property-string format PVE registers by name, or undefined for code formats. */
export function namedPropertyFormat(name: string): PropertyFormat | undefined {
  return Object.hasOwn(OBJECT_FORMATS, name) ? OBJECT_FORMATS[name]?.properties : undefined;
}

// ---------------------------------------------------------------------------------------------
// check_format / check_prop / check_object

/** PVE's errors map. add_error joins repeated paths with a literal backslash-n ('\n' in single quotes). */
class ErrorMap {
  readonly entries = new Map<string, string>();

  add(path: string, message: string): void {
    const key = path === '' ? '_root' : path;
    const previous = this.entries.get(key);
    this.entries.set(key, previous === undefined ? message : `${previous}\\n${message}`);
  }
}

function splitFormatName(format: string): { name: string; kind: 'list' | 'opt' | undefined } {
  const match = /^(.*?)(?:-(list|opt))?$/.exec(format);
  return { name: match?.[1] ?? format, kind: match?.[2] as 'list' | 'opt' | undefined };
}

/** True when the lab implements `format` the way PVE's check_format resolves it (with -list/-opt). */
export function isKnownFormat(format: string): boolean {
  const { name, kind } = splitFormatName(format);
  if (Object.hasOwn(CODE_FORMATS, name)) return true;
  return kind === undefined && Object.hasOwn(OBJECT_FORMATS, name);
}

function checkFormat(format: string | PropertyFormat, value: string, path: string): void {
  if (typeof format !== 'string') {
    checkPropertyString(format, value, path);
    return;
  }
  const { name, kind } = splitFormatName(format);
  if (!isKnownFormat(format)) throw new Error(`the lab does not implement PVE format '${format}'`);
  const code = Object.hasOwn(CODE_FORMATS, name) ? CODE_FORMATS[name] : undefined;
  if (code === undefined) {
    const object = OBJECT_FORMATS[name] as ObjectFormat;
    checkPropertyString(object.properties, value, path, object.validate);
  } else if (kind === 'list') {
    splitList(value).forEach(code);
  } else if (kind === 'opt') {
    if (perlTrue(value)) code(value);
  } else {
    code(value);
  }
}

/**
 * PVE's full parse_property_string: split the keys, check every key against its schema, then run
 * the format's validator. Throws PveValueError with PVE's text ("format error\n<path>.<key>: ...").
 */
export function checkPropertyString(
  format: PropertyFormat,
  value: string,
  path: string,
  validate?: (parsed: Record<string, string>) => void,
): Record<string, string> {
  const parsed = parsePropertyString(format, value);
  const errors = new ErrorMap();
  checkObject(path, format, parsed, errors);
  if (errors.entries.size > 0) {
    const lines = [...errors.entries].map(([key, message]) => `${key}: ${message}\n`);
    throw new PveValueError(`format error\n${lines.join('')}`);
  }
  validate?.(parsed);
  return parsed;
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/;

function typeError(type: string | undefined, value: string): string | undefined {
  const got = `type check ('${type}') failed - got '${value}'`;
  switch (type) {
    case 'boolean':
      return value === '1' || value === '0' ? undefined : got;
    case 'integer':
      return perlMatches(INTEGER, value) ? undefined : got;
    case 'number':
      return perlMatches(NUMBER, value) ? undefined : got;
    case 'array':
    case 'object':
      return `type check ('${type}') failed`;
    default:
      return undefined; // string, any, and types PVE does not verify
  }
}

/** The first of PVE's value checks (after type) that `value` fails, in check_prop's order. */
function constraintError(value: string, schema: ContractParam, path: string): string | undefined {
  if (schema.format) {
    try {
      checkFormat(schema.format, value, path);
    } catch (error) {
      if (error instanceof PveValueError) return `invalid format - ${error.message}`;
      throw error;
    }
  }
  if (schema.pattern && !perlMatches(compilePerlPattern(schema.pattern), value)) {
    return 'value does not match the regex pattern';
  }
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > Number(schema.maxLength)) {
    return `value may only be ${schema.maxLength} characters long`;
  }
  if (schema.minLength !== undefined && length < Number(schema.minLength)) {
    return `value must be at least ${schema.minLength} characters long`;
  }
  if (perlMatches(NUMBER, value)) {
    if (schema.maximum !== undefined && Number(value) > Number(schema.maximum)) {
      return `value must have a maximum value of ${schema.maximum}`;
    }
    if (schema.minimum !== undefined && Number(value) < Number(schema.minimum)) {
      return `value must have a minimum value of ${schema.minimum}`;
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    return `value '${value}' does not have a value in the enumeration '${schema.enum.join(', ')}'`;
  }
  return undefined;
}

/** PVE check_prop for one string value (or a missing one). */
function checkValue(value: string | undefined, schema: ContractParam, path: string, errors: ErrorMap): void {
  if (value === undefined) {
    if (!perlTrue(schema.optional) && !perlTrue(schema.alias)) {
      errors.add(path, 'property is missing and it is not optional');
    }
    return;
  }
  const problem = typeError(schema.type, value) ?? constraintError(value, schema, path);
  if (problem !== undefined) errors.add(path, problem);
}

const joinPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** PVE check_object with additionalProperties => 0 (how every API method and property string is checked). */
function checkObject(
  path: string,
  schema: PropertyFormat,
  values: Record<string, string>,
  errors: ErrorMap,
): void {
  const valueOf = (key: string) => (Object.hasOwn(values, key) ? values[key] : undefined);
  for (const [key, keySchema] of Object.entries(schema)) {
    checkValue(valueOf(key), keySchema, joinPath(path, key), errors);
  }
  for (const key of Object.keys(values)) {
    const keySchema = ownSchema(schema, key);
    const requires = keySchema?.requires;
    if (keySchema === undefined) {
      errors.add(
        joinPath(path, key),
        'property is not defined in schema and the schema does not allow additional properties',
      );
    } else if (requires && valueOf(requires) === undefined) {
      errors.add(
        joinPath(path, requires),
        `missing property - '${joinPath(path, key)}' requires this property`,
      );
    }
  }
}

/** PVE::JSONSchema::validate of a method's parameters: {} when valid, else PVE's per-parameter errors. */
export function checkParameters(
  schema: PropertyFormat,
  values: Record<string, string>,
): Record<string, string> {
  const errors = new ErrorMap();
  checkObject('', schema, values, errors);
  return Object.fromEntries(errors.entries);
}

/** Checks `value` against a named PVE format: undefined when valid, else PVE's message. */
export function verifyNamedFormat(format: string, value: string): string | undefined {
  try {
    checkFormat(format, value, '');
    return undefined;
  } catch (error) {
    if (error instanceof PveValueError) return error.message;
    throw error;
  }
}
