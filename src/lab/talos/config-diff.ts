import type { Doc } from './yaml-docs.js';
import { isMap, renderDocuments } from './yaml-docs.js';

/**
 * Config diffs as Talos shows them (LIFECYCLE F.3; TALOS v1.13.9 `pkg/machinery/config/configdiff` and
 * `textdiff`): both configs encoded without comments, a unified diff with the header `--- a` / `+++ b`
 * and `@@ -l[,n] +l[,n] @@` hunks with 3 lines of context; empty when equal. And `CanApplyImmediate`
 * (`v1alpha1_runtime.go`): only the listed v1alpha1 fields may differ for a change without a reboot.
 */

const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Longest-common-subsequence edit script; configs are a few hundred lines, so O(n·m) is fine. */
function editScript(a: string[], b: string[]): Op[] {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * cols + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * cols + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * cols + j] ?? 0, lcs[i * cols + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] ?? '' });
      i += 1;
      j += 1;
    } else if (
      i < a.length &&
      (j >= b.length || (lcs[(i + 1) * cols + j] ?? 0) >= (lcs[i * cols + j + 1] ?? 0))
    ) {
      // Deletions before insertions, as unified diffs print a changed line.
      ops.push({ kind: '-', line: a[i] ?? '' });
      i += 1;
    } else {
      ops.push({ kind: '+', line: b[j] ?? '' });
      j += 1;
    }
  }
  return ops;
}

function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return `${count === 0 ? start - 1 : start},${count}`;
}

/** textdiff.Diff: "" when equal, else the unified diff. */
export function unifiedDiff(before: string, after: string): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  if (a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  const ops = editScript(a, b);
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const hunks: [number, number][] = [];
  for (const index of changed) {
    const from = Math.max(0, index - CONTEXT);
    const to = Math.min(ops.length - 1, index + CONTEXT);
    const last = hunks[hunks.length - 1];
    if (last && from <= last[1] + 1) last[1] = to;
    else hunks.push([from, to]);
  }
  let out = '--- a\n+++ b\n';
  for (const [from, to] of hunks) {
    const before = ops.slice(0, from);
    const oldStart = before.filter((op) => op.kind !== '+').length + 1;
    const newStart = before.filter((op) => op.kind !== '-').length + 1;
    const body = ops.slice(from, to + 1);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
    out += body.map((op) => `${op.kind}${op.line}\n`).join('');
  }
  return out;
}

/** configdiff.DiffConfigs of two multi-document configs. */
export function diffConfigs(before: Doc[], after: Doc[]): string {
  return unifiedDiff(renderDocuments(before), renderDocuments(after));
}

/** The v1alpha1 fields a running node takes without a reboot (CanApplyImmediate's list, F.3). */
const IMMEDIATE_ROOT = ['debug', 'cluster'];
const IMMEDIATE_MACHINE = [
  'ca',
  'acceptedCAs',
  'time',
  'certSANs',
  'install',
  'network',
  'sysfs',
  'sysctls',
  'logging',
  'controlplane',
  'kubelet',
  'kernel',
  'registries',
  'pods',
  'seccompProfiles',
  'nodeAnnotations',
  'nodeLabels',
  'nodeTaints',
];
const IMMEDIATE_FEATURES = [
  'kubernetesTalosAPIAccess',
  'kubePrism',
  'hostDNS',
  'imageCache',
  'nodeAddressSortAlgorithm',
];

/** Copies `keys` of `from` over `into` (deleting those `from` lacks), as the Go code assigns the fields. */
function carry(into: Doc, from: Doc, keys: string[]): void {
  for (const key of keys) {
    if (key in from) into[key] = from[key];
    else delete into[key];
  }
}

/**
 * CanApplyImmediate: undefined when `next` differs from `current` only in fields applied without a reboot,
 * else the error with the diff of what does need one.
 */
export function immediateProblem(current: Doc, next: Doc): string | undefined {
  const candidate = structuredClone(next);
  carry(candidate, current, IMMEDIATE_ROOT);
  if (isMap(candidate.machine) && isMap(current.machine)) {
    carry(candidate.machine, current.machine, IMMEDIATE_MACHINE);
    const features = candidate.machine.features;
    const currentFeatures = current.machine.features;
    if (isMap(features) && isMap(currentFeatures)) carry(features, currentFeatures, IMMEDIATE_FEATURES);
  }
  // Go compares the structs and encodes them in field order; sorted keys keep moved keys from counting.
  const diff = diffConfigs([sortKeys(current) as Doc], [sortKeys(candidate) as Doc]);
  if (diff === '') return undefined;
  return `this config change can't be applied in immediate mode\ndiff:\n${diff}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isMap(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}
