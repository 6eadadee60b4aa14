import { parse, stringify } from 'yaml';
import type { KubeObject } from './objects.js';

/**
 * What a reviewer of a preview may do in it: read (get, list, watch) the common objects of some namespaces,
 * never Secrets, never write. Kubernetes RBAC (rbac.authorization.k8s.io/v1): a ServiceAccount, and in each
 * namespace a Role with those rules and a RoleBinding to the account; the account's tokens (TokenRequest,
 * `kubectl create token`) then authenticate as system:serviceaccount:<namespace>:<name>.
 */

export const REVIEWER_ACCOUNT = 'twin-reviewer';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const LABELS = { 'app.kubernetes.io/managed-by': 'aggrik8s-twin' };

/** Read-only verbs on what the upstream `view` ClusterRole shows, Secrets left out as there. */
const READ_ONLY_RULES = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'services',
      'endpoints',
      'configmaps',
      'persistentvolumeclaims',
      'events',
      'serviceaccounts',
    ],
  },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'] },
  { apiGroups: ['cilium.io'], resources: ['ciliumnetworkpolicies', 'ciliumendpoints'] },
].map((rule) => ({ ...rule, verbs: ['get', 'list', 'watch'] }));

/** The account lives in the first namespace; every namespace gets the Role and a binding to it. */
export function reviewerManifests(namespaces: string[]): KubeObject[] {
  const [home] = namespaces;
  if (home === undefined) throw new RangeError('reviewer access needs at least one namespace');
  const account: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: REVIEWER_ACCOUNT, namespace: home, labels: LABELS },
  };
  return [
    account,
    ...namespaces.flatMap((namespace): KubeObject[] => [
      {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: 'Role',
        metadata: { name: REVIEWER_ACCOUNT, namespace, labels: LABELS },
        rules: READ_ONLY_RULES,
      },
      {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: 'RoleBinding',
        metadata: { name: REVIEWER_ACCOUNT, namespace, labels: LABELS },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: REVIEWER_ACCOUNT },
        subjects: [{ kind: 'ServiceAccount', name: REVIEWER_ACCOUNT, namespace: home }],
      },
    ]),
  ];
}

/** Where a cluster's API is and the CA that signed it, as its admin kubeconfig says (no credentials). */
export interface ApiServer {
  server: string;
  caData: string;
}

/** The current context's cluster of a kubeconfig (client-go's v1 Config). */
export function apiServerOf(kubeconfigText: string): ApiServer {
  const doc = parse(kubeconfigText) as {
    'current-context'?: string;
    contexts?: { name: string; context?: { cluster?: string } }[];
    clusters?: { name: string; cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  };
  const clusterName = doc.contexts?.find((entry) => entry.name === doc['current-context'])?.context?.cluster;
  const cluster = doc.clusters?.find((entry) => entry.name === clusterName)?.cluster;
  if (!cluster?.server || !cluster['certificate-authority-data'])
    throw new Error('the admin kubeconfig names no server and CA for its current context');
  return { server: cluster.server, caData: cluster['certificate-authority-data'] };
}

export interface ReviewerContext {
  /** The context's name: the cluster's (east, west). */
  name: string;
  api: ApiServer;
  token: string;
}

/** One kubeconfig, a context per cluster with its token, the namespace preset; the first is current. */
export function reviewerKubeconfig(contexts: ReviewerContext[], namespace: string): string {
  const user = (name: string) => `${REVIEWER_ACCOUNT}@${name}`;
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map(({ name, api }) => ({
        name,
        cluster: { server: api.server, 'certificate-authority-data': api.caData },
      })),
      users: contexts.map(({ name, token }) => ({ name: user(name), user: { token } })),
      contexts: contexts.map(({ name }) => ({
        name,
        context: { cluster: name, user: user(name), namespace },
      })),
      'current-context': contexts[0]?.name ?? '',
    },
    { lineWidth: 0 },
  );
}

/** When a service account token stops working: its `exp` claim (the API server may have shortened it). */
export function tokenExpiry(token: string): Date | undefined {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === 'number' ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
