import type { ClusterOverlay, ClusterSpec, EnvironmentName, EnvironmentSpec, TwinSpec } from './schema.js';
import { validateTwinName } from './identity.js';

/** One twin's view of the spec: the environment it belongs to, with that environment's overlays applied. */
export interface ResolvedTwin {
  twin: string;
  environment: EnvironmentName;
  pinnedSlot?: number;
  ttlHours?: number;
  spec: TwinSpec;
  clusters: ResolvedCluster[];
}

/** A cluster with its environment's controlPlanes/workers overlay applied and, if pinned, its VIP. */
export interface ResolvedCluster extends ClusterSpec {
  vip?: string;
}

export function environmentOf(twinName: string): EnvironmentName {
  return twinName === 'production' ? 'production' : 'preview';
}

export function resolveTwin(spec: TwinSpec, twinName: string): ResolvedTwin {
  const twin = validateTwinName(twinName);
  const environment = environmentOf(twin);
  const settings: EnvironmentSpec = spec.environments[environment];
  return {
    twin,
    environment,
    ...(settings.slot === undefined ? {} : { pinnedSlot: settings.slot }),
    ...(environment === 'preview' ? { ttlHours: spec.environments.preview.ttlHours } : {}),
    spec,
    clusters: spec.clusters.map((cluster) => applyOverlay(cluster, settings.clusters?.[cluster.name])),
  };
}

/** Overlay fields win one level deep; an overlay's extraDisks replaces the list rather than appending. */
export function applyOverlay(cluster: ClusterSpec, overlay: ClusterOverlay | undefined): ResolvedCluster {
  if (!overlay) return { ...cluster };
  return {
    ...cluster,
    controlPlanes: { ...cluster.controlPlanes, ...definedFields(overlay.controlPlanes) },
    workers: { ...cluster.workers, ...definedFields(overlay.workers) },
    ...(overlay.vip === undefined ? {} : { vip: overlay.vip }),
  };
}

function definedFields<T extends object>(partial: T | undefined): Partial<T> {
  if (!partial) return {};
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
