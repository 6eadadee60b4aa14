import type { NodeState } from '../kube/kubectl.js';
import { Talosctl } from '../talos/talosctl.js';
import type { ClusterProbe, DiagnosticCluster } from './types.js';
import type { CollectedItem } from './items.js';
import { collect, skipped } from './items.js';

/**
 * The Talos side of a cluster in a diagnostics bundle: `talosctl services` and the kubelet's log (and etcd's
 * on a control plane) of each node worth looking at: every node of a small cluster, else those Kubernetes
 * does not list as Ready (all of them when its API does not answer).
 */

/** Up to this many nodes, every node is inspected. */
const ALL_NODES_UP_TO = 6;
/** Log lines kept per service. */
const LOG_LINES = 200;

type Node = DiagnosticCluster['nodes'][number];

export async function talosItems(
  cluster: DiagnosticCluster,
  kubeNodes: NodeState[] | undefined,
  probe: ClusterProbe,
): Promise<CollectedItem[]> {
  const talosctl = new Talosctl(probe.runner, { path: probe.tools.talosctl });
  const picked = nodesToInspect(cluster.nodes, kubeNodes);
  const perNode = await Promise.all(
    picked.map((node) => nodeItems(cluster, node, talosctl, probe.timeoutMs)),
  );
  return perNode.flat();
}

export function nodesToInspect(nodes: Node[], kubeNodes: NodeState[] | undefined): Node[] {
  if (nodes.length <= ALL_NODES_UP_TO || kubeNodes === undefined) return nodes;
  const ready = new Set(kubeNodes.filter((node) => node.ready).map((node) => node.name));
  return nodes.filter((node) => !ready.has(node.name));
}

/** Services first: a node that does not answer them is not asked for its logs (each would wait as long). */
async function nodeItems(
  cluster: DiagnosticCluster,
  node: Node,
  talosctl: Talosctl,
  timeoutMs: number,
): Promise<CollectedItem[]> {
  const folder = `${cluster.name}/talos/${node.name}`;
  const services = await collect(
    {
      file: `${folder}/services.txt`,
      title: `${cluster.name}: Talos services of ${node.name}`,
      source: `talosctl --nodes ${node.address} services`,
    },
    timeoutMs,
    () => talosctl.services(cluster.talosconfig, node.address),
  );
  const logged = node.role === 'controlplane' ? ['kubelet', 'etcd'] : ['kubelet'];
  const logs = logged.map((service) => {
    const item = {
      file: `${folder}/${service}.log`,
      title: `${cluster.name}: ${service} log of ${node.name} (last ${LOG_LINES} lines)`,
      source: `talosctl --nodes ${node.address} logs ${service} --tail ${LOG_LINES}`,
    };
    if (services.status !== 'ok')
      return Promise.resolve(skipped(item, 'the node did not answer talosctl services'));
    return collect(item, timeoutMs, () =>
      talosctl.logs(cluster.talosconfig, node.address, service, LOG_LINES),
    );
  });
  return [services, ...(await Promise.all(logs))];
}
