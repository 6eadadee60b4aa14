import { sleep } from '../clock.js';
import type { ChartRelease } from '../kube/charts.js';
import type { KindInfo } from '../kube/kinds.js';
import { byKind } from '../kube/kinds.js';
import type { StoredObject } from '../kube/objects.js';
import { podsOf, workloadStatus } from '../kube/workloads.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';
import { objectNamespace } from './helm-manifest.js';
import type { ToolCall } from './runtime.js';

/** `--wait`: helm's ready checker (pkg/kube/ready.go) over a release's workloads, on lab time. */

/** How often helm's waiter looks at the resources. */
const WAIT_POLL_SECONDS = 2;
const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);
/** The cilium chart's `updateStrategy.rollingUpdate.maxUnavailable`. */
const CILIUM_AGENT_MAX_UNAVAILABLE = 2;

/** helm's ready checker over the release's workloads, polled until ready or the deadline (lab time). */
export async function waitReady(
  call: ToolCall,
  clusterId: string,
  rendered: { manifest: Doc[]; release: ChartRelease; modelsCilium: boolean },
  waitMs: number,
): Promise<boolean> {
  const { manifest, release } = rendered;
  const store = call.kube.objects(clusterId);
  const deadline = call.now() + waitMs;
  const workloads = manifest.filter((doc) => WORKLOAD_KINDS.has(String(doc.kind)));
  for (;;) {
    const now = call.now();
    const ready =
      (!rendered.modelsCilium || ciliumReady(call, clusterId, now)) &&
      workloads.every((doc) => {
        const info = byKind(String(doc.kind));
        const stored = store.get(
          info,
          objectNamespace(info, doc, release),
          String(get(doc, 'metadata.name')),
        );
        return (
          stored !== undefined &&
          workloadReady(info, stored, workloadStatus(call.kube, clusterId, info, stored, now))
        );
      });
    if (ready) return true;
    if (now >= deadline) return false;
    await sleep(Math.min(call.talos.ms(WAIT_POLL_SECONDS), deadline - now));
  }
}

/**
 * The cilium chart's agent DaemonSet and operator Deployment, which the lab models apart from the objects it
 * stores, by the same rules as other workloads (the chart's DaemonSet allows 2 unavailable).
 */
export function ciliumReady(call: ToolCall, clusterId: string, now: number): boolean {
  const agents = call.kube.ciliumDaemonSet(clusterId, now);
  const operator = call.kube.ciliumOperator(clusterId, now);
  if (!agents || !operator) return false;
  return (
    (agents.updated ?? agents.desired) >= agents.desired &&
    (operator.updated ?? operator.desired) >= operator.desired &&
    agents.ready >= agents.desired - CILIUM_AGENT_MAX_UNAVAILABLE &&
    operator.ready >= operator.desired - Math.floor(operator.desired / 4)
  );
}

/** pkg/kube/ready.go: Deployments and StatefulSets need their replicas ready, DaemonSets their pods updated and ready. */
export function workloadReady(info: KindInfo, stored: StoredObject, status: Doc): boolean {
  const count = (key: string) => Number(status[key] ?? 0);
  const replicas = Number(get(stored.object, 'spec.replicas') ?? 1);
  if (info.kind === 'DaemonSet') {
    const desired = count('desiredNumberScheduled');
    const maxUnavailable = Number(
      get(stored.object, 'spec.updateStrategy.rollingUpdate.maxUnavailable') ?? 1,
    );
    return count('updatedNumberScheduled') === desired && count('numberReady') >= desired - maxUnavailable;
  }
  if (info.kind === 'Deployment') {
    // maxUnavailable defaults to 25% of the replicas, rounded down.
    return count('readyReplicas') >= replicas - Math.floor(replicas / 4);
  }
  return count('readyReplicas') >= replicas;
}
/**
 * Notes the images the cluster's running pods have pulled onto their nodes: containerd keeps them after
 * the pods go, which is what Cilium's preflight is for (LIFECYCLE I.1). helm notes them whenever it
 * changes or removes a release, so a preflight deleted before the agents' upgrade still counts.
 */
export function notePulledImages(call: ToolCall, clusterId: string): void {
  const now = call.now();
  const pulls = podsOf(call.kube, clusterId, now).flatMap((pod) =>
    pod.nodeName !== undefined && pod.startedAt !== undefined && pod.startedAt <= now
      ? pod.containers.map((container) => ({
          node: pod.nodeName!,
          image: container.image,
          at: pod.startedAt!,
        }))
      : [],
  );
  call.kube.notePulledImages(clusterId, pulls);
}
