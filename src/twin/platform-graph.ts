import type { SpecFolder } from '../spec/files.js';
import type { ClusterWorkContext } from './context.js';
import { day2Steps } from './day2.js';
import { meshSteps } from './mesh.js';
import type { PlatformSteps } from './platform-steps.js';

/**
 * The mesh (for two or more clusters) and day 2 as one part of a graph: each cluster's storage and demo
 * start beside its mesh, and the demo's cross-cluster checks wait until every cluster sees the others.
 */
export function twinPlatform(ctx: ClusterWorkContext, folder: SpecFolder): PlatformSteps {
  return (clusters, gates) => {
    const mesh = clusters.length > 1 ? meshSteps(ctx, clusters, gates) : undefined;
    const meshed = mesh ? clusters.map((cluster) => `mesh-connected:${cluster.name}`) : [];
    const day2 = day2Steps(ctx, clusters, folder, { ...gates, meshed });
    return {
      steps: [...(mesh?.steps ?? []), ...day2.steps],
      report: () => {
        const joined = mesh?.report();
        const storage = day2.report();
        return {
          ...storage,
          mesh: joined?.mesh ?? [],
          checks: [...(joined?.checks ?? []), ...storage.checks],
        };
      },
    };
  };
}
