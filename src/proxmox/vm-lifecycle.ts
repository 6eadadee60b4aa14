import { ConfigurationError } from '../errors.js';
import type { PveClient } from './client.js';
import { isDoesNotExist, isLockTimeout, isPermissionFailure, PveApiError } from './errors.js';
import { retry } from '../util/retry.js';
import { listVms, parseTags } from './inventory.js';
import { runTask } from './tasks.js';
import type { WaitForTaskOptions } from './tasks.js';
import type { TalosVm, VmSettings } from './vm-config.js';
import { vmCreateParams, vmTagParams } from './vm-config.js';
import { LearnedDurations } from '../util/durations.js';
import { StorageTurns } from './storage-turn.js';

/** How long tasks take, so the first status poll lands near the end instead of early and often. */
export interface TaskTiming {
  estimateMs(kind: string): number;
  observe(kind: string, ms: number): void;
}

/**
 * What a task of each kind takes on a PVE node (seconds): downloading a ~1.2 GiB Talos image at ~20 MiB/s
 * (~62 s, after ~2 s of connecting) and PVE's sha256 check of it (~3 s at ~400 MiB/s), a create that copies
 * it into the VM's disk at ~50 MiB/s, a start, a resize, a stop, a guest shutdown, a destroy. First guesses
 * only: a run learns each kind's shortest duration as it goes.
 */
const EXPECTED_TASK_SECONDS: Record<string, number> = {
  download: 68,
  qmcreate: 30,
  qmstart: 3,
  qmresize: 1,
  qmstop: 1,
  qmshutdown: 6,
  qmdestroy: 2,
};
const UNKNOWN_TASK_SECONDS = 1;
/**
 * A download's length depends on the link more than on anything we know, and there is one per node
 * storage, not one per VM: once it is due, it is looked at twice as often as other tasks.
 */
const LATE_LOOK_SHARE: Record<string, number> = { download: 0.125 };

/**
 * Each kind's expected duration (scaled to the run's pace), replaced by the shortest one seen: a task that
 * waited for a lock takes longer than the next one needs to.
 */
export function learnedTaskTiming(paceScale = 1): TaskTiming {
  return new LearnedDurations(
    (kind) => (EXPECTED_TASK_SECONDS[kind] ?? UNKNOWN_TASK_SECONDS) * 1000 * paceScale,
  );
}

export interface VmLifecycleOptions {
  timing?: TaskTiming;
  /** Real durations times this (the simulated lab's time scale; 1 against a real PVE). */
  paceScale?: number;
}

/**
 * Creates wait out other runners' creates on the same storage: a create with extra disks holds PVE's
 * storage lock through its image copy (~30 s), and ten twins applied at once queue about forty creates per
 * node, ~11 minutes of lock time. A create with extra disks is sent when the running creates are due to be
 * done (StorageTurns); one without takes its chance at once, learns at the lock's 10 s verdict whether it got
 * it, and tries again soon after. Either is tried up to 40 times, each waiting PVE's lock timeout at most.
 */
const CREATE_ATTEMPTS = 40;
/** PVE::Tools::lock_file's default timeout, which vdisk_alloc's storage lock uses. */
const STORAGE_LOCK_TIMEOUT_MS = 10_000;
/** A create without extra disks holds the storage lock while allocating two volumes. */
const SHORT_CREATE_HOLD_MS = 4_000;
/** The look at a create that may have lost the lock comes this long after its verdict is due. */
const VERDICT_GRACE_MS = 500;
/** No closer looks than this (real milliseconds, scaled to the run's pace). */
const MIN_POLL_MS = 250;
/** Looks at a task that runs long are this far apart at most, or its expected duration if longer. */
const MAX_POLL_MS = 5_000;
const CREATE_RETRY_BASE_MS = 1_000;
const CREATE_RETRY_MAX_MS = 2_000;

export class VmLifecycle {
  private readonly timing: TaskTiming;
  private readonly paceScale: number;
  private readonly turns: StorageTurns;

  constructor(
    private readonly client: PveClient,
    opts: VmLifecycleOptions = {},
  ) {
    this.paceScale = opts.paceScale ?? 1;
    this.timing = opts.timing ?? learnedTaskTiming(this.paceScale);
    this.turns = new StorageTurns(client, {
      lockTimeoutMs: STORAGE_LOCK_TIMEOUT_MS * this.paceScale,
      // The first guess, not the learned one: looks see a task end up to a look late, and a create that
      // waited for the lock ran longer than it holds it.
      longHoldMs: EXPECTED_TASK_SECONDS.qmcreate! * 1000 * this.paceScale,
      shortHoldMs: SHORT_CREATE_HOLD_MS * this.paceScale,
    });
  }

  private async task(
    kind: string,
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    params = {},
    opts: WaitForTaskOptions = {},
  ) {
    const started = this.client.clock.now();
    // The first look when the task is due, then looks a quarter of that apart (a download's an eighth), growing.
    const expectedMs = Math.max(MIN_POLL_MS * this.paceScale, this.timing.estimateMs(kind));
    const result = await runTask(this.client, method, path, params, {
      initialDelayMs: expectedMs,
      thenEveryMs: Math.max(MIN_POLL_MS * this.paceScale, expectedMs * (LATE_LOOK_SHARE[kind] ?? 0.25)),
      maxDelayMs: Math.max(MAX_POLL_MS * this.paceScale, expectedMs),
      ...opts,
    });
    this.timing.observe(kind, this.client.clock.now() - started);
    return result;
  }

  /**
   * The Talos image, once per node storage. Without a digest, listing first makes repeats a no-op
   * (download-url without a checksum refuses to overwrite a file) and a racing runner's finished download
   * counts as ours. With one, download-url always runs with it: PVE checks the download, or the file
   * already there ("got correct file already"), and fails the task on a mismatch.
   */
  async ensureImage(
    pveNode: string,
    storage: string,
    fileName: string,
    url: string,
    sha256?: string,
  ): Promise<'present' | 'downloaded'> {
    const present = await this.hasImportFile(pveNode, storage, fileName);
    if (present && sha256 === undefined) return 'present';
    try {
      await this.task('download', 'POST', `/nodes/${pveNode}/storage/${storage}/download-url`, {
        content: 'import',
        filename: fileName,
        url,
        ...(sha256 === undefined ? {} : { checksum: sha256, 'checksum-algorithm': 'sha256' }),
      });
      return present ? 'present' : 'downloaded';
    } catch (error) {
      if (sha256 === undefined && (await this.hasImportFile(pveNode, storage, fileName))) return 'present';
      throw error;
    }
  }

  private async hasImportFile(pveNode: string, storage: string, fileName: string): Promise<boolean> {
    const content = await this.client.get<{ volid: string }[]>(
      `/nodes/${pveNode}/storage/${storage}/content`,
      {
        content: 'import',
      },
    );
    return content.some((item) => item.volid === `${storage}:import/${fileName}`);
  }

  /**
   * The VM's config, or undefined when it does not exist. Only for VMs the token may see: a pool-scoped
   * token gets 403 for a VMID that is no pool member yet (P.9), so new VMIDs are never probed this way.
   */
  async config(pveNode: string, vmid: number): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.client.get<Record<string, unknown>>(`/nodes/${pveNode}/qemu/${vmid}/config`);
    } catch (error) {
      if (isDoesNotExist(error)) return undefined;
      throw error;
    }
  }

  /**
   * Creates the VM. Other runners allocating on the same storage can hold PVE's storage lock past its
   * timeout; the task then fails before anything exists, so it is tried again (bounded, with jitter).
   * `onStarted` hears when PVE accepted a create task (again for each retry).
   */
  async create(vm: TalosVm, settings: VmSettings, onStarted?: () => void): Promise<void> {
    const scaled = (ms: number) => Math.max(10, Math.round(ms * this.paceScale));
    const holdsThroughCopy = vm.extraDisksGiB.length > 0;
    // A create without extra disks is looked at when the lock's verdict is due, then when it is due to end.
    const verdictMs = scaled(STORAGE_LOCK_TIMEOUT_MS + VERDICT_GRACE_MS);
    const expectedMs = this.timing.estimateMs('qmcreate');
    const looks =
      holdsThroughCopy || expectedMs <= verdictMs
        ? {}
        : { initialDelayMs: verdictMs, thenEveryMs: expectedMs - verdictMs, laterEveryMs: expectedMs / 4 };
    await retry(
      async () => {
        if (holdsThroughCopy) await this.turns.waitForTurn(settings.pveNode);
        await this.task('qmcreate', 'POST', `/nodes/${settings.pveNode}/qemu`, vmCreateParams(vm, settings), {
          ...looks,
          onStarted: ({ upid, sentAtMs }) => {
            this.turns.started(upid, sentAtMs, this.client.clock.now(), holdsThroughCopy);
            onStarted?.();
          },
        });
      },
      {
        attempts: CREATE_ATTEMPTS,
        baseDelayMs: scaled(CREATE_RETRY_BASE_MS),
        maxDelayMs: scaled(CREATE_RETRY_MAX_MS),
        isRetryable: (error) => isLockTimeout(error),
        sleep: (ms) => this.client.clock.sleep(ms),
      },
    );
  }

  /**
   * The ownership tags, once the VM is a member of its pool (a synchronous PUT: PVE checks VM.Config.Options
   * on /vms/<vmid>, which the pool grants by then). Idempotent: tags already there are not sent again.
   */
  async ensureTags(pveNode: string, vm: TalosVm, config?: Record<string, unknown>): Promise<void> {
    const current = parseTags(String((config ?? (await this.config(pveNode, vm.vmid)))?.tags ?? ''));
    if (vm.tags.every((tag) => current.includes(tag))) return;
    await this.client.put(`/nodes/${pveNode}/qemu/${vm.vmid}/config`, vmTagParams(vm));
  }

  /** Grows the imported boot disk to its size; never shrinks (PVE refuses), so a re-run is a no-op. */
  async growBootDisk(pveNode: string, vm: TalosVm, config: Record<string, unknown>): Promise<void> {
    const current = diskSizeGiB(String(config.scsi0 ?? ''));
    if (current !== undefined && current >= vm.diskGiB) return;
    await this.task('qmresize', 'PUT', `/nodes/${pveNode}/qemu/${vm.vmid}/resize`, {
      disk: 'scsi0',
      size: `${vm.diskGiB}G`,
    });
  }

  async status(pveNode: string, vmid: number): Promise<string> {
    const current = await this.client.get<{ status: string }>(
      `/nodes/${pveNode}/qemu/${vmid}/status/current`,
    );
    return current.status;
  }

  /** Starts the VM unless it runs; `createdStopped`: this run just created it, so it is stopped (no look). */
  async start(pveNode: string, vmid: number, opts: { createdStopped?: boolean } = {}): Promise<void> {
    if (!opts.createdStopped && (await this.status(pveNode, vmid)) === 'running') return;
    await this.task('qmstart', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/start`);
  }

  /** Pulls the plug and starts the VM again: for a guest that hung (it would not react to a shutdown). */
  async powerCycle(pveNode: string, vmid: number): Promise<void> {
    if ((await this.status(pveNode, vmid)) === 'running') {
      await this.task('qmstop', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/stop`, {});
    }
    await this.task('qmstart', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/start`);
  }

  /**
   * Removes one VM of a twin, after checking that the VMID still holds that VM (a stale teardown must
   * never delete another twin's VM): graceful shutdown for a bounded time, then a hard stop, then delete
   * with purge and unreferenced disks. A VM that is already gone counts as removed.
   */
  async destroy(
    pveNode: string,
    vmid: number,
    expect: { name: string; tags: string[] },
    shutdownSeconds = 30,
  ): Promise<'destroyed' | 'absent'> {
    const config = await this.visibleConfig(pveNode, vmid);
    if (!config) return 'absent';
    const tags = parseTags(String(config.tags ?? ''));
    if (config.name !== expect.name || !expect.tags.every((tag) => tags.includes(tag))) {
      throw new ConfigurationError(
        `VMID ${vmid} on ${pveNode} is "${String(config.name)}" with tags ${tags.join(';') || '(none)'}, not ${expect.name} ` +
          `with ${expect.tags.join(';')}: refusing to delete it; remove it by hand if it is really this twin's`,
      );
    }
    if ((await this.status(pveNode, vmid)) === 'running') await this.stop(pveNode, vmid, shutdownSeconds);
    try {
      await this.task('qmdestroy', 'DELETE', `/nodes/${pveNode}/qemu/${vmid}`, {
        purge: 1,
        'destroy-unreferenced-disks': 1,
      });
    } catch (error) {
      if (isDoesNotExist(error)) return 'absent';
      throw error;
    }
    return 'destroyed';
  }

  /**
   * The config of a VM this token should see. A pool-scoped token gets 403, not "does not exist", for a
   * VMID that left its pool, i.e. was destroyed meanwhile (P.9); when the VMID is also gone from the
   * visible inventory there is nothing of ours to remove. Listed yet refused is a missing right: thrown.
   */
  private async visibleConfig(pveNode: string, vmid: number): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.config(pveNode, vmid);
    } catch (error) {
      if (!isPermissionFailure(error)) throw error;
      if ((await listVms(this.client)).some((vm) => vm.vmid === vmid)) throw error;
      return undefined;
    }
  }

  private async stop(pveNode: string, vmid: number, shutdownSeconds: number): Promise<void> {
    try {
      await this.task('qmshutdown', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/shutdown`, {
        timeout: shutdownSeconds,
      });
    } catch (error) {
      if (!(error instanceof Error) || error instanceof PveApiError) throw error;
      // The guest did not power off in time (a task error, not an API refusal): pull the plug.
      await this.task('qmstop', 'POST', `/nodes/${pveNode}/qemu/${vmid}/status/stop`, {});
    }
  }
}

/** Size of a disk property string such as `local-lvm:vm-101-disk-0,size=32G`, in GiB. */
export function diskSizeGiB(disk: string): number | undefined {
  const match = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(disk);
  if (!match) return undefined;
  const factor = { '': 1 / 1024 ** 3, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 }[
    match[2] as '' | 'K' | 'M' | 'G' | 'T'
  ];
  return Number(match[1]) * factor;
}
