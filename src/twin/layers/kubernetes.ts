import { errorMessage } from '../../errors.js';
import { WaitTimeoutError, waitUntil } from '../../kube/readiness.js';
import {
  kubernetesMinor,
  kubernetesUpgradePath,
  oldestTalosFor,
  talosSupportsKubernetes,
  type UpgradePath,
} from '../../spec/releases.js';
import type { ClusterLayerDeps, LayerStep } from './steps.js';
import type { Change, LayerDiff, RefusedChange } from './types.js';

/**
 * The Kubernetes layer of one cluster: the API server's and every kubelet's version, against the spec's
 * Kubernetes version. The path is `talosctl upgrade-k8s`, one minor per run (LIFECYCLE F.2, G.3), each run
 * allowed only where every node's Talos (as the Talos layer leaves it) runs that version.
 */

export interface KubernetesLayerCluster {
  cluster: string;
  talosconfig: string;
  /** The control plane `upgrade-k8s` runs through (it takes exactly one node, F.2): its address. */
  controlPlane: string;
}

export interface KubernetesObservation {
  cluster: string;
  /** The API server's version without the v, e.g. 1.34.1. */
  apiServer?: string;
  /** Each registered node's kubelet version without the v. */
  kubelets: { node: string; version: string }[];
  unobserved?: string;
}

export interface KubernetesWanted {
  /** talos.kubernetesVersion, e.g. 1.36.3. */
  version: string;
  /** talos.version: what the spec takes Talos to, for the refusal's advice. */
  talosVersion: string;
}

export async function observeKubernetes(
  deps: ClusterLayerDeps,
  cluster: string,
): Promise<KubernetesObservation> {
  try {
    const nodes = await deps.kubectl.nodes();
    const apiServer = (await deps.kubectl.apiServerVersion()).replace(/^v/, '');
    const kubelets = nodes.flatMap((node) =>
      node.kubeletVersion ? [{ node: node.name, version: node.kubeletVersion.replace(/^v/, '') }] : [],
    );
    return { cluster, apiServer, kubelets };
  } catch (error) {
    return { cluster, kubelets: [], unobserved: `the Kubernetes API did not answer: ${errorMessage(error)}` };
  }
}

/** The lowest version running anywhere: where `upgrade-k8s` starts from (it detects the lowest, F.2). */
function lowest(observation: KubernetesObservation): string | undefined {
  const versions = [
    ...(observation.apiServer ? [observation.apiServer] : []),
    ...observation.kubelets.map((k) => k.version),
  ];
  return versions.sort(compareVersions)[0];
}

/**
 * The `upgrade-k8s` runs from the lowest running version to the wanted one, stopping before the first run
 * some node's planned Talos cannot take (`plannedTalos`: node name -> release once the Talos layer is done).
 */
export function diffKubernetes(
  observation: KubernetesObservation,
  wanted: KubernetesWanted,
  plannedTalos: ReadonlyMap<string, string>,
): LayerDiff {
  const { cluster } = observation;
  const from = lowest(observation);
  const base = {
    layer: 'kubernetes' as const,
    cluster,
    running: describeRunning(observation),
    wanted: `Kubernetes ${wanted.version}`,
  };
  if (!from)
    return {
      ...base,
      changes: [],
      refused: [],
      unobserved: observation.unobserved ?? 'no Kubernetes version seen',
    };
  const refuse = (reason: string): RefusedChange => ({
    layer: 'kubernetes',
    cluster,
    target: cluster,
    asked: `Kubernetes ${from} -> ${wanted.version}`,
    reason,
  });
  const path = pathFor(observation, from, wanted.version);
  if ('refused' in path) return { ...base, changes: [], refused: [refuse(path.refused)] };
  const changes: Change[] = [];
  let previous = from;
  for (const hop of path.hops) {
    const blocked = talosBlocking(hop, observation, plannedTalos, wanted);
    if (blocked) return { ...base, changes, refused: [refuse(blocked)] };
    changes.push({
      layer: 'kubernetes',
      cluster,
      target: cluster,
      kind: 'kubernetes-upgrade',
      from: previous,
      to: hop,
      detail:
        'talosctl upgrade-k8s: control-plane components one node at a time, then each kubelet in place (no drain, no reboot)',
      disruptive: false,
    });
    previous = hop;
  }
  return { ...base, changes, refused: [] };
}

/**
 * From the lowest running version, checked from the highest too (nothing goes back a minor); a cluster
 * whose lowest is already the wanted one but with parts on another patch gets one N->N run.
 */
function pathFor(observation: KubernetesObservation, from: string, to: string): UpgradePath {
  const running = [
    ...(observation.apiServer ? [observation.apiServer] : []),
    ...observation.kubelets.map((k) => k.version),
  ];
  if (running.every((version) => version === to)) return { hops: [] };
  const highest = [...running].sort(compareVersions).at(-1) ?? from;
  const back = kubernetesUpgradePath(highest, to);
  if ('refused' in back) return back;
  const path = kubernetesUpgradePath(from, to);
  return 'hops' in path && path.hops.length === 0 ? { hops: [to] } : path;
}

/** Why some node's planned Talos cannot run `hop` (F.2 `VerifyVersionCompatibility`), with the step first. */
function talosBlocking(
  hop: string,
  observation: KubernetesObservation,
  plannedTalos: ReadonlyMap<string, string>,
  wanted: KubernetesWanted,
): string | undefined {
  const needed = oldestTalosFor(hop);
  const head = `Kubernetes ${kubernetesMinor(hop)} needs Talos ${needed?.series ?? '(none supports it)'} on every node`;
  for (const { node } of observation.kubelets) {
    const release = plannedTalos.get(node);
    if (!release) return `${head}: the Talos release of ${node} is not known`;
    if (talosSupportsKubernetes(release, hop)) continue;
    if (!needed) return `no supported Talos runs Kubernetes ${kubernetesMinor(hop)}`;
    if (talosSupportsKubernetes(wanted.talosVersion, hop)) {
      return `${head}: ${node} stays on ${release} (its Talos upgrade is refused, see the talos layer)`;
    }
    return `${head}: set talos.version to ${needed.series}.x first`;
  }
  return undefined;
}

function describeRunning(observation: KubernetesObservation): string {
  if (!observation.apiServer) return 'Kubernetes: not observed';
  const kubelets = new Set(observation.kubelets.map((k) => k.version));
  const others = [...kubelets].filter((version) => version !== observation.apiServer);
  const suffix = others.length > 0 ? ` (kubelets also on ${others.sort(compareVersions).join(', ')})` : '';
  return `Kubernetes ${observation.apiServer}${suffix}`;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * One step per `upgrade-k8s` run: not disruptive (kubelets restart in place, F.2). Each waits until the API
 * server and every kubelet report the hop's version, bounded by the pace.
 */
export function kubernetesSteps(
  deps: ClusterLayerDeps,
  cluster: KubernetesLayerCluster,
  diff: LayerDiff,
): LayerStep[] {
  return diff.changes.map((change) => ({
    change,
    run: async () => {
      deps.log(`${cluster.cluster}: talosctl upgrade-k8s --to ${change.to} through ${cluster.controlPlane}`);
      await deps.talosctl.upgradeK8s(cluster.talosconfig, cluster.controlPlane, change.to);
      await awaitVersion(deps, cluster.cluster, change.to);
    },
  }));
}

async function awaitVersion(deps: ClusterLayerDeps, cluster: string, version: string): Promise<void> {
  const timeoutMs = deps.pace.nodesReadyTimeoutMs;
  try {
    await waitUntil(
      async () => {
        const observation = await observeKubernetes(deps, cluster);
        if (observation.unobserved) return { ready: false, detail: observation.unobserved };
        const behind = observation.kubelets
          .filter((k) => k.version !== version)
          .map((k) => `${k.node} ${k.version}`);
        if (observation.apiServer !== version) behind.unshift(`API server ${observation.apiServer ?? '?'}`);
        return {
          ready: behind.length === 0,
          detail: behind.length === 0 ? 'all on it' : `behind: ${behind.join(', ')}`,
        };
      },
      {
        timeoutMs,
        intervalMs: deps.pace.pollMs,
        describe: `every node of ${cluster} on Kubernetes ${version}`,
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw new Error(
      `${cluster} did not reach Kubernetes ${version} within ${Math.round(timeoutMs / 1000)} s after upgrade-k8s: ` +
        `the rollout stops here (${error.lastObservation})`,
      { cause: error },
    );
  }
}

/** Observe, diff and steps in one call. */
export async function planKubernetesLayer(
  deps: ClusterLayerDeps,
  cluster: KubernetesLayerCluster,
  wanted: KubernetesWanted,
  plannedTalos: ReadonlyMap<string, string>,
): Promise<{ observation: KubernetesObservation; diff: LayerDiff; steps: LayerStep[] }> {
  const observation = await observeKubernetes(deps, cluster.cluster);
  const diff = diffKubernetes(observation, wanted, plannedTalos);
  return { observation, diff, steps: kubernetesSteps(deps, cluster, diff) };
}
