import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import {
  kubernetesMinor,
  talosSeriesOf,
  talosSupportsKubernetes,
  talosUpgradePath,
} from '../../spec/releases.js';
import type { TalosNodeInput } from '../../talos/config.js';
import { changedKeys } from '../../talos/lifecycle-output.js';
import {
  clusterInputFor,
  generateClusterConfigs,
  generateNodeConfig,
  type ClusterBase,
} from '../../talos/machine-configs.js';
import type { GeneratedConfigs } from '../../talos/talosctl.js';
import type { ClusterLayerDeps, LayerStep } from './steps.js';
import { versionsOnceAnswering } from './talos-answers.js';
import {
  applyConfigNoReboot,
  configRebootAction,
  talosUpgradeAction,
  usesLifecycleApi,
} from './talos-actions.js';
import type { Change, LayerDiff, RefusedChange } from './types.js';

/**
 * The Talos layer of one cluster: each node's release (`talosctl version`) and its config drift (what
 * `apply-config --dry-run --mode auto` says of the config the product would send it now, LIFECYCLE F.3),
 * against the spec's release; the path is the upgrade hops of F.1 and the config applies.
 */

export interface TalosLayerCluster {
  cluster: string;
  /** The cluster's config input apart from the releases (name, VIP, networks, workers, time, mirrors). */
  base: ClusterBase;
  /** Every node of the cluster that exists, with what its node patch needs. */
  nodes: TalosNodeInput[];
  schematic: string;
  talosconfig: string;
  secretsFile: string;
  /** Names of the nodes whose VM runs: one whose Talos is silent is waited for (it may be rebooting). */
  running?: ReadonlySet<string>;
}

/** A node's config differs from what the product would send it now. */
export interface ConfigDrift {
  /** Applying it needs a reboot (the dry run said `with a reboot`). */
  reboot: boolean;
  /** The changed keys, Kubernetes images left out (they are the Kubernetes layer's). */
  keys: string[];
  /** The generated config to apply. */
  file: string;
}

export interface ObservedTalosNode {
  node: TalosNodeInput;
  /** The release it runs, e.g. v1.11.6; absent when it did not answer. */
  release?: string;
  /** Its kubelet's version without the v, e.g. 1.34.1; absent when not registered or the API is down. */
  kubelet?: string;
  /** Its config drift, when there is some. */
  drift?: ConfigDrift;
  /** Why the release or the config could not be compared. */
  unobserved?: string;
}

export interface TalosObservation {
  cluster: string;
  nodes: ObservedTalosNode[];
}

/** What the spec wants of the layer. */
export interface TalosWanted {
  /** talos.version, e.g. v1.13.9. */
  version: string;
  /**
   * talos.kubernetesVersion: a hop whose Talos needs a newer Kubernetes than runs is not refused when the
   * spec takes Kubernetes there (the cluster's sequence runs each Kubernetes hop as soon as every node
   * takes it, so Kubernetes moves up between the Talos hops).
   */
  kubernetesVersion?: string;
}

/** Kubernetes component images: the Kubernetes layer changes them (upgrade-k8s patches them in, F.2). */
const KUBERNETES_IMAGE =
  /^\s*(?:- )?image:\s*(?:registry\.k8s\.io\/kube-(?:apiserver|controller-manager|scheduler|proxy)|ghcr\.io\/siderolabs\/kubelet):/;

export function isKubernetesImageLine(line: string): boolean {
  return KUBERNETES_IMAGE.test(line);
}

/**
 * Observes every node. Configs are generated for the release each node runs and its kubelet's Kubernetes
 * version, so the node validates the config against its own schema and the Kubernetes images match.
 */
export async function observeTalos(
  deps: ClusterLayerDeps,
  cluster: TalosLayerCluster,
): Promise<TalosObservation> {
  const versions = await versionsOnceAnswering(
    deps,
    cluster.talosconfig,
    cluster.nodes,
    cluster.running ?? new Set(),
  );
  const kubelets = await kubeletVersions(deps);
  const generated = new Map<string, Promise<GeneratedConfigs>>();
  // Every node's dry run at once: each is a config patch and an apply-config call, and a twin has a dozen.
  const nodes = await Promise.all(
    cluster.nodes.map(async (node): Promise<ObservedTalosNode> => {
      const answer = versions.find((version) => version.node === node.address);
      if (!answer || 'unknown' in answer) {
        return {
          node,
          unobserved: `Talos did not answer: ${answer && 'unknown' in answer ? answer.unknown : 'no answer'}`,
        };
      }
      const kubelet = kubelets.byNode.get(node.name) ?? kubelets.apiServer;
      const observed: ObservedTalosNode = { node, release: answer.release, ...(kubelet ? { kubelet } : {}) };
      if (!kubelet) return { ...observed, unobserved: `config not compared: ${kubelets.why}` };
      try {
        const drift = await configDrift(
          deps,
          cluster,
          node,
          { release: answer.release, kubernetes: kubelet },
          generated,
        );
        return { ...observed, ...(drift ? { drift } : {}) };
      } catch (error) {
        return { ...observed, unobserved: `config not compared: ${errorMessage(error)}` };
      }
    }),
  );
  return { cluster: cluster.cluster, nodes };
}

async function kubeletVersions(
  deps: ClusterLayerDeps,
): Promise<{ byNode: Map<string, string>; apiServer?: string; why: string }> {
  const byNode = new Map<string, string>();
  try {
    for (const node of await deps.kubectl.nodes()) {
      if (node.kubeletVersion) byNode.set(node.name, node.kubeletVersion.replace(/^v/, ''));
    }
    const apiServer = (await deps.kubectl.apiServerVersion()).replace(/^v/, '');
    return { byNode, apiServer, why: '' };
  } catch (error) {
    return { byNode, why: `the Kubernetes API did not tell its versions: ${errorMessage(error)}` };
  }
}

async function configDrift(
  deps: ClusterLayerDeps,
  cluster: TalosLayerCluster,
  node: TalosNodeInput,
  releases: { release: string; kubernetes: string },
  generated: Map<string, Promise<GeneratedConfigs>>,
): Promise<ConfigDrift | undefined> {
  const key = `${releases.release}-${releases.kubernetes}`;
  const dir = join(deps.workDir, 'talos-layer', cluster.cluster, key);
  let configs = generated.get(key);
  if (!configs) {
    const input = clusterInputFor(cluster.base, {
      talosVersion: releases.release,
      kubernetesVersion: releases.kubernetes,
      schematic: cluster.schematic,
    });
    configs = generateClusterConfigs(deps.talosctl, {
      cluster: input,
      secretsFile: cluster.secretsFile,
      dir,
    });
    generated.set(key, configs);
  }
  const file = await generateNodeConfig(deps.talosctl, { configs: await configs, node, dir });
  const dryRun = await deps.talosctl.applyConfigDryRun(cluster.talosconfig, node.address, file);
  if (!dryRun.changed) return undefined;
  if (!hasOtherChanges(dryRun.diff)) return undefined;
  return { reboot: dryRun.reboot, keys: changedKeys(dryRun.diff, isKubernetesImageLine), file };
}

/** Whether a diff changes any line besides Kubernetes images (a change with no key found still counts). */
function hasOtherChanges(diff: string): boolean {
  return diff
    .split('\n')
    .filter((line) => /^[+-]/.test(line) && !/^(?:--- a|\+\+\+ b)\s*$/.test(line))
    .some((line) => !isKubernetesImageLine(line.slice(1)));
}

/** The release each node will run once the layer's path is done (its current one where refused). */
export function plannedTalosReleases(observation: TalosObservation, diff: LayerDiff): Map<string, string> {
  const planned = new Map<string, string>();
  for (const observed of observation.nodes) {
    if (observed.release) planned.set(observed.node.name, observed.release);
  }
  for (const change of diff.changes) {
    if (change.kind === 'talos-upgrade') planned.set(change.target, change.to);
  }
  return planned;
}

/** Running vs wanted and the ordered changes: config applies first (on the running release), then the hops. */
export function diffTalos(observation: TalosObservation, wanted: TalosWanted): LayerDiff {
  const { cluster } = observation;
  const configs: Change[] = [];
  const hops: { change: Change; order: number[] }[] = [];
  const refused: RefusedChange[] = [];
  const kubernetes = new Set(observation.nodes.flatMap((node) => (node.kubelet ? [node.kubelet] : [])));
  observation.nodes.forEach((observed, index) => {
    const { node, release, drift } = observed;
    if (!release) return;
    if (drift) configs.push(configChange(cluster, node.name, drift));
    const path = talosUpgradePath(release, wanted.version);
    if ('refused' in path) {
      refused.push({
        layer: 'talos',
        cluster,
        target: node.name,
        asked: `Talos ${release} -> ${wanted.version}`,
        reason: path.refused,
      });
      return;
    }
    const unsupported = path.hops
      .map((hop) => kubernetesRefusal(hop, kubernetes, wanted.kubernetesVersion))
      .find(Boolean);
    if (unsupported) {
      refused.push({
        layer: 'talos',
        cluster,
        target: node.name,
        asked: `Talos ${release} -> ${wanted.version}`,
        reason: unsupported,
      });
      return;
    }
    let from = release;
    for (const hop of path.hops) {
      const change: Change = {
        layer: 'talos',
        cluster,
        target: node.name,
        kind: 'talos-upgrade',
        from,
        to: hop,
        detail: usesLifecycleApi(from)
          ? 'reboots; drained first (the 1.13 upgrade API does not drain in the node)'
          : 'reboots; Talos cordons and drains the node itself',
        disruptive: true,
      };
      hops.push({ change, order: [...versionOrder(hop), node.role === 'controlplane' ? 0 : 1, index] });
      from = hop;
    }
  });
  configs.sort((a, b) => Number(a.disruptive) - Number(b.disruptive));
  hops.sort((a, b) => compareOrder(a.order, b.order));
  return {
    layer: 'talos',
    cluster,
    running: describeReleases(observation.nodes.flatMap((node) => (node.release ? [node.release] : []))),
    wanted: `Talos ${wanted.version} on ${observation.nodes.length} nodes`,
    changes: [...configs, ...hops.map((hop) => hop.change)],
    refused,
    ...unobservedOf(observation),
  };
}

function configChange(cluster: string, node: string, drift: ConfigDrift): Change {
  const keys = drift.keys.length > 0 ? drift.keys.join(', ') : 'the config';
  return {
    layer: 'talos',
    cluster,
    target: node,
    kind: 'config-apply',
    from: 'running config',
    to: 'generated config',
    detail: drift.reboot ? `needs a reboot: ${keys} changed` : `no reboot: ${keys} changed`,
    disruptive: drift.reboot,
  };
}

/** Why Talos `hop` cannot run the cluster's Kubernetes (F.2 matrix), with the step needed first. */
function kubernetesRefusal(hop: string, running: Set<string>, wanted?: string): string | undefined {
  const series = talosSeriesOf(hop);
  if (!series) return undefined;
  const movesUpInTime = (version: string) =>
    wanted !== undefined &&
    minorNumber(version) < minorNumber(series.kubernetesMin) &&
    talosSupportsKubernetes(hop, wanted);
  for (const version of running) {
    if (talosSupportsKubernetes(hop, version) || movesUpInTime(version)) continue;
    const range = `Talos ${series.series} runs Kubernetes ${series.kubernetesMin} to ${series.kubernetesMax}, and the cluster runs ${version}`;
    return minorNumber(version) < minorNumber(series.kubernetesMin)
      ? `${range}: upgrade Kubernetes to ${series.kubernetesMin} first`
      : `${range}: choose a Talos release that runs Kubernetes ${kubernetesMinor(version)}`;
  }
  return undefined;
}

/** `1.34.1` or `1.34` -> 34. */
function minorNumber(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[1]);
}

function versionOrder(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number(part));
}

function compareOrder(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** `Talos v1.11.6 on 4 nodes, v1.12.11 on 2`. */
function describeReleases(releases: string[]): string {
  if (releases.length === 0) return 'Talos: no node answered';
  const counts = new Map<string, number>();
  for (const release of releases) counts.set(release, (counts.get(release) ?? 0) + 1);
  const parts = [...counts].map(([release, count]) => `${release} on ${count} node${count === 1 ? '' : 's'}`);
  return `Talos ${parts.join(', ')}`;
}

function unobservedOf(observation: TalosObservation): Pick<LayerDiff, 'unobserved'> {
  const notes = observation.nodes.flatMap((node) =>
    node.unobserved ? [`${node.node.name}: ${node.unobserved}`] : [],
  );
  return notes.length > 0 ? { unobserved: notes.join('; ') } : {};
}

/**
 * The layer's steps in the diff's order: each hop a NodeAction (no drain where Talos drains itself, F.1;
 * drained from 1.13 on, whose upgrade API does not, facts-13 §2), each
 * config with a reboot a drained NodeAction, each config without one a plain run (mode no-reboot).
 */
export function talosSteps(
  deps: ClusterLayerDeps,
  cluster: TalosLayerCluster,
  observation: TalosObservation,
  diff: LayerDiff,
): LayerStep[] {
  const actionCluster = {
    cluster: cluster.cluster,
    talosconfig: cluster.talosconfig,
    schematic: cluster.schematic,
  };
  return diff.changes.map((change): LayerStep => {
    const observed = observation.nodes.find((node) => node.node.name === change.target);
    if (!observed) throw new Error(`talos layer: no observed node ${change.target}`);
    const { node, drift } = observed;
    if (change.kind === 'talos-upgrade') {
      return {
        change,
        action: talosUpgradeAction(deps, actionCluster, node, { from: change.from, to: change.to }),
      };
    }
    if (!drift) throw new Error(`talos layer: no config drift observed on ${node.name}`);
    if (change.disruptive) return { change, action: configRebootAction(deps, actionCluster, node, drift) };
    return { change, run: () => applyConfigNoReboot(deps, actionCluster, node, drift.file) };
  });
}

/** Observe, diff and steps in one call, for `plan` (diff) and `up` (steps). */
export async function planTalosLayer(
  deps: ClusterLayerDeps,
  cluster: TalosLayerCluster,
  wanted: TalosWanted,
): Promise<{ observation: TalosObservation; diff: LayerDiff; steps: LayerStep[] }> {
  const observation = await observeTalos(deps, cluster);
  const diff = diffTalos(observation, wanted);
  return { observation, diff, steps: talosSteps(deps, cluster, observation, diff) };
}

/**
 * After upgrade hops: each node's config as the product would generate it for the release it now runs.
 * `talosctl upgrade` leaves the machine config alone, so `.machine.install.image` still names the old
 * installer; it applies without a reboot (F.3: "only applied during install/upgrade"). Whatever would need a
 * reboot is left for the next observation, which plans it as a rollout. Returns the nodes it applied to.
 */
export async function refreshConfigs(deps: ClusterLayerDeps, cluster: TalosLayerCluster): Promise<string[]> {
  const observation = await observeTalos(deps, cluster);
  const actionCluster = {
    cluster: cluster.cluster,
    talosconfig: cluster.talosconfig,
    schematic: cluster.schematic,
  };
  const applied: string[] = [];
  for (const { node, drift } of observation.nodes) {
    if (!drift || drift.reboot) continue;
    await applyConfigNoReboot(deps, actionCluster, node, drift.file);
    applied.push(node.name);
  }
  return applied;
}
