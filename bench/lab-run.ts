import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { delimiter, join } from 'node:path';
import { startLab } from '../src/lab/lab.js';
import type { LabHandle, LabNodeSpec } from '../src/lab/lab.js';
import { defaultNodes } from '../src/lab/pve/state.js';

/** What the bench's runs share: the lab's size, the CLI's environment, and the figures read from output and log. */

const GIB = 1024 ** 3;

/** The rows of the CLI's "stage timings" tables: where a twin's time went, stage by stage. */
export function stageTimings(output: string): string[] {
  const lines = output.split('\n');
  return lines.flatMap((line, index) =>
    /stage timings/.test(lines[index - 1] ?? '') || /^[a-z-]+ +\d+\.\d+s +\d/.test(line) ? [line] : [],
  );
}

/** Labs sized for `twins` previews of examples/twin.yaml (60 GiB and 984 GiB each), spread over 3 nodes. */
export function labNodes(twins: number): LabNodeSpec[] {
  const perNode = (amount: number, floor: number) => Math.max(floor, Math.ceil((twins * amount * 1.5) / 3));
  return defaultNodes().map((node) => ({
    ...node,
    memoryBytes: perNode(60, 64) * GIB,
    cpus: Math.max(16, 16 * twins),
    storages: (node.storages ?? []).map((storage) =>
      storage.id === 'local-lvm' ? { ...storage, totalBytes: perNode(984, 400) * GIB } : storage,
    ),
  }));
}

/** The environment the CLI runs in against `lab`: its tools first on PATH, its token, its pace. */
export function cliEnv(lab: LabHandle, home: string, scale: number): NodeJS.ProcessEnv {
  return {
    PATH: `${lab.binDir}${delimiter}${process.env.PATH}`,
    HOME: home,
    PVE_TOKEN: lab.token,
    TWIN_PACE_SCALE: String(scale),
  };
}

/** How many lines the lab log has now: proxmoxRequests counts only those after it. */
export function logLines(labLog: string): number {
  return readFileSync(labLog, 'utf8').split('\n').filter(Boolean).length;
}

/**
 * Proxmox API requests in the lab log (not the lab's own tool channel) after its first `skip` lines, per VM
 * and by kind.
 */
export function proxmoxRequests(labLog: string, vms: number, skip = 0) {
  const requests = readFileSync(labLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(skip)
    .map((line) => JSON.parse(line) as { method: string; path: string })
    .map((request) => ({ ...request, path: decodeURIComponent(request.path) }))
    .filter((request) => request.path.startsWith('/api2/json/'));
  const polls = requests.filter((r) => r.method === 'GET' && /\/tasks\/[^/]+\/status$/.test(r.path)).length;
  const kinds = new Map<string, number>();
  for (const request of requests) {
    const kind = `${request.method} ${request.path
      .replace('/api2/json', '')
      .replace(/UPID:[^/]+/g, '{upid}')
      .replace(/\/\d+(?=\/|$)/g, '/{vmid}')
      .replace(/\/pve\d+(?=\/|$)/g, '/{node}')}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return {
    proxmoxRequests: requests.length,
    requestsPerVm: requests.length / vms,
    taskPollsPerVm: polls / vms,
    /** The most frequent kinds of request, per VM: where the budget goes. */
    topRequestsPerVm: [...kinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([kind, count]) => ({ kind, perVm: count / vms })),
  };
}

/** The first argument that is no flag: the product puts its flags with values (--kubeconfig F) first. */
function subcommand(args: string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (!args[i]!.startsWith('-')) return args[i]!;
    if (!args[i]!.includes('=')) i++;
  }
  return '';
}

/** The talosctl, kubectl and helm calls in the lab log after its first `skip` lines, by tool and subcommand. */
export function toolCalls(labLog: string, skip = 0) {
  const calls = readFileSync(labLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(skip)
    .map((line) => JSON.parse(line) as { tool?: string; args?: string[] })
    .filter((entry) => entry.tool !== undefined);
  const kinds = new Map<string, number>();
  for (const { tool, args = [] } of calls) {
    const kind = `${tool} ${subcommand(args)}`.trim();
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return {
    toolCalls: calls.length,
    topToolCalls: [...kinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([kind, count]) => ({ kind, count })),
  };
}

/**
 * A fresh lab on the realistic profile scaled by `scale`, sized for `twins` previews, logging every request
 * to `labLog`, in a folder of its own (`root`), with the environment the bundled CLI runs in against it.
 */
export async function benchLab(prefix: string, twins: number, scale: number) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const labLog = join(root, 'requests.jsonl');
  const lab = await startLab({
    dir: join(root, 'lab'),
    profile: 'realistic',
    timeScale: scale,
    logFile: labLog,
    nodes: labNodes(twins),
  });
  return { root, labLog, lab, env: cliEnv(lab, root, scale) };
}

/** The machine's CPU time so far, busy and total, summed over its cores (os.cpus()). */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const sum = times.user + times.nice + times.sys + times.irq + times.idle;
    total += sum;
    busy += sum - times.idle;
  }
  return { busy, total };
}

/**
 * How busy the machine's cores were between start() and the returned function's call, 0..1: near 1, the
 * run measured this machine's CPU (tools spawned by every twin at once), not the lab's pace.
 */
export function cpuBusySince(): () => number {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    const total = end.total - start.total;
    return total > 0 ? (end.busy - start.busy) / total : 0;
  };
}

/**
 * How late the lab answered between start() and the returned function's call: the lab serves every twin's
 * requests and tool calls from this process's one event loop, so a busy loop delays each answer by about the
 * loop's delay, and the lab counts that wait (wall / scale) as lab time the product never asked for.
 * Mean and 99th percentile, in ms of wall time.
 */
export function labLagSince(): () => { meanMs: number; p99Ms: number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return () => {
    histogram.disable();
    // The histogram counts from the end of each resolution tick: the tick itself is no lag.
    const lag = (ns: number) => Math.max(0, ns / 1e6 - 10);
    return { meanMs: lag(histogram.mean), p99Ms: lag(histogram.percentile(99)) };
  };
}
