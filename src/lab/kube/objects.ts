import { createHash } from 'node:crypto';
import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import type { KindInfo } from './kinds.js';
import { apiVersionOf, crdName, kindOf } from './kinds.js';
import { rbacUpdateViolation, rbacViolation } from './rbac-validation.js';
import { cephCrdViolation } from './rook-charts.js';

/** An object as the API server keeps it: what was applied, plus the server's own bookkeeping. */
export interface StoredObject {
  object: Doc;
  uid: string;
  createdAt: number;
  updatedAt: number;
  /** Bumped when the spec (anything but metadata and status) changes, as the API server does. */
  generation: number;
  /** `<namespace>/<release>` of the helm release that created it, if one did. */
  owner?: string;
  /** Workloads and CephClusters: the specs it had before, oldest first (rollouts, scale-downs, Rook reconciles). */
  history?: SpecChange[];
}

/** A workload's spec as it was until `replacedAt`. */
export interface SpecChange {
  spec: unknown;
  replacedAt: number;
}

/** A deleted workload, kept so that its pods can be shown terminating. */
export interface RemovedObject {
  stored: StoredObject;
  removedAt: number;
}

/** Enough earlier specs for a rollout that is overtaken by another while its pods still terminate. */
const HISTORY_KEPT = 3;
/**
 * A CephCluster's earlier specs: Rook reconciles each generation from when it was applied (its mons are
 * added or removed then, not back-dated), so the Ceph model reads when each spec came.
 */
const CEPH_HISTORY_KEPT = 32;

export type ApplyResult = 'created' | 'configured' | 'unchanged';

/** The API server refused an object; the message is its own (kubectl prints it as it comes). */
export class ApiRejection extends Error {}

const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_RULE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names must be DNS labels (they become DNS names or pod-name prefixes). */
const LABEL_NAMED = new Set(['Namespace', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * The objects of one cluster's API server, kept in the lab's state. Built-in behaviour (pods of a
 * Deployment, a CephCluster's status) is computed from these objects by the modules beside this one.
 */
export class ObjectStore {
  constructor(
    private readonly objects: Record<string, StoredObject>,
    private readonly now: () => number,
    private readonly changed: () => void,
    private readonly removedObjects: Record<string, RemovedObject> = {},
  ) {}

  /** The kind a manifest names, if this cluster serves it now (custom kinds need their CRD). */
  served(apiVersion: string, kindName: string): KindInfo | undefined {
    const info = kindOf(apiVersion, kindName);
    return info && this.serves(info) ? info : undefined;
  }

  serves(info: KindInfo): boolean {
    if (!info.custom) return true;
    const crd = kindOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    return crd !== undefined && this.get(crd, undefined, crdName(info)) !== undefined;
  }

  get(info: KindInfo, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects[key(info, namespace, name)];
  }

  /** Objects of a kind, in one namespace or (undefined) all, sorted by namespace then name. */
  list(info: KindInfo, namespace?: string): StoredObject[] {
    const prefix = `${info.plural}.${info.group}/`;
    return Object.entries(this.objects)
      .filter(([id]) => id.startsWith(prefix))
      .map(([, stored]) => stored)
      .filter((stored) => !info.namespaced || namespace === undefined || namespaceOf(stored) === namespace)
      .sort((a, b) => `${namespaceOf(a)}/${nameOf(a)}`.localeCompare(`${namespaceOf(b)}/${nameOf(b)}`));
  }

  /**
   * Creates or updates an object as `kubectl apply` does, after the API server's checks. Namespaced kinds
   * get `defaultNamespace` when the manifest names none.
   */
  apply(
    manifest: Doc,
    opts: { defaultNamespace: string; owner?: string },
  ): { stored: StoredObject; result: ApplyResult } {
    const info = this.requireServed(manifest);
    const object = structuredClone(manifest);
    const metadata = object.metadata as Doc;
    if (info.namespaced) metadata.namespace ??= opts.defaultNamespace;
    else delete metadata.namespace;
    const name = String(metadata.name);
    const namespace = info.namespaced ? String(metadata.namespace) : undefined;
    validateObject(info, object);
    if (namespace !== undefined && namespace !== 'default' && !this.namespaceExists(namespace)) {
      throw new ApiRejection(`Error from server (NotFound): namespaces "${namespace}" not found`);
    }
    const id = key(info, namespace, name);
    if (info.kind === 'Service') this.refuseTakenNodePorts(id, object);
    const existing = this.objects[id];
    if (existing) validateUpdate(info, existing.object, object);
    const now = this.now();
    if (existing && sameContent(existing.object, object)) return { stored: existing, result: 'unchanged' };
    const stored: StoredObject = existing
      ? {
          ...existing,
          object,
          updatedAt: now,
          generation: existing.generation + (sameSpec(existing.object, object) ? 0 : 1),
          ...withHistory(info, existing, object, now),
        }
      : {
          object,
          uid: uidFor(id, now),
          createdAt: now,
          updatedAt: now,
          generation: 1,
          ...(opts.owner ? { owner: opts.owner } : {}),
        };
    this.objects[id] = stored;
    this.changed();
    return { stored, result: existing ? 'configured' : 'created' };
  }

  /** Changes an object in place (scale, annotate, label); the caller has found it already. */
  update(info: KindInfo, stored: StoredObject, change: (object: Doc) => void): boolean {
    const object = structuredClone(stored.object);
    change(object);
    if (sameContent(stored.object, object)) return false;
    const namespace = info.namespaced ? namespaceOf(stored) : undefined;
    this.objects[key(info, namespace, nameOf(stored))] = {
      ...stored,
      object,
      updatedAt: this.now(),
      generation: stored.generation + (sameSpec(stored.object, object) ? 0 : 1),
      ...withHistory(info, stored, object, this.now()),
    };
    this.changed();
    return true;
  }

  delete(info: KindInfo, namespace: string | undefined, name: string): boolean {
    const id = key(info, info.namespaced ? namespace : undefined, name);
    if (!this.objects[id]) return false;
    this.forget(id);
    if (info.kind === 'Namespace') {
      for (const [other, stored] of Object.entries(this.objects))
        if (namespaceOf(stored) === name) this.forget(other);
    }
    this.changed();
    return true;
  }

  /** Workloads deleted from the cluster (their pods may still terminate), newest deletion per name. */
  removed(info: KindInfo): RemovedObject[] {
    const prefix = `${info.plural}.${info.group}/`;
    return Object.entries(this.removedObjects)
      .filter(([id]) => id.startsWith(prefix))
      .map(([, removed]) => removed);
  }

  private forget(id: string): void {
    const stored = this.objects[id];
    const workload = id.slice(0, id.indexOf('/')).endsWith('.apps');
    if (stored && workload) this.removedObjects[id] = { stored, removedAt: this.now() };
    delete this.objects[id];
  }

  /** Every object a helm release created. */
  ownedBy(owner: string): { id: string; stored: StoredObject }[] {
    return Object.entries(this.objects)
      .filter(([, stored]) => stored.owner === owner)
      .map(([id, stored]) => ({ id, stored }));
  }

  deleteById(id: string): void {
    this.forget(id);
    this.changed();
  }

  namespaceExists(namespace: string): boolean {
    if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(namespace)) return true;
    const info = kindOf('v1', 'Namespace');
    return info !== undefined && this.get(info, undefined, namespace) !== undefined;
  }

  /** A NodePort belongs to one Service of the cluster (the API server allocates it). */
  private refuseTakenNodePorts(id: string, service: Doc): void {
    const ports = (doc: Doc) =>
      (isMap(doc.spec) && Array.isArray(doc.spec.ports) ? doc.spec.ports.filter(isMap) : [])
        .map((port) => port.nodePort)
        .filter((port) => port !== undefined)
        .map(Number);
    const taken = new Set(
      Object.entries(this.objects)
        .filter(([other]) => other !== id && other.startsWith('services./'))
        .flatMap(([, stored]) => ports(stored.object)),
    );
    ports(service).forEach((port, index) => {
      if (taken.has(port)) {
        throw new ApiRejection(
          `The Service "${String((service.metadata as Doc).name)}" is invalid: spec.ports[${index}].nodePort: Invalid value: ${port}: provided port is already allocated`,
        );
      }
    });
  }

  private requireServed(manifest: Doc): KindInfo {
    const apiVersion = typeof manifest.apiVersion === 'string' ? manifest.apiVersion : '';
    const kindName = typeof manifest.kind === 'string' ? manifest.kind : '';
    const missing = [...(apiVersion ? [] : ['apiVersion not set']), ...(kindName ? [] : ['kind not set'])];
    if (!isMap(manifest.metadata) || typeof manifest.metadata.name !== 'string')
      missing.push('metadata.name not set');
    if (missing.length > 0) {
      throw new ApiRejection(
        `error validating data: [${missing.join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false`,
      );
    }
    const info = this.served(apiVersion, kindName);
    if (!info) {
      const name = String((manifest.metadata as Doc).name);
      throw new ApiRejection(
        `resource mapping not found for name: "${name}" namespace: "${String((manifest.metadata as Doc).namespace ?? '')}" from "STDIN": no matches for kind "${kindName}" in version "${apiVersion}"\nensure CRDs are installed first`,
      );
    }
    return info;
  }
}

export function nameOf(stored: StoredObject): string {
  return String((stored.object.metadata as Doc).name);
}

export function namespaceOf(stored: StoredObject): string | undefined {
  const namespace = (stored.object.metadata as Doc).namespace;
  return typeof namespace === 'string' ? namespace : undefined;
}

export function labelsOf(object: Doc): Record<string, string> {
  const labels = isMap(object.metadata) ? object.metadata.labels : undefined;
  return isMap(labels) ? (labels as Record<string, string>) : {};
}

export function annotationsOf(object: Doc): Record<string, string> {
  const annotations = isMap(object.metadata) ? object.metadata.annotations : undefined;
  return isMap(annotations) ? (annotations as Record<string, string>) : {};
}

/** A label selector's matchLabels (or a Service's plain selector map) against labels. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([name, value]) => labels[name] === value);
}

function key(info: KindInfo, namespace: string | undefined, name: string): string {
  return `${info.plural}.${info.group}/${info.namespaced ? (namespace ?? 'default') : ''}/${name}`;
}

function uidFor(id: string, now: number): string {
  const hex = createHash('sha256').update(`${id}@${now}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function sameContent(a: Doc, b: Doc): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** For workloads and CephClusters: the replaced spec joins the history when the spec changes. */
function withHistory(
  info: KindInfo,
  before: StoredObject,
  after: Doc,
  now: number,
): { history?: SpecChange[] } {
  const kept =
    apiVersionOf(info) === 'apps/v1' ? HISTORY_KEPT : info.kind === 'CephCluster' ? CEPH_HISTORY_KEPT : 0;
  if (kept === 0 || sameSpec(before.object, after)) return {};
  const change = { spec: structuredClone(before.object.spec), replacedAt: now };
  return { history: [...(before.history ?? []), change].slice(-kept) };
}

function sameSpec(a: Doc, b: Doc): boolean {
  const spec = (doc: Doc) => JSON.stringify({ ...doc, metadata: undefined, status: undefined });
  return spec(a) === spec(b);
}

function invalid(info: KindInfo, name: string, field: string, detail: string): ApiRejection {
  return new ApiRejection(`The ${info.kind} "${name}" is invalid: ${field}: ${detail}`);
}

/** The API server's validation of the fields the lab's behaviour reads. */
function validateObject(info: KindInfo, object: Doc): void {
  const metadata = object.metadata as Doc;
  const name = String(metadata.name);
  const rule = LABEL_NAMED.has(info.kind) ? RFC1123_LABEL : RFC1123_SUBDOMAIN;
  if (!rule.test(name) || name.length > (LABEL_NAMED.has(info.kind) ? 63 : 253)) {
    throw invalid(
      info,
      name,
      'metadata.name',
      `Invalid value: "${name}": ${LABEL_NAMED.has(info.kind) ? LABEL_RULE : SUBDOMAIN_RULE}`,
    );
  }
  const crdProblem = cephCrdViolation(info.kind, object) ?? rbacViolation(info, object);
  if (crdProblem) throw new ApiRejection(crdProblem);
  if (apiVersionOf(info) === 'apps/v1') validateWorkload(info, name, object);
  if (info.kind === 'Service') validateService(info, name, object);
  if (info.kind === 'ConfigMap') {
    for (const [entry, value] of Object.entries(isMap(object.data) ? object.data : {})) {
      if (typeof value !== 'string') {
        throw new ApiRejection(
          `error: unable to decode "STDIN": json: cannot unmarshal ${typeof value} into Go struct field ConfigMap.data of type string (key ${entry})`,
        );
      }
    }
  }
}

function validateWorkload(info: KindInfo, name: string, object: Doc): void {
  const spec = isMap(object.spec) ? object.spec : {};
  const selector =
    isMap(spec.selector) && isMap(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
  if (!selector) throw invalid(info, name, 'spec.selector', 'Required value');
  const template = isMap(spec.template) ? spec.template : {};
  const labels = labelsOf(template);
  if (!selects(selector as Record<string, string>, labels)) {
    throw invalid(
      info,
      name,
      'spec.template.metadata.labels',
      `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
    );
  }
  const podSpec = isMap(template.spec) ? template.spec : {};
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers.filter(isMap) : [];
  if (containers.length === 0) throw invalid(info, name, 'spec.template.spec.containers', 'Required value');
  containers.forEach((container, index) => {
    if (typeof container.name !== 'string' || !RFC1123_LABEL.test(container.name))
      throw invalid(
        info,
        name,
        `spec.template.spec.containers[${index}].name`,
        `Invalid value: "${String(container.name)}": ${LABEL_RULE}`,
      );
    if (typeof container.image !== 'string' || container.image === '')
      throw invalid(info, name, `spec.template.spec.containers[${index}].image`, 'Required value');
  });
  const replicas = spec.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || (replicas as number) < 0))
    throw invalid(
      info,
      name,
      'spec.replicas',
      `Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
    );
}

function validateService(info: KindInfo, name: string, object: Doc): void {
  const spec = isMap(object.spec) ? object.spec : {};
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isMap) : [];
  if (ports.length === 0 && spec.clusterIP !== 'None')
    throw invalid(info, name, 'spec.ports', 'Required value');
  ports.forEach((port, index) => {
    const number = port.port;
    if (!Number.isInteger(number) || (number as number) < 1 || (number as number) > 65535)
      throw invalid(
        info,
        name,
        `spec.ports[${index}].port`,
        `Invalid value: ${String(number)}: must be between 1 and 65535, inclusive`,
      );
    if (port.nodePort !== undefined) {
      const nodePort = Number(port.nodePort);
      if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer')
        throw invalid(
          info,
          name,
          `spec.ports[${index}].nodePort`,
          `Forbidden: may not be used when \`type\` is '${String(spec.type ?? 'ClusterIP')}'`,
        );
      if (nodePort < 30000 || nodePort > 32767)
        throw invalid(
          info,
          name,
          `spec.ports[${index}].nodePort`,
          `Invalid value: ${nodePort}: provided port is not in the valid range. The range of valid ports is 30000-32767`,
        );
    }
  });
}

/** Fields the API server refuses to change on an existing object. */
function validateUpdate(info: KindInfo, before: Doc, after: Doc): void {
  if (info.kind === 'StorageClass') return validateStorageClassUpdate(info, before, after);
  const rbacProblem = rbacUpdateViolation(info, before, after);
  if (rbacProblem) throw new ApiRejection(rbacProblem);
  if (apiVersionOf(info) !== 'apps/v1') return;
  const selector = (doc: Doc) => JSON.stringify(isMap(doc.spec) ? doc.spec.selector : undefined);
  if (selector(before) !== selector(after)) {
    const name = String((after.metadata as Doc).name);
    throw invalid(info, name, 'spec.selector', `Invalid value: ${selector(after)}: field is immutable`);
  }
}

/**
 * ValidateStorageClassUpdate (pkg/apis/storage/validation): parameters, provisioner and reclaimPolicy
 * are Forbidden to change (why a chart adding a parameter cannot upgrade, LIFECYCLE H.3).
 */
function validateStorageClassUpdate(info: KindInfo, before: Doc, after: Doc): void {
  const name = String((after.metadata as Doc).name);
  // reflect.DeepEqual on the parameters map: the order of its keys does not matter.
  const canonical = (value: unknown) =>
    JSON.stringify(isMap(value) ? Object.entries(value).sort(([a], [b]) => a.localeCompare(b)) : value);
  const same = (field: string, fallback: unknown) =>
    canonical(before[field] ?? fallback) === canonical(after[field] ?? fallback);
  for (const [field, fallback] of [
    ['parameters', {}],
    ['provisioner', ''],
    ['reclaimPolicy', 'Delete'],
  ] as const) {
    if (!same(field, fallback))
      throw invalid(info, name, field, `Forbidden: updates to ${field} are forbidden.`);
  }
}
