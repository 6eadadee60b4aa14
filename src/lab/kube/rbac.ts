import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import { byKind } from './kinds.js';
import type { ObjectStore, StoredObject } from './objects.js';

/**
 * The API server's RBAC authorizer (rbac.authorization.k8s.io/v1, as upstream's
 * plugin/pkg/auth/authorizer/rbac evaluates it): a request is allowed when a rule of a Role bound in the
 * request's namespace, or of a ClusterRole bound there or cluster-wide, matches it. Members of
 * system:masters are allowed everything (the API server's superuser group, which Talos' admin kubeconfig
 * carries). Nothing is denied explicitly: RBAC only adds permissions.
 */

/** Who makes a request, as an authenticator told the API server. */
export interface KubeUser {
  name: string;
  groups: string[];
}

/** A request to a resource: `subresource` as in pods/exec; `namespace` absent for cluster scope. */
export interface ResourceRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** A request to a path that is no resource (/version, /readyz). */
export interface PathRequest {
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceRequest | PathRequest;

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export const SUPERUSER_GROUP = 'system:masters';
export const AUTHENTICATED_GROUP = 'system:authenticated';

/**
 * What the bootstrap ClusterRoles bound to system:authenticated grant every user who logged in:
 * system:basic-user (self reviews), system:discovery and system:public-info-viewer (version, health,
 * discovery paths).
 */
const AUTHENTICATED_RULES: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
  rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  {
    ...rule(['get'], [], []),
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/healthz',
      '/livez',
      '/openapi',
      '/openapi/*',
      '/readyz',
      '/version',
      '/version/',
    ],
  },
];

function rule(verbs: string[], apiGroups: string[], resources: string[]): PolicyRule {
  return { verbs, apiGroups, resources, resourceNames: [], nonResourceURLs: [] };
}

export function isResourceRequest(request: RequestAttributes): request is ResourceRequest {
  return 'resource' in request;
}

/** Whether `user` may make `request` on the cluster whose objects `store` holds. */
export function authorize(store: ObjectStore, user: KubeUser, request: RequestAttributes): boolean {
  if (user.groups.includes(SUPERUSER_GROUP)) return true;
  const namespace = isResourceRequest(request) ? request.namespace : undefined;
  const rules = [
    ...(user.groups.includes(AUTHENTICATED_GROUP) ? AUTHENTICATED_RULES : []),
    ...clusterBindingRules(store, user),
    ...(namespace ? namespaceBindingRules(store, user, namespace) : []),
  ];
  return rules.some((candidate) => ruleAllows(candidate, request));
}

function clusterBindingRules(store: ObjectStore, user: KubeUser): PolicyRule[] {
  return store
    .list(byKind('ClusterRoleBinding'))
    .filter((binding) => bindsUser(binding.object, user, undefined))
    .flatMap((binding) => roleRules(store, binding.object, undefined));
}

function namespaceBindingRules(store: ObjectStore, user: KubeUser, namespace: string): PolicyRule[] {
  return store
    .list(byKind('RoleBinding'), namespace)
    .filter((binding) => bindsUser(binding.object, user, namespace))
    .flatMap((binding) => roleRules(store, binding.object, namespace));
}

/** The rules of the role a binding refers to; none when the role does not exist (yet). */
function roleRules(store: ObjectStore, binding: Doc, namespace: string | undefined): PolicyRule[] {
  const ref = isMap(binding.roleRef) ? binding.roleRef : {};
  const name = String(ref.name ?? '');
  const role: StoredObject | undefined =
    ref.kind === 'Role' && namespace !== undefined
      ? store.get(byKind('Role'), namespace, name)
      : ref.kind === 'ClusterRole'
        ? store.get(byKind('ClusterRole'), undefined, name)
        : undefined;
  const rules = role && Array.isArray(role.object.rules) ? role.object.rules.filter(isMap) : [];
  return rules.map(policyRule);
}

function policyRule(doc: Doc): PolicyRule {
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return {
    verbs: strings(doc.verbs),
    apiGroups: strings(doc.apiGroups),
    resources: strings(doc.resources),
    resourceNames: strings(doc.resourceNames),
    nonResourceURLs: strings(doc.nonResourceURLs),
  };
}

/** Upstream's appliesToUser: a ServiceAccount subject without namespace means the binding's own. */
function bindsUser(binding: Doc, user: KubeUser, namespace: string | undefined): boolean {
  const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isMap) : [];
  return subjects.some((subject) => {
    const name = String(subject.name ?? '');
    if (subject.kind === 'User') return user.name === name;
    if (subject.kind === 'Group') return user.groups.includes(name);
    if (subject.kind !== 'ServiceAccount') return false;
    const accountNamespace = typeof subject.namespace === 'string' ? subject.namespace : namespace;
    return accountNamespace !== undefined && user.name === serviceAccountUser(accountNamespace, name);
  });
}

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** Upstream's RuleAllows: verbs, API group, resource (or a star over a subresource), resource names; or a path. */
function ruleAllows(candidate: PolicyRule, request: RequestAttributes): boolean {
  if (!matchesOrStar(candidate.verbs, request.verb)) return false;
  if (!isResourceRequest(request))
    return candidate.nonResourceURLs.some((url) => urlMatches(url, request.path));
  const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return (
    matchesOrStar(candidate.apiGroups, request.group) &&
    candidate.resources.some(
      (resource) =>
        resource === '*' ||
        resource === combined ||
        (request.subresource !== undefined && resource === `*/${request.subresource}`),
    ) &&
    (candidate.resourceNames.length === 0 || candidate.resourceNames.includes(request.name ?? ''))
  );
}

function matchesOrStar(values: string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}

function urlMatches(ruleUrl: string, path: string): boolean {
  if (ruleUrl === '*' || ruleUrl === path) return true;
  return ruleUrl.endsWith('*') && path.startsWith(ruleUrl.replace(/\*+$/, ''));
}

/**
 * The API server's refusal (responsewriters.forbiddenMessage wrapped by errors.NewForbidden), e.g.
 * `pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "n"`.
 */
export function forbiddenMessage(user: KubeUser, request: RequestAttributes): string {
  if (!isResourceRequest(request))
    return `forbidden: User "${user.name}" cannot ${request.verb} path "${request.path}"`;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  const reason = `User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${scope}`;
  const qualified = request.group === '' ? request.resource : `${request.resource}.${request.group}`;
  return request.name
    ? `${qualified} "${request.name}" is forbidden: ${reason}`
    : `${qualified} is forbidden: ${reason}`;
}
