import { ConfigurationError } from '../errors.js';
import type { ResolvedTwin } from './environment.js';
import type { NodeGroupSpec } from './schema.js';

/**
 * Quotas per preview (environments.preview.quota): what one preview twin may take, summed over its VMs as
 * the spec (with the preview's overlays) asks for them. Checked at admission, before any change.
 */

export interface Footprint {
  vms: number;
  cores: number;
  memoryMiB: number;
  diskGiB: number;
}

const UNITS: Record<keyof Footprint, string> = {
  vms: 'VMs',
  cores: 'cores',
  memoryMiB: 'MiB',
  diskGiB: 'GiB',
};

function groupFootprint(group: NodeGroupSpec): Footprint {
  const disk = group.diskGiB + group.extraDisks.reduce((sum, extra) => sum + extra.sizeGiB, 0);
  return {
    vms: group.count,
    cores: group.count * group.cores,
    memoryMiB: group.count * group.memoryMiB,
    diskGiB: group.count * disk,
  };
}

/** Every VM of the twin: control planes and workers of every cluster, system and extra disks. */
export function twinFootprint(twin: ResolvedTwin): Footprint {
  const total: Footprint = { vms: 0, cores: 0, memoryMiB: 0, diskGiB: 0 };
  for (const group of twin.clusters.flatMap((cluster) => [cluster.controlPlanes, cluster.workers])) {
    const part = groupFootprint(group);
    for (const key of Object.keys(total) as (keyof Footprint)[]) total[key] += part[key];
  }
  return total;
}

/** One line per limit the twin exceeds: the quota field, what the twin asks and the limit. */
export function quotaExcesses(twin: ResolvedTwin): string[] {
  const quota = twin.environment === 'preview' ? twin.spec.environments.preview.quota : undefined;
  if (!quota) return [];
  const asked = twinFootprint(twin);
  return (Object.keys(UNITS) as (keyof Footprint)[]).flatMap((key) => {
    const limit = quota[key];
    return limit !== undefined && asked[key] > limit
      ? [
          `environments.preview.quota.${key}: the twin asks ${asked[key]} ${UNITS[key]}, the quota is ${limit}`,
        ]
      : [];
  });
}

/** Admission: a preview over its quota is refused whole, before any request that changes anything. */
export function refuseOverQuota(twin: ResolvedTwin): void {
  const excesses = quotaExcesses(twin);
  if (excesses.length === 0) return;
  throw new ConfigurationError(
    `twin ${twin.twin} asks more than a preview may take, so nothing was changed:\n  ${excesses.join('\n  ')}\n` +
      'make the preview smaller (environments.preview.clusters.<name>: count, cores, memoryMiB, diskGiB, ' +
      'extraDisks) or raise environments.preview.quota in the production branch',
  );
}
