/**
 * What talosctl prints for the lifecycle commands (LIFECYCLE F.1-F.3, F.9; facts-13 §2 for v1.13), read into
 * data. Kept apart from the wrapper so the parsing is tested on the texts alone.
 */

/** One node's answer to `talosctl version`: the release it runs. */
export interface NodeRelease {
  node: string;
  release: string;
}

/**
 * The `Server:` blocks of `talosctl version` (one per node that answered, each with `NODE:` when talosctl went
 * through a proxy, and `Tag:`). A block without NODE belongs to the only node asked.
 */
export function parseServerVersions(stdout: string, asked: string[]): NodeRelease[] {
  const blocks = stdout.split(/^Server:\s*$/m).slice(1);
  const releases: NodeRelease[] = [];
  for (const block of blocks) {
    const tag = field(block, 'Tag');
    const node = field(block, 'NODE') ?? (asked.length === 1 ? asked[0] : undefined);
    if (tag && node) releases.push({ node, release: tag });
  }
  return releases;
}

function field(block: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, 'm').exec(block)?.[1];
}

/**
 * talosctl's per-node failures (`N error(s) occurred:` then `\t* <node>: <why>` lines), by node; a failure
 * that names no node is reported for every node asked.
 */
export function parseNodeErrors(stderr: string, asked: string[]): Map<string, string> {
  const errors = new Map<string, string>();
  for (const line of stderr.split('\n')) {
    const match = /^\s*\*\s*([^\s:]+):\s*(.*)$/.exec(line);
    if (match?.[1] && asked.includes(match[1])) errors.set(match[1], match[2] ?? '');
  }
  if (errors.size === 0) {
    const reason = stderr.trim().split('\n').pop() ?? 'no answer';
    for (const node of asked) errors.set(node, reason);
  }
  return errors;
}

/** What `apply-config --dry-run` says the apply would do (F.3). */
export interface DryRunResult {
  /** The node would reboot to apply it (`Applied configuration with a reboot`). */
  reboot: boolean;
  /** The config differs (the diff is not `No changes.`). */
  changed: boolean;
  /** The unified diff (`--- a` / `+++ b` / hunks) of the node's config against the one sent, or ''. */
  diff: string;
}

/**
 * The dry-run summary: `Dry run summary:`, the mode's words with `(skipped in dry-run).`, `Config diff:`,
 * then the diff or `No changes.`. talosctl prints it on stderr (helpers.PrintApplyResults), so callers pass
 * both streams.
 */
export function parseDryRun(output: string): DryRunResult {
  if (!/Dry run summary:/.test(output)) {
    throw new Error(
      `talosctl apply-config --dry-run printed no dry-run summary: ${output.trim().slice(0, 200)}`,
    );
  }
  const reboot = /Applied configuration with a reboot/.test(output);
  const diffStart = output.search(/^--- a\s*$/m);
  const diff = diffStart < 0 ? '' : output.slice(diffStart).trimEnd();
  const changed = !/^No changes\.\s*$/m.test(output) && /^[+-](?![+-]{2} [ab]\s*$)/m.test(diff);
  return { reboot, changed, diff: changed ? diff : '' };
}

/**
 * The keys a unified diff of two YAML configs changes, as dotted paths as far as the hunk shows the parents
 * (a hunk carries only a few lines of context, so the outer keys can be missing): `time.servers`.
 */
export function changedKeys(diff: string, ignore: (line: string) => boolean = () => false): string[] {
  const keys = new Set<string>();
  for (const hunk of diff.split(/^@@.*@@.*$/m).slice(1)) {
    const lines = hunk.split('\n').filter((line) => line !== '');
    lines.forEach((line, index) => {
      if (!/^[+-]/.test(line) || ignore(line.slice(1))) return;
      keys.add(pathAt(lines, index));
    });
  }
  return [...keys].filter(Boolean);
}

/** The path of the key on `lines[index]`: its own key, then each less indented key above it in the hunk. */
function pathAt(lines: string[], index: number): string {
  const side = lines[index]?.[0];
  const path: string[] = [];
  let indent = Infinity;
  for (let i = index; i >= 0; i -= 1) {
    const line = lines[i] ?? '';
    if (i !== index && line[0] !== ' ' && line[0] !== side) continue; // the other side's lines
    const text = line.slice(1);
    const depth = text.length - text.trimStart().length;
    if (depth >= indent) continue;
    const key = /^\s*(?:- )?([\w.\-/]+):(?:\s|$)/.exec(text)?.[1];
    if (key) path.unshift(key);
    indent = depth;
    if (depth === 0) break;
  }
  return path.join('.');
}

/** Why a node refused `talosctl upgrade` before starting it (F.1 step 2-3, F.9; facts-13 §2). */
export interface UpgradeRefusal {
  /** The node's own words. */
  reason: string;
  /** The same request can succeed later (a lock, or etcd getting healthy); else something must change first. */
  retryable: boolean;
}

const REFUSALS: { pattern: RegExp; retryable: boolean }[] = [
  // Another control plane holds the pre-upgrade etcd mutex for its checks (F.1 step 3).
  { pattern: /failed to acquire upgrade mutex: .*/, retryable: true },
  // etcd quorum checks: members not started or not healthy get better; two members never do (F.1 step 3).
  { pattern: /etcd member \S+ is not started, all members must be running.*/, retryable: true },
  { pattern: /etcd member \S+ is not healthy; all members must be healthy.*/, retryable: true },
  { pattern: /etcd member count\(\d+\) is insufficient to maintain quorum.*/, retryable: false },
  // The v1.13 LifecycleService lock (facts-13 §2).
  { pattern: /another installation\/upgrade is already in progress/, retryable: true },
  { pattern: /machine is not installed/, retryable: false },
  // The installer could not be pulled or run (F.1 step 2): a wrong image, or a registry the node cannot reach.
  { pattern: /error validating installer image .*/, retryable: false },
];

/** The synchronous refusal in `talosctl upgrade`'s stderr, if it is one the node gives. */
export function parseUpgradeRefusal(stderr: string): UpgradeRefusal | undefined {
  for (const { pattern, retryable } of REFUSALS) {
    const match = pattern.exec(stderr);
    if (match) return { reason: match[0].trim(), retryable };
  }
  return undefined;
}

/** One row of `talosctl etcd members` (LIFECYCLE F.4: NODE ID HOSTNAME PEER URLS CLIENT URLS LEARNER). */
export interface EtcdMember {
  id: string;
  hostname: string;
  peerUrls: string[];
}

/** `etcd members` table rows after the header; columns are separated by 3+ spaces (tabwriter padding). */
export function parseEtcdMembers(stdout: string): EtcdMember[] {
  const [header, ...rows] = stdout.split('\n').filter((line) => line.trim() !== '');
  if (!header) return [];
  const columns = header.split(/\s{2,}/);
  const at = (name: string) => columns.indexOf(name);
  return rows.map((line) => {
    const cells = line.split(/\s{2,}/);
    return {
      id: cells[at('ID')] ?? '',
      hostname: cells[at('HOSTNAME')] ?? '',
      peerUrls: (cells[at('PEER URLS')] ?? '').split(',').filter(Boolean),
    };
  });
}
