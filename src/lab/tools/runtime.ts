import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { sleep } from '../clock.js';
import type { KubeClusters } from '../kube/clusters.js';
import type { TalosNodes } from '../talos/nodes.js';

/** What the lab's talosctl/kubectl/helm scripts send to POST /lab/v1/exec. */
export interface ExecRequest {
  tool: string;
  args: string[];
  /** The caller's working directory: relative paths resolve against it. */
  cwd: string;
  /** TALOSCONFIG, KUBECONFIG and HOME of the caller. */
  env: Record<string, string>;
  /** Given only when an argument is `-` (read from stdin). */
  stdin?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Ends a command: the tool prints `message` in its own style and exits with `code`. */
export class ToolFailure extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** One call of a tool: the lab's model, the caller's files and environment, and the output so far. */
export class ToolCall {
  private readonly stdoutParts: string[] = [];
  private readonly stderrParts: string[] = [];

  constructor(
    readonly request: ExecRequest,
    readonly talos: TalosNodes,
    readonly kube: KubeClusters,
  ) {}

  out(text: string): void {
    this.stdoutParts.push(text);
  }

  err(text: string): void {
    this.stderrParts.push(text);
  }

  result(exitCode: number): ExecResult {
    return { exitCode, stdout: this.stdoutParts.join(''), stderr: this.stderrParts.join('') };
  }

  env(name: string): string | undefined {
    const value = this.request.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** A path as the caller meant it: `~` is HOME, relative is against the caller's cwd. */
  path(path: string): string {
    const home = this.env('HOME') ?? '/';
    const expanded = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
    return isAbsolute(expanded) ? expanded : resolve(this.request.cwd, expanded);
  }

  exists(path: string): boolean {
    return existsSync(this.path(path));
  }

  isDirectory(path: string): boolean {
    return this.exists(path) && statSync(this.path(path)).isDirectory();
  }

  /** A file's text; `-` is the caller's stdin. Go's error text when it cannot be read. */
  read(path: string): string {
    if (path === '-') return this.request.stdin ?? '';
    const full = this.path(path);
    try {
      return readFileSync(full, 'utf8');
    } catch {
      throw new ToolFailure(`open ${path}: no such file or directory`);
    }
  }

  write(path: string, text: string, mode = 0o600): string {
    const full = this.path(path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text, { mode });
    return full;
  }

  now(): number {
    return this.talos.now();
  }

  /** Waits `seconds` of profile time (scaled to the lab's time scale). */
  async pause(seconds: number): Promise<void> {
    await sleep(this.talos.ms(seconds));
  }
}

/** Go's time.ANSIC layout, as helm prints LAST DEPLOYED. */
export function ansiDate(ms: number): string {
  const date = new Date(ms);
  const day = date.toUTCString().slice(0, 3);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (value: number) => String(value).padStart(2, '0');
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return `${day} ${month} ${String(date.getUTCDate()).padStart(2, ' ')} ${time} ${date.getUTCFullYear()}`;
}

/** go-humanize's Bytes (SI units), as talosctl prints sizes: 21 MB, 6.0 MB. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** Columns padded as Go's tabwriter does for kubectl and talosctl (3 spaces between columns). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3)))
        .join('')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
