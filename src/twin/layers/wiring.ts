import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ROOK_NAMESPACE, ROOK_REPO, rookClusterValues, rookOperatorValues } from '../../addons/rook.js';
import { Helm } from '../../kube/helm.js';
import { Kubectl } from '../../kube/kubectl.js';
import type { PveClient } from '../../proxmox/client.js';
import { Talosctl } from '../../talos/talosctl.js';
import type { ClusterWorkContext } from '../context.js';
import type { ClusterOutcome } from '../outcome.js';
import { AvailabilityProbe } from '../probe.js';
import { cephGate, etcdGate } from './gates.js';
import type { ReleaseDeps, WantedRelease } from './release.js';
import type { RolloutDeps } from './rollout.js';
import type { VmActionDeps } from './vm.js';

/**
 * The layers' dependencies built from what `twin up` has at hand (the run's context and a cluster's
 * outcome), so wiring a layer into the plan is one call. Timeouts follow the run's pace.
 */

/** kubectl drain --timeout: Talos' own drain gives up after 5 minutes (F.1, facts nodedrain.go), so do we. */
const DRAIN_TIMEOUT_SEC = 300;

export function rolloutDepsFor(
  ctx: ClusterWorkContext,
  cluster: ClusterOutcome,
  opts: { ceph: boolean },
): RolloutDeps {
  const kubectl = new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl });
  const talosctl = new Talosctl(ctx.runner, { path: ctx.tools.talosctl });
  const controlPlanes = cluster.nodes
    .filter((node) => node.role === 'controlplane')
    .map((node) => ({ name: node.name, address: node.address }));
  return {
    cluster: cluster.name,
    kube: kubectl,
    gates: [
      etcdGate({
        talosctl,
        talosconfig: cluster.talosconfig,
        controlPlanes,
        timeoutMs: ctx.pace.apiTimeoutMs,
      }),
      ...(opts.ceph ? [cephGate({ cluster: cluster.name, kubectl, timeoutMs: ctx.pace.cephTimeoutMs })] : []),
    ],
    drainTimeoutSec: Math.max(5, Math.round(DRAIN_TIMEOUT_SEC * ctx.pace.scale)),
    nodeBackTimeoutMs: ctx.pace.bootTimeoutMs,
    pollMs: ctx.pace.pollMs,
    log: (line) => ctx.log(line),
  };
}

export function releaseDepsFor(ctx: ClusterWorkContext, cluster: ClusterOutcome): ReleaseDeps {
  return {
    cluster: cluster.name,
    helm: new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }),
    kube: new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
    writeValues: async (name, values) => {
      const file = join(ctx.workDir, `${cluster.name}-${name}`);
      await writeFile(file, stringify(values, { lineWidth: 0 }), { mode: 0o600 });
      return file;
    },
    rolloutTimeoutSec: ctx.pace.rolloutTimeoutSec,
    pollMs: ctx.pace.pollMs,
  };
}

export function vmActionDepsFor(
  ctx: ClusterWorkContext,
  client: PveClient,
  cluster: ClusterOutcome,
): VmActionDeps {
  const kubectl = new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl });
  return { client, nodes: () => kubectl.nodes(), taskTimeoutMs: ctx.pace.bootTimeoutMs };
}

/** The availability probe over every cluster of the twin, at the run's pace. */
export function probeFor(
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
  opts: { starwars: boolean; mesh: boolean },
): AvailabilityProbe {
  return new AvailabilityProbe({
    clusters: clusters.map((cluster) => ({
      name: cluster.name,
      kubectl: new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
    })),
    starwars: opts.starwars,
    mesh: opts.mesh && clusters.length > 1,
    intervalMs: ctx.pace.pollMs,
  });
}

/** Rook's two releases as day2 installs them (same values), for the release layer to compare; none when Rook is off. */
export function wantedRookReleases(ctx: ClusterWorkContext, cluster: ClusterOutcome): WantedRelease[] {
  const { rook } = ctx.twin.spec.addons;
  if (!rook.enabled) return [];
  const spec = ctx.twin.clusters.find((candidate) => candidate.name === cluster.name);
  if (!spec) return [];
  const workerVm = { cores: spec.workers.cores, memoryMiB: spec.workers.memoryMiB };
  const workers = cluster.nodes
    .filter((node) => node.role === 'worker')
    .map((node) => ({ name: node.name, extraDisks: node.extraDisks }));
  const release = (name: string, values: Record<string, unknown>): WantedRelease => ({
    release: name,
    chart: name,
    repo: ROOK_REPO,
    version: rook.version,
    namespace: ROOK_NAMESPACE,
    values,
  });
  return [
    release('rook-ceph', rookOperatorValues(workerVm)),
    release('rook-ceph-cluster', rookClusterValues({ cluster: cluster.name, workers, workerVm })),
  ];
}
