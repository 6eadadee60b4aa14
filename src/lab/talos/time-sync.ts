import type { Doc } from './yaml-docs.js';
import { get } from './yaml-docs.js';

/**
 * Time sync on the lab's Talos nodes (LIFECYCLE F.6, TALOS v1.11.6
 * `internal/app/machined/pkg/controllers/time/sync.go`): SNTP to `machine.time.servers` (default
 * time.cloudflare.com), or a PTP device; `disabled: true` counts as synced; `bootTimeout` (default
 * "infinity", 0 = no timeout) marks time synced once that long has passed since boot. kubelet and etcd
 * wait for the sync, and `bootstrap` refuses with "time is not in sync yet" until it.
 */

/** `constants.DefaultNTPServer`. */
export const DEFAULT_TIME_SERVER = 'time.cloudflare.com';

/** PTP clocks the KVM guest has (ptp_kvm): always there on the lab's VMs, whatever the network reaches. */
const PTP_DEVICES = ['/dev/ptp0', '/dev/ptp_kvm'];

/**
 * What the lab's network reaches on UDP 123: public NTP services by default (a lab with Internet
 * access); none when the lab is made offline (air-gapped). `*.pool.ntp.org`-style entries match any
 * host under that domain.
 */
export interface LabTimeNetwork {
  reachableTimeServers: string[];
}

export const DEFAULT_REACHABLE_TIME_SERVERS = [
  'time.cloudflare.com',
  'pool.ntp.org',
  '*.pool.ntp.org',
  'time.google.com',
  'time1.google.com',
  'time2.google.com',
  'time3.google.com',
  'time4.google.com',
  'time.aws.com',
  'time.windows.com',
  'time.apple.com',
];

export const ONLINE_TIME_NETWORK: LabTimeNetwork = { reachableTimeServers: DEFAULT_REACHABLE_TIME_SERVERS };
export const OFFLINE_TIME_NETWORK: LabTimeNetwork = { reachableTimeServers: [] };

/** The servers the node's config asks for, in order (Talos' default when none are set). */
export function configuredTimeServers(config: Doc): string[] {
  const servers = get(config, 'machine.time.servers');
  return Array.isArray(servers) && servers.length > 0 ? servers.map(String) : [DEFAULT_TIME_SERVER];
}

export function timeSyncDisabled(config: Doc): boolean {
  return get(config, 'machine.time.disabled') === true;
}

export function reachable(server: string, network: LabTimeNetwork): boolean {
  if (PTP_DEVICES.includes(server)) return true;
  const host = server.toLowerCase();
  return network.reachableTimeServers.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
  });
}

/** `machine.time.bootTimeout` in ms (a Go duration such as 2m or 1m30s); undefined when unset or 0 (waits forever). */
export function bootTimeoutMs(config: Doc): number | undefined {
  const value = get(config, 'machine.time.bootTimeout');
  if (typeof value !== 'string') return undefined;
  const ms = goDurationMs(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration for the positive values a config holds; undefined if it does not parse. */
export function goDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce((sum, part) => sum + Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0), 0);
}

export interface TimeSyncInput {
  config: Doc;
  /** When this boot began (machined's boot time, which bootTimeout counts from). */
  bootAt: number;
  /** When the node's network and API are up: the earliest a sync can happen. */
  upAt: number;
  network: LabTimeNetwork;
  /** Profile seconds -> lab ms. */
  ms(seconds: number): number;
  syncSeconds: number;
  /** `bootTimeout` is real time in the config; the lab runs scaled, so it is scaled alike. */
  timeScale: number;
}

/** When the node's TimeStatus turns SYNCED; Infinity when it never does. */
export function timeSyncedAt(input: TimeSyncInput): number {
  const { config } = input;
  if (timeSyncDisabled(config)) return input.upAt;
  if (configuredTimeServers(config).some((server) => reachable(server, input.network))) {
    return input.upAt + input.ms(input.syncSeconds);
  }
  const timeout = bootTimeoutMs(config);
  return timeout === undefined ? Infinity : Math.max(input.upAt, input.bootAt + timeout * input.timeScale);
}
