import { join } from 'node:path';
import { Helm } from '../../kube/helm.js';
import { twinCiliumValues } from '../../mesh/clustermesh.js';
import { ciliumValues } from '../../mesh/cilium-values.js';
import type { TwinPlan } from '../../plan/plan.js';
import type { TwinContext } from '../context.js';
import type { ClusterOutcome } from '../outcome.js';
import { planKubernetesLayer } from './kubernetes.js';
import type { ObservedRelease, WantedRelease } from './release.js';
import { CILIUM_RELEASE, diffReleases, observeReleases } from './release.js';
import type { LayerStep } from './steps.js';
import { clusterLayerDeps } from './steps.js';
import { plannedTalosReleases, planTalosLayer, refreshConfigs } from './talos.js';
import type { TalosObservation } from './talos.js';
import { clusterBaseOf, talosNodeOf, wantedMembers } from './talos-inputs.js';
import type { LayerDiff } from './types.js';
import type { ObservedVm } from './vm.js';
import { diffVms, observeVms, wantedVmsOf } from './vm.js';
import { wantedRookReleases } from './wiring.js';

/**
 * Every layer of one running cluster observed and compared with the spec: the VM hardware (PVE), each
 * node's Talos release and config, the Kubernetes release, and the helm releases. What `plan` prints (the
 * diffs), what converge runs (the observations and layer steps), and what `up` checks again at its end.
 */
export interface ClusterLayers {
  cluster: ClusterOutcome;
  diffs: LayerDiff[];
  vms: ObservedVm[];
  talos: {
    observation: TalosObservation;
    steps: LayerStep[];
    /** Applies, without a reboot, each node's config for the release it runs now (after upgrade hops). */
    refresh(): Promise<string[]>;
  };
  kubernetes: { steps: LayerStep[] };
  releases: ObservedRelease[];
}

export interface LayerScope {
  /** Compare Rook's releases too (day 2 installs them; `up`'s last check and `plan` include them). */
  rook: boolean;
}

/** The twin's mesh CA, as Cilium's values carry it. */
export type MeshCa = { certPem: string; keyPem: string };

export async function observeClusterLayers(
  ctx: TwinContext,
  plan: TwinPlan,
  clusters: ClusterOutcome[],
  cluster: ClusterOutcome,
  ca: MeshCa,
  scope: LayerScope,
): Promise<ClusterLayers> {
  const { spec } = ctx.twin;
  const deps = clusterLayerDeps(
    { ...ctx, workDir: join(ctx.workDir, `layers-${cluster.name}`) },
    cluster.kubeconfig,
  );
  const vms = await observeVms(
    ctx.client,
    wantedVmsOf(plan).filter((vm) => vm.cluster === cluster.name),
  );
  const planned = plan.clusters.find((candidate) => candidate.name === cluster.name)!;
  const talosCluster = {
    cluster: cluster.name,
    base: clusterBaseOf(spec, plan, cluster.name),
    nodes: wantedMembers(plan, cluster.name).map((vm) => talosNodeOf(vm, planned.vip)),
    schematic: spec.talos.schematic,
    talosconfig: cluster.talosconfig,
    secretsFile: ctx.store.pathOf({ twin: plan.twin, cluster: cluster.name, name: 'secrets.yaml' }),
    running: new Set(vms.filter((vm) => vm.running).map((vm) => vm.wanted.name)),
  };
  const talos = await planTalosLayer(deps, talosCluster, {
    version: spec.talos.version,
    kubernetesVersion: spec.talos.kubernetesVersion,
  });
  const controlPlane = cluster.nodes.find((node) => node.role === 'controlplane')!;
  const kubernetes = await planKubernetesLayer(
    deps,
    { cluster: cluster.name, talosconfig: cluster.talosconfig, controlPlane: controlPlane.address },
    { version: spec.talos.kubernetesVersion, talosVersion: spec.talos.version },
    plannedTalosReleases(talos.observation, talos.diff),
  );
  const helm = new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm });
  const wanted = [
    wantedCilium(ctx, clusters, cluster, ca),
    ...(scope.rook ? wantedRookReleases(ctx, cluster) : []),
  ];
  const releases = await observeReleases(helm, wanted);
  return {
    cluster,
    diffs: [diffVms(cluster.name, vms), talos.diff, kubernetes.diff, diffReleases(cluster.name, releases)],
    vms,
    talos: { ...talos, refresh: () => refreshConfigs(deps, talosCluster) },
    kubernetes,
    releases,
  };
}

/**
 * Cilium as the spec wants it on this cluster: the provision values and, for a twin of two or more clusters,
 * the mesh values (installed with them, see twinCiliumValues).
 */
function wantedCilium(
  ctx: TwinContext,
  clusters: ClusterOutcome[],
  cluster: ClusterOutcome,
  ca: MeshCa,
): WantedRelease {
  const own = ciliumValues({
    clusterName: cluster.name,
    clusterId: cluster.id,
    ca,
    nodeCount: cluster.nodes.length,
  }) as unknown as Record<string, unknown>;
  const peers = clusters.map((peer) => ({
    name: peer.name,
    id: peer.id,
    addresses: peer.nodes.map((node) => node.address),
  }));
  return {
    release: CILIUM_RELEASE,
    chart: 'cilium',
    repo: 'https://helm.cilium.io',
    version: ctx.twin.spec.cilium.version,
    namespace: 'kube-system',
    values: twinCiliumValues(own, peers),
  };
}
