import {
  curlClientDeployment,
  globalService,
  messageConfigMap,
  nginxDeployment,
  requireClusterLabel,
  workloadNamespace,
} from '../addons/workloads.js';
import { ConfigurationError } from '../errors.js';
import type { KubeObject } from '../kube/objects.js';

/**
 * The built-in cross-cluster check, in the spirit of Cilium's multi-cluster connectivity test: every
 * cluster has a global Service echo-<C> for each cluster C, but only cluster C runs its backend. A reply
 * from echo-<C> in any other cluster can only have come through the mesh.
 */

export const MESH_CHECK_NAMESPACE = 'twin-mesh-check';
/** The client Deployment (and its container) the check execs curl in. */
export const MESH_PROBE_NAME = 'mesh-probe';
const ECHO_APP = 'mesh-echo';

export function echoServiceName(cluster: string): string {
  requireClusterLabel(cluster);
  return `echo-${cluster}`;
}

/** The echo body; one JSON object per line, which countReplies (addons/starwars.ts) reads. */
export function echoMessage(cluster: string): string {
  return `${JSON.stringify({ cluster })}\n`;
}

/** What to apply in cluster `local` of a twin whose clusters are `all`: namespace, ConfigMaps, Deployments, Services. */
export function meshCheckManifests(local: string, all: string[]): KubeObject[] {
  requireMeshClusters(local, all);
  const ns = MESH_CHECK_NAMESPACE;
  const echo = echoServiceName(local);
  return [
    workloadNamespace(ns),
    messageConfigMap(echo, ns, echoMessage(local)),
    nginxDeployment({ name: echo, namespace: ns, labels: echoLabels(local), replicas: 1, configMap: echo }),
    curlClientDeployment({
      name: MESH_PROBE_NAME,
      namespace: ns,
      labels: { app: MESH_PROBE_NAME },
      replicas: 1,
      container: 'probe',
    }),
    ...all.map((cluster) => globalService(echoServiceName(cluster), ns, echoLabels(cluster))),
  ];
}

function echoLabels(cluster: string): Record<string, string> {
  return { app: ECHO_APP, cluster };
}

function requireMeshClusters(local: string, all: string[]): void {
  all.forEach(requireClusterLabel);
  const duplicate = all.find((cluster, index) => all.indexOf(cluster) !== index);
  if (duplicate !== undefined) {
    throw new ConfigurationError(
      `cluster ${duplicate} is listed twice for the mesh check: give each cluster its own name in twin.yaml (clusters[].name)`,
    );
  }
  if (!all.includes(local)) {
    throw new ConfigurationError(
      `cluster ${local} is not one of the twin's clusters (${all.join(', ')}): pass a cluster declared in twin.yaml`,
    );
  }
}
