import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';
import type { ReleaseRevision } from './clusters.js';

/**
 * How the Cilium agents (DaemonSet `cilium`) and operator (Deployment `cilium-operator`) follow the
 * revisions of the cilium release (LIFECYCLE I.2). A revision whose pod template differs from the one
 * before starts a rolling update at its deploy time: the agents are replaced node by node (by name),
 * `updateStrategy.rollingUpdate.maxUnavailable` (2) at once, each new agent ready after its image pull
 * and start (`ciliumAgentStart`, less `ciliumImagePull` on a node where the image was already pulled,
 * e.g. by the preflight, I.1); the operator's replicas are replaced `maxUnavailable` (50%) at a time.
 * A revision that changes no template rolls nothing. A first install, or a revision after one whose agents
 * could not run, starts every pod at once, as the DaemonSet controller replaces unavailable pods freely.
 */

export interface RolloutTiming {
  ms(seconds: number): number;
  seconds: { ciliumAgentStart: number; ciliumImagePull: number; ciliumOperatorStart: number };
}

/** A revision with its values over its chart version's defaults. */
export interface CiliumRevision {
  revision: ReleaseRevision;
  values: Doc;
  /** Whether its agents can run on this cluster (no agentFailure). */
  healthy: boolean;
}

/** One generation of a pod template: the revisions that share it, from the first. */
interface Generation {
  index: number;
  first: CiliumRevision;
  chartVersion: string;
  image: string;
}

export interface PodState {
  /** The node (agents) or replica index (operator) the pod stands for. */
  slot: string;
  ready: boolean;
  /** Created from the current template (`updatedNumberScheduled`, `updatedReplicas`). */
  updated: boolean;
  /** The chart version whose template made the pod (its image tag). */
  chartVersion: string;
  image: string;
  /** The template generation that made it (0 for the first); a new pod gets a new name. */
  generation: number;
  createdAt: number;
}

function imageOf(values: Doc, path: string, repository: string): string {
  const tag = get(values, `${path}.tag`);
  return `${String(get(values, `${path}.repository`) ?? repository)}:${String(tag)}`;
}

/** What changes the agent pod template: the chart version and the values the lab renders into it. */
function agentTemplate(entry: CiliumRevision): string {
  const keys = [
    'image',
    'resources',
    'cni.resources',
    'securityContext',
    'cgroup',
    'k8sServiceHost',
    'k8sServicePort',
  ];
  return JSON.stringify([entry.revision.chartVersion, ...keys.map((key) => get(entry.values, key) ?? null)]);
}

function operatorTemplate(entry: CiliumRevision): string {
  const keys = ['operator.image', 'operator.resources', 'k8sServiceHost', 'k8sServicePort'];
  return JSON.stringify([entry.revision.chartVersion, ...keys.map((key) => get(entry.values, key) ?? null)]);
}

function generationsOf(
  revisions: CiliumRevision[],
  template: (entry: CiliumRevision) => string,
  image: (values: Doc) => string,
): Generation[] {
  const generations: Generation[] = [];
  let last: string | undefined;
  for (const entry of revisions) {
    const key = template(entry);
    if (key === last) continue;
    last = key;
    generations.push({
      index: generations.length,
      first: entry,
      chartVersion: entry.revision.chartVersion,
      image: image(entry.values),
    });
  }
  return generations;
}

/** The generation rolled from, when the current one replaces running pods; undefined for a fresh start. */
function rolledFrom(generations: Generation[]): Generation | undefined {
  const previous = generations[generations.length - 2];
  return previous?.first.healthy ? previous : undefined;
}

/** When a generation's images are there to start from: its deploy time, later for an injected slow pull. */
function pulledAt(generation: Generation, timing: RolloutTiming): number {
  const { revision } = generation.first;
  return revision.deployedAt + timing.ms(revision.imagePullDelaySeconds ?? 0);
}

/** `maxUnavailable` as an int or a percentage of `total`, rounded up, at least 1. */
export function maxUnavailable(value: unknown, total: number, roundUp: boolean): number {
  const percent = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  const scaled = percent ? (Number(percent[1]) / 100) * total : Number(value ?? 1);
  return Math.max(1, roundUp ? Math.ceil(scaled) : Math.floor(scaled));
}

export interface AgentInput {
  revisions: CiliumRevision[];
  nodes: { name: string; registeredAt: number }[];
  now: number;
  timing: RolloutTiming;
  /** When the node had pulled `image`, if it had. */
  pulledOn(node: string, image: string): number | undefined;
}

/**
 * When the agents of the run of runnable revisions that leads to the current one had their images: a node
 * has had a ready agent since then plus `ciliumAgentStart` (or its own registration plus that).
 */
export function agentsServingFrom(input: Pick<AgentInput, 'revisions' | 'timing'>): number {
  const generations = generationsOf(input.revisions, agentTemplate, (values) =>
    imageOf(values, 'image', 'quay.io/cilium/cilium'),
  );
  let first = generations[generations.length - 1];
  for (let at = generations.length - 2; at >= 0 && generations[at]!.first.healthy; at--)
    first = generations[at];
  return first ? pulledAt(first, input.timing) : Infinity;
}

/** When a node registered at `registeredAt` first had a ready agent (see agentsServingFrom). */
export function agentServingSince(servingFrom: number, registeredAt: number, timing: RolloutTiming): number {
  return Math.max(servingFrom, registeredAt) + timing.ms(timing.seconds.ciliumAgentStart);
}

/** The agent pod on each node now. */
export function agentPods(input: AgentInput): PodState[] {
  const { timing, now } = input;
  const generations = generationsOf(input.revisions, agentTemplate, (values) =>
    imageOf(values, 'image', 'quay.io/cilium/cilium'),
  );
  const current = generations[generations.length - 1];
  if (!current) return [];
  const previous = rolledFrom(generations);
  const start = pulledAt(current, timing);
  const agentMs = (node: string, at: number) => {
    const pulled = input.pulledOn(node, current.image);
    const saved = pulled !== undefined && pulled <= at ? timing.seconds.ciliumImagePull : 0;
    return timing.ms(timing.seconds.ciliumAgentStart - saved);
  };
  const fresh = (node: { name: string; registeredAt: number }): PodState => {
    const createdAt = Math.max(start, node.registeredAt);
    return pod(node.name, current, createdAt, now >= createdAt + agentMs(node.name, createdAt), true);
  };
  if (!previous) return input.nodes.map(fresh);
  const budget = maxUnavailable(
    get(current.first.values, 'updateStrategy.rollingUpdate.maxUnavailable') ?? 2,
    input.nodes.length,
    true,
  );
  const slots = Array.from({ length: budget }, () => current.first.revision.deployedAt);
  const servingFrom = agentsServingFrom(input);
  return [...input.nodes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node) => {
      if (node.registeredAt >= current.first.revision.deployedAt) return fresh(node);
      const slot = slots.indexOf(Math.min(...slots));
      const replacedAt = Math.max(slots[slot]!, start);
      const readyAt = replacedAt + agentMs(node.name, replacedAt);
      slots[slot] = readyAt;
      if (now < replacedAt) {
        const servedAt = agentServingSince(servingFrom, node.registeredAt, timing);
        return pod(
          node.name,
          previous,
          Math.max(pulledAt(previous, timing), node.registeredAt),
          now >= servedAt,
          false,
        );
      }
      return pod(node.name, current, replacedAt, now >= readyAt, true);
    });
}

function pod(
  slot: string,
  generation: Generation,
  createdAt: number,
  ready: boolean,
  updated: boolean,
): PodState {
  return {
    slot,
    ready,
    updated,
    chartVersion: generation.chartVersion,
    image: generation.image,
    generation: generation.index,
    createdAt,
  };
}

/** The operator's replicas now (`replicas` of them), replaced `maxUnavailable` (50%, rounded down) at a time. */
export function operatorPods(
  revisions: CiliumRevision[],
  replicas: number,
  now: number,
  timing: RolloutTiming,
): PodState[] {
  // The chart appends the cloud suffix to the repository: `-generic` without a cloud provider.
  const generations = generationsOf(revisions, operatorTemplate, (values) =>
    imageOf(values, 'operator.image', 'quay.io/cilium/operator').replace(/:([^:]*)$/, '-generic:$1'),
  );
  const current = generations[generations.length - 1];
  if (!current) return [];
  const startMs = timing.ms(timing.seconds.ciliumOperatorStart);
  const start = pulledAt(current, timing);
  const previous = rolledFrom(generations);
  const budget = maxUnavailable('50%', replicas, false);
  return Array.from({ length: replicas }, (_, index) => {
    if (!previous) return pod(String(index), current, start, now >= start + startMs, true);
    const replacedAt = start + Math.floor(index / budget) * startMs;
    if (now < replacedAt) {
      return pod(
        String(index),
        previous,
        pulledAt(previous, timing),
        now >= pulledAt(previous, timing) + startMs,
        false,
      );
    }
    return pod(String(index), current, replacedAt, now >= replacedAt + startMs, true);
  });
}
