import type { PropertyFormat } from '../property-string.js';
import { parsePropertyString } from '../property-string.js';
import type { VmRecord } from '../state.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { fail, ok, requireInt } from './context.js';
import { configKeySchema, isCloudinitDrive, isDriveKey, loadVm, parseDrive } from './vm.js';

/**
 * The QEMU guest agent as PVE reaches it (API2/Qemu/Agent.pm, QemuServer/Agent.pm). A guest
 * runs its agent only when the lab says so (state.setGuestAgent): Talos in maintenance mode
 * does not run one.
 */
export const agentHandlers: HandlerTable = {
  'GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces': withAgent(networkInterfaces),
  'POST /nodes/{node}/qemu/{vmid}/agent/ping': withAgent(() => ({ result: {} })),
};

/** The lab's DHCP range, where guests without a cloud-init address get theirs. */
const DHCP_NET = [10, 99];

export function parseAgentEnabled(lab: LabContext, config: Record<string, string>): boolean {
  if (config.agent === undefined) return false;
  const format = configKeySchema(lab, 'agent')?.format as PropertyFormat;
  return parsePropertyString(format, config.agent).enabled === '1';
}

/** QemuServer::Agent::assert_agent_available. */
function assertAgentAvailable(lab: LabContext, vm: VmRecord): void {
  if (!parseAgentEnabled(lab, vm.config)) fail('No QEMU guest agent configured');
  if (vm.status !== 'running') fail(`VM ${vm.vmid} is not running`);
  if (!vm.guest.agentRunning) fail('QEMU guest agent is not running');
}

/** Every agent command first checks that the VM exists and its agent answers. */
function withAgent(handler: (lab: LabContext, vm: VmRecord) => unknown) {
  return (lab: LabContext, req: ApiRequest) => {
    const vm = loadVm(lab, req.params.node ?? '', requireInt(req.params, 'vmid'));
    assertAgentAvailable(lab, vm);
    return ok(handler(lab, vm));
  };
}

function networkInterfaces(lab: LabContext, vm: VmRecord) {
  const hasCloudinitDrive = Object.keys(vm.config).some(
    (key) => isDriveKey(key) && isCloudinitDrive(parseDrive(lab, key, vm.config[key] ?? '')),
  );
  const nics = Object.keys(vm.config)
    .filter((key) => /^net\d+$/.test(key))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const loopback = {
    name: 'lo',
    'hardware-address': '00:00:00:00:00:00',
    'ip-addresses': [
      { 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 },
      { 'ip-address-type': 'ipv6', 'ip-address': '::1', prefix: 128 },
    ],
    statistics: statistics(),
  };
  const interfaces = nics.map((key, position) => {
    const index = Number(key.slice(3));
    const mac = (/=([0-9A-Fa-f:]{17})/.exec(vm.config[key] ?? '')?.[1] ?? '00:00:00:00:00:00').toLowerCase();
    const address =
      (hasCloudinitDrive ? staticAddress(vm.config[`ipconfig${index}`]) : undefined) ??
      dhcpAddress(vm.vmid, index);
    return {
      name: `eth${position}`,
      'hardware-address': mac,
      'ip-addresses': [
        { 'ip-address-type': 'ipv4', 'ip-address': address.ip, prefix: address.prefix },
        { 'ip-address-type': 'ipv6', 'ip-address': linkLocal(mac), prefix: 64 },
      ],
      statistics: statistics(),
    };
  });
  return { result: [loopback, ...interfaces] };
}

/** `ip=192.168.10.11/24,gw=...` from an ipconfigN the cloud-init drive carries; dhcp -> undefined. */
function staticAddress(ipconfig: string | undefined): { ip: string; prefix: number } | undefined {
  const match = /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\/(\d+)(?:,|$)/.exec(ipconfig ?? '');
  return match ? { ip: match[1] ?? '', prefix: Number(match[2]) } : undefined;
}

/** A lease from the lab's DHCP server: stable for a VM and NIC, unique for VMIDs below 16384. */
export function dhcpAddress(vmid: number, index: number): { ip: string; prefix: number } {
  const host = ((vmid * 4 + index) % 65_532) + 2;
  return { ip: [...DHCP_NET, Math.floor(host / 256), host % 256].join('.'), prefix: 16 };
}

/** The EUI-64 link-local address a NIC gives itself. */
function linkLocal(mac: string): string {
  const bytes = mac.split(':').map((part) => parseInt(part, 16));
  const eui = [
    (bytes[0] ?? 0) ^ 0x02,
    bytes[1] ?? 0,
    bytes[2] ?? 0,
    0xff,
    0xfe,
    bytes[3] ?? 0,
    bytes[4] ?? 0,
    bytes[5] ?? 0,
  ];
  const groups = [0, 2, 4, 6].map((i) => (((eui[i] ?? 0) << 8) | (eui[i + 1] ?? 0)).toString(16));
  return `fe80::${groups.join(':')}`;
}

function statistics() {
  return {
    'rx-bytes': 0,
    'rx-dropped': 0,
    'rx-errs': 0,
    'rx-packets': 0,
    'tx-bytes': 0,
    'tx-dropped': 0,
    'tx-errs': 0,
    'tx-packets': 0,
  };
}
