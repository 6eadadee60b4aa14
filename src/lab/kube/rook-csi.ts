import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';
import type { CSI_RESOURCE_DEFAULTS } from './rook-resources.js';
import { csiResources, withContainerResources } from './rook-resources.js';

/**
 * The CSI drivers of the rook-ceph chart (csi.enableRbdDriver, csi.enableCephfsDriver, both on by default):
 * a node plugin DaemonSet and a provisioner Deployment each, their containers carrying the `csi.*Resource`
 * values (LIFECYCLE H.1). They need the host (privileged, host network and PID, hostPath /dev and /sys),
 * which is why the Talos guide labels the namespace privileged.
 */

/**
 * The CSI images each Rook minor deploys (its csi.*.tag defaults; v1.17 moved to cephcsi v3.14.2). The
 * resizer, attacher and snapshotter tags are those of Rook v1.18's image list, as public install notes give
 * it (not read from the chart here), used for v1.17 as well.
 */
const CSI_IMAGES = {
  v117: { cephcsi: 'quay.io/cephcsi/cephcsi:v3.14.2' },
  v118: { cephcsi: 'quay.io/cephcsi/cephcsi:v3.15.0' },
};
const SIG_STORAGE = 'registry.k8s.io/sig-storage';
const SIDECAR_IMAGES = {
  registrar: `${SIG_STORAGE}/csi-node-driver-registrar:v2.13.0`,
  'csi-provisioner': `${SIG_STORAGE}/csi-provisioner:v5.2.0`,
  'csi-resizer': `${SIG_STORAGE}/csi-resizer:v1.13.2`,
  'csi-attacher': `${SIG_STORAGE}/csi-attacher:v4.8.1`,
  'csi-snapshotter': `${SIG_STORAGE}/csi-snapshotter:v8.2.1`,
};

export interface CsiDriver {
  /** rbd or cephfs: the plugin container is csi-<name>plugin. */
  name: 'rbd' | 'cephfs';
  enabledBy: string;
  serviceAccounts: string[];
  pluginResources: keyof typeof CSI_RESOURCE_DEFAULTS;
  provisionerResources: keyof typeof CSI_RESOURCE_DEFAULTS;
}

export const CSI_DRIVERS: CsiDriver[] = [
  {
    name: 'rbd',
    enabledBy: 'enableRbdDriver',
    serviceAccounts: ['rook-csi-rbd-plugin-sa', 'rook-csi-rbd-provisioner-sa'],
    pluginResources: 'csiRBDPluginResource',
    provisionerResources: 'csiRBDProvisionerResource',
  },
  {
    name: 'cephfs',
    enabledBy: 'enableCephfsDriver',
    serviceAccounts: ['rook-csi-cephfs-plugin-sa', 'rook-csi-cephfs-provisioner-sa'],
    pluginResources: 'csiCephFSPluginResource',
    provisionerResources: 'csiCephFSProvisionerResource',
  },
];

export function renderCsiDriver(driver: CsiDriver, values: Doc, release: { chartVersion: string }): Doc[] {
  const images = release.chartVersion.startsWith('v1.17.') ? CSI_IMAGES.v117 : CSI_IMAGES.v118;
  const plugin = `csi-${driver.name}plugin`;
  const hostVolumes = [
    { name: 'host-dev', hostPath: { path: '/dev' } },
    { name: 'host-sys', hostPath: { path: '/sys' } },
    { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
  ];
  const hostMounts = [
    { name: 'host-dev', mountPath: '/dev' },
    { name: 'host-sys', mountPath: '/sys' },
    { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
  ];
  const pluginContainers = withContainerResources(
    [
      { name: 'driver-registrar', image: SIDECAR_IMAGES.registrar, securityContext: { privileged: true } },
      {
        name: plugin,
        image: images.cephcsi,
        securityContext: {
          privileged: true,
          capabilities: { add: ['SYS_ADMIN'] },
          allowPrivilegeEscalation: true,
        },
        volumeMounts: hostMounts,
      },
    ],
    csiResources(values, driver.pluginResources),
  );
  const nodePlugin = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: plugin },
    spec: {
      selector: { matchLabels: { app: plugin } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: plugin, contains: `${plugin}-metrics` } },
        spec: {
          serviceAccountName: `rook-csi-${driver.name}-plugin-sa`,
          priorityClassName: 'system-node-critical',
          hostNetwork: true,
          hostPID: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          containers: pluginContainers,
          volumes: hostVolumes,
        },
      },
    },
  };
  const sidecars = (['csi-provisioner', 'csi-resizer', 'csi-attacher', 'csi-snapshotter'] as const).map(
    (name) => ({ name, image: SIDECAR_IMAGES[name] }),
  );
  const provisionerContainers = withContainerResources(
    [...sidecars, { name: plugin, image: images.cephcsi, volumeMounts: hostMounts }],
    csiResources(values, driver.provisionerResources),
  );
  const provisioner = deployment(
    `${plugin}-provisioner`,
    Number(get(values, 'csi.provisionerReplicas') ?? 2),
    {
      serviceAccountName: `rook-csi-${driver.name}-provisioner-sa`,
      priorityClassName: 'system-cluster-critical',
      containers: provisionerContainers,
      volumes: hostVolumes,
    },
    { contains: `${plugin}-metrics` },
  );
  return [nodePlugin, provisioner];
}

export function deployment(name: string, replicas: number, podSpec: Doc, extraLabels: Doc = {}): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...extraLabels } }, spec: podSpec },
    },
  };
}
