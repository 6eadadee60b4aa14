import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import type { KindInfo } from './kinds.js';

/**
 * The API server's validation of RBAC objects (pkg/apis/rbac/validation): a rule needs verbs and either
 * API groups with resources or, in a ClusterRole only, non-resource URLs; a binding's roleRef names a role
 * of the right kind in rbac.authorization.k8s.io and never changes; each subject is a ServiceAccount, User
 * or Group (a ClusterRoleBinding's ServiceAccount needs its namespace). Subjects' apiGroup defaults as v1's
 * SetDefaults_Subject does: rbac.authorization.k8s.io for User and Group, "" for ServiceAccount.
 */

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

/** The API server's refusal of an RBAC object, or undefined for a valid one (or another kind). */
export function rbacViolation(info: KindInfo, object: Doc): string | undefined {
  const errors =
    info.kind === 'Role' || info.kind === 'ClusterRole'
      ? ruleErrors(object, info.kind === 'Role')
      : info.kind === 'RoleBinding' || info.kind === 'ClusterRoleBinding'
        ? bindingErrors(object, info.kind === 'RoleBinding')
        : [];
  return errors.length > 0 ? invalid(info, object, errors) : undefined;
}

/** A binding's roleRef is immutable: another role needs another binding. */
export function rbacUpdateViolation(info: KindInfo, before: Doc, after: Doc): string | undefined {
  if (info.kind !== 'RoleBinding' && info.kind !== 'ClusterRoleBinding') return undefined;
  const ref = (doc: Doc) => (isMap(doc.roleRef) ? doc.roleRef : {});
  const [old, next] = [ref(before), ref(after)];
  if (['apiGroup', 'kind', 'name'].every((field) => old[field] === next[field])) return undefined;
  const shown = `rbac.RoleRef{APIGroup:${quoted(next.apiGroup)}, Kind:${quoted(next.kind)}, Name:${quoted(next.name)}}`;
  return invalid(info, after, [`roleRef: Invalid value: ${shown}: cannot change roleRef`]);
}

function ruleErrors(object: Doc, namespaced: boolean): string[] {
  const rules = Array.isArray(object.rules) ? object.rules : [];
  return rules.flatMap((rule: unknown, index) => {
    const at = `rules[${index}]`;
    const doc = isMap(rule) ? rule : {};
    const list = (field: string) => (Array.isArray(doc[field]) ? (doc[field] as unknown[]) : []);
    const errors: string[] = [];
    if (list('verbs').length === 0)
      errors.push(`${at}.verbs: Required value: verbs must contain at least one value`);
    const urls = list('nonResourceURLs');
    if (urls.length > 0) {
      const shown = `[]string{${urls.map(quoted).join(', ')}}`;
      if (namespaced)
        errors.push(
          `${at}.nonResourceURLs: Invalid value: ${shown}: namespaced rules cannot apply to non-resource URLs`,
        );
      if (list('apiGroups').length > 0 || list('resources').length > 0 || list('resourceNames').length > 0)
        errors.push(
          `${at}.nonResourceURLs: Invalid value: ${shown}: rules cannot apply to both regular resources and non-resource URLs`,
        );
      return errors;
    }
    if (list('apiGroups').length === 0)
      errors.push(`${at}.apiGroups: Required value: resource rules must supply at least one api group`);
    if (list('resources').length === 0)
      errors.push(`${at}.resources: Required value: resource rules must supply at least one resource`);
    return errors;
  });
}

function bindingErrors(object: Doc, namespaced: boolean): string[] {
  const ref = isMap(object.roleRef) ? object.roleRef : {};
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const errors: string[] = [];
  if (ref.apiGroup !== RBAC_GROUP) errors.push(unsupported('roleRef.apiGroup', ref.apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(String(ref.kind ?? ''))) errors.push(unsupported('roleRef.kind', ref.kind, kinds));
  if (typeof ref.name !== 'string' || ref.name === '') errors.push('roleRef.name: Required value');
  const subjects = Array.isArray(object.subjects) ? object.subjects : [];
  subjects.forEach((subject: unknown, index) => {
    errors.push(...subjectErrors(isMap(subject) ? subject : {}, `subjects[${index}]`, namespaced));
  });
  return errors;
}

function subjectErrors(subject: Doc, at: string, namespaced: boolean): string[] {
  const errors: string[] = [];
  if (typeof subject.name !== 'string' || subject.name === '') errors.push(`${at}.name: Required value`);
  const kind = String(subject.kind ?? '');
  if (!SUBJECT_KINDS.includes(kind))
    return [...errors, unsupported(`${at}.kind`, subject.kind, SUBJECT_KINDS)];
  const group = subject.apiGroup ?? (kind === 'ServiceAccount' ? '' : RBAC_GROUP);
  const wanted = kind === 'ServiceAccount' ? '' : RBAC_GROUP;
  if (group !== wanted) errors.push(unsupported(`${at}.apiGroup`, group, [wanted]));
  if (kind === 'ServiceAccount' && !namespaced && !subject.namespace)
    errors.push(`${at}.namespace: Required value`);
  return errors;
}

function unsupported(field: string, value: unknown, supported: string[]): string {
  return `${field}: Unsupported value: ${quoted(value ?? '')}: supported values: ${supported.map(quoted).join(', ')}`;
}

function quoted(value: unknown): string {
  return JSON.stringify(String(value ?? ''));
}

/** errors.NewInvalid: one error as it is, several as an aggregate in brackets. */
function invalid(info: KindInfo, object: Doc, errors: string[]): string {
  const name = String(isMap(object.metadata) ? object.metadata.name : '');
  const detail = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  return `The ${info.kind} "${name}" is invalid: ${detail}`;
}
