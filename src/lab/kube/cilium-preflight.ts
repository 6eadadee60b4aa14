import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';

/**
 * The cilium chart's pre-flight check (LIFECYCLE I.1; templates/cilium-preflight/{daemonset,deployment}.yaml):
 * with `preflight.enabled` a DaemonSet `cilium-pre-flight-check` runs the new agent image on every node
 * (its only purpose is to pull that image before the upgrade) and, with `preflight.validateCNPs` (the
 * default), a one-replica Deployment of the same name validates the CiliumNetworkPolicies. Both run on
 * the host network with `preflight.tolerations` (`operator: Exists` by default).
 *
 * The chart also gives both `preflight.affinity` (required pod affinity to a `k8s-app=cilium` pod on the
 * host); the lab's scheduler does not evaluate pod affinity, and its agents run on every Node, so the
 * affinity is left out of the rendered pods: they land on the same nodes either way.
 */
export function renderPreflight(values: Doc, release: { namespace: string; chartVersion: string }): Doc[] {
  if (get(values, 'preflight.enabled') !== true) return [];
  const preflight = (path: string) => get(values, `preflight.${path}`);
  const image = `${String(preflight('image.repository'))}:${String(preflight('image.tag') ?? `v${release.chartVersion}`)}`;
  const podSpec = (priority: string, containers: Doc[], initContainers: Doc[] = []) => ({
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers,
    hostNetwork: true,
    restartPolicy: 'Always',
    priorityClassName: String(preflight('priorityClassName') || priority),
    serviceAccountName: 'cilium-pre-flight',
    terminationGracePeriodSeconds: Number(preflight('terminationGracePeriodSeconds') ?? 1),
    ...(Array.isArray(preflight('tolerations')) ? { tolerations: preflight('tolerations') } : {}),
  });
  const ready = (file: string) => ({
    exec: { command: ['cat', file] },
    initialDelaySeconds: 5,
    periodSeconds: 5,
  });
  const labels = (k8sApp: string) => ({
    'k8s-app': k8sApp,
    'kubernetes.io/cluster-service': 'true',
    'app.kubernetes.io/name': 'cilium-pre-flight-check',
    'app.kubernetes.io/part-of': 'cilium',
  });
  const selector = (k8sApp: string) => ({
    matchLabels: { 'k8s-app': k8sApp, 'kubernetes.io/cluster-service': 'true' },
  });
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'cilium-pre-flight-check', namespace: release.namespace },
    spec: {
      selector: selector('cilium-pre-flight-check'),
      updateStrategy: preflight('updateStrategy') ?? { type: 'RollingUpdate' },
      template: {
        metadata: { labels: labels('cilium-pre-flight-check') },
        spec: podSpec(
          'system-node-critical',
          [
            {
              name: 'cilium-pre-flight-check',
              image,
              command: ['/bin/sh'],
              args: ['-c', 'touch /tmp/ready; sleep 1h'],
              readinessProbe: ready('/tmp/ready'),
              resources: preflight('resources') ?? {},
            },
          ],
          [{ name: 'clean-cilium-state', image, command: ['/bin/echo'], args: ['hello'] }],
        ),
      },
    },
  };
  const account = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'cilium-pre-flight', namespace: release.namespace },
  };
  if (preflight('validateCNPs') === false) return [account, daemonSet];
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'cilium-pre-flight-check',
      namespace: release.namespace,
      labels: { 'app.kubernetes.io/name': 'cilium-pre-flight-check', 'app.kubernetes.io/part-of': 'cilium' },
    },
    spec: {
      selector: selector('cilium-pre-flight-check-deployment'),
      template: {
        metadata: { labels: labels('cilium-pre-flight-check-deployment') },
        spec: podSpec('system-cluster-critical', [
          {
            name: 'cnp-validator',
            image,
            command: ['/bin/sh'],
            args: ['-ec', 'cilium preflight validate-cnp;\ntouch /tmp/ready-validate-cnp;\nsleep 1h;\n'],
            readinessProbe: ready('/tmp/ready-validate-cnp'),
            resources: preflight('resources') ?? {},
          },
        ]),
      },
    },
  };
  return [account, daemonSet, deployment];
}
