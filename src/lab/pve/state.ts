import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../../errors.js';
import { AccessStore } from './access/store.js';
import type { PoolEntry } from './access/user-cfg.js';
import type { LockTableData } from './locks.js';

/** A storage as the lab's nodes have it; `local` and `local-lvm` are per node, as on a real cluster. */
export interface LabStorageSpec {
  id: string;
  type: 'dir' | 'lvmthin';
  /** Content types, e.g. ['iso', 'vztmpl', 'import', 'images', 'snippets']. */
  content: string[];
  totalBytes: number;
}

export interface LabNodeSpec {
  name: string;
  memoryBytes?: number;
  cpus?: number;
  storages?: LabStorageSpec[];
}

export interface VolumeRecord {
  /** The part after `storage:`, e.g. `vm-101-disk-0`, `101/vm-101-disk-0.raw`, `import/talos.qcow2`. */
  volname: string;
  vtype: 'images' | 'import' | 'iso' | 'vztmpl' | 'snippets';
  format: string;
  /** Virtual size; the lab accounts storage thick, by this size. */
  sizeBytes: number;
  vmid?: number;
  /** Creation time, seconds since the epoch. */
  ctime: number;
  /** Linked clones: the base volume they are built on. */
  baseVolname?: string;
  /** Downloads: where the file came from and the checksums it is known to have. */
  sourceUrl?: string;
  checksums?: Record<string, string>;
  /** Disks made with import-from: the source's download URL (else its volume id), so Talos knows its image. */
  importedFrom?: string;
}

export interface StorageRecord {
  id: string;
  type: 'dir' | 'lvmthin';
  content: string[];
  totalBytes: number;
  volumes: Record<string, VolumeRecord>;
}

export interface NodeRecord {
  name: string;
  memoryBytes: number;
  cpus: number;
  /** Boot time (ms); uptime and task pstart are counted from it. */
  bootedAt: number;
  storages: Record<string, StorageRecord>;
}

export interface GuestRecord {
  /** The QEMU guest agent answers (the Talos part of the lab switches this on). */
  agentRunning: boolean;
  /** The guest powers off on an ACPI shutdown request. */
  reactsToShutdown: boolean;
}

export interface VmRecord {
  vmid: number;
  node: string;
  /** The config file's current section: key -> value exactly as `qm config` shows it. */
  config: Record<string, string>;
  /** Changes waiting for the next start (a running VM cannot take every change at once). */
  pending: Record<string, string>;
  pendingDelete: string[];
  status: 'running' | 'stopped';
  startedAt?: number;
  pid?: number;
  guest: GuestRecord;
}

/** A pool as user.cfg keeps it (the access store owns pools, as pve-access-control does). */
export type PoolRecord = PoolEntry;

export interface TaskLogLine {
  /** When the line was written (ms); the log endpoint shows lines up to now. */
  at: number;
  text: string;
}

/** What a task does when it ends; `kind` selects the finisher registered with the scheduler. */
export interface TaskAction {
  kind: string;
  [key: string]: unknown;
}

export interface TaskRecord {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  pid: number;
  pstart: number;
  starttime: number;
  startedAt: number;
  endsAt: number;
  status: 'running' | 'stopped';
  exitstatus?: string;
  log: TaskLogLine[];
  warnings: number;
  action: TaskAction;
  /** Known when the task starts (a lock timeout, an injected fault): the task ends with this error. */
  failure?: string;
}

export interface LabData {
  version: 1;
  nodes: Record<string, NodeRecord>;
  vms: Record<string, VmRecord>;
  /** Only in state files of labs before user.cfg: moved there on open. */
  pools?: Record<string, PoolRecord>;
  tasks: Record<string, TaskRecord>;
  locks: LockTableData;
  nextPid: number;
}

const GIB = 1024 ** 3;
const STATE_FILE = 'pve-state.json';
/** Finished tasks kept for their status and log; older ones are forgotten as PVE rotates its task index. */
const KEPT_FINISHED_TASKS = 500;

export const DEFAULT_NODE_NAMES = ['pve1', 'pve2', 'pve3'];

export function defaultStorages(): LabStorageSpec[] {
  return [
    {
      id: 'local',
      type: 'dir',
      content: ['iso', 'vztmpl', 'import', 'images', 'snippets'],
      totalBytes: 100 * GIB,
    },
    { id: 'local-lvm', type: 'lvmthin', content: ['images', 'rootdir'], totalBytes: 400 * GIB },
  ];
}

export function defaultNodes(): LabNodeSpec[] {
  return DEFAULT_NODE_NAMES.map((name) => ({
    name,
    memoryBytes: 64 * GIB,
    cpus: 16,
    storages: defaultStorages(),
  }));
}

/**
 * Everything the simulated cluster knows, persisted in DIR as one JSON file, written atomically
 * (temp file + rename) so a lab restarted on the same DIR continues where it was.
 */
export class LabState {
  private constructor(
    private readonly file: string | undefined,
    readonly data: LabData,
    /** Users, tokens, roles, pools and ACLs: DIR/user.cfg. */
    readonly access: AccessStore,
  ) {}

  /** Loads DIR's state, or creates a fresh cluster from `nodes` (the stored cluster wins over `nodes`). */
  static open(dir: string | undefined, nodes: LabNodeSpec[], now: number): LabState {
    const file = dir === undefined ? undefined : join(dir, STATE_FILE);
    if (file && existsSync(file)) {
      const data = JSON.parse(readFileSync(file, 'utf8')) as LabData;
      if (data.version !== 1) {
        throw new ConfigurationError(
          `${file} has state version ${String(data.version)}: remove the lab dir to start afresh`,
        );
      }
      const access = AccessStore.open(dir, 9, Object.values(data.pools ?? {}));
      delete data.pools;
      return new LabState(file, data, access);
    }
    const state = new LabState(file, freshData(nodes, now), AccessStore.open(dir, 9));
    state.save();
    return state;
  }

  save(): void {
    if (!this.file) return;
    this.forgetOldTasks();
    const temp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.file);
    this.access.save();
  }

  nodeNames(): string[] {
    return Object.keys(this.data.nodes).sort();
  }

  node(name: string): NodeRecord | undefined {
    return this.data.nodes[name];
  }

  vm(vmid: number): VmRecord | undefined {
    return this.data.vms[String(vmid)];
  }

  vms(): VmRecord[] {
    return Object.values(this.data.vms).sort((a, b) => a.vmid - b.vmid);
  }

  putVm(vm: VmRecord): void {
    this.data.vms[String(vm.vmid)] = vm;
  }

  removeVm(vmid: number): void {
    delete this.data.vms[String(vmid)];
  }

  pool(poolid: string): PoolRecord | undefined {
    return this.access.config.pools[poolid];
  }

  pools(): PoolRecord[] {
    return Object.values(this.access.config.pools).sort((a, b) => a.poolid.localeCompare(b.poolid));
  }

  /** The pool a VM belongs to, if any. */
  poolOfVm(vmid: number): string | undefined {
    return this.pools().find((pool) => pool.vms.includes(vmid))?.poolid;
  }

  storage(node: string, storeid: string): StorageRecord | undefined {
    return this.data.nodes[node]?.storages[storeid];
  }

  /** `storage:volname` on `node`. */
  volume(node: string, volid: string): VolumeRecord | undefined {
    const [storeid, volname] = splitVolid(volid);
    return volname === undefined ? undefined : this.storage(node, storeid)?.volumes[volname];
  }

  task(upid: string): TaskRecord | undefined {
    return this.data.tasks[upid];
  }

  tasks(): TaskRecord[] {
    return Object.values(this.data.tasks);
  }

  /** Hook for the Talos part of the lab: the guest's QEMU agent starts or stops answering. */
  setGuestAgent(vmid: number, running: boolean): void {
    this.requireVm(vmid).guest.agentRunning = running;
    this.save();
  }

  /** Hook: whether the guest powers off when PVE sends an ACPI shutdown. */
  setGuestShutdownResponse(vmid: number, reacts: boolean): void {
    this.requireVm(vmid).guest.reactsToShutdown = reacts;
    this.save();
  }

  private requireVm(vmid: number): VmRecord {
    const vm = this.vm(vmid);
    if (!vm) throw new ConfigurationError(`the lab has no VM ${vmid}`);
    return vm;
  }

  private forgetOldTasks(): void {
    const finished = this.tasks()
      .filter((task) => task.status === 'stopped')
      .sort((a, b) => b.endsAt - a.endsAt);
    for (const task of finished.slice(KEPT_FINISHED_TASKS)) delete this.data.tasks[task.upid];
  }
}

/** `local-lvm:vm-101-disk-0` -> ['local-lvm', 'vm-101-disk-0']; no colon -> [text, undefined]. */
export function splitVolid(volid: string): [string, string | undefined] {
  const colon = volid.indexOf(':');
  return colon < 0 ? [volid, undefined] : [volid.slice(0, colon), volid.slice(colon + 1)];
}

function freshData(nodes: LabNodeSpec[], now: number): LabData {
  if (nodes.length === 0)
    throw new ConfigurationError('lab nodes is empty: give at least one node, e.g. { name: "pve1" }');
  const records: Record<string, NodeRecord> = {};
  for (const spec of nodes) {
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(spec.name)) {
      throw new ConfigurationError(
        `lab node name '${spec.name}' is not a valid PVE node name: use letters, digits and '-'`,
      );
    }
    if (records[spec.name]) throw new ConfigurationError(`lab node '${spec.name}' is listed twice`);
    const storages: Record<string, StorageRecord> = {};
    for (const storage of spec.storages ?? defaultStorages()) {
      storages[storage.id] = { ...storage, content: [...storage.content], volumes: {} };
    }
    records[spec.name] = {
      name: spec.name,
      memoryBytes: spec.memoryBytes ?? 64 * GIB,
      cpus: spec.cpus ?? 16,
      bootedAt: now - 86_400_000,
      storages,
    };
  }
  return {
    version: 1,
    nodes: records,
    vms: {},
    tasks: {},
    locks: {},
    nextPid: 100_000 + (now % 50_000),
  };
}
