import type { ChartRelease } from '../kube/charts.js';
import type { KindInfo } from '../kube/kinds.js';
import { byKind } from '../kube/kinds.js';
import type { ObjectStore, StoredObject } from '../kube/objects.js';
import { ApiRejection, annotationsOf, labelsOf } from '../kube/objects.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import { ToolFailure } from './runtime.js';

/** How the lab's helm writes a release's objects through the API server, with helm's checks and texts. */

/** helm labels and annotates what it manages, and finds its objects again by these. */
export function withReleaseMetadata(doc: Doc, release: ChartRelease): Doc {
  const metadata = isMap(doc.metadata) ? doc.metadata : {};
  return {
    ...doc,
    metadata: {
      ...metadata,
      labels: { ...labelsOf(doc), 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        ...annotationsOf(doc),
        'meta.helm.sh/release-name': release.name,
        'meta.helm.sh/release-namespace': release.namespace,
      },
    },
  };
}

/** The error of kube.Client.Build: a kind the API server does not serve (its CRD is missing). */
export function buildError(doc: Doc, namespace: string, upgrading: boolean): string {
  const metadata = isMap(doc.metadata) ? doc.metadata : {};
  const objectNamespace = String(metadata.namespace ?? namespace);
  return (
    `unable to build kubernetes objects from ${upgrading ? 'new ' : ''}release manifest: ` +
    `resource mapping not found for name: "${String(metadata.name)}" namespace: "${objectNamespace}" from "": ` +
    `no matches for kind "${String(doc.kind)}" in version "${String(doc.apiVersion)}"\nensure CRDs are installed first`
  );
}

/** The release's namespace: created with --create-namespace, else it must exist (the release is stored there). */
export function createNamespace(store: ObjectStore, namespace: string, create: boolean): void {
  if (store.namespaceExists(namespace)) return;
  if (!create) throw new ToolFailure(`create: failed to create: namespaces "${namespace}" not found`);
  store.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { name: namespace } } },
    { defaultNamespace: namespace },
  );
}

/**
 * Creates or updates every rendered object, refusing objects another owner holds, then deletes the
 * release's objects the chart no longer renders (unless the chart keeps them).
 */
export function applyManifest(
  store: ObjectStore,
  manifest: Doc[],
  release: ChartRelease,
  upgrading: boolean,
): void {
  const owner = `${release.namespace}/${release.name}`;
  for (const doc of manifest) {
    const info = byKind(String(doc.kind));
    const found = store.get(info, objectNamespace(info, doc, release), String(get(doc, 'metadata.name')));
    if (found && found.owner !== owner) ownershipCheck(info, found, release, upgrading);
  }
  const applied = new Set<string>();
  for (const doc of manifest) {
    try {
      const { stored } = store.apply(doc, { defaultNamespace: release.namespace, owner });
      applied.add(stored.uid);
    } catch (error) {
      if (error instanceof ApiRejection)
        throw new ApiRejection(helmApiMessage(error.message, doc, store, release, upgrading));
      throw error;
    }
  }
  for (const { id, stored } of store.ownedBy(owner)) {
    if (!applied.has(stored.uid) && !kept(stored)) store.deleteById(id);
  }
}

export function objectNamespace(info: KindInfo, doc: Doc, release: ChartRelease): string | undefined {
  return info.namespaced ? String(get(doc, 'metadata.namespace') ?? release.namespace) : undefined;
}

/** helm's existingResourceConflict: an object it did not create must carry this release's metadata. */
export function ownershipCheck(
  info: KindInfo,
  found: StoredObject,
  release: ChartRelease,
  upgrading: boolean,
): void {
  const labels = labelsOf(found.object);
  const annotations = annotationsOf(found.object);
  const expect = (kind: 'label' | 'annotation', key: string, value: string, actual: string | undefined) =>
    actual === undefined
      ? `${kind} validation error: missing key "${key}": must be set to "${value}"`
      : actual !== value
        ? `${kind} validation error: key "${key}" must equal "${value}": current value is "${actual}"`
        : undefined;
  const problems = [
    expect('label', 'app.kubernetes.io/managed-by', 'Helm', labels['app.kubernetes.io/managed-by']),
    expect('annotation', 'meta.helm.sh/release-name', release.name, annotations['meta.helm.sh/release-name']),
    expect(
      'annotation',
      'meta.helm.sh/release-namespace',
      release.namespace,
      annotations['meta.helm.sh/release-namespace'],
    ),
  ].filter((problem) => problem !== undefined);
  if (problems.length === 0) return;
  const name = String(get(found.object, 'metadata.name'));
  const namespace = info.namespaced ? String(get(found.object, 'metadata.namespace')) : '';
  throw new ToolFailure(
    `${upgrading ? 'UPGRADE FAILED: ' : ''}rendered manifests contain a resource that already exists. ` +
      `Unable to continue with ${upgrading ? 'update' : 'install'}: ${info.kind} "${name}" in namespace "${namespace}" ` +
      `exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join('; ')}`,
  );
}

/**
 * The API server's refusal as helm shows it: the Status message (`Deployment.apps "x" is invalid: ...`,
 * not kubectl's `The Deployment "x" ...`), wrapped the way an upgrade's create or patch wraps it.
 */
export function helmApiMessage(
  message: string,
  doc: Doc,
  store: ObjectStore,
  release: ChartRelease,
  upgrading: boolean,
): string {
  const status = message
    .replace(/^Error from server \([A-Za-z]+\): /, '')
    .replace(/^The ([A-Za-z]+) "([^"]*)" is invalid: /, (_, kind: string, name: string) => {
      const group = byKind(kind).group;
      return `${kind}${group ? `.${group}` : ''} "${name}" is invalid: `;
    });
  if (!upgrading) return status;
  const info = byKind(String(doc.kind));
  const name = String(get(doc, 'metadata.name'));
  return store.get(info, objectNamespace(info, doc, release), name)
    ? `cannot patch "${name}" with kind ${info.kind}: ${status}`
    : `failed to create resource: ${status}`;
}

/** `helm.sh/resource-policy: keep` objects outlive their release. */
export function kept(stored: StoredObject): boolean {
  return annotationsOf(stored.object)['helm.sh/resource-policy'] === 'keep';
}
