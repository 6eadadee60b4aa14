import type { Change, LayerDiff, LayerName, RefusedChange } from './types.js';

/** The order layers change in: hardware and the OS first, then Kubernetes, then what runs on it. */
export const LAYER_ORDER: LayerName[] = ['vm', 'talos', 'kubernetes', 'release', 'mesh'];

/** Rows of the running-vs-wanted table: one per layer and cluster, in layer order. */
export function layerRows(diffs: LayerDiff[]): string[][] {
  return sortedDiffs(diffs).map((diff) => [
    diff.layer,
    diff.cluster,
    diff.unobserved ? `not observed: ${diff.unobserved}` : diff.running,
    diff.wanted,
    diff.refused.length > 0
      ? 'REFUSED'
      : diff.changes.length > 0
        ? `${diff.changes.length} to change`
        : 'in sync',
  ]);
}

/** One line per change, e.g. `east talos east-w-1: v1.11.6 -> v1.12.11 (reboot, drained)`. */
export function changeLine(change: Change): string {
  const cost = change.disruptive ? 'node goes down, one at a time' : 'in place';
  const detail = change.detail ? `; ${change.detail}` : '';
  return `${change.cluster} ${change.layer} ${change.target}: ${change.kind} ${change.from} -> ${change.to} (${cost}${detail})`;
}

export function refusedLine(refused: RefusedChange): string {
  return `${refused.cluster} ${refused.layer} ${refused.target}: ${refused.asked} is refused: ${refused.reason}`;
}

/** Every change in the order converge runs them (layer order, then the layer's own order). */
export function orderedChanges(diffs: LayerDiff[]): Change[] {
  return sortedDiffs(diffs).flatMap((diff) => diff.changes);
}

export function refusals(diffs: LayerDiff[]): RefusedChange[] {
  return sortedDiffs(diffs).flatMap((diff) => diff.refused);
}

/** What `plan` prints under the VM table; empty when there is nothing to show. */
export function describeLayers(
  diffs: LayerDiff[],
  table: (header: string[], rows: string[][]) => string,
): string[] {
  if (diffs.length === 0) return [];
  const changes = orderedChanges(diffs);
  const refused = refusals(diffs);
  return [
    'layers (running -> wanted):',
    indent(table(['LAYER', 'CLUSTER', 'RUNNING', 'WANTED', 'STATE'], layerRows(diffs))),
    ...(changes.length > 0
      ? [
          '',
          // Grouped by layer; up interleaves them per cluster (layers/sequence.ts).
          'path, layer by layer (up runs each cluster in this order but interleaved: each Kubernetes minor once every',
          'node runs a Talos that takes it, Cilium before the first minor its running release is not tested with):',
          ...changes.map((change, i) => `  ${i + 1}. ${changeLine(change)}`),
        ]
      : []),
    ...(refused.length > 0
      ? ['', 'refused (up stops before changing anything):', ...refused.map((r) => `  ${refusedLine(r)}`)]
      : []),
    '',
    `${changes.length} layer change(s) pending` + (refused.length > 0 ? `, ${refused.length} refused` : ''),
  ];
}

/** For `up`: what is still pending after a run, or undefined when every layer is in sync. */
export function pendingSummary(diffs: LayerDiff[]): string | undefined {
  const unobserved = diffs.filter((diff) => diff.unobserved);
  const changes = orderedChanges(diffs);
  const refused = refusals(diffs);
  const parts = [
    ...unobserved.map((diff) => `${diff.cluster} ${diff.layer}: not observed (${diff.unobserved})`),
    ...changes.map(changeLine),
    ...refused.map(refusedLine),
  ];
  if (parts.length === 0) return undefined;
  return `${parts.length} thing(s) still differ from the spec: ${parts.join('; ')}`;
}

function sortedDiffs(diffs: LayerDiff[]): LayerDiff[] {
  return [...diffs].sort(
    (a, b) =>
      LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || a.cluster.localeCompare(b.cluster),
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
