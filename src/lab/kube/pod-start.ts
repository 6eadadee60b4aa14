import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeNode } from './clusters.js';
import { resolveImage } from './images.js';
import { byKind } from './kinds.js';
import type { Cluster, PodTimes, Workload } from './pod-plans.js';
import { ms } from './pod-plans.js';

/** What the kubelet does with a pod bound to its node: mount its volumes, pull its images, start it. */

/** The kubelet's steps once the scheduler bound the pod to `node` at `at`: volumes, image pulls, start. */
export function startTimes(
  cluster: Cluster,
  workload: Workload,
  podSpec: Doc,
  node: KubeNode,
  at: number,
): PodTimes {
  const volumes = volumeReadiness(cluster, workload.namespace, podSpec);
  const sandboxAt = Math.max(at, volumes.at);
  const pulledAt = Math.max(
    sandboxAt + ms(cluster, cluster.kube.talos.seconds.imagePull),
    slowReleasePulledAt(cluster, workload),
  );
  const pullFailure = imagesOf(podSpec)
    .map((image) => ({ image, pull: resolveImage(image) }))
    .map(({ image, pull }) => (pull.ok ? undefined : { image, reason: pull.reason, message: pull.message }))
    .find((failure) => failure !== undefined);
  return {
    node,
    scheduledAt: at,
    sandboxAt,
    pulledAt,
    readyAt: pullFailure ? Infinity : pulledAt + ms(cluster, cluster.kube.talos.seconds.podStart),
    ...(volumes.problem ? { volumeProblem: volumes.problem } : {}),
    ...(pullFailure ? { pullFailure } : {}),
  };
}

/** A workload of a helm release whose images pull slowly (an injected fault) has them no earlier than this. */
function slowReleasePulledAt(cluster: Cluster, workload: Workload): number {
  const annotations = get(workload.stored.object, 'metadata.annotations');
  const name = isMap(annotations) ? annotations['meta.helm.sh/release-name'] : undefined;
  const namespace = isMap(annotations) ? annotations['meta.helm.sh/release-namespace'] : undefined;
  if (typeof name !== 'string' || typeof namespace !== 'string') return -Infinity;
  const release = cluster.kube.release(cluster.clusterId, namespace, name);
  if (!release?.imagePullDelaySeconds) return -Infinity;
  return cluster.kube.imagesPulledAt(release) + ms(cluster, cluster.kube.talos.seconds.imagePull);
}

export function claimsOf(podSpec: Doc): string[] {
  return volumesOf(podSpec)
    .map((volume) => get(volume, 'persistentVolumeClaim.claimName'))
    .filter((claim): claim is string => typeof claim === 'string');
}

function volumesOf(podSpec: Doc): Doc[] {
  return Array.isArray(podSpec.volumes) ? podSpec.volumes.filter(isMap) : [];
}

function imagesOf(podSpec: Doc): string[] {
  const containers = [podSpec.initContainers, podSpec.containers].flatMap((list) =>
    Array.isArray(list) ? list.filter(isMap) : [],
  );
  return containers.map((container) => String(container.image));
}

/** When the kubelet can mount every ConfigMap and Secret volume: once they exist (a missing one blocks). */
function volumeReadiness(
  cluster: Cluster,
  namespace: string,
  podSpec: Doc,
): { at: number; problem?: string } {
  let at = -Infinity;
  for (const volume of volumesOf(podSpec)) {
    for (const source of volumeSources(volume)) {
      const stored = cluster.store.get(byKind(source.kind), namespace, source.name);
      if (stored) at = Math.max(at, stored.createdAt);
      else if (!source.optional) {
        const what = source.kind === 'ConfigMap' ? 'configmap' : 'secret';
        return {
          at: Infinity,
          problem: `MountVolume.SetUp failed for volume "${String(volume.name)}" : ${what} "${source.name}" not found`,
        };
      }
    }
  }
  return { at };
}

function volumeSources(volume: Doc): { kind: 'ConfigMap' | 'Secret'; name: string; optional: boolean }[] {
  const projected = get(volume, 'projected.sources');
  const sources = [volume, ...(Array.isArray(projected) ? projected.filter(isMap) : [])];
  return sources.flatMap((source) => {
    const configMap = isMap(source.configMap) ? source.configMap : undefined;
    const secret = isMap(source.secret) ? source.secret : undefined;
    return [
      ...(configMap
        ? [
            {
              kind: 'ConfigMap' as const,
              name: String(configMap.name),
              optional: configMap.optional === true,
            },
          ]
        : []),
      ...(secret
        ? [
            {
              kind: 'Secret' as const,
              name: String(secret.secretName ?? secret.name),
              optional: secret.optional === true,
            },
          ]
        : []),
    ];
  });
}
