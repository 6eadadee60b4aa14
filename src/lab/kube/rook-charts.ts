import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import { CSI_DRIVERS, deployment, renderCsiDriver } from './rook-csi.js';
import { CEPH_RESOURCE_DEFAULTS, OPERATOR_RESOURCES } from './rook-resources.js';

/**
 * Rook's two charts from https://charts.rook.io/release (CONTRACTS D): `rook-ceph` (the operator, its
 * CRDs and the RBD CSI driver) and `rook-ceph-cluster` (a CephCluster with its pools and StorageClasses),
 * with the defaults of the charts' values.yaml, plus the CRDs' own schema rules the API server applies.
 */

export const ROOK_REPO = 'https://charts.rook.io/release';

export const ROOK_CHART_VERSIONS = [
  ...Array.from({ length: 10 }, (_, patch) => `v1.17.${patch}`),
  ...Array.from({ length: 9 }, (_, patch) => `v1.18.${patch}`),
];

/** The Ceph image the cluster chart pins (cephImage in values.yaml), and the one the lab runs. */
export const CEPH_IMAGE = 'quay.io/ceph/ceph:v19.2.3';

export interface ChartRelease {
  name: string;
  namespace: string;
  chartVersion: string;
}

/** The custom resources the operator chart defines (templates/resources.yaml, gated by crds.enabled). */
const ROOK_CRDS = [
  { kind: 'CephCluster', plural: 'cephclusters' },
  { kind: 'CephBlockPool', plural: 'cephblockpools' },
  { kind: 'CephFilesystem', plural: 'cephfilesystems' },
  { kind: 'CephObjectStore', plural: 'cephobjectstores' },
];

/** rook-ceph values.yaml: the keys the lab renders from. */
export function operatorDefaults(): Doc {
  return {
    image: { repository: 'docker.io/rook/ceph', pullPolicy: 'IfNotPresent' },
    crds: { enabled: true },
    containerSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 2016,
      runAsGroup: 2016,
      capabilities: { drop: ['ALL'] },
    },
    resources: OPERATOR_RESOURCES,
    csi: { enableRbdDriver: true, enableCephfsDriver: true, provisionerReplicas: 2 },
    monitoring: { enabled: false },
  };
}

/** rook-ceph-cluster values.yaml (v1.18): the cluster spec and one block pool, filesystem and object store. */
export function clusterDefaults(): Doc {
  const replicated3 = { size: 3 };
  return {
    operatorNamespace: 'rook-ceph',
    cephImage: { repository: 'quay.io/ceph/ceph', tag: 'v19.2.3', allowUnsupported: false },
    cephClusterSpec: {
      dataDirHostPath: '/var/lib/rook',
      skipUpgradeChecks: false,
      continueUpgradeAfterChecksEvenIfNotHealthy: false,
      waitTimeoutForHealthyOSDInMinutes: 10,
      mon: { count: 3, allowMultiplePerNode: false },
      mgr: { count: 2, allowMultiplePerNode: false },
      dashboard: { enabled: true, ssl: true },
      crashCollector: { disable: false },
      logCollector: { enabled: true, periodicity: 'daily', maxLogSize: '500M' },
      resources: structuredClone(CEPH_RESOURCE_DEFAULTS),
      removeOSDsIfOutAndSafeToRemove: false,
      priorityClassNames: {
        mon: 'system-node-critical',
        osd: 'system-node-critical',
        mgr: 'system-cluster-critical',
      },
      storage: { useAllNodes: true, useAllDevices: true },
      // Cluster values lines 395-403 (LIFECYCLE H.2): Rook keeps PDBs for mons, mgrs and OSDs.
      disruptionManagement: { managePodBudgets: true, osdMaintenanceTimeout: 30 },
    },
    cephBlockPools: [
      {
        name: 'ceph-blockpool',
        spec: { failureDomain: 'host', replicated: replicated3 },
        storageClass: {
          enabled: true,
          name: 'ceph-block',
          isDefault: true,
          reclaimPolicy: 'Delete',
          allowVolumeExpansion: true,
          volumeBindingMode: 'Immediate',
          parameters: {
            imageFormat: '2',
            imageFeatures: 'layering',
            'csi.storage.k8s.io/provisioner-secret-name': 'rook-csi-rbd-provisioner',
            'csi.storage.k8s.io/provisioner-secret-namespace': '{{ .Release.Namespace }}',
            'csi.storage.k8s.io/controller-expand-secret-name': 'rook-csi-rbd-provisioner',
            'csi.storage.k8s.io/controller-expand-secret-namespace': '{{ .Release.Namespace }}',
            'csi.storage.k8s.io/node-stage-secret-name': 'rook-csi-rbd-node',
            'csi.storage.k8s.io/node-stage-secret-namespace': '{{ .Release.Namespace }}',
            'csi.storage.k8s.io/fstype': 'ext4',
          },
        },
      },
    ],
    cephFileSystems: [
      {
        name: 'ceph-filesystem',
        spec: {
          metadataPool: { replicated: replicated3 },
          dataPools: [{ failureDomain: 'host', replicated: replicated3, name: 'data0' }],
          metadataServer: { activeCount: 1, activeStandby: true },
        },
        storageClass: { enabled: true, isDefault: false, name: 'ceph-filesystem', pool: 'data0' },
      },
    ],
    cephObjectStores: [
      {
        name: 'ceph-objectstore',
        spec: {
          metadataPool: { failureDomain: 'host', replicated: replicated3 },
          dataPool: { failureDomain: 'host', erasureCoded: { dataChunks: 2, codingChunks: 1 } },
          preservePoolsOnDelete: true,
          gateway: { port: 80, instances: 1 },
        },
        storageClass: { enabled: true, name: 'ceph-bucket', reclaimPolicy: 'Delete' },
      },
    ],
  };
}

export function operatorNotes(): string {
  return [
    'The Rook Operator has been installed.',
    '',
    'Visit https://rook.io/docs/rook/latest for instructions on how to create and configure Rook clusters',
    '',
    'Important Notes:',
    "- You must customize the 'CephCluster' resource in the sample manifests for your cluster.",
    '- Each CephCluster must be deployed to its own namespace, the samples use `rook-ceph` for the namespace.',
    '- The sample manifests assume you also installed the rook-ceph operator in the `rook-ceph` namespace.',
    '- The helm chart includes all the RBAC required to create a CephCluster CRD in the same namespace.',
    "- Any disk devices you add to the cluster in the 'CephCluster' must be empty (no filesystem and no partitions).",
    '',
  ].join('\n');
}

export function clusterNotes(release: ChartRelease): string {
  return [
    'The Ceph Cluster has been installed. Check its status by running:',
    `  kubectl --namespace ${release.namespace} get cephcluster`,
    '',
    'Visit https://rook.io/docs/rook/latest/CRDs/Cluster/ceph-cluster-crd/ for more information about the Ceph CRD.',
    '',
    'Important Notes:',
    '- You can only deploy a single cluster per namespace',
    '- If you wish to delete this cluster and start fresh, you will also have to wipe the OSD disks using `sfdisk`',
    '',
  ].join('\n');
}

/** The operator chart's objects: CRDs, service accounts, the operator and the RBD CSI driver. */
export function renderOperator(values: Doc, release: ChartRelease): Doc[] {
  const crds = get(values, 'crds.enabled') === false ? [] : ROOK_CRDS.map(customResourceDefinition);
  const drivers = CSI_DRIVERS.filter((driver) => get(values, `csi.${driver.enabledBy}`) !== false);
  const accounts = ['rook-ceph-system', ...drivers.flatMap((driver) => driver.serviceAccounts)].map(
    (name) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name },
    }),
  );
  const csi = drivers.flatMap((driver) => renderCsiDriver(driver, values, release));
  return [...crds, ...accounts, operatorDeployment(values, release), ...csi];
}

function customResourceDefinition(crd: { kind: string; plural: string }): Doc {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${crd.plural}.ceph.rook.io`,
      // The chart keeps its CRDs on uninstall: deleting them would delete every Ceph cluster.
      annotations: { 'helm.sh/resource-policy': 'keep' },
    },
    spec: {
      group: 'ceph.rook.io',
      names: {
        kind: crd.kind,
        listKind: `${crd.kind}List`,
        plural: crd.plural,
        singular: crd.kind.toLowerCase(),
      },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} } }],
    },
  };
}

function operatorDeployment(values: Doc, release: ChartRelease): Doc {
  const repository = String(get(values, 'image.repository'));
  const tag = String(get(values, 'image.tag') ?? release.chartVersion);
  return deployment('rook-ceph-operator', 1, {
    serviceAccountName: 'rook-ceph-system',
    containers: [
      {
        name: 'rook-ceph-operator',
        image: `${repository}:${tag}`,
        args: ['ceph', 'operator'],
        securityContext: get(values, 'containerSecurityContext'),
        resources: get(values, 'resources') ?? {},
        ports: [{ containerPort: 9443, name: 'https-webhook', protocol: 'TCP' }],
        volumeMounts: [
          { mountPath: '/var/lib/rook', name: 'rook-config' },
          { mountPath: '/etc/ceph', name: 'default-config-dir' },
        ],
      },
    ],
    volumes: [
      { name: 'rook-config', emptyDir: {} },
      { name: 'default-config-dir', emptyDir: {} },
    ],
  });
}

/** The cluster chart's objects: the CephCluster, and a pool (with its StorageClass) per list entry. */
export function renderCluster(values: Doc, release: ChartRelease): Doc[] {
  const operatorNamespace = String(get(values, 'operatorNamespace') ?? 'rook-ceph');
  const entries = (key: string) => {
    const list = values[key];
    return Array.isArray(list) ? list.filter(isMap) : [];
  };
  return [
    cephCluster(values, release),
    ...entries('cephBlockPools').flatMap((pool) => blockPool(pool, release, operatorNamespace)),
    ...entries('cephFileSystems').flatMap((fs) => filesystem(fs, release, operatorNamespace)),
    ...entries('cephObjectStores').flatMap((store) => objectStore(store, release)),
  ];
}

function cephCluster(values: Doc, release: ChartRelease): Doc {
  const spec = isMap(values.cephClusterSpec) ? structuredClone(values.cephClusterSpec) : {};
  // templates/cephcluster.yaml: the cephImage values stand in for a cephVersion the spec leaves out.
  spec.cephVersion ??= {
    image: `${String(get(values, 'cephImage.repository'))}:${String(get(values, 'cephImage.tag'))}`,
    allowUnsupported: get(values, 'cephImage.allowUnsupported') === true,
  };
  const name =
    typeof values.clusterName === 'string' && values.clusterName ? values.clusterName : release.namespace;
  return {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephCluster',
    metadata: { name, namespace: release.namespace },
    spec: { monitoring: { enabled: get(values, 'monitoring.enabled') === true }, ...spec },
  };
}

function blockPool(pool: Doc, release: ChartRelease, operatorNamespace: string): Doc[] {
  const name = String(pool.name);
  const resource = {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephBlockPool',
    metadata: { name, namespace: release.namespace },
    spec: pool.spec ?? {},
  };
  const parameters = { pool: name, clusterID: release.namespace, ...releaseParameters(pool, release) };
  return [resource, ...storageClass(pool, `${operatorNamespace}.rbd.csi.ceph.com`, parameters)];
}

function filesystem(fs: Doc, release: ChartRelease, operatorNamespace: string): Doc[] {
  const name = String(fs.name);
  const resource = {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephFilesystem',
    metadata: { name, namespace: release.namespace },
    spec: fs.spec ?? {},
  };
  const pool = String(get(fs, 'storageClass.pool') ?? 'data0');
  const parameters = {
    fsName: name,
    pool: `${name}-${pool}`,
    clusterID: release.namespace,
    ...releaseParameters(fs, release),
  };
  return [resource, ...storageClass(fs, `${operatorNamespace}.cephfs.csi.ceph.com`, parameters)];
}

function objectStore(store: Doc, release: ChartRelease): Doc[] {
  const name = String(store.name);
  const resource = {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephObjectStore',
    metadata: { name, namespace: release.namespace },
    spec: store.spec ?? {},
  };
  const parameters = {
    objectStoreName: name,
    objectStoreNamespace: release.namespace,
    ...releaseParameters(store, release),
  };
  return [resource, ...storageClass(store, `${release.namespace}.ceph.rook.io/bucket`, parameters)];
}

/** The entry's StorageClass parameters, with `{{ .Release.Namespace }}` resolved as the chart's tpl does. */
function releaseParameters(entry: Doc, release: ChartRelease): Doc {
  const parameters = get(entry, 'storageClass.parameters');
  return Object.fromEntries(
    Object.entries(isMap(parameters) ? parameters : {}).map(([key, value]) => [
      key,
      typeof value === 'string' ? value.replaceAll('{{ .Release.Namespace }}', release.namespace) : value,
    ]),
  );
}

function storageClass(entry: Doc, provisioner: string, parameters: Doc): Doc[] {
  const settings = isMap(entry.storageClass) ? entry.storageClass : {};
  if (settings.enabled !== true) return [];
  return [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: String(settings.name),
        annotations: {
          'storageclass.kubernetes.io/is-default-class': settings.isDefault === true ? 'true' : 'false',
        },
      },
      provisioner,
      parameters,
      reclaimPolicy: settings.reclaimPolicy ?? 'Delete',
      allowVolumeExpansion: settings.allowVolumeExpansion ?? true,
      volumeBindingMode: settings.volumeBindingMode ?? 'Immediate',
    },
  ];
}

/**
 * The openAPI rules of Rook's CRDs the API server enforces on apply (pkg/apis/ceph.rook.io/v1 kubebuilder
 * markers): mon.count 0..9, mgr.count 0..5, pool sizes not negative. The kubectl-style message, or undefined.
 */
export function cephCrdViolation(kind: string, object: Doc): string | undefined {
  const name = String(get(object, 'metadata.name'));
  const bounds: [string, number, number][] =
    kind === 'CephCluster'
      ? [
          ['spec.mon.count', 0, 9],
          ['spec.mgr.count', 0, 5],
        ]
      : kind === 'CephBlockPool'
        ? [['spec.replicated.size', 0, Infinity]]
        : [];
  for (const [path, min, max] of bounds) {
    const value = get(object, path);
    if (typeof value !== 'number') continue;
    if (value > max)
      return `The ${kind} "${name}" is invalid: ${path}: Invalid value: ${value}: ${path} in body should be less than or equal to ${max}`;
    if (value < min)
      return `The ${kind} "${name}" is invalid: ${path}: Invalid value: ${value}: ${path} in body should be greater than or equal to ${min}`;
  }
  return undefined;
}
