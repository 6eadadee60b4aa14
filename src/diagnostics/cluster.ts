import { ROOK_NAMESPACE } from '../addons/rook.js';
import type { NodeState } from '../kube/kubectl.js';
import { Kubectl } from '../kube/kubectl.js';
import { remoteClusters } from '../twin/mesh.js';
import { cephHealthDetail } from './ceph-detail.js';
import type { CollectedItem } from './items.js';
import { alignColumns, collect, skipped } from './items.js';
import { talosItems } from './talos.js';
import type { ClusterProbe, DiagnosticCluster } from './types.js';

/**
 * What a diagnostics bundle holds of one cluster: its nodes, Events, the pods that are not Ready with
 * their descriptions, Cilium's status and the mesh as its agents see it, Ceph's status and health detail,
 * and (talos.ts) the Talos services and logs of the nodes that need looking at.
 */

/** Pods described at most per cluster: a cluster where everything is down would otherwise take long. */
const MAX_DESCRIBED = 15;

export async function clusterItems(
  cluster: DiagnosticCluster,
  probe: ClusterProbe,
): Promise<CollectedItem[]> {
  const kubectl = new Kubectl(probe.runner, { kubeconfig: cluster.kubeconfig, path: probe.tools.kubectl });
  const at = (name: string) => `${cluster.name}/${name}`;
  let nodes: NodeState[] | undefined;
  const nodesItem = await collect(
    {
      file: at('nodes.txt'),
      title: `${cluster.name}: Kubernetes nodes`,
      source: 'kubectl get nodes -o json',
    },
    probe.timeoutMs,
    async () => nodesText((nodes = await kubectl.nodes())),
  );
  const [events, pods, cilium, mesh, ceph, talos] = await Promise.all([
    collect(
      {
        file: at('events.txt'),
        title: `${cluster.name}: Kubernetes events`,
        source: 'kubectl get events -A',
      },
      probe.timeoutMs,
      () => kubectl.eventsTable(),
    ),
    podItems(cluster.name, kubectl, probe.timeoutMs),
    ciliumStatus(cluster.name, kubectl, probe.timeoutMs),
    meshStatus(cluster.name, kubectl, probe.timeoutMs),
    cephItems(cluster.name, kubectl, probe),
    talosItems(cluster, nodes, probe),
  ]);
  return [nodesItem, events, ...pods, cilium, mesh, ...ceph, ...talos];
}

function nodesText(nodes: NodeState[]): string {
  const rows = nodes.map((node) => [
    node.name,
    `${node.ready ? 'Ready' : 'NotReady'}${node.unschedulable ? ',SchedulingDisabled' : ''}`,
    node.kubeletVersion ?? '-',
    node.addresses.find((entry) => entry.type === 'InternalIP')?.address ?? '-',
  ]);
  return alignColumns([['NAME', 'STATUS', 'KUBELET', 'INTERNAL-IP'], ...rows]);
}

/** The pods that are not Ready, listed, then each described (up to MAX_DESCRIBED). */
async function podItems(cluster: string, kubectl: Kubectl, timeoutMs: number): Promise<CollectedItem[]> {
  let pods: { namespace: string; name: string; phase: string }[] = [];
  const list = await collect(
    {
      file: `${cluster}/pods-not-ready.txt`,
      title: `${cluster}: pods that are not Ready`,
      source: 'kubectl get pods -A -o json (not Ready, not Succeeded)',
    },
    timeoutMs,
    async () => {
      pods = await kubectl.podsNotReady();
      if (pods.length === 0) return 'every pod is Ready (or finished)\n';
      return pods.map((pod) => `${pod.namespace}/${pod.name}  ${pod.phase}\n`).join('');
    },
  );
  const described = pods.slice(0, MAX_DESCRIBED).map((pod) =>
    collect(
      {
        file: `${cluster}/describe/${pod.namespace}.${pod.name}.txt`,
        title: `${cluster}: pod ${pod.namespace}/${pod.name} described`,
        source: `kubectl -n ${pod.namespace} describe pod ${pod.name}`,
      },
      timeoutMs,
      () => kubectl.describePod(pod.namespace, pod.name),
    ),
  );
  const left = pods.length - MAX_DESCRIBED;
  const more =
    left > 0
      ? [
          skipped(
            { title: `${cluster}: ${left} more pods`, source: 'kubectl describe pod' },
            'described at most 15',
          ),
        ]
      : [];
  return [list, ...(await Promise.all(described)), ...more];
}

/** `cilium-dbg status` in an agent, as the mesh step asks it (kubectl exec ds/cilium). */
function ciliumStatus(cluster: string, kubectl: Kubectl, timeoutMs: number): Promise<CollectedItem> {
  return collect(
    {
      file: `${cluster}/cilium-status.txt`,
      title: `${cluster}: Cilium agent status`,
      source: 'kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status',
    },
    timeoutMs,
    async () => {
      const result = await kubectl.exec('kube-system', 'ds/cilium', 'cilium-agent', ['cilium-dbg', 'status']);
      if (result.exitCode !== 0) throw new Error(`cilium-dbg status failed: ${result.stderr.trim()}`);
      return result.stdout;
    },
  );
}

/** The remote clusters as this cluster's agents see them, read as the mesh step reads them. */
function meshStatus(cluster: string, kubectl: Kubectl, timeoutMs: number): Promise<CollectedItem> {
  return collect(
    {
      file: `${cluster}/clustermesh-status.txt`,
      title: `${cluster}: Cluster Mesh as its Cilium agents see it`,
      source: 'kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg status -o json',
    },
    timeoutMs,
    async () => {
      const remotes = await remoteClusters(kubectl);
      if (remotes.length === 0) return 'no remote cluster is configured on this cluster\n';
      return remotes
        .map(
          (remote) =>
            `${remote.name}: connected=${remote.connected} ready=${remote.ready} synced=${remote.synced} (${remote.detail})\n`,
        )
        .join('');
    },
  );
}

/** The CephCluster's status as Rook keeps it (the product's own Ceph gate reads it; the toolbox is off). */
async function cephItems(cluster: string, kubectl: Kubectl, probe: ClusterProbe): Promise<CollectedItem[]> {
  const status = {
    file: `${cluster}/ceph-status.json`,
    title: `${cluster}: Ceph status (CephCluster rook-ceph .status)`,
    source: `kubectl -n ${ROOK_NAMESPACE} get cephclusters.ceph.rook.io rook-ceph -o json`,
  };
  const detail = {
    file: `${cluster}/ceph-health-detail.txt`,
    title: `${cluster}: Ceph health detail`,
    source: `${status.source} (.status.ceph.health and .details, as ceph health detail prints them)`,
  };
  if (!probe.ceph)
    return [skipped(status, 'Rook is not enabled in the spec'), skipped(detail, 'Rook is not enabled')];
  let object: Record<string, unknown> | undefined;
  const statusItem = await collect(status, probe.timeoutMs, async () => {
    object = await kubectl.getObject('cephclusters.ceph.rook.io', 'rook-ceph', ROOK_NAMESPACE);
    if (!object) return `no CephCluster rook-ceph in namespace ${ROOK_NAMESPACE}\n`;
    return `${JSON.stringify(object.status ?? {}, null, 2)}\n`;
  });
  if (!object) return [statusItem, skipped(detail, 'no CephCluster status to read (see ceph-status.json)')];
  const found = object;
  return [statusItem, await collect(detail, probe.timeoutMs, async () => cephHealthDetail(found))];
}
