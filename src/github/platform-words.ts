import type { CephClusterStatus, MeshClusterStatus } from '../twin/platform.js';

/**
 * The platform report in short words, shared by the PR comment, the job summary and the picture so that
 * all three say the same thing about a mesh pair, a Ceph cluster or a check's counts.
 */

/** How one cluster sees another. `unknown` when nobody could ask the cluster. */
export type MeshView =
  'connected' | 'not connected' | 'not ready' | 'not synced' | 'not configured' | 'unknown';

/** Two clusters of the mesh and how each sees the other. */
export interface MeshPair {
  first: string;
  second: string;
  firstSeesSecond: MeshView;
  secondSeesFirst: MeshView;
}

/** Every pair that either side reports, once, in the order the report names them. */
export function meshPairs(mesh: MeshClusterStatus[]): MeshPair[] {
  const pairs: MeshPair[] = [];
  const seen = new Set<string>();
  for (const status of mesh) {
    for (const remote of status.remotes) {
      if (remote.name === status.cluster) continue;
      const key = JSON.stringify([status.cluster, remote.name].sort());
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push({
        first: status.cluster,
        second: remote.name,
        firstSeesSecond: meshView(mesh, status.cluster, remote.name),
        secondSeesFirst: meshView(mesh, remote.name, status.cluster),
      });
    }
  }
  return pairs;
}

/** Cilium lists every configured remote cluster, so a missing remote was never configured. */
function meshView(mesh: MeshClusterStatus[], from: string, to: string): MeshView {
  const status = mesh.find((candidate) => candidate.cluster === from);
  if (!status) return 'unknown';
  const remote = status.remotes.find((candidate) => candidate.name === to);
  if (!remote) return 'not configured';
  if (!remote.connected) return 'not connected';
  if (!remote.ready) return 'not ready';
  return remote.synced ? 'connected' : 'not synced';
}

export function pairConnected(pair: MeshPair): boolean {
  return pair.firstSeesSecond === 'connected' && pair.secondSeesFirst === 'connected';
}

/** `connected` when both sides say so, else what each side sees (`east sees west: not ready`). */
export function pairStates(pair: MeshPair): string[] {
  if (pairConnected(pair)) return ['connected'];
  return [
    `${pair.first} sees ${pair.second}: ${pair.firstSeesSecond}`,
    `${pair.second} sees ${pair.first}: ${pair.secondSeesFirst}`,
  ];
}

/**
 * A check's counts in words. By convention `requests` is the total and `answered` how many came back;
 * every other count (usually per cluster) is listed against the total: `east 9, west 11 of 20`.
 */
export function countsInWords(counts: Record<string, number>): string {
  const { requests, answered, ...parts } = counts;
  const listed = Object.entries(parts)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  if (requests === undefined) {
    return [listed, answered === undefined ? '' : `${answered} answered`].filter(Boolean).join(', ');
  }
  if (!listed) return answered === undefined ? `${requests} requests` : `${answered} of ${requests} answered`;
  const shortfall = answered !== undefined && answered !== requests ? ` (${answered} answered)` : '';
  return `${listed} of ${requests}${shortfall}`;
}

/** `HEALTH_WARN (MON_DOWN), phase Ready, 1 mon, 3 OSDs`: only Ceph's check codes, never its messages. */
export function cephInWords(status: CephClusterStatus): string {
  const codes = status.details.flatMap((line) => /^([A-Z][A-Z0-9_]*):/.exec(line)?.[1] ?? []);
  return [
    `${status.health}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`,
    `phase ${status.phase}`,
    plural(status.mons, 'mon'),
    plural(status.osds, 'OSD'),
  ].join(', ');
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
