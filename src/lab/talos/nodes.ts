import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultInjector } from '../faults.js';
import type { LabContext } from '../pve/handlers/context.js';
import { dhcpAddress } from '../pve/handlers/agent.js';
import { driveSizeBytes, isCloudinitDrive, isDriveKey, parseDrive } from '../pve/handlers/vm.js';
import type { VmRecord } from '../pve/state.js';
import type { EtcdMemberRecord } from './etcd.js';
import { EtcdMembership } from './etcd.js';
import type { LabTimeNetwork } from './time-sync.js';
import { ONLINE_TIME_NETWORK, configuredTimeServers, timeSyncedAt } from './time-sync.js';
import type { Doc } from './yaml-docs.js';
import { get, getString, isMap, mainDocument, parseDocuments } from './yaml-docs.js';

/** A config applied to a VM: the node runs it from then on (it is on the disk). */
export interface TalosNodeRecord {
  vmid: number;
  /** net0's MAC: a VM deleted and created again under the same VMID is a new machine. */
  identity: string;
  config: string;
  appliedAt: number;
}

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
}

export type NodePhase = 'off' | 'booting' | 'maintenance' | 'rebooting' | 'running';

export interface TalosNode {
  vm: VmRecord;
  phase: NodePhase;
  /** When its API answered (or will answer) on :50000 in the current phase. */
  upAt: number;
  /** Where it answers (once up): the configured static addresses, else the platform's. */
  addresses: string[];
  /** The applied config (running and rebooting nodes). */
  docs?: Doc[];
  config?: Doc;
  role?: 'controlplane' | 'worker';
  clusterId?: string;
  /** The configured hostname, else the VM name nocloud hands over. */
  hostname: string;
  /** net0's MAC: which machine (and disk) this is. */
  identity: string;
  /** When the current boot began (what machine.time.bootTimeout counts from). */
  bootAt: number;
  /** When its CRI runs: bootstrap is "not available yet" before (Infinity: not configured). */
  criUpAt: number;
  /** When its time is in sync (Infinity: never, e.g. no reachable time server). */
  timeSyncedAt: number;
  /** The time servers its config names (Talos' default when none). */
  timeServers: string[];
  /** When etcd (with data) and the kubelet start: CRI up and time in sync, both wait for it (F.6). */
  servicesStartAt: number;
  /** The Talos release it runs, e.g. `v1.11.6` (lab-talos; optional until that lands). */
  release?: string;
  /** Changes with every boot. */
  bootId?: string;
  /** The versions of the Kubernetes components it runs (no `v`), e.g. kubelet `1.34.1`. */
  kubernetes?: { kubelet: string; apiServer?: string; controllerManager?: string; scheduler?: string };
  /** When it was (or will be) down: lab clock times like upAt; `until` = its kubelet is back. */
  outages?: NodeOutage[];
}

/** A time the node's kubelet is down: an upgrade or reboot (pods stopped gracefully) or a power-off. */
export interface NodeOutage {
  from: number;
  until: number;
  cause: 'upgrade' | 'reboot' | 'power';
  /** When Talos cordoned the node and began evicting its pods (upgrades, LIFECYCLE F.1). */
  drainFrom?: number;
}

export interface DiskInfo {
  id: string;
  sizeBytes: number;
  readOnly: boolean;
  transport: string;
  model: string;
}

const STATE_FILE = 'talos-state.json';

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
  }

  /** The control planes' etcd data directories and clusters. */
  readonly etcd: EtcdMembership;

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
    const platform = this.platformAddress(vm);
    const hostname = vm.config.name ?? `talos-${vm.vmid}`;
    const unconfigured = {
      vm,
      hostname,
      identity: identityOf(vm),
      bootAt: vm.startedAt ?? Infinity,
      criUpAt: Infinity,
      timeSyncedAt: Infinity,
      timeServers: [],
      servicesStartAt: Infinity,
    };
    if (vm.status !== 'running' || vm.startedAt === undefined) {
      return { ...unconfigured, phase: 'off', upAt: Infinity, addresses: [] };
    }
    // A hung boot never brings the network up: nothing answers at any address.
    if (this.bootHangs(vm.vmid, vm.startedAt))
      return { ...unconfigured, phase: 'booting', upAt: Infinity, addresses: [] };
    const boot = this.ms(this.seconds.talosBoot);
    if (!record) {
      const upAt = vm.startedAt + boot;
      return { ...unconfigured, phase: now >= upAt ? 'maintenance' : 'booting', upAt, addresses: [platform] };
    }
    const docs = this.parse(record.config);
    const config = mainDocument(docs) ?? {};
    const appliedThisBoot = record.appliedAt >= vm.startedAt;
    const upAt = appliedThisBoot
      ? record.appliedAt + this.ms(this.seconds.talosApplyReboot)
      : vm.startedAt + boot;
    const phase: NodePhase = now >= upAt ? 'running' : appliedThisBoot ? 'rebooting' : 'booting';
    const role = getString(config, 'machine.type') === 'controlplane' ? 'controlplane' : 'worker';
    const statics = staticAddresses(config);
    const bootAt = appliedThisBoot ? record.appliedAt : vm.startedAt;
    const startup = this.startup(config, bootAt, upAt);
    return {
      vm,
      identity: record.identity,
      bootAt,
      ...startup,
      phase,
      upAt,
      addresses: phase === 'running' && statics.length > 0 ? statics : [platform],
      docs,
      config,
      role,
      clusterId: getString(config, 'cluster.id') ?? '',
      hostname: getString(config, 'machine.network.hostname') ?? hostname,
    };
  }

  /** A configured boot's services: CRI, then time sync; etcd and the kubelet wait for both (F.4, F.6). */
  private startup(config: Doc, bootAt: number, upAt: number) {
    const criUpAt = upAt + this.ms(this.seconds.talosCriStart);
    const synced = timeSyncedAt({
      config,
      bootAt,
      upAt,
      network: this.network,
      ms: (seconds) => this.ms(seconds),
      syncSeconds: this.seconds.timeSync,
      timeScale: this.lab.timing.timeScale,
    });
    return {
      criUpAt,
      timeSyncedAt: synced,
      timeServers: configuredTimeServers(config),
      servicesStartAt: Math.max(criUpAt, synced),
    };
  }

  /** The disks Talos sees: SCSI disks as sda, sdb, ... and the cloud-init drive as sr0. */
  disks(vm: VmRecord): DiskInfo[] {
    const keys = Object.keys(vm.config).filter(isDriveKey);
    const scsi = keys
      .filter((key) => key.startsWith('scsi'))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    const disks = scsi.map((key, index) => ({
      id: `sd${String.fromCharCode(97 + index)}`,
      sizeBytes: driveSizeBytes(parseDrive(this.lab, key, vm.config[key] ?? '')),
      readOnly: false,
      transport: 'virtio',
      model: 'QEMU HARDDISK',
    }));
    const cdroms = keys.filter((key) => isCloudinitDrive(parseDrive(this.lab, key, vm.config[key] ?? '')));
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

  apply(vm: VmRecord, config: string): void {
    this.data.nodes[String(vm.vmid)] = {
      vmid: vm.vmid,
      identity: identityOf(vm),
      config,
      appliedAt: this.now(),
    };
    this.save();
    this.arm();
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
        .flatMap((node) => [node.upAt, node.servicesStartAt])
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

  /** The address nocloud configures: ipconfig0 when a cloud-init drive carries it, else a DHCP lease. */
  private platformAddress(vm: VmRecord): string {
    const hasDrive = Object.keys(vm.config).some(
      (key) => isDriveKey(key) && isCloudinitDrive(parseDrive(this.lab, key, vm.config[key] ?? '')),
    );
    const fixed = /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\/\d+/.exec(vm.config.ipconfig0 ?? '')?.[1];
    return hasDrive && fixed ? fixed : dhcpAddress(vm.vmid, 0).ip;
  }
}

function identityOf(vm: VmRecord): string {
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
