import type { KubeObject } from '../kube/objects.js';
import {
  curlClientDeployment,
  globalService,
  messageConfigMap,
  nginxDeployment,
  requireClusterLabel,
  workloadNamespace,
} from './workloads.js';

/**
 * Cilium's Cluster Mesh Star Wars demo (CONTRACTS E): the same global Service rebel-base in every cluster,
 * each cluster's rebel-base pods answering with that cluster's name, and an x-wing to curl from.
 */

export const STARWARS_NAMESPACE = 'starwars';
export const REBEL_BASE = 'rebel-base';
export const X_WING = 'x-wing';
/** The container of the x-wing Deployment the checks exec curl in. */
export const X_WING_CONTAINER = 'x-wing-container';
const REBEL_BASE_RESPONSE = 'rebel-base-response';
const DEMO_REPLICAS = 2;
/** Keeps a garbled reply from flooding a log or a check's evidence. */
const FAILURE_LINE_MAX = 200;

/** The demo's reply, with the twin's cluster name where the demo says Cluster-1 / Cluster-2. */
export function rebelBaseMessage(cluster: string): string {
  requireClusterLabel(cluster);
  return `{"Galaxy": "Alderaan", "Cluster": ${JSON.stringify(cluster)}}\n`;
}

/** What to apply in one cluster: Namespace, ConfigMap, Deployments, Service. */
export function starwarsManifests(cluster: string): KubeObject[] {
  const ns = STARWARS_NAMESPACE;
  return [
    workloadNamespace(ns),
    messageConfigMap(REBEL_BASE_RESPONSE, ns, rebelBaseMessage(cluster)),
    nginxDeployment({
      name: REBEL_BASE,
      namespace: ns,
      labels: { name: REBEL_BASE },
      replicas: DEMO_REPLICAS,
      configMap: REBEL_BASE_RESPONSE,
    }),
    curlClientDeployment({
      name: X_WING,
      namespace: ns,
      labels: { name: X_WING },
      replicas: DEMO_REPLICAS,
      container: X_WING_CONTAINER,
    }),
    globalService(REBEL_BASE, ns, { name: REBEL_BASE }),
  ];
}

export interface ReplyCount {
  /** Replies that named a cluster. */
  answered: number;
  byCluster: Record<string, number>;
  /** curl's errors and anything that was not a reply, one entry per line. */
  failures: string[];
}

const JSON_OBJECT = /\{[^{}]*\}/g;

/**
 * Replies of one curl batch counted by the cluster that answered: the demo's `"Cluster"` and the mesh
 * check's `"cluster"` alike. Replies are found as JSON objects, so a reply without its newline does not
 * swallow the next one.
 */
export function countReplies(stdout: string, stderr: string): ReplyCount {
  const byCluster: Record<string, number> = {};
  const failures: string[] = [];
  let answered = 0;
  for (const candidate of stdout.match(JSON_OBJECT) ?? []) {
    const cluster = replyCluster(candidate);
    if (cluster === undefined) {
      failures.push(`unexpected reply: ${clip(candidate)}`);
      continue;
    }
    byCluster[cluster] = (byCluster[cluster] ?? 0) + 1;
    answered += 1;
  }
  const leftover = stdout.replace(JSON_OBJECT, '\n');
  failures.push(...nonBlankLines(leftover).map((line) => `unexpected reply: ${clip(line)}`));
  failures.push(...nonBlankLines(stderr).map(clip));
  return { answered, byCluster, failures };
}

function replyCluster(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { Cluster, cluster } = parsed as { Cluster?: unknown; cluster?: unknown };
  const name = Cluster ?? cluster;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function nonBlankLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function clip(line: string): string {
  return line.length > FAILURE_LINE_MAX ? `${line.slice(0, FAILURE_LINE_MAX)}…` : line;
}
