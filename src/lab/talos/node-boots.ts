import type { Boot, Outage, Transition } from './lifecycle.js';
import { bootIdOf, transitionsSince } from './lifecycle.js';
import type { LabTimeNetwork } from './time-sync.js';
import { configuredTimeServers, timeSyncedAt } from './time-sync.js';
import type { Doc } from './yaml-docs.js';

/**
 * A configured node's boots within one PVE start, the config each runs, its services' start-up (CRI, time
 * sync; LIFECYCLE F.4, F.6) and the kubelet outages between boots (F.1, F.5). Computed from the record and
 * the profile, like every lab phase.
 */

/** A config applied to a VM: the node runs it from then on (it is on the disk). */
export interface TalosNodeRecord {
  vmid: number;
  /** net0's MAC: a VM deleted and created again under the same VMID is a new machine. */
  identity: string;
  config: string;
  /** When the config was installed through the maintenance service (the node rebooted into it). */
  appliedAt: number;
  /** The release on its disk when the config was installed: the boot image's. */
  release?: string;
  /** Reboots since: upgrades, `talosctl reboot`, applies with a reboot (LIFECYCLE F.1, F.3, F.5). */
  transitions?: Transition[];
  /** `apply-config --mode staged`: the config the next boot runs (F.3). */
  staged?: { config: string; at: number };
  /** A config applied without a reboot: when, and whether time was in sync before it (then it stays so). */
  changedAt?: number;
  syncedBefore?: number;
}

export interface BootTimes {
  /** Profile seconds -> lab ms. */
  ms(seconds: number): number;
  seconds: { talosApplyReboot: number; talosCriStart: number; timeSync: number };
  network: LabTimeNetwork;
  timeScale: number;
}

export class BootTimeline {
  constructor(private readonly times: BootTimes) {}

  /** The boots of this PVE start: the start itself, a maintenance install, then each reboot. */
  bootsOf(record: TalosNodeRecord, power: Boot): Boot[] {
    const boots: Boot[] = [power];
    if (record.appliedAt >= power.bootAt) {
      boots.push({
        kind: 'install',
        bootAt: record.appliedAt,
        upAt: record.appliedAt + this.times.ms(this.times.seconds.talosApplyReboot),
        bootId: bootIdOf(record.identity, record.appliedAt),
        release: power.release,
      });
    }
    for (const transition of transitionsSince(record.transitions, power.bootAt)) {
      boots.push({ kind: 'transition', ...transition, transition });
    }
    return boots;
  }

  /** The config a boot runs: the persisted one, or a staged one once a boot after staging began. */
  configOf(record: TalosNodeRecord, boot: Boot): string {
    return record.staged && boot.bootAt > record.staged.at ? record.staged.config : record.config;
  }

  outages(record: TalosNodeRecord, power: Boot, boots: Boot[], config: Doc): Outage[] {
    const outages: Outage[] = [];
    const kubeletAt = (boot: Boot) => this.startup(config, boot, record).servicesStartAt;
    if (power.bootAt > record.appliedAt)
      outages.push({ from: power.bootAt, until: kubeletAt(power), cause: 'power' });
    for (const boot of boots) {
      const transition = boot.transition;
      if (!transition) continue;
      outages.push({
        from: transition.podsStopAt,
        until: kubeletAt(boot),
        cause: transition.cause,
        ...(transition.drainFrom === undefined ? {} : { drainFrom: transition.drainFrom }),
      });
    }
    return outages;
  }

  /**
   * A configured boot's services: CRI, then time sync; etcd and the kubelet wait for both (F.4, F.6).
   * A config applied without a reboot re-evaluates time sync from then; a node in sync stays in sync.
   */
  startup(config: Doc, boot: Boot, record: TalosNodeRecord) {
    const criUpAt = boot.upAt + this.times.ms(this.times.seconds.talosCriStart);
    const changed = record.changedAt !== undefined && record.changedAt >= boot.bootAt;
    const synced = timeSyncedAt({
      config,
      bootAt: boot.bootAt,
      upAt: changed ? Math.max(boot.upAt, record.changedAt ?? 0) : boot.upAt,
      network: this.times.network,
      ms: (seconds) => this.times.ms(seconds),
      syncSeconds: this.times.seconds.timeSync,
      timeScale: this.times.timeScale,
    });
    const carried = changed && record.syncedBefore !== undefined ? record.syncedBefore : undefined;
    const timeSynced = carried ?? synced;
    return {
      criUpAt,
      timeSyncedAt: timeSynced,
      timeServers: configuredTimeServers(config),
      servicesStartAt: Math.max(criUpAt, timeSynced),
    };
  }
}
