import type { KindInfo } from '../kube/kinds.js';
import { ciliumWorkloadStatus } from '../kube/status.js';
import type { Doc } from '../talos/yaml-docs.js';
import type { ToolCall } from './runtime.js';

/** The shape kubectl-api lists: what `kubectl get` prints and `-o json` shows. */
interface CiliumItem {
  info: KindInfo;
  name: string;
  namespace: string;
  object: Doc;
  createdAt: number;
}

/**
 * Cilium's agent DaemonSet `cilium` and operator Deployment `cilium-operator` in kube-system, as the API
 * shows them: the lab models their pods (clusters.ts) instead of storing the chart's objects, so `kubectl
 * get daemonset cilium -o json` is answered from that model, with the chart's update strategy (I.2).
 */
export function ciliumWorkloadItems(call: ToolCall, clusterId: string, info: KindInfo): CiliumItem[] {
  if (info.kind !== 'DaemonSet' && info.kind !== 'Deployment') return [];
  const status = ciliumWorkloadStatus(call.kube, clusterId, info.kind, call.now());
  const release = call.kube.release(clusterId, 'kube-system', 'cilium');
  if (!status || !release) return [];
  const name = info.kind === 'DaemonSet' ? 'cilium' : 'cilium-operator';
  const labels = info.kind === 'DaemonSet' ? { 'k8s-app': 'cilium' } : { 'io.cilium/app': 'operator', name };
  const createdAt = release.firstDeployedAt;
  const strategy =
    info.kind === 'DaemonSet'
      ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 2 } } }
      : { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '50%' } } };
  const object: Doc = {
    apiVersion: 'apps/v1',
    kind: info.kind,
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'cilium', 'meta.helm.sh/release-namespace': 'kube-system' },
      creationTimestamp: new Date(createdAt).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    spec: {
      selector: { matchLabels: labels },
      ...(info.kind === 'Deployment' ? { replicas: status.replicas } : {}),
      ...strategy,
    },
    status,
  };
  return [{ info, name, namespace: 'kube-system', object, createdAt }];
}
