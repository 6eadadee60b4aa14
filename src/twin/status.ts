import { Kubectl } from '../kube/kubectl.js';
import type { TwinContext } from './context.js';
import { observeOwnership } from './ownership.js';

export interface NodeStatus {
  name: string;
  role: string;
  vmid: number;
  pveNode: string;
  vm: string;
  /** `Ready`, `NotReady`, or `unknown` when the cluster's API cannot be asked. */
  kubernetes: string;
}

export interface ClusterStatus {
  name: string;
  kubeconfig?: string;
  ready: number;
  nodes: NodeStatus[];
}

export interface TwinStatus {
  twin: string;
  exists: boolean;
  slot?: number;
  pool?: string;
  clusters: ClusterStatus[];
}

/** What exists of a twin now, from Proxmox (tags) and, where a kubeconfig is stored, from Kubernetes. */
export async function twinStatus(ctx: TwinContext): Promise<TwinStatus> {
  const twin = ctx.twin.twin;
  // Only VMs provably the twin's (slot pool, recorded VMID range, name, tags), as destroy counts them.
  const { claims, owned } = await observeOwnership({ ...ctx, log: () => {} });
  const claim = claims[0];
  const vms = owned.filter((vm) => vm.tags.some((tag) => tag.startsWith('cluster-'))); // untagged: no cluster yet
  const clusterNames = [...new Set(vms.map((vm) => tagValue(vm.tags, 'cluster-')))].sort();
  const clusters = await Promise.all(
    clusterNames.map(async (cluster) => {
      const key = { twin, cluster, name: 'kubeconfig' };
      const readiness =
        (await ctx.store.read(key)) === undefined
          ? undefined
          : await nodeReadiness(ctx, ctx.store.pathOf(key));
      const nodes = vms
        .filter((vm) => tagValue(vm.tags, 'cluster-') === cluster)
        .sort((a, b) => a.vmid - b.vmid)
        .map((vm) => ({
          name: vm.name,
          role: tagValue(vm.tags, 'role-'),
          vmid: vm.vmid,
          pveNode: vm.node,
          vm: vm.status,
          kubernetes: readiness?.get(vm.name) ?? 'unknown',
        }));
      return {
        name: cluster,
        ...(readiness ? { kubeconfig: ctx.store.pathOf(key) } : {}),
        ready: nodes.filter((node) => node.kubernetes === 'Ready').length,
        nodes,
      };
    }),
  );
  return {
    twin,
    exists: owned.length > 0 || claim !== undefined,
    ...(claim ? { slot: claim.slot, pool: claim.poolId } : {}),
    clusters,
  };
}

function tagValue(tags: string[], prefix: string): string {
  return tags.find((tag) => tag.startsWith(prefix))?.slice(prefix.length) ?? '?';
}

async function nodeReadiness(ctx: TwinContext, kubeconfig: string): Promise<Map<string, string> | undefined> {
  try {
    const nodes = await new Kubectl(ctx.runner, { kubeconfig, path: ctx.tools.kubectl }).nodes();
    return new Map(nodes.map((node) => [node.name, node.ready ? 'Ready' : 'NotReady']));
  } catch {
    return undefined; // the API is down or the cluster is gone: Proxmox's view still stands
  }
}
