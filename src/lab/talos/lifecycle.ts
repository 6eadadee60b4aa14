import { createHash, randomUUID } from 'node:crypto';

/**
 * The boots of a lab Talos node and the reboots between them (LIFECYCLE F.1 upgrade sequence, F.5 Reboot
 * sequence). Everything is computed from times, as the rest of the lab is: a reboot asked for now is a
 * Transition with the times of its phases, and the node's phase at any moment follows from them.
 */

export type OutageCause = 'upgrade' | 'reboot' | 'power';

/**
 * A window in which the node's kubelet is not running (lab time: ms since the epoch, as `clock.now()`).
 * `until` is when the kubelet starts again in the next boot (Infinity: never, e.g. no time sync).
 */
export interface Outage {
  from: number;
  until: number;
  cause: OutageCause;
  /** Upgrades: when the Talos controller cordoned the node and the in-node drain began (F.1). */
  drainFrom?: number;
}

/** A reboot the node goes (or went) through: an upgrade's, `talosctl reboot`'s, an apply's with a reboot. */
export interface Transition {
  cause: 'upgrade' | 'reboot';
  actorId: string;
  requestedAt: number;
  /** Upgrade: cordon (stage Upgrading) and the drain start. */
  drainFrom?: number;
  /** StopAllPods: the node's pods and kubelet stop; its outage starts. */
  podsStopAt: number;
  /** The reboot: apid stops answering. */
  downAt: number;
  /** The new kernel runs (what machine.time.bootTimeout counts from). */
  bootAt: number;
  /** apid answers in the new boot. */
  upAt: number;
  bootId: string;
  /** The release the new boot runs. */
  release: string;
  /** Upgrade: the sequence error (e.g. the installer's pre-flight refusal); the node boots its old release. */
  error?: string;
  /** F.9: set when an apply-config asked for this reboot. */
  afterApply?: boolean;
  mode: 'default' | 'powercycle';
}

/** One boot of the node: where it came from, when it answers, which release it runs. */
export interface Boot {
  kind: 'power' | 'install' | 'transition';
  bootAt: number;
  upAt: number;
  bootId: string;
  release: string;
  transition?: Transition;
}

/** A boot id as Talos shows it (`/proc/sys/kernel/random/boot_id`), stable for a given boot. */
export function bootIdOf(identity: string, bootAt: number): string {
  const key = `${identity}/${bootAt}`;
  let id = bootIds.get(key);
  if (id === undefined) {
    const hex = createHash('sha256').update(key).digest('hex');
    id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    if (bootIds.size >= MAX_BOOT_IDS) bootIds.clear();
    bootIds.set(key, id);
  }
  return id;
}

/** Node views are computed far more often than nodes boot: a boot's id is hashed once. */
const bootIds = new Map<string, string>();
const MAX_BOOT_IDS = 10_000;

export interface ReasonTimes {
  /** Profile seconds -> lab ms. */
  ms(seconds: number): number;
  seconds: {
    talosBoot: number;
    talosStopPods: number;
    talosInstall: number;
    talosKexecReboot: number;
    talosInstallerPull: number;
  };
}

/** The in-node drain is capped by DrainTimeout (5 min, F.1): PDB retries every 5 s stop there. */
export const DRAIN_TIMEOUT_SECONDS = 300;

export interface PlanInput {
  now: number;
  identity: string;
  times: ReasonTimes;
  /** The release the node runs now. */
  release: string;
  mode: 'default' | 'powercycle';
}

/**
 * The upgrade sequence after the API answered (F.1): drain (cordon first), cleanup (StopAllPods) and the
 * stop phases, the installer (its pre-flight refusal ends the sequence), kexec/reboot. Durations from the
 * profile; `drainSeconds` from the drain hook (profile seconds), capped at DrainTimeout.
 * A pre-flight refusal: the contract is silent on what the node does next (F.1 FAQ: "it will abort the
 * upgrade and reboot", mechanism UNCONFIRMED). The lab chooses that reading: the node reboots into its old
 * release after the failed installer run.
 */
export function planUpgrade(
  input: PlanInput & { target: string; drainSeconds: number; preflight?: string },
): Transition {
  const { now, times } = input;
  const drain = Math.min(Math.max(input.drainSeconds, 0), DRAIN_TIMEOUT_SECONDS);
  const podsStopAt = now + times.ms(drain);
  const downAt = podsStopAt + times.ms(times.seconds.talosStopPods + times.seconds.talosInstall);
  const boot = bootAfter(downAt, input.mode, times);
  return {
    cause: 'upgrade',
    actorId: randomUUID(),
    requestedAt: now,
    drainFrom: now,
    podsStopAt,
    downAt,
    ...boot,
    bootId: bootIdOf(input.identity, boot.bootAt),
    release: input.preflight ? input.release : input.target,
    ...(input.preflight
      ? {
          error: `error running phase 9 in upgrade sequence: task 1/1: failed, pre-flight checks failed: ${input.preflight}`,
        }
      : {}),
    mode: input.mode,
  };
}

/** The Reboot sequence (F.5): no cordon, no drain; StopAllPods, the stop phases, kexec/reboot. */
export function planReboot(input: PlanInput & { afterApply?: boolean }): Transition {
  const { now, times } = input;
  const podsStopAt = now;
  const downAt = podsStopAt + times.ms(times.seconds.talosStopPods);
  const boot = bootAfter(downAt, input.mode, times);
  return {
    cause: 'reboot',
    actorId: randomUUID(),
    requestedAt: now,
    podsStopAt,
    downAt,
    ...boot,
    bootId: bootIdOf(input.identity, boot.bootAt),
    release: input.release,
    ...(input.afterApply ? { afterApply: true } : {}),
    mode: input.mode,
  };
}

/** kexec (or a power cycle through the firmware, counted alike) and then the ordinary boot to apid. */
function bootAfter(downAt: number, _mode: 'default' | 'powercycle', times: ReasonTimes) {
  const bootAt = downAt + times.ms(times.seconds.talosKexecReboot);
  return { bootAt, upAt: bootAt + times.ms(times.seconds.talosBoot) };
}

/** The transitions of this PVE start (older ones were cut off by the power cycle), in order. */
export function transitionsSince(transitions: Transition[] | undefined, startedAt: number): Transition[] {
  return (transitions ?? []).filter((transition) => transition.requestedAt >= startedAt);
}

/** The release on the disk at `at`: the first one, then every upgrade whose installer ran by then. */
export function installedRelease(first: string, transitions: Transition[] | undefined, at: number): string {
  let release = first;
  for (const transition of transitions ?? []) {
    if (transition.cause === 'upgrade' && !transition.error && transition.downAt <= at)
      release = transition.release;
  }
  return release;
}

/** The boot the node is in at `now` (the last one started), and the one after it if it is under way. */
export function currentBoot(boots: Boot[], now: number): Boot {
  let current = boots[0]!;
  for (const boot of boots) if (boot.bootAt <= now) current = boot;
  return current;
}
