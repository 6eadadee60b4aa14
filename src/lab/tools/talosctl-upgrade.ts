import type { TalosNode } from '../talos/nodes.js';
import type { Transition } from '../talos/lifecycle.js';
import { isRelease, parseInstallerImage, parseVersion, upgradeableFrom } from '../talos/releases.js';
import type { FlagSpec, ParsedArgs } from './flags.js';
import { boolFlag, parseDurationSeconds, stringFlag } from './flags.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';
import { dialSecure, proxyTo } from './talos-dial.js';
import { TALOS_VERSION } from '../talos/generate.js';

/**
 * `talosctl upgrade` and `talosctl reboot` of the v1.13.9 client (LIFECYCLE F.1, F.5, F.9; TALOS v1.13.9
 * `cmd/talosctl/cmd/talos/upgrade.go`, `reboot.go`, `pkg/talos/action/tracker.go`). Against v1.11/v1.12
 * nodes the client falls back to the legacy MachineService.Upgrade (upgrade.go l.114-124); the lab runs the
 * same legacy sequence on v1.13 nodes too (their LifecycleService path, with a client-side drain, is not
 * modelled: UNCONFIRMED simplification). Output as on a non-terminal: the tracker's `"<node>": <message>`
 * lines on stderr (tracker.go l.305), the ack table on stdout without --wait.
 */

export const UPGRADE_FLAGS: FlagSpec[] = [
  { name: 'image', short: 'i', kind: 'string' },
  { name: 'reboot-mode', short: 'm', kind: 'string' },
  { name: 'wait', kind: 'bool' },
  { name: 'debug', kind: 'bool' },
  { name: 'timeout', kind: 'string' },
  { name: 'force', short: 'f', kind: 'bool' },
  { name: 'insecure', kind: 'bool' },
  { name: 'preserve', short: 'p', kind: 'bool' },
  { name: 'stage', short: 's', kind: 'bool' },
  { name: 'legacy', kind: 'bool' },
  { name: 'drain', kind: 'bool' },
  { name: 'drain-timeout', kind: 'string' },
  { name: 'no-reboot', kind: 'bool' },
  { name: 'progress', kind: 'string' },
  { name: 'namespace', kind: 'string' },
];

export const REBOOT_FLAGS: FlagSpec[] = [
  { name: 'mode', short: 'm', kind: 'string' },
  { name: 'wait', kind: 'bool' },
  { name: 'debug', kind: 'bool' },
  { name: 'timeout', kind: 'string' },
  { name: 'drain', kind: 'bool' },
  { name: 'drain-timeout', kind: 'string' },
  { name: 'progress', kind: 'string' },
];

/** The legacy-only flags upgrade.go marks deprecated (l.380-382): pflag warns on stderr when they are used. */
const DEPRECATED = ['force', 'insecure', 'preserve', 'stage'];

/** `constants.MinimumEtcdUpgradeLeaseLockSeconds` is 60; the pre-checks hold the mutex about this long. */
const MUTEX_HOLD_SECONDS = 1;

const unknownRpc = (desc: string) => `rpc error: code = Unknown desc = ${desc}`;

function rebootMode(value: string | undefined, flag: string): 'default' | 'powercycle' {
  const mode = (value ?? 'default').toLowerCase();
  if (mode === 'default' || mode === 'powercycle') return mode;
  if (mode === 'force' && flag === 'mode') return 'default';
  throw new ToolFailure(`invalid reboot mode: ${value ?? ''}`);
}

function timeoutSeconds(args: ParsedArgs): number {
  return parseDurationSeconds(stringFlag(args, 'timeout') ?? '30m') ?? 1800;
}

/** The nodes a command acts on, each reached through the endpoint. */
async function targets(call: ToolCall, args: ParsedArgs): Promise<{ ip: string; node: TalosNode }[]> {
  const target = await dialSecure(call, args);
  const ips = target.nodes.length > 0 ? target.nodes : [target.endpoint.addresses[0] ?? ''];
  const found: { ip: string; node: TalosNode }[] = [];
  for (const ip of ips) found.push({ ip, node: await proxyTo(call, target.endpoint, ip) });
  return found;
}

function before113(release: string): boolean {
  const version = parseVersion(release);
  return version !== undefined && version[0] === 1 && version[1] < 13;
}

export async function upgrade(call: ToolCall, args: ParsedArgs): Promise<void> {
  for (const flag of DEPRECATED) {
    if (args.flags.has(flag)) {
      call.err(
        `Flag --${flag} has been deprecated, legacy flag for MachineService.Upgrade fallback, to be removed in Talos 1.18\n`,
      );
    }
  }
  const wait = boolFlag(args, 'wait', true) || boolFlag(args, 'debug');
  if (wait && boolFlag(args, 'insecure')) throw new ToolFailure('cannot use --wait and --insecure together');
  const mode = rebootMode(stringFlag(args, 'reboot-mode'), 'reboot-mode');
  const image = stringFlag(args, 'image') ?? `ghcr.io/siderolabs/installer:${TALOS_VERSION}`;
  const nodes = await targets(call, args).catch((error: unknown) => {
    if (error instanceof ToolFailure) throw new ToolFailure(`error performing upgrade: ${error.message}`);
    throw error;
  });
  if (!boolFlag(args, 'legacy') && nodes.some(({ node }) => before113(node.release))) {
    call.err('New upgrade API is not available, falling back to legacy\n');
  }
  const started: { ip: string; node: TalosNode; transition: Transition }[] = [];
  for (const { ip, node } of nodes) {
    if (wait) call.err(`"${ip}": waiting for actor ID\n`);
    try {
      started.push({ ip, node, transition: await upgradeRequest(call, args, node, image, mode) });
    } catch (error) {
      if (!(error instanceof ToolFailure)) throw error;
      if (!wait) throw new ToolFailure(`error performing upgrade: ${error.message}`);
      call.err(`"${ip}": ${error.message}\n`);
      throw new ToolFailure('', 1);
    }
  }
  if (!wait) return printAcks(call, started);
  await track(call, started, 'upgrade', timeoutSeconds(args));
}

/** The server's Upgrade (v1alpha1_server.go l.508-574): installer image, etcd checks for control planes, ack. */
async function upgradeRequest(
  call: ToolCall,
  args: ParsedArgs,
  node: TalosNode,
  image: string,
  mode: 'default' | 'powercycle',
): Promise<Transition> {
  const target = installerRelease(image);
  await call.pause(call.talos.seconds.talosInstallerPull);
  if (!target) {
    // containerd's resolver on the registry's 404 (MANIFEST_UNKNOWN) for an unknown tag or image.
    throw new ToolFailure(
      unknownRpc(
        `error validating installer image "${image}": failed to resolve reference "${image}": ${image}: not found`,
      ),
    );
  }
  const skipChecks = boolFlag(args, 'force') || (boolFlag(args, 'preserve') && !before112(node.release));
  if (node.role === 'controlplane' && !skipChecks) validateEtcd(call, node);
  // The installer runs the pre-flight with the running release as the host version (F.1; facts-13 §1).
  const preflight = upgradeableFrom(target, node.release);
  // --stage: the StageUpgrade sequence reboots without a drain and installs early in the next boot (F.1).
  // v1.13+ nodes (LifecycleService path, facts-13 §2): no drain in the node; talosctl drains itself unless
  // --drain=false, which the lab counts through the same drain hook (client-side cordon not modelled).
  const drains = !boolFlag(args, 'stage') && (before113(node.release) || boolFlag(args, 'drain', true));
  return call.talos.startUpgrade(node, target, mode, preflight, drains);
}

function before112(release: string): boolean {
  const version = parseVersion(release);
  return version !== undefined && version[0] === 1 && version[1] < 12;
}

/** The release an installer image installs, if the lab knows the image (factory or ghcr installer). */
function installerRelease(image: string): string | undefined {
  const factory = parseInstallerImage(image);
  // Platform: the product's VMs boot SeaBIOS (no `bios` in src/proxmox/vm-config.ts), so GRUB, and the
  // running node passes --platform=nocloud to the installer; a plain `installer/` (metal) image would then
  // still boot nocloud (F.1, an inference the contract does not confirm). The lab keeps the platform.
  const version = factory?.version ?? /^ghcr\.io\/siderolabs\/installer:(v\d+\.\d+\.\d+)$/.exec(image)?.[1];
  return version && isRelease(version) ? version : undefined;
}

/** The upgrade mutex and `ValidateForUpgrade` (F.1; TALOS `internal/pkg/etcd/etcd.go` l.95-121). */
function validateEtcd(call: ToolCall, node: TalosNode): void {
  const record = call.talos.etcd.dataOf(node);
  if (!record) return;
  const now = call.now();
  if (!call.talos.lockUpgradeMutex(record.etcdClusterId, now + call.talos.ms(MUTEX_HOLD_SECONDS))) {
    throw new ToolFailure(
      unknownRpc(
        'failed to acquire upgrade mutex: error trying to lock etcd upgrade mutex: mutex: Locked by another session',
      ),
    );
  }
  const members = call.talos.etcd.members(record);
  const wrap = (message: string) =>
    new ToolFailure(unknownRpc(`error validating etcd for upgrade: ${message}`));
  if (members.length === 2) {
    throw wrap('etcd member count(2) is insufficient to maintain quorum if upgrade commences');
  }
  const hosts = call.talos.all(now);
  for (const member of members) {
    const host = hosts.find((candidate) => candidate.vm.vmid === member.vmid);
    const stopping = host?.transition !== undefined && host.transition.podsStopAt <= now;
    if (!host || stopping || call.talos.etcd.upAt(host) > now) {
      throw wrap(
        `etcd member ${member.memberId} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded`,
      );
    }
  }
}

/** `NODE  ACK  STARTED` (upgrade.go l.329-343): Go's tabwriter, padding 3, every row cell-terminated. */
function printAcks(call: ToolCall, started: { ip: string }[]): void {
  const width = Math.max(4, ...started.map(({ ip }) => ip.length)) + 3;
  const ack = 'Upgrade request received';
  const stamp = `${new Date(call.now()).toISOString().replace('T', ' ').replace('Z', '000000')} +0000 UTC`;
  call.out(`${'NODE'.padEnd(width)}${'ACK'.padEnd(ack.length + 3)}STARTED\n`);
  for (const { ip } of started) call.out(`${ip.padEnd(width)}${ack}   ${stamp}   \n`);
}

export async function reboot(call: ToolCall, args: ParsedArgs): Promise<void> {
  const wait = boolFlag(args, 'wait', true) || boolFlag(args, 'debug') || boolFlag(args, 'drain');
  const mode = rebootMode(stringFlag(args, 'mode'), 'mode');
  let nodes: { ip: string; node: TalosNode }[];
  try {
    nodes = await targets(call, args);
  } catch (error) {
    if (error instanceof ToolFailure && !wait)
      throw new ToolFailure(`error executing reboot: ${error.message}`);
    throw error;
  }
  const started = nodes.map(({ ip, node }) => {
    if (wait) call.err(`"${ip}": waiting for actor ID\n`);
    return { ip, node, transition: call.talos.startReboot(node, mode) };
  });
  if (wait) await track(call, started, 'reboot', timeoutSeconds(args));
}

/**
 * The action tracker (tracker.go, node.go): the sequence's events until the node goes down, then the new
 * boot up to RUNNING and ready, and the post check that its boot id changed.
 */
async function track(
  call: ToolCall,
  started: { ip: string; node: TalosNode; transition: Transition }[],
  sequence: 'upgrade' | 'reboot',
  timeout: number,
): Promise<void> {
  const deadline = call.now() + call.talos.ms(timeout);
  let failed = false;
  for (const { ip, node, transition } of started) {
    const say = (message: string) => call.err(`"${ip}": ${message}\n`);
    say(`actor ID: ${transition.actorId}`);
    say(`sequence: ${sequence} action: START`);
    for (const phase of sequencePhases(sequence, transition)) say(`phase: ${phase} action: START`);
    if (transition.error) {
      await pauseUntil(call, Math.min(deadline, transition.downAt));
      say(
        `sequence: ${sequence} action: NOOP error: [code: FATAL message: sequence failed: ${transition.error}]`,
      );
      say(`sequence error: sequence failed: ${transition.error}`);
      failed = true;
      continue;
    }
    await pauseUntil(call, Math.min(deadline, transition.downAt));
    say('unavailable, retrying...');
    const ready = readyAt(call, node);
    if (ready > deadline) {
      await pauseUntil(call, deadline);
      say('context deadline exceeded');
      failed = true;
      continue;
    }
    await pauseUntil(call, ready);
    say('stage: RUNNING ready: true unmetCond: []');
    say('events check condition met');
    say('post check passed');
  }
  if (failed) throw new ToolFailure('', 1);
}

/** When the node's new boot is RUNNING and ready: apid up, its services (kubelet, etcd) started. */
function readyAt(call: ToolCall, before: TalosNode): number {
  const after = call.talos.all().find((node) => node.vm.vmid === before.vm.vmid);
  if (!after?.transition) return after ? Math.max(after.upAt, after.servicesStartAt) : Infinity;
  const { upAt } = after.transition;
  const later = call.talos.all(upAt).find((node) => node.vm.vmid === before.vm.vmid);
  return later ? Math.max(later.upAt, later.servicesStartAt) : Infinity;
}

/** The phases the events show before the node goes down (v1alpha1_sequencer.go Upgrade l.418-470, Reboot). */
function sequencePhases(sequence: 'upgrade' | 'reboot', transition: Transition): string[] {
  const stop = [
    'cleanup',
    'dbus',
    'stopServices',
    'unmount',
    'unmountBind',
    'unmountSystem',
    'volumeFinalize',
  ];
  if (sequence === 'reboot') return [...stop, transition.mode === 'default' ? 'kexec' : 'reboot'];
  if (transition.error) return ['drain', ...stop, 'upgrade'];
  return [
    'drain',
    ...stop,
    'upgrade',
    'meta',
    ...(transition.mode === 'default' ? ['kexec'] : []),
    'stopEverything',
    'reboot',
  ];
}

async function pauseUntil(call: ToolCall, at: number): Promise<void> {
  const left = at - call.now();
  if (left > 0 && Number.isFinite(left)) await call.pause(left / call.talos.ms(1));
}
