import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultInjector } from '../faults.js';
import type { LabContext } from '../pve/handlers/context.js';
import type { VmRecord } from '../pve/state.js';
import type { EtcdMemberRecord } from './etcd.js';
import type { TalosNodeRecord } from './node-boots.js';
import { BootTimeline } from './node-boots.js';
import { EtcdMembership } from './etcd.js';
import type { Boot, Transition } from './lifecycle.js';
import type { DrainHook, NodePhase, TalosNode } from './node-types.js';
import {
  bootIdOf,
  currentBoot,
  installedRelease,
  planReboot,
  planUpgrade,
  transitionsSince,
} from './lifecycle.js';
import type { DiskInfo } from './node-facts.js';
import {
  bootImageRelease,
  configFacts,
  disksOf,
  identityOf,
  kubernetesOf,
  platformAddress,
  staticAddresses,
} from './node-facts.js';
import type { LabTimeNetwork } from './time-sync.js';
import { ONLINE_TIME_NETWORK } from './time-sync.js';
import type { Doc } from './yaml-docs.js';
import { mainDocument, parseDocuments } from './yaml-docs.js';

export type { DiskInfo } from './node-facts.js';
export { staticAddresses, vipOf } from './node-facts.js';

export type { TalosNodeRecord } from './node-boots.js';

export interface TalosClusterRecord {
  /** cluster.id of the machine configs. */
  id: string;
  name: string;
  bootstrappedAt: number;
  bootstrapVmid: number;
}

/** A VM start the lab decided hangs (an injected fault): it lasts until the VM starts again. */
interface HungBoot {
  startedAt: number;
  hangs: boolean;
}

interface TalosData {
  version: 1;
  nodes: Record<string, TalosNodeRecord>;
  clusters: Record<string, TalosClusterRecord>;
  /** By VMID: whether its current start hangs (decided once per start). */
  boots?: Record<string, HungBoot>;
  /** By VMID: the node's etcd data directory (control planes that bootstrapped or joined). */
  etcd?: Record<string, EtcdMemberRecord>;
  /** By etcd cluster id: until when an upgrade's pre-checks hold `EtcdTalosEtcdUpgradeMutex` (F.1). */
  upgradeMutex?: Record<string, number>;
}

export type { DrainHook, NodeKubernetes, NodePhase, TalosNode } from './node-types.js';

const STATE_FILE = 'talos-state.json';
/** Reboots kept per node: enough for the outages a kube view looks back on. */
const MAX_TRANSITIONS = 20;

export type RebootMode = 'default' | 'powercycle';

/**
 * Talos nodes that follow the lab's PVE VMs: a started VM boots Talos into maintenance mode at its
 * platform address (cloud-init static, else DHCP); an applied config makes it reboot into that
 * config. State lives in DIR beside the PVE state; phases are computed from times, so a restarted
 * lab finds its nodes where they would be.
 */
export class TalosNodes {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Parsed configs by their text: views are computed often, configs change rarely. */
  private readonly parsed = new Map<string, Doc[]>();
  private drainHook: DrainHook | undefined;
  /** Boot image releases by VM and boot disk: views are computed often, disks do not change source. */
  private readonly imageReleases = new Map<string, string>();

  private constructor(
    private readonly lab: LabContext,
    private readonly file: string | undefined,
    readonly data: TalosData,
    /** Which time servers the lab's network reaches. */
    readonly network: LabTimeNetwork,
  ) {
    this.etcd = new EtcdMembership(
      (data.etcd ??= {}),
      () => this.save(),
      (seconds) => this.ms(seconds),
      this.seconds.etcdJoin,
    );
    this.timeline = new BootTimeline({
      ms: (seconds) => this.ms(seconds),
      seconds: this.seconds,
      network,
      timeScale: lab.timing.timeScale,
    });
  }

  /** The control planes' etcd data directories and clusters. */
  readonly etcd: EtcdMembership;
  private readonly timeline: BootTimeline;

  static open(lab: LabContext, dir: string | undefined, network = ONLINE_TIME_NETWORK): TalosNodes {
    const file = dir === undefined ? undefined : join(dir, STATE_FILE);
    const data: TalosData =
      file && existsSync(file)
        ? (JSON.parse(readFileSync(file, 'utf8')) as TalosData)
        : { version: 1, nodes: {}, clusters: {} };
    const nodes = new TalosNodes(lab, file, data, network);
    nodes.sync();
    return nodes;
  }

  save(): void {
    if (!this.file) return;
    const temp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(temp, this.file);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  now(): number {
    return this.lab.clock.now();
  }

  /** The lab's injected faults, for the tools that talk to these nodes. */
  get faults(): FaultInjector {
    return this.lab.faults;
  }

  ms(seconds: number): number {
    return this.lab.timing.ms(seconds);
  }

  get seconds() {
    return this.lab.timing.profile.seconds;
  }

  /** Every VM as a Talos node. */
  all(now = this.now()): TalosNode[] {
    return this.lab.state.vms().map((vm) => this.view(vm, now));
  }

  /** The node answering at `ip` on :50000 (it may still be booting: see phase/upAt). */
  at(ip: string, now = this.now()): TalosNode | undefined {
    return this.all(now).find((node) => node.phase !== 'off' && node.addresses.includes(ip));
  }

  view(vm: VmRecord, now = this.now()): TalosNode {
    const record = this.record(vm);
    const platform = platformAddress(this.lab, vm);
    const hostname = vm.config.name ?? `talos-${vm.vmid}`;
    const identity = identityOf(vm);
    const firstRelease = record?.release ?? this.imageRelease(vm);
    const unconfigured = {
      vm,
      hostname,
      identity,
      bootAt: vm.startedAt ?? Infinity,
      criUpAt: Infinity,
      timeSyncedAt: Infinity,
      timeServers: [],
      servicesStartAt: Infinity,
      release: installedRelease(firstRelease, record?.transitions, now),
      bootId: '',
      outages: [],
    };
    const startedAt = vm.startedAt;
    if (vm.status !== 'running' || startedAt === undefined) {
      return { ...unconfigured, phase: 'off', upAt: Infinity, addresses: [] };
    }
    // A hung boot never brings the network up: nothing answers at any address.
    if (this.bootHangs(vm.vmid, startedAt))
      return { ...unconfigured, phase: 'booting', upAt: Infinity, addresses: [] };
    const power: Boot = {
      kind: 'power',
      bootAt: startedAt,
      upAt: startedAt + this.ms(this.seconds.talosBoot),
      bootId: bootIdOf(identity, startedAt),
      release: installedRelease(firstRelease, record?.transitions, startedAt),
    };
    if (!record) {
      const phase = now >= power.upAt ? 'maintenance' : 'booting';
      return {
        ...unconfigured,
        release: power.release,
        bootId: power.bootId,
        phase,
        upAt: power.upAt,
        addresses: [platform],
      };
    }
    const boots = this.timeline.bootsOf(record, power);
    const current = currentBoot(boots, now);
    const docs = this.parse(this.timeline.configOf(record, current));
    const config = mainDocument(docs) ?? {};
    const phase: NodePhase =
      now >= current.upAt ? 'running' : current.kind === 'power' ? 'booting' : 'rebooting';
    const { role, clusterId, hostname: configured } = configFacts(config);
    const statics = staticAddresses(config);
    const startup = this.timeline.startup(config, current, record);
    const transition = transitionsSince(record.transitions, startedAt).find(
      (candidate) => candidate.requestedAt <= now && candidate.upAt > now,
    );
    return {
      vm,
      identity: record.identity,
      bootAt: current.bootAt,
      ...startup,
      phase,
      upAt: current.upAt,
      addresses: phase === 'running' && statics.length > 0 ? statics : [platform],
      docs,
      config,
      role,
      clusterId,
      hostname: configured ?? hostname,
      release: current.release,
      bootId: current.bootId,
      kubernetes: kubernetesOf(config, role, current.release),
      outages: this.timeline.outages(record, power, boots, config),
      ...(transition ? { transition } : {}),
    };
  }

  /** The disks Talos sees: SCSI disks as sda, sdb, ... and the cloud-init drive as sr0. */
  disks(vm: VmRecord): DiskInfo[] {
    return disksOf(this.lab, vm);
  }

  /** The maintenance service's apply: the config is installed and the node reboots into it (its image's release). */
  apply(vm: VmRecord, config: string): void {
    this.data.nodes[String(vm.vmid)] = {
      vmid: vm.vmid,
      identity: identityOf(vm),
      config,
      appliedAt: this.now(),
      release: this.imageRelease(vm),
    };
    this.save();
    this.arm();
  }

  /** Wires the kube lab's in-node drain (see DrainHook); unwired, an upgrade's drain takes no time. */
  setDrainHook(hook: DrainHook | undefined): void {
    this.drainHook = hook;
  }

  /** Starts the upgrade sequence of a running node whose API checks passed (F.1). */
  startUpgrade(
    node: TalosNode,
    target: string,
    mode: RebootMode,
    preflight?: string,
    drain = true,
  ): Transition {
    const now = this.now();
    const drainSeconds = drain ? (this.drainHook?.(node, now) ?? 0) : 0;
    const input = { now, identity: node.identity, times: this.reasonTimes(), release: node.release, mode };
    return this.addTransition(
      node,
      planUpgrade({ ...input, target, drainSeconds, ...(preflight ? { preflight } : {}) }),
    );
  }

  /** The Reboot sequence (F.5): `talosctl reboot`, or an apply-config that needs a reboot. */
  startReboot(node: TalosNode, mode: RebootMode, afterApply = false): Transition {
    const input = {
      now: this.now(),
      identity: node.identity,
      times: this.reasonTimes(),
      release: node.release,
    };
    return this.addTransition(node, planReboot({ ...input, mode, afterApply }));
  }

  /**
   * apply-config on a running node (F.3): the config is persisted now; `no-reboot` runs it at once (time sync
   * re-evaluated, kubelet image taken), `reboot` reboots into it, `staged` waits for the next boot.
   */
  applyRunning(
    node: TalosNode,
    config: string,
    how: 'no-reboot' | 'reboot' | 'staged',
  ): Transition | undefined {
    const record = this.record(node.vm);
    if (!record) throw new Error(`node ${node.vm.vmid} has no config to replace`);
    const now = this.now();
    if (how === 'staged') {
      record.staged = { config, at: now };
      this.save();
      return undefined;
    }
    delete record.staged;
    record.config = config;
    if (how === 'reboot') return this.startReboot(node, 'default', true);
    record.changedAt = now;
    if (node.timeSyncedAt <= now) record.syncedBefore = node.timeSyncedAt;
    else delete record.syncedBefore;
    this.save();
    this.arm();
    return undefined;
  }

  /**
   * `EtcdTalosEtcdUpgradeMutex` (F.1): held by an upgrade's pre-checks for the length of its API call; false
   * when another call holds it now.
   */
  lockUpgradeMutex(etcdClusterId: string, until: number): boolean {
    const mutexes = (this.data.upgradeMutex ??= {});
    if ((mutexes[etcdClusterId] ?? 0) > this.now()) return false;
    mutexes[etcdClusterId] = until;
    this.save();
    return true;
  }

  private addTransition(node: TalosNode, transition: Transition): Transition {
    const record = this.record(node.vm);
    if (!record) throw new Error(`node ${node.vm.vmid} has no config to reboot into`);
    record.transitions = [...(record.transitions ?? []), transition].slice(-MAX_TRANSITIONS);
    this.save();
    this.arm();
    return transition;
  }

  private reasonTimes() {
    return { ms: (seconds: number) => this.ms(seconds), seconds: this.seconds };
  }

  cluster(id: string): TalosClusterRecord | undefined {
    return this.data.clusters[id];
  }

  /** The Talos cluster's first etcd bootstrap (when its Kubernetes API starts); a later one changes nothing. */
  recordBootstrap(cluster: TalosClusterRecord): void {
    if (this.data.clusters[cluster.id]) return;
    this.data.clusters[cluster.id] = cluster;
    this.save();
  }

  /**
   * Keeps the PVE side in step: a configured, running node runs the qemu-guest-agent extension
   * (maintenance mode runs none); configs of VMs that are gone are forgotten.
   */
  sync(now = this.now()): void {
    let changed = false;
    for (const [key, record] of Object.entries(this.data.nodes)) {
      const vm = this.lab.state.vm(record.vmid);
      if (!vm || identityOf(vm) !== record.identity) {
        delete this.data.nodes[key];
        changed = true;
      }
    }
    for (const vmid of Object.keys(this.data.boots ?? {})) {
      if (this.lab.state.vm(Number(vmid))?.status !== 'running') {
        delete this.data.boots![vmid];
        changed = true;
      }
    }
    const nodes = this.all(now);
    const identities = new Map(this.lab.state.vms().map((vm) => [vm.vmid, identityOf(vm)]));
    this.etcd.settle(nodes, identities, now);
    for (const node of nodes) {
      const agent = node.phase === 'running';
      if (node.vm.status === 'running' && node.vm.guest.agentRunning !== agent) {
        this.lab.state.setGuestAgent(node.vm.vmid, agent);
      }
    }
    if (changed) this.save();
    this.arm(now);
  }

  /** A timer for the next node that comes up, so PVE's agent answers without a talosctl call. */
  private arm(now = this.now()): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const next = Math.min(
      ...this.all(now)
        .filter((node) => node.docs)
        .flatMap((node) => [
          node.upAt,
          node.servicesStartAt,
          ...(node.transition ? [node.transition.downAt, node.transition.upAt] : []),
          ...node.outages.flatMap((outage) => [outage.from, outage.until]),
        ])
        .filter((at) => at > now),
    );
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => this.sync(), next - now + 1);
    this.timer.unref();
  }

  /** Whether this start of the VM hangs: asked of the fault injector once per start, then remembered. */
  private bootHangs(vmid: number, startedAt: number): boolean {
    const boots = (this.data.boots ??= {});
    const known = boots[String(vmid)];
    if (known?.startedAt === startedAt) return known.hangs;
    const hangs = this.lab.faults.bootHangs();
    boots[String(vmid)] = { startedAt, hangs };
    this.save();
    return hangs;
  }

  private imageRelease(vm: VmRecord): string {
    const key = `${vm.node}/${vm.vmid}/${vm.config.boot ?? ''}/${vm.config.scsi0 ?? ''}`;
    let release = this.imageReleases.get(key);
    if (release === undefined) {
      release = bootImageRelease(this.lab, vm);
      this.imageReleases.set(key, release);
    }
    return release;
  }

  private parse(config: string): Doc[] {
    let docs = this.parsed.get(config);
    if (!docs) {
      docs = parseDocuments(config, 'config');
      this.parsed.set(config, docs);
    }
    return docs;
  }

  private record(vm: VmRecord): TalosNodeRecord | undefined {
    const record = this.data.nodes[String(vm.vmid)];
    return record && record.identity === identityOf(vm) ? record : undefined;
  }
}
