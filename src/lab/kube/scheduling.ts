import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeNode } from './clusters.js';
import { downAt, within } from './node-state.js';
import type { Resources } from './node-resources.js';
import { insufficient } from './node-resources.js';

/**
 * What kube-scheduler decides about a pod: the Nodes' labels and NoSchedule taints (as their Node objects
 * show them), the pod's tolerations, nodeSelector and required node affinity, and the scheduler's
 * `0/N nodes are available: ...` message when no node fits.
 */

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'NoExecute' | 'PreferNoSchedule';
}

const CONTROL_PLANE_ROLE = 'node-role.kubernetes.io/control-plane';
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** The Node's labels: the kubelet's well-known ones, Talos' control-plane role, then `machine.nodeLabels`. */
export function nodeLabels(node: KubeNode): Record<string, string> {
  const configured = get(node.talos.config, 'machine.nodeLabels');
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...(node.talos.role === 'controlplane' ? { [CONTROL_PLANE_ROLE]: '' } : {}),
    ...(isMap(configured) ? (configured as Record<string, string>) : {}),
  };
}

/**
 * The taints the Node carries at `at`: Talos' control-plane taint, and the node lifecycle controller's
 * (not-ready before the CNI runs; unreachable while the kubelet is down, LIFECYCLE G.4; unschedulable
 * while cordoned).
 */
export function nodeTaints(node: KubeNode, at: number): Taint[] {
  const controlPlane =
    node.talos.role === 'controlplane' &&
    get(node.talos.config, 'cluster.allowSchedulingOnControlPlanes') !== true;
  const down = downAt(node, at);
  return [
    ...(controlPlane ? [{ key: CONTROL_PLANE_ROLE, effect: 'NoSchedule' as const }] : []),
    ...(at < node.readyAt ? [{ key: NOT_READY, effect: 'NoSchedule' as const }] : []),
    ...(down
      ? [
          { key: UNREACHABLE, effect: 'NoSchedule' as const },
          { key: UNREACHABLE, effect: 'NoExecute' as const },
        ]
      : []),
    ...(within(node.cordons, at) ? [{ key: UNSCHEDULABLE, effect: 'NoSchedule' as const }] : []),
  ];
}

/** A toleration matches a taint as the scheduler's TaintToleration plugin decides it. */
function tolerates(toleration: Doc, taint: Taint): boolean {
  const effect = typeof toleration.effect === 'string' ? toleration.effect : '';
  if (effect !== '' && effect !== taint.effect) return false;
  const key = typeof toleration.key === 'string' ? toleration.key : '';
  if (toleration.operator === 'Exists') return key === '' || key === taint.key;
  return key === taint.key && String(toleration.value ?? '') === (taint.value ?? '');
}

function tolerationsOf(podSpec: Doc): Doc[] {
  return Array.isArray(podSpec.tolerations) ? podSpec.tolerations.filter(isMap) : [];
}

/** The tolerations the DaemonSet controller adds to its pods (cordoned nodes keep their daemons). */
export function withDaemonTolerations(podSpec: Doc): Doc {
  const added = [
    { key: NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  return { ...podSpec, tolerations: [...tolerationsOf(podSpec), ...added] };
}

/** Required node affinity: any term whose every expression holds. */
function affinityMatches(podSpec: Doc, labels: Record<string, string>): boolean {
  const terms = get(
    podSpec,
    'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
  );
  if (!Array.isArray(terms) || terms.length === 0) return true;
  return terms.filter(isMap).some((term) => {
    const expressions = Array.isArray(term.matchExpressions) ? term.matchExpressions.filter(isMap) : [];
    return expressions.every((expression) => {
      const key = String(expression.key);
      const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
      switch (expression.operator) {
        case 'In':
          return labels[key] !== undefined && values.includes(labels[key]);
        case 'NotIn':
          return labels[key] === undefined || !values.includes(labels[key]);
        case 'Exists':
          return labels[key] !== undefined;
        case 'DoesNotExist':
          return labels[key] === undefined;
        default:
          return false;
      }
    });
  });
}

/** What the node holds when the scheduler looks at it: its allocatable and the pods bound there. */
export interface NodeRoom {
  allocatable: Resources;
  used: Resources;
  /** The labels of the pods bound there (for required pod anti-affinity). */
  podLabels: Record<string, string>[];
}

/** What the scheduler knows about the pod beyond its spec: its requests and a DaemonSet pod's node. */
export interface PodAsk {
  requests: Resources;
  boundNode?: string;
}

/** Why the node does not fit the pod at `at` (the first filter plugin that fails), or undefined when it fits. */
export function misfit(node: KubeNode, podSpec: Doc, at: number, boundNode?: string): string | undefined {
  const taints = nodeTaints(node, at).filter((taint) => taint.effect === 'NoSchedule');
  const tolerations = tolerationsOf(podSpec);
  const untolerated = (taint: Taint) => !tolerations.some((toleration) => tolerates(toleration, taint));
  if (taints.some((taint) => taint.key === UNSCHEDULABLE && untolerated(taint)))
    return 'node(s) were unschedulable';
  const taint = taints.find(untolerated);
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  const labels = nodeLabels(node);
  const selector = isMap(podSpec.nodeSelector) ? podSpec.nodeSelector : {};
  const selected = Object.entries(selector).every(([key, value]) => labels[key] === String(value));
  // A DaemonSet pod carries node affinity to its own node (matchFields metadata.name).
  const bound = boundNode === undefined || boundNode === node.name;
  if (!selected || !bound || !affinityMatches(podSpec, labels))
    return "node(s) didn't match Pod's node affinity/selector";
  return undefined;
}

/**
 * Every reason the node rejects the pod, in the scheduler's filter order (the first failing plugin decides):
 * taints and selectors (preemption cannot help), then NodeResourcesFit, then required pod anti-affinity.
 */
export function rejection(
  node: KubeNode,
  podSpec: Doc,
  at: number,
  ask: PodAsk,
  room: NodeRoom,
): { reasons: string[]; preemptionHelps: boolean } | undefined {
  const fixed = misfit(node, podSpec, at, ask.boundNode);
  if (fixed) return { reasons: [fixed], preemptionHelps: false };
  const short = insufficient(room.allocatable, room.used, ask.requests);
  if (short.length > 0) return { reasons: short, preemptionHelps: true };
  if (antiAffinityConflict(podSpec, room.podLabels))
    return { reasons: ["node(s) didn't match pod anti-affinity rules"], preemptionHelps: true };
  return undefined;
}

/** Required pod anti-affinity on the hostname: a pod matching a term's selector already runs there. */
function antiAffinityConflict(podSpec: Doc, present: Record<string, string>[]): boolean {
  const terms = get(podSpec, 'affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution');
  return (Array.isArray(terms) ? terms.filter(isMap) : []).some((term) => {
    const wanted = get(term, 'labelSelector.matchLabels');
    if (!isMap(wanted) || term.topologyKey !== 'kubernetes.io/hostname') return false;
    return present.some((labels) =>
      Object.entries(wanted).every(([key, value]) => labels[key] === String(value)),
    );
  });
}

/** Nodes registered at `at` on which the pod fits then (taints, selectors; not resources). */
export function fittingNodes(nodes: KubeNode[], podSpec: Doc, at: number): KubeNode[] {
  return nodes.filter((node) => node.registeredAt <= at && misfit(node, podSpec, at) === undefined);
}

/** How the scheduler prints reasons: a histogram `"<count> <reason>"`, sorted as strings, joined (G.1). */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts]
    .map(([reason, count]) => `${count} ${reason}`)
    .sort()
    .join(', ');
}

/**
 * kube-scheduler's FailedScheduling message for a pod no node takes at `at` (G.1, FitError.Error()).
 * Without rooms (no resource view), nodes are judged by taints and selectors alone.
 */
export function unschedulableMessage(
  nodes: KubeNode[],
  podSpec: Doc,
  at: number,
  missingClaim?: string,
  ask?: PodAsk,
  rooms?: Map<string, NodeRoom>,
): string {
  const present = nodes.filter((node) => node.registeredAt <= at);
  const total = present.length;
  const notHelpful = `preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
  if (missingClaim !== undefined)
    return `0/${total} nodes are available: persistentvolumeclaim "${missingClaim}" not found. ${notHelpful}`;
  if (total === 0) return 'no nodes available to schedule pods';
  const verdicts = present.flatMap((node) => {
    const room = rooms?.get(node.name);
    if (ask && room)
      return [rejection(node, podSpec, at, ask, room)].filter((verdict) => verdict !== undefined);
    const reason = misfit(node, podSpec, at);
    return reason ? [{ reasons: [reason], preemptionHelps: false }] : [];
  });
  const filters = histogram(verdicts.flatMap((verdict) => verdict.reasons));
  const preemption = histogram(
    verdicts.map((verdict) =>
      verdict.preemptionHelps
        ? 'No preemption victims found for incoming pod'
        : 'Preemption is not helpful for scheduling',
    ),
  );
  return `0/${total} nodes are available: ${filters}. preemption: 0/${total} nodes are available: ${preemption}.`;
}
