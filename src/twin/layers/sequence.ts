import type { Step } from '../../plan/executor.js';
import { ciliumSupportsKubernetes, talosSupportsKubernetes } from '../../spec/releases.js';
import { rollingOut } from './rollout.js';
import type { LayerStep } from './steps.js';
import type { NodeAction } from './types.js';

/**
 * The order one cluster's changes run in, as one chain of steps (LIFECYCLE F.1, F.2, G.3, I.1, facts-13 §4):
 * 1. what takes no node down: disks grown online, configs applied without a reboot;
 * 2. node actions that are not Talos hops (VM cores/memory through a PVE reboot, configs that need one);
 * 3. each Talos hop on every node (control planes first) before the next hop;
 * 4. each Kubernetes minor as soon as every node runs a Talos that takes it;
 * 5. Cilium's upgrade before the first Kubernetes minor the running Cilium is not tested with, else last;
 * 6. the other releases (Rook's operator before its cluster).
 */
export interface ClusterWork {
  cluster: string;
  /** The step that uncordons what an earlier killed run left cordoned; always first. */
  prepare: Step;
  disks: Step[];
  talos: LayerStep[];
  kubernetes: LayerStep[];
  vmActions: NodeAction[];
  /** Release steps in their own order; those of the `cilium` release (and its pre-flight) are placed by rule 5. */
  releases: Step[];
  /** Each node's Talos release now (name -> release). */
  talosNow: ReadonlyMap<string, string>;
  /** Cilium's chart version now, if installed. */
  ciliumNow?: string;
  /** Runs one node action inside the rollout (drain, action, back, gates). */
  rollOut(action: NodeAction): Promise<void>;
  /** After the last Talos hop: each node's config for its new release applied without a reboot. */
  refreshConfigs?(): Promise<unknown>;
}

interface Item {
  key: string;
  title: string;
  doing: string;
  stage: string;
  run(): Promise<void>;
}

export function sequenceClusterWork(work: ClusterWork): Step[] {
  const items: Item[] = [];
  const node = (action: NodeAction): Item => ({
    key: action.node,
    title: `${work.cluster}: ${action.node}: ${action.describe}`,
    doing: rollingOut(action),
    stage: 'rollout',
    run: () => work.rollOut(action),
  });
  const fromStep = (step: Step): Item => ({
    key: step.id,
    title: step.title,
    doing: step.doing,
    stage: step.stage,
    run: step.run,
  });
  const isCilium = (step: Step) => /:cilium(-preflight)?$/.test(step.id);

  items.push(...work.disks.map(fromStep));
  for (const step of work.talos) {
    if (!('action' in step))
      items.push({
        key: step.change.target,
        title: titleOf(work.cluster, step),
        doing: doingOf(work.cluster, step),
        stage: 'talos',
        run: step.run,
      });
  }
  const rebootConfigs = work.talos.flatMap((s) =>
    'action' in s && s.change.kind !== 'talos-upgrade' ? [s.action] : [],
  );
  items.push(...controlPlanesFirst([...work.vmActions, ...rebootConfigs]).map(node));

  const releases = new Map(work.talosNow);
  const kubernetes = [...work.kubernetes];
  let cilium = work.releases.filter(isCilium);
  const placeKubernetes = () => {
    while (kubernetes[0] && everyNodeTakes(releases, kubernetes[0].change.to)) {
      const hop = kubernetes.shift()!;
      if (
        cilium.length > 0 &&
        work.ciliumNow &&
        ciliumSupportsKubernetes(work.ciliumNow, hop.change.to) === false
      ) {
        items.push(...cilium.map(fromStep));
        cilium = [];
      }
      if (!('action' in hop))
        items.push({
          key: 'kubernetes',
          title: titleOf(work.cluster, hop),
          doing: doingOf(work.cluster, hop),
          stage: 'kubernetes',
          run: hop.run,
        });
    }
  };
  placeKubernetes();
  const hops = talosHops(work.talos);
  hops.forEach((group, index) => {
    items.push(...controlPlanesFirst(group.actions).map(node));
    for (const action of group.actions) releases.set(action.node, group.to);
    if (index === hops.length - 1 && work.refreshConfigs) {
      const refresh = work.refreshConfigs;
      items.push({
        key: 'configs',
        title: `${work.cluster}: node configs for ${group.to} (installer image; no reboot)`,
        doing: `applying the node configs for ${group.to} on ${work.cluster} (no reboot)`,
        stage: 'talos',
        run: async () => void (await refresh()),
      });
    }
    placeKubernetes();
  });
  items.push(...cilium.map(fromStep), ...work.releases.filter((step) => !isCilium(step)).map(fromStep));
  return chain(work, items);
}

function titleOf(cluster: string, step: LayerStep): string {
  const { change } = step;
  return `${cluster}: ${change.target === cluster ? '' : `${change.target}: `}${change.kind} ${change.from} -> ${change.to}`;
}

/** A change that takes no node down, as it runs: "applying kubernetes-upgrade v1.33.4 -> v1.34.1 on east". */
function doingOf(cluster: string, step: LayerStep): string {
  const { change } = step;
  return `applying ${change.kind} ${change.from} -> ${change.to} on ${change.target === cluster ? cluster : `${change.target} (${cluster})`}`;
}

function everyNodeTakes(releases: ReadonlyMap<string, string>, kubernetes: string): boolean {
  return [...releases.values()].every((release) => talosSupportsKubernetes(release, kubernetes));
}

/** Talos upgrade actions grouped by the release they go to, in the layer's order. */
function talosHops(steps: LayerStep[]): { to: string; actions: NodeAction[] }[] {
  const groups: { to: string; actions: NodeAction[] }[] = [];
  for (const step of steps) {
    if (!('action' in step) || step.change.kind !== 'talos-upgrade') continue;
    const group = groups.find((candidate) => candidate.to === step.change.to);
    if (group) group.actions.push(step.action);
    else groups.push({ to: step.change.to, actions: [step.action] });
  }
  return groups;
}

function controlPlanesFirst(actions: NodeAction[]): NodeAction[] {
  return [
    ...actions.filter((action) => action.role === 'controlplane'),
    ...actions.filter((action) => action.role !== 'controlplane'),
  ];
}

/** One chain: each step needs the one before, the prepare step first. */
function chain(work: ClusterWork, items: Item[]): Step[] {
  const steps: Step[] = [work.prepare];
  items.forEach((item, index) => {
    steps.push({
      id: `converge:${work.cluster}:${index + 1}:${item.key}`,
      title: item.title,
      doing: item.doing,
      stage: item.stage,
      needs: [steps[steps.length - 1]!.id],
      run: item.run,
    });
  });
  return steps;
}
