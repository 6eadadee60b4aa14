import { ConfigurationError } from '../errors.js';

/**
 * Faults the lab injects, each with a rate (0..1). A request is named `METHOD /path/template`
 * (the template as in the API schema, e.g. `POST /nodes/{node}/qemu`); `match` may use `*` as
 * a wildcard. Task `type` is the UPID type (qmcreate, qmstart, download, ...) or `*`.
 */
export interface FaultConfig {
  /** Requests answered with an error status (default 500) instead of being handled. */
  httpErrors?: { match: string; rate: number; status?: number; message?: string }[];
  /** Connections closed before any response is written. */
  dropConnections?: { match: string; rate: number }[];
  /** Tasks that end with an error exit status. */
  taskFailures?: { type: string; rate: number; message?: string }[];
  /** Tasks that take `multiplier` times longer. */
  slowTasks?: { type: string; rate: number; multiplier: number }[];
  /** Tasks that hold their VM's config lock `seconds` longer, like a hung worker. */
  lockStalls?: { type: string; rate: number; seconds: number }[];
  /** VMs whose Talos never comes up after a start: the boot hangs until the VM is powered off and on. */
  bootHangs?: { rate: number }[];
  /**
   * `talosctl apply-config` calls whose answer is cut by the node's reboot: the config was taken and the
   * node reboots into it, but the client reads a connection reset.
   */
  talosResets?: { rate: number }[];
  /** Helm releases (`*` for any) whose images pull `seconds` longer, like a slow registry. */
  slowReleases?: { release: string; rate: number; seconds: number }[];
  /**
   * Raw disks (not the install disk) that already carry an OSD of another Ceph cluster: a disk reused
   * without the wipe CONTRACTS D asks for. Rook's prepare job skips them, so Ceph has no OSD there.
   */
  foreignOsdDisks?: { rate: number }[];
}

export type RequestFault = { kind: 'drop' } | { kind: 'error'; status: number; message: string };

export interface TaskFault {
  failure?: string;
  slowMultiplier: number;
  lockStallSeconds: number;
}

const NO_TASK_FAULT: TaskFault = { slowMultiplier: 1, lockStallSeconds: 0 };

/**
 * Decides faults from a seeded generator. Every decision draws from its own stream (rule and
 * request name, numbered), so the n-th matching request gets the same answer for the same seed
 * however other traffic interleaves.
 */
export class FaultInjector {
  private readonly counters = new Map<string, number>();

  constructor(
    private readonly config: FaultConfig = {},
    private readonly seed = 1,
  ) {
    validateFaultConfig(config);
  }

  forRequest(method: string, template: string): RequestFault | undefined {
    const name = `${method} ${template}`;
    for (const [index, rule] of (this.config.dropConnections ?? []).entries()) {
      if (matches(rule.match, name) && this.roll(`drop#${index}:${name}`, rule.rate)) return { kind: 'drop' };
    }
    for (const [index, rule] of (this.config.httpErrors ?? []).entries()) {
      if (matches(rule.match, name) && this.roll(`http#${index}:${name}`, rule.rate)) {
        return { kind: 'error', status: rule.status ?? 500, message: rule.message ?? 'injected fault' };
      }
    }
    return undefined;
  }

  forTask(type: string): TaskFault {
    const fault: TaskFault = { ...NO_TASK_FAULT };
    for (const [index, rule] of (this.config.taskFailures ?? []).entries()) {
      if (matches(rule.type, type) && this.roll(`fail#${index}:${type}`, rule.rate)) {
        fault.failure ??= rule.message ?? `injected fault: ${type} failed`;
      }
    }
    for (const [index, rule] of (this.config.slowTasks ?? []).entries()) {
      if (matches(rule.type, type) && this.roll(`slow#${index}:${type}`, rule.rate)) {
        fault.slowMultiplier *= rule.multiplier;
      }
    }
    for (const [index, rule] of (this.config.lockStalls ?? []).entries()) {
      if (matches(rule.type, type) && this.roll(`stall#${index}:${type}`, rule.rate)) {
        fault.lockStallSeconds += rule.seconds;
      }
    }
    return fault;
  }

  /** Whether the boot of a VM started now hangs (asked once per start). */
  bootHangs(): boolean {
    return (this.config.bootHangs ?? []).some((rule, index) => this.roll(`boot#${index}`, rule.rate));
  }

  /** Whether this apply-config's answer is lost to the reboot it causes. */
  talosReset(): boolean {
    return (this.config.talosResets ?? []).some((rule, index) => this.roll(`reset#${index}`, rule.rate));
  }

  /** Extra seconds the images of this install or upgrade of `release` take to pull. */
  releasePullDelay(release: string): number {
    let seconds = 0;
    for (const [index, rule] of (this.config.slowReleases ?? []).entries()) {
      if (matches(rule.release, release) && this.roll(`release#${index}:${release}`, rule.rate)) {
        seconds += rule.seconds;
      }
    }
    return seconds;
  }

  /** Whether the raw disk `diskKey` holds another Ceph cluster's OSD: decided per disk, the same every time. */
  foreignOsdDisk(diskKey: string): boolean {
    return (this.config.foreignOsdDisks ?? []).some(
      (rule, index) =>
        rule.rate > 0 && unitRandom(`${this.seed}:foreign-osd#${index}:${diskKey}`) < rule.rate,
    );
  }

  private roll(stream: string, rate: number): boolean {
    if (rate <= 0) return false;
    const n = this.counters.get(stream) ?? 0;
    this.counters.set(stream, n + 1);
    return unitRandom(`${this.seed}:${stream}:${n}`) < rate;
  }
}

function matches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

/** A number in [0, 1) from a string: xmur3 hash seeding one mulberry32 step. */
function unitRandom(text: string): number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  let t = ((h ^= h >>> 16) >>> 0) + 0x6d2b79f5;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function validateFaultConfig(config: FaultConfig): void {
  const checkRate = (field: string, rate: number) => {
    if (!(rate >= 0 && rate <= 1)) {
      throw new ConfigurationError(
        `faults.${field}.rate is ${rate}: use a probability from 0 to 1, e.g. 0.1`,
      );
    }
  };
  const lists = [
    'httpErrors',
    'dropConnections',
    'taskFailures',
    'slowTasks',
    'lockStalls',
    'bootHangs',
    'talosResets',
    'slowReleases',
    'foreignOsdDisks',
  ] as const;
  for (const list of lists) {
    for (const [index, rule] of (config[list] ?? []).entries()) checkRate(`${list}[${index}]`, rule.rate);
  }
  for (const [index, rule] of (config.httpErrors ?? []).entries()) {
    if (rule.status !== undefined && !(rule.status >= 500 && rule.status <= 599)) {
      throw new ConfigurationError(
        `faults.httpErrors[${index}].status is ${rule.status}: use a 5xx status, e.g. 500`,
      );
    }
  }
  for (const [index, rule] of (config.slowTasks ?? []).entries()) {
    if (!(rule.multiplier >= 1)) {
      throw new ConfigurationError(
        `faults.slowTasks[${index}].multiplier is ${rule.multiplier}: use 1 or more, e.g. 3`,
      );
    }
  }
  for (const [index, rule] of (config.slowReleases ?? []).entries()) {
    if (!(rule.seconds > 0)) {
      throw new ConfigurationError(
        `faults.slowReleases[${index}].seconds is ${rule.seconds}: use a positive number, e.g. 900`,
      );
    }
  }
  for (const [index, rule] of (config.lockStalls ?? []).entries()) {
    if (!(rule.seconds > 0)) {
      throw new ConfigurationError(
        `faults.lockStalls[${index}].seconds is ${rule.seconds}: use a positive number, e.g. 15`,
      );
    }
  }
}
