/**
 * The resource types the lab's API servers serve: the built-in ones the product and users' manifests use,
 * and custom resources, which exist only once their CustomResourceDefinition is in the cluster (as on a
 * real cluster, where a chart installs them).
 */
export interface KindInfo {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames: string[];
  namespaced: boolean;
  /** Served only while the CRD `<plural>.<group>` exists. */
  custom?: boolean;
}

const kind = (
  apiVersion: string,
  name: string,
  plural: string,
  namespaced: boolean,
  shortNames: string[] = [],
  custom = false,
): KindInfo => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return {
    group: group ?? '',
    version: version ?? '',
    kind: name,
    plural,
    shortNames,
    namespaced,
    ...(custom ? { custom } : {}),
  };
};

export const KINDS: readonly KindInfo[] = [
  kind('v1', 'Namespace', 'namespaces', false, ['ns']),
  kind('v1', 'ConfigMap', 'configmaps', true, ['cm']),
  kind('v1', 'Secret', 'secrets', true),
  kind('v1', 'Service', 'services', true, ['svc']),
  kind('v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  kind('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc']),
  kind('v1', 'Pod', 'pods', true, ['po']),
  kind('v1', 'Node', 'nodes', false, ['no']),
  kind('v1', 'Event', 'events', true, ['ev']),
  kind('apps/v1', 'Deployment', 'deployments', true, ['deploy']),
  kind('apps/v1', 'DaemonSet', 'daemonsets', true, ['ds']),
  kind('apps/v1', 'StatefulSet', 'statefulsets', true, ['sts']),
  kind('batch/v1', 'Job', 'jobs', true),
  kind('batch/v1', 'CronJob', 'cronjobs', true, ['cj']),
  kind('networking.k8s.io/v1', 'Ingress', 'ingresses', true, ['ing']),
  kind('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  kind('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb']),
  kind('rbac.authorization.k8s.io/v1', 'Role', 'roles', true),
  kind('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', true),
  kind('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false),
  kind('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  kind('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false, ['sc']),
  kind('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, [
    'crd',
    'crds',
  ]),
  kind('ceph.rook.io/v1', 'CephCluster', 'cephclusters', true, [], true),
  kind('ceph.rook.io/v1', 'CephBlockPool', 'cephblockpools', true, [], true),
  kind('ceph.rook.io/v1', 'CephFilesystem', 'cephfilesystems', true, [], true),
  kind('ceph.rook.io/v1', 'CephObjectStore', 'cephobjectstores', true, [], true),
  kind('cilium.io/v2', 'CiliumNetworkPolicy', 'ciliumnetworkpolicies', true, ['cnp'], true),
  kind(
    'cilium.io/v2',
    'CiliumClusterwideNetworkPolicy',
    'ciliumclusterwidenetworkpolicies',
    false,
    ['ccnp'],
    true,
  ),
];

export function apiVersionOf(info: KindInfo): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

/** The CRD name that makes a custom kind exist: `<plural>.<group>`. */
export function crdName(info: KindInfo): string {
  return `${info.plural}.${info.group}`;
}

/** The kind a manifest's apiVersion and kind name, if the lab knows it at all. */
export function kindOf(apiVersion: string, kindName: string): KindInfo | undefined {
  return KINDS.find((info) => apiVersionOf(info) === apiVersion && info.kind === kindName);
}

/** What `kubectl get <arg>` means: plural, singular, short name or `<plural>.<group>`, case-insensitive. */
export function kindForResource(arg: string): KindInfo | undefined {
  const wanted = arg.toLowerCase();
  return KINDS.find(
    (info) =>
      info.plural === wanted ||
      info.kind.toLowerCase() === wanted ||
      info.shortNames.includes(wanted) ||
      (info.group !== '' &&
        (`${info.plural}.${info.group}` === wanted || `${info.kind.toLowerCase()}.${info.group}` === wanted)),
  );
}

export function byKind(kindName: string): KindInfo {
  const info = KINDS.find((candidate) => candidate.kind === kindName);
  if (!info) throw new Error(`the lab has no kind ${kindName}`);
  return info;
}
