import type { NodeRole, Resources } from '../sizing/allocatable.js';
import type { ClusterSizing, NodeLoad } from '../sizing/node-load.js';
import type { PlacedPods } from '../sizing/rook-load.js';
import { clusterNodeLoads } from '../sizing/node-load.js';
import type { ResolvedCluster } from './environment.js';
import { applyOverlay } from './environment.js';
import { ENVIRONMENT_NAMES } from './schema.js';
import type { EnvironmentName, TwinSpec } from './schema.js';

/**
 * Refuses a twin whose nodes cannot hold what the twin places on them, before any VM exists: for each
 * environment, cluster and role, the fullest node's requests (sizing/node-load.ts) against its
 * allocatable. Above HEADROOM_SHARE it still fits, with a warning: extras and Tetragon are not counted.
 */

export const HEADROOM_SHARE = 0.8;

type Resource = 'cpu' | 'memory';
const GROUP: Record<NodeRole, 'controlPlanes' | 'workers'> = {
  controlplane: 'controlPlanes',
  worker: 'workers',
};
const FIELD: Record<Resource, 'cores' | 'memoryMiB'> = { cpu: 'cores', memory: 'memoryMiB' };
const MAX_CORES = 128;
const MEMORY_STEP_MIB = 512;
const MAX_SUGGESTED_MIB = 262144;

export interface SizingIssue {
  severity: 'error' | 'warning';
  path: (string | number)[];
  message: string;
  fix: string;
}

/** What one cluster of one environment asks for, from the spec with that environment's overlay. */
export function clusterSizing(spec: TwinSpec, cluster: ResolvedCluster): ClusterSizing {
  const { controlPlanes, workers } = cluster;
  return {
    cluster: cluster.name,
    // Unique: a repeated name is its own error (rules.ts) and must not stop this check.
    meshClusters: [...new Set(spec.clusters.map((candidate) => candidate.name))],
    controlPlanes: {
      count: controlPlanes.count,
      cores: controlPlanes.cores,
      memoryMiB: controlPlanes.memoryMiB,
    },
    workers: {
      count: workers.count,
      cores: workers.cores,
      memoryMiB: workers.memoryMiB,
      extraDisks: workers.extraDisks.length,
    },
    rook: spec.addons.rook.enabled,
    starwars: spec.addons.starwars.enabled,
  };
}

export function nodeSizingIssues(spec: TwinSpec): SizingIssue[] {
  const byText = new Map<string, { issue: SizingIssue; environments: EnvironmentName[] }>();
  spec.clusters.forEach((base, index) => {
    for (const environment of ENVIRONMENT_NAMES) {
      const overlay = spec.environments[environment].clusters?.[base.name];
      const sizing = clusterSizing(spec, applyOverlay(base, overlay));
      for (const load of clusterNodeLoads(sizing)) {
        for (const resource of ['cpu', 'memory'] as const) {
          const group = GROUP[load.role];
          const field = FIELD[resource];
          const path =
            overlay?.[group]?.[field] !== undefined
              ? ['environments', environment, 'clusters', base.name, group, field]
              : ['clusters', index, group, field];
          const issue = checkResource(sizing, load, resource, path);
          if (!issue) continue;
          // Environments that resolve to the same node and figures share one issue.
          const key = JSON.stringify(issue);
          const seen = byText.get(key);
          if (seen) seen.environments.push(environment);
          else byText.set(key, { issue, environments: [environment] });
        }
      }
    }
  });
  return [...byText.values()].map(({ issue, environments }) => ({
    ...issue,
    message: issue.message.replace(ENVIRONMENTS, environmentLabel(environments)),
  }));
}

const ENVIRONMENTS = '\u0000environments';

function environmentLabel(environments: EnvironmentName[]): string {
  return environments.map((name) => (name === 'preview' ? 'previews' : name)).join(' and ');
}

function checkResource(
  sizing: ClusterSizing,
  load: NodeLoad,
  resource: Resource,
  path: (string | number)[],
): SizingIssue | undefined {
  const offered = amount(load.allocatable, resource);
  const placed = amount(load.requested, resource);
  const node = `cluster ${sizing.cluster} (${ENVIRONMENTS}): ${article(load.role)} (${load.vm.cores} vCPU, ${load.vm.memoryMiB} MiB)`;
  const what = `${format(offered, resource)} ${resource === 'cpu' ? 'CPU' : 'memory'} allocatable`;
  const field = pathText(path);
  const rook = load.pods.some((pods) => pods.what.startsWith('Rook'))
    ? ', or turn addons.rook.enabled off'
    : '';
  if (placed > offered) {
    return {
      severity: 'error',
      path,
      message:
        `${node} has ${what} but the twin may place ${format(placed, resource)} there ` +
        `(${breakdown(load, resource)}): ${format(placed - offered, resource)} short`,
      fix: `${growth(sizing, load.role, resource, field)}${rook}`,
    };
  }
  if (placed > offered * HEADROOM_SHARE) {
    return {
      severity: 'warning',
      path,
      message:
        `${node} has ${what} and the twin places ${format(placed, resource)} there ` +
        `(${Math.round((100 * placed) / offered)}%): less than ${Math.round(100 * (1 - HEADROOM_SHARE))}% is left ` +
        'for the extras and Tetragon, whose requests are not counted',
      fix: roomyGrowth(sizing, load.role, resource, field),
    };
  }
  return undefined;
}

function roomyGrowth(sizing: ClusterSizing, role: NodeRole, resource: Resource, field: string): string {
  const roomy = smallestFit(sizing, role, resource, HEADROOM_SHARE);
  return roomy === undefined ? `raise ${field}` : `set ${field} to ${roomy} or more`;
}

function growth(sizing: ClusterSizing, role: NodeRole, resource: Resource, field: string): string {
  const fits = smallestFit(sizing, role, resource, 1);
  const roomy = smallestFit(sizing, role, resource, HEADROOM_SHARE);
  if (fits === undefined) return `raise ${field}`;
  const headroom =
    roomy !== undefined && roomy !== fits
      ? ` (${roomy} leaves ${Math.round(100 * (1 - HEADROOM_SHARE))}% headroom)`
      : '';
  return `set ${field} to ${fits} or more${headroom}`;
}

/**
 * The least cores or memory (in 512 MiB steps) at which the node's requests stay within `share` of its
 * allocatable. Rook's tier may grow with the node, so every candidate is placed again.
 */
function smallestFit(
  sizing: ClusterSizing,
  role: NodeRole,
  resource: Resource,
  share: number,
): number | undefined {
  const group = GROUP[role];
  const current = sizing[group][FIELD[resource]];
  const candidates =
    resource === 'cpu'
      ? range(current + 1, MAX_CORES, 1)
      : range(
          Math.ceil((current + 1) / MEMORY_STEP_MIB) * MEMORY_STEP_MIB,
          MAX_SUGGESTED_MIB,
          MEMORY_STEP_MIB,
        );
  return candidates.find((value) => {
    const grown = { ...sizing, [group]: { ...sizing[group], [FIELD[resource]]: value } };
    const load = clusterNodeLoads(grown).find((candidate) => candidate.role === role)!;
    return amount(load.requested, resource) <= amount(load.allocatable, resource) * share;
  });
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: Math.max(0, Math.floor((to - from) / step) + 1) }, (_, i) => from + i * step);
}

function amount(resources: Resources, resource: Resource): number {
  return resource === 'cpu' ? resources.cpuMilli : resources.memoryMiB;
}

function format(value: number, resource: Resource): string {
  return resource === 'cpu' ? `${value}m` : `${value}Mi`;
}

function article(role: NodeRole): string {
  return role === 'worker' ? 'a worker' : 'a control plane';
}

/** `clusters[0].workers.cores`, as twin.yaml issues name fields. */
function pathText(path: (string | number)[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

const BREAKDOWN_ENTRIES = 6;

/** The pods that make up the sum, largest first: `Rook osd 500m, CoreDNS 2×100m, ..., 7 more 90m`. */
function breakdown(load: NodeLoad, resource: Resource): string {
  const total = (pods: PlacedPods) => amount(pods.each, resource) * pods.count;
  const sorted = load.pods.filter((pods) => total(pods) > 0).sort((a, b) => total(b) - total(a));
  const rest = sorted.slice(BREAKDOWN_ENTRIES);
  const more =
    rest.length > 0
      ? [
          `${rest.length} more ${format(
            rest.map(total).reduce((a, b) => a + b, 0),
            resource,
          )}`,
        ]
      : [];
  return [...sorted.slice(0, BREAKDOWN_ENTRIES).map((pods) => describePods(pods, resource)), ...more].join(
    ', ',
  );
}

function describePods(pods: PlacedPods, resource: Resource): string {
  return `${pods.what} ${pods.count > 1 ? `${pods.count}×` : ''}${format(amount(pods.each, resource), resource)}`;
}
