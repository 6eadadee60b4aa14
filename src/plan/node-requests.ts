import type { NodeLoad } from '../sizing/node-load.js';
import { clusterNodeLoads } from '../sizing/node-load.js';
import type { ResolvedTwin } from '../spec/environment.js';
import { clusterSizing } from '../spec/node-sizing-rules.js';

/**
 * What the twin asks of the fullest node of each role, per cluster: the figures the spec check
 * (spec/node-sizing-rules.ts) compared with each node's allocatable, for plan and render to show.
 */
export function twinNodeLoads(twin: ResolvedTwin): NodeLoad[] {
  return twin.clusters.flatMap((cluster) => clusterNodeLoads(clusterSizing(twin.spec, cluster)));
}

/** `east worker (2 vCPU, 6144 MiB): 1350m of 1950m CPU (69%), 3784Mi of 5337Mi memory (71%)` */
export function nodeLoadLine(load: NodeLoad): string {
  const share = (part: number, whole: number) =>
    whole > 0 ? `${Math.round((100 * part) / whole)}%` : 'none free';
  const { requested, allocatable } = load;
  return (
    `${load.cluster} ${load.role === 'worker' ? 'worker' : 'control plane'} (${load.vm.cores} vCPU, ${load.vm.memoryMiB} MiB): ` +
    `${requested.cpuMilli}m of ${allocatable.cpuMilli}m CPU (${share(requested.cpuMilli, allocatable.cpuMilli)}), ` +
    `${requested.memoryMiB}Mi of ${allocatable.memoryMiB}Mi memory (${share(requested.memoryMiB, allocatable.memoryMiB)})`
  );
}

/** The section plan and render print: one line per cluster and role. */
export function nodeRequestsSection(twin: ResolvedTwin): string[] {
  return [
    'requests on the fullest node of each role, against its allocatable (extras and Tetragon not counted):',
    ...twinNodeLoads(twin).map((load) => `  ${nodeLoadLine(load)}`),
  ];
}
