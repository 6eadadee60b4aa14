import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KindInfo } from '../kube/kinds.js';
import { byKind, kindOf } from '../kube/kinds.js';
import type { ObjectStore, StoredObject } from '../kube/objects.js';
import { ApiRejection } from '../kube/objects.js';
import { enforcementError, namespacePolicy, warning } from '../kube/pod-security.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap, parseDocuments } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { boolFlag, listFlag, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { refusal, requireAllowed, resourceRequest } from './kube-authz.js';
import { authorizeApply } from './kubectl-apply-authz.js';
import type { ResourceTarget, Run } from './kubectl-common.js';
import { kindLabel, labelSelector, namespaceOf, notFound, parseResources } from './kubectl-common.js';
import { sortKeys } from './kubectl-print.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/** kubectl's writing commands against the lab's API objects: apply, delete, scale (annotate and label: kubectl-metadata.ts). */

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MANIFEST_EXTENSIONS = ['.json', '.yaml', '.yml'];

interface Manifest {
  source: string;
  doc: Doc;
}

/** The documents of every `-f` argument: files, directories (`-R` descends), or `-` for stdin. */
function readManifests(call: ToolCall, args: ParsedArgs): Manifest[] {
  const files = listFlag(args, 'filename');
  if (files.length === 0) throw new ToolFailure('error: must specify one of -f and -k');
  return files
    .flatMap((file) => manifestFiles(call, file, boolFlag(args, 'recursive')))
    .flatMap(parseManifest(call));
}

function manifestFiles(call: ToolCall, path: string, recursive: boolean): string[] {
  if (path === '-') return ['-'];
  if (!call.exists(path)) throw new ToolFailure(`error: the path "${path}" does not exist`);
  if (!call.isDirectory(path)) return [path];
  return readdirSync(call.path(path), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return recursive ? manifestFiles(call, child, recursive) : [];
      return MANIFEST_EXTENSIONS.some((extension) => entry.name.endsWith(extension)) ? [child] : [];
    });
}

const parseManifest =
  (call: ToolCall) =>
  (file: string): Manifest[] => {
    const source = file === '-' ? 'STDIN' : file;
    let docs: Doc[];
    try {
      docs = parseDocuments(call.read(file), source);
    } catch (error) {
      if (error instanceof ToolFailure) throw error;
      const detail = (error as Error).message.slice(source.length + 2);
      throw new ToolFailure(`error: error parsing ${source}: error converting YAML to JSON: ${detail}`);
    }
    return docs
      .flatMap((doc) => (doc.kind === 'List' && Array.isArray(doc.items) ? doc.items.filter(isMap) : [doc]))
      .map((doc) => ({ source, doc }));
  };

export const apply: Run = async (call, args, cluster) => {
  const manifests = readManifests(call, args);
  if (manifests.length === 0) throw new ToolFailure('error: no objects passed to apply');
  const target = await cluster();
  const errors: string[] = [];
  for (const manifest of manifests) {
    try {
      call.out(applyOne(call, target, args, manifest));
    } catch (error) {
      if (!(error instanceof ApiRejection)) throw error;
      errors.push(applyError(error.message, manifest.source));
    }
  }
  if (errors.length > 0) throw new ToolFailure(errors.join('\n'));
};

function applyOne(call: ToolCall, target: KubeTarget, args: ParsedArgs, manifest: Manifest): string {
  const store = call.kube.objects(target.clusterId);
  const defaultNamespace = namespaceOf(args, target);
  const info = store.served(String(manifest.doc.apiVersion ?? ''), String(manifest.doc.kind ?? ''));
  const metadata = isMap(manifest.doc.metadata) ? manifest.doc.metadata : {};
  const namespace = info?.namespaced ? String(metadata.namespace ?? defaultNamespace) : undefined;
  const asked = stringFlag(args, 'namespace');
  if (namespace !== undefined && asked !== undefined && namespace !== asked) {
    throw new ToolFailure(
      `error: the namespace from the provided object "${namespace}" does not match the namespace "${asked}". You must pass '--namespace=${namespace}' to perform this operation.`,
    );
  }
  const existing = info ? store.get(info, namespace, String(metadata.name)) : undefined;
  const desired = withLastApplied(manifest.doc, namespace);
  const merged = existing ? threeWayMerge(lastAppliedOf(existing), desired, existing.object) : desired;
  if (info) {
    const { source } = manifest;
    const name = String(metadata.name);
    authorizeApply(call, target, { info, namespace, name, source, existing: existing?.object, merged });
  }
  if (info?.kind === 'Pod' && !existing)
    refusePodSecurity(call, target.clusterId, namespace ?? 'default', desired);
  const { stored, result } = sendApply(
    store,
    merged,
    defaultNamespace,
    existing ? undefined : manifest.source,
  );
  const kind = kindOf(String(stored.object.apiVersion), String(stored.object.kind))!;
  warnPodSecurity(call, target.clusterId, kind, existing, stored);
  return `${kindLabel(kind)}/${String((stored.object.metadata as Doc).name)} ${result}\n`;
}

/** The apply request; a refused creation names its source file, as kubectl's error does. */
function sendApply(
  store: ObjectStore,
  object: Doc,
  defaultNamespace: string,
  creatingFrom: string | undefined,
): ReturnType<ObjectStore['apply']> {
  try {
    return store.apply(object, { defaultNamespace });
  } catch (error) {
    const serverError = error instanceof ApiRejection && error.message.startsWith('Error from server (');
    if (!serverError || creatingFrom === undefined) throw error;
    throw new ApiRejection(
      error.message.replace(/^(Error from server \([^)]*\): )/, `$1error when creating "${creatingFrom}": `),
    );
  }
}

/** kubectl's rewording of the API server's refusals for an apply of `source`. */
function applyError(message: string, source: string): string {
  if (message.startsWith('Error from server (') || message.startsWith('The ')) return message;
  if (message.startsWith('error validating data')) return `error: error validating "${source}": ${message}`;
  const sourced = message.replaceAll('"STDIN"', `"${source}"`);
  return sourced.startsWith('error: ') ? sourced : `error: ${sourced}`;
}

/** The manifest as kubectl sends it: namespace set, the applied configuration kept in an annotation. */
function withLastApplied(doc: Doc, namespace: string | undefined): Doc {
  const object = structuredClone(doc);
  const metadata = (isMap(object.metadata) ? object.metadata : {}) as Doc;
  object.metadata = metadata;
  if (namespace !== undefined) metadata.namespace = namespace;
  const annotations = isMap(metadata.annotations) ? { ...metadata.annotations } : {};
  delete annotations[LAST_APPLIED];
  const recorded = structuredClone(object);
  (recorded.metadata as Doc).annotations = annotations;
  if (Object.keys(annotations).length === 0) delete (recorded.metadata as Doc).annotations;
  metadata.annotations = { ...annotations, [LAST_APPLIED]: `${JSON.stringify(sortKeys(recorded))}\n` };
  return object;
}

function lastAppliedOf(stored: StoredObject): Doc {
  const recorded = get(stored.object, `metadata.annotations`);
  const text = isMap(recorded) ? recorded[LAST_APPLIED] : undefined;
  try {
    return typeof text === 'string' ? (JSON.parse(text) as Doc) : {};
  } catch {
    return {};
  }
}

/**
 * kubectl apply's three-way merge: fields changed in the manifest since the last apply are set, fields
 * dropped from it are removed, and what others changed meanwhile (a scale, an annotation) is kept.
 * Lists are replaced whole.
 */
export function threeWayMerge(original: unknown, modified: Doc, current: Doc): Doc {
  const result: Doc = structuredClone(current);
  const before = isMap(original) ? original : {};
  for (const [key, value] of Object.entries(modified)) {
    result[key] =
      isMap(value) && isMap(result[key])
        ? threeWayMerge(before[key], value, result[key] as Doc)
        : structuredClone(value);
  }
  for (const key of Object.keys(before)) if (!(key in modified)) delete result[key];
  return result;
}

function podSpecOf(info: KindInfo, object: Doc): Doc | undefined {
  const spec = isMap(object.spec) ? object.spec : undefined;
  if (info.kind === 'Pod') return spec;
  const podSpec = get(spec, 'template.spec');
  return ['Deployment', 'DaemonSet', 'StatefulSet', 'Job'].includes(info.kind) && isMap(podSpec)
    ? podSpec
    : undefined;
}

function refusePodSecurity(call: ToolCall, clusterId: string, namespace: string, pod: Doc): void {
  const podSpec = podSpecOf(kindOf('v1', 'Pod')!, pod);
  const refusal = podSpec
    ? enforcementError(namespacePolicy(call.kube, clusterId, namespace), podSpec)
    : undefined;
  if (refusal)
    throw new ApiRejection(
      `Error from server (Forbidden): pods "${String((pod.metadata as Doc).name)}" is forbidden: ${refusal}`,
    );
}

/** The API server's warning for a pod template the namespace's `warn` level would refuse. */
function warnPodSecurity(
  call: ToolCall,
  clusterId: string,
  info: KindInfo,
  before: StoredObject | undefined,
  after: StoredObject,
): void {
  const podSpec = podSpecOf(info, after.object);
  if (!podSpec) return;
  const previous = before ? podSpecOf(info, before.object) : undefined;
  if (previous && JSON.stringify(previous) === JSON.stringify(podSpec)) return;
  const namespace = String((after.object.metadata as Doc).namespace);
  const text = warning(namespacePolicy(call.kube, clusterId, namespace), podSpec);
  if (text) call.err(`Warning: ${text}\n`);
}

// ---- delete, scale ---------------------------------------------------------------------

/** The objects `-f` files name, or the resource arguments (`-l`/`--all` select every object of the kind). */
function targetsOf(
  call: ToolCall,
  args: ParsedArgs,
  store: ObjectStore,
  namespace: string,
  beforeListing: (info: KindInfo) => void,
): ResourceTarget[] {
  if (listFlag(args, 'filename').length > 0) {
    return readManifests(call, args).map(({ doc, source }) => {
      const info = store.served(String(doc.apiVersion ?? ''), String(doc.kind ?? ''));
      const name = String(get(doc, 'metadata.name'));
      const manifestNamespace = get(doc, 'metadata.namespace');
      if (!info)
        throw new ToolFailure(
          `error: resource mapping not found for name: "${name}" namespace: "${String(get(doc, 'metadata.namespace') ?? '')}" from "${source}": no matches for kind "${String(doc.kind)}" in version "${String(doc.apiVersion)}"\nensure CRDs are installed first`,
        );
      return {
        info,
        name,
        source,
        ...(typeof manifestNamespace === 'string' ? { namespace: manifestNamespace } : {}),
      };
    });
  }
  const { targets, kinds } = parseResources(store, args.positionals);
  if (targets.length > 0) return targets;
  if (kinds.length === 0) {
    throw new ToolFailure(
      "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
    );
  }
  const selector = stringFlag(args, 'selector');
  if (selector === undefined && !boolFlag(args, 'all'))
    throw new ToolFailure('error: resource(s) were provided, but no name was specified');
  const matches = labelSelector(selector);
  kinds.forEach(beforeListing);
  return kinds.flatMap((info) =>
    store
      .list(info, info.namespaced ? namespace : undefined)
      .filter((stored) =>
        matches(
          isMap(get(stored.object, 'metadata.labels'))
            ? (get(stored.object, 'metadata.labels') as Record<string, string>)
            : {},
        ),
      )
      .map((stored) => ({ info, name: String(get(stored.object, 'metadata.name')) })),
  );
}

/** Kinds the lab computes rather than stores cannot be written with these commands. */
export function requireStored(info: KindInfo): void {
  if (info.kind === 'Pod' || info.kind === 'Node')
    throw new ToolFailure(
      `error: the lab computes ${info.plural} from their owners and cannot change them directly`,
    );
}

export const deleteObjects: Run = async (call, args, cluster) => {
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const store = call.kube.objects(target.clusterId);
  const missing: string[] = [];
  const namespaces: string[] = [];
  const listing = (info: KindInfo) => requireAllowed(call, target, resourceRequest(info, 'list', namespace));
  for (const { info, name, namespace: named, source } of targetsOf(call, args, store, namespace, listing)) {
    const refused = refusal(call, target, resourceRequest(info, 'delete', named ?? namespace, name));
    if (refused)
      throw new ToolFailure(
        `Error from server (Forbidden): ${source ? `error when deleting "${source}": ` : ''}${refused}`,
      );
    if (info.kind === 'Node') {
      deleteNode(call, target.clusterId, name, boolFlag(args, 'ignore-not-found'), missing);
      continue;
    }
    requireStored(info);
    const ns = info.namespaced ? (named ?? namespace) : undefined;
    // A namespace's objects go only when the namespace controller empties it, after this command's deletes.
    const deleted =
      info.kind === 'Namespace'
        ? store.get(info, undefined, name) !== undefined
        : store.delete(info, ns, name);
    if (!deleted) {
      if (!boolFlag(args, 'ignore-not-found')) missing.push(notFound(info, name));
      continue;
    }
    if (info.kind === 'Namespace') namespaces.push(name);
    call.out(`${kindLabel(info)} "${name}" deleted${ns === undefined ? '' : ` from ${ns} namespace`}\n`);
  }
  for (const name of namespaces) store.delete(byKind('Namespace'), undefined, name);
  // A namespace is gone only once its pods have terminated; kubectl waits for that by default.
  if (namespaces.length > 0 && boolFlag(args, 'wait', true))
    await call.pause(call.talos.seconds.podTerminate);
  if (missing.length > 0) throw new ToolFailure(missing.join('\n'));
};

function deleteNode(
  call: ToolCall,
  clusterId: string,
  name: string,
  ignoreMissing: boolean,
  missing: string[],
): void {
  if (!call.kube.nodes(clusterId).some((node) => node.name === name)) {
    if (!ignoreMissing) missing.push(`Error from server (NotFound): nodes "${name}" not found`);
    return;
  }
  call.kube.deleteNode(clusterId, name);
  call.out(`node "${name}" deleted\n`);
}

const SCALABLE = new Set(['Deployment', 'StatefulSet']);

export const scale: Run = async (call, args, cluster) => {
  const replicas = args.flags.get('replicas');
  if (typeof replicas !== 'number') throw new ToolFailure('error: required flag(s) "replicas" not set');
  if (replicas < 0)
    throw new ToolFailure(
      'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0',
    );
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const store = call.kube.objects(target.clusterId);
  const { targets } = parseResources(store, args.positionals);
  if (targets.length === 0)
    throw new ToolFailure('error: resource(s) were provided, but no name was specified');
  const expected = args.flags.get('current-replicas');
  for (const { info, name } of targets) {
    if (!SCALABLE.has(info.kind))
      throw new ToolFailure('Error from server (NotFound): the server could not find the requested resource');
    requireAllowed(call, target, resourceRequest(info, 'get', namespace, name));
    const stored = store.get(info, namespace, name);
    if (!stored) throw new ToolFailure(notFound(info, name));
    requireAllowed(call, target, resourceRequest(info, 'patch', namespace, name, 'scale'));
    const current = Number(get(stored.object, 'spec.replicas') ?? 1);
    if (typeof expected === 'number' && expected !== -1 && expected !== current)
      throw new ToolFailure(`error: Expected replicas to be ${expected}, was ${current}`);
    store.update(info, stored, (object) => {
      object.spec = { ...(isMap(object.spec) ? object.spec : {}), replicas };
    });
    call.out(`${kindLabel(info)}/${name} scaled\n`);
  }
};
