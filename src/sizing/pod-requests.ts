import type { KubeObject } from '../kube/objects.js';
import { cpuMilli, memoryMiB } from '../util/quantity.js';
import type { Resources } from './allocatable.js';

/** What a pod counts against a node's allocatable, read from the objects and values the twin renders. */

export const NO_REQUESTS: Resources = { cpuMilli: 0, memoryMiB: 0 };

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryMiB: a.memoryMiB + b.memoryMiB };
}

export function scaleResources(each: Resources, count: number): Resources {
  return { cpuMilli: each.cpuMilli * count, memoryMiB: each.memoryMiB * count };
}

/** A container's `resources.requests`; a missing request counts as 0 for the fit check (LIFECYCLE G.1). */
export function containerRequests(resources: unknown): Resources {
  const requests = (
    resources as { requests?: { cpu?: string | number; memory?: string | number } } | undefined
  )?.requests;
  return {
    cpuMilli: requests?.cpu === undefined ? 0 : cpuMilli(requests.cpu),
    memoryMiB: requests?.memory === undefined ? 0 : memoryMiB(requests.memory),
  };
}

interface PodSpec {
  containers?: { resources?: unknown }[];
  initContainers?: { resources?: unknown }[];
}

/** Effective request = max(sum of the app containers, the largest init container), per resource (G.1). */
export function podRequests(spec: PodSpec): Resources {
  const app = (spec.containers ?? [])
    .map((c) => containerRequests(c.resources))
    .reduce(addResources, NO_REQUESTS);
  const init = (spec.initContainers ?? []).map((c) => containerRequests(c.resources));
  return {
    cpuMilli: Math.max(app.cpuMilli, ...init.map((r) => r.cpuMilli)),
    memoryMiB: Math.max(app.memoryMiB, ...init.map((r) => r.memoryMiB)),
  };
}

export interface WorkloadPods {
  name: string;
  replicas: number;
  each: Resources;
}

/** The Deployments among `objects`, each with its replicas and its pods' effective request. */
export function deploymentPods(objects: KubeObject[]): WorkloadPods[] {
  return objects
    .filter((object) => object.kind === 'Deployment')
    .map((object) => {
      const spec = object.spec as { replicas?: number; template?: { spec?: PodSpec } };
      return {
        name: object.metadata.name,
        replicas: spec.replicas ?? 1,
        each: podRequests(spec.template?.spec ?? {}),
      };
    });
}
