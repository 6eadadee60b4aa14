import { createHash } from 'node:crypto';
import type { PodView } from '../kube/pods.js';
import type { Doc } from '../talos/yaml-docs.js';

/**
 * The Events the lab's pods give rise to, computed like the pods themselves. Today: kube-scheduler's
 * FailedScheduling warning for every pod no node takes (LIFECYCLE G.1: type Warning, reason
 * FailedScheduling, source default-scheduler, the FitError message).
 */

export interface EventRecord {
  name: string;
  namespace: string;
  object: Doc;
  createdAt: number;
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** kube-scheduler's FailedScheduling Events of the pods that are Pending without a node, by namespace and name. */
export function schedulingEvents(pods: PodView[], clusterId: string): EventRecord[] {
  return pods
    .filter((pod) => pod.nodeName === undefined && pod.phase === 'Pending' && pod.reason !== undefined)
    .map((pod) => failedScheduling(pod, clusterId));
}

function failedScheduling(pod: PodView, clusterId: string): EventRecord {
  // The event recorder names an event after its object and a hex timestamp.
  const name = `${pod.name}.${Math.floor(pod.createdAt * 1e6).toString(16)}`;
  const uid = createHash('sha256').update(`${clusterId}/event/${pod.namespace}/${name}`).digest('hex');
  const at = timestamp(pod.createdAt);
  const object: Doc = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: pod.namespace, uid: uid.slice(0, 32), creationTimestamp: at },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: pod.namespace },
    type: 'Warning',
    reason: 'FailedScheduling',
    message: pod.reason,
    source: { component: 'default-scheduler' },
    reportingComponent: 'default-scheduler',
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
  return { name, namespace: pod.namespace, object, createdAt: pod.createdAt };
}
