import type { TalosNode } from '../talos/nodes.js';
import type { KubeClusters } from './clusters.js';
import { EvictionApi } from './disruption.js';
import type { PodView } from './pods.js';

/**
 * The drain Talos runs at the start of an upgrade (LIFECYCLE F.1, TALOS `pkg/kubernetes/kubernetes.go`
 * `Drain`): the cordon controller cordons the node; every pod there except mirror, unmanaged and DaemonSet
 * pods is evicted in parallel; an eviction answered 429 (a PodDisruptionBudget) is retried every 5 s; an
 * evicted pod is waited for until it is gone; the whole drain gives up after DrainTimeout (5 min) and the
 * upgrade goes on (StopAllPods then kills what is left). The evictions are recorded on the cluster at the
 * lab times they happen, so the cluster's history replays them.
 */

/** TALOS `DrainTimeout`. */
export const TALOS_DRAIN_TIMEOUT_SECONDS = 300;
/** The retry after a 429 (TALOS `evictPod`). */
const EVICT_RETRY_SECONDS = 5;

const key = (pod: PodView) => `${pod.namespace}/${pod.name}`;

/** Profile seconds the Talos drain of `node` takes when it starts at `at` (lab time, as TalosNode times). */
export function talosDrainSeconds(kube: KubeClusters, node: TalosNode, at: number): number {
  const clusterId = node.clusterId;
  if (!clusterId || !kube.nodes(clusterId, at).some((candidate) => candidate.name === node.hostname))
    return 0;
  kube.talosCordon(clusterId, node.hostname, at);
  const ms = (seconds: number) => kube.talos.ms(seconds);
  const cap = at + ms(TALOS_DRAIN_TIMEOUT_SECONDS);
  let pending = new EvictionApi(kube, clusterId, at).pods.filter(
    (pod) => pod.nodeName === node.hostname && pod.phase !== 'Terminating' && pod.owner.kind !== 'DaemonSet',
  );
  let ends = at;
  for (let t = at; pending.length > 0 && t < cap; t += ms(EVICT_RETRY_SECONDS)) {
    const api = new EvictionApi(kube, clusterId, t);
    pending = pending.filter((pod) => {
      const current = api.pods.find((candidate) => key(candidate) === key(pod));
      if (!current) return false; // 404: gone already
      const answer = api.evict(current);
      if (!answer.ok) return answer.code === 429; // anything else is logged and given up
      kube.evict(clusterId, pod.namespace, pod.name, t);
      ends = Math.max(ends, t + ms(kube.talos.seconds.podTerminate));
      return false;
    });
  }
  return (Math.min(pending.length > 0 ? cap : ends, cap) - at) / ms(1);
}
