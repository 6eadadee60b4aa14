import type { Doc } from './yaml-docs.js';
import { isMap } from './yaml-docs.js';

/**
 * Talos's strategic merge (configpatcher, CONTRACTS B.2): maps merge, scalars are replaced, lists are
 * appended except pod and service subnets (replaced), interfaces merge by `interface` or
 * `deviceSelector`, VLANs by `vlanId`; `$patch: delete` removes the section it sits in.
 */
const REPLACED_LISTS = new Set(['cluster.network.podSubnets', 'cluster.network.serviceSubnets']);

function mergeKeyOf(path: string): ((item: Doc) => string | undefined) | undefined {
  if (path === 'machine.network.interfaces') {
    return (item) =>
      typeof item.interface === 'string'
        ? `interface:${item.interface}`
        : isMap(item.deviceSelector)
          ? `selector:${JSON.stringify(item.deviceSelector)}`
          : undefined;
  }
  if (path.endsWith('.vlans')) return (item) => (item.vlanId === undefined ? undefined : String(item.vlanId));
  return undefined;
}

export function mergeValue(base: unknown, patch: unknown, path: string): unknown {
  if (isMap(patch) && patch.$patch === 'delete') return undefined;
  if (isMap(base) && isMap(patch)) {
    const merged: Doc = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      const childPath = path ? `${path}.${key}` : key;
      const result = key in base ? mergeValue(base[key], value, childPath) : withoutDeletes(value);
      if (result === undefined) delete merged[key];
      else merged[key] = result;
    }
    return merged;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    if (REPLACED_LISTS.has(path)) return patch;
    const keyOf = mergeKeyOf(path.replace(/\.\d+(?=\.|$)/g, ''));
    if (!keyOf) return [...base, ...patch];
    const merged: unknown[] = [...base];
    for (const item of patch) {
      const key = isMap(item) ? keyOf(item) : undefined;
      const at =
        key === undefined ? -1 : merged.findIndex((existing) => isMap(existing) && keyOf(existing) === key);
      if (at < 0) merged.push(item);
      else {
        const result = mergeValue(merged[at], item, `${path}.${at}`);
        if (result === undefined) merged.splice(at, 1);
        else merged[at] = result;
      }
    }
    return merged;
  }
  return patch;
}

function withoutDeletes(value: unknown): unknown {
  if (isMap(value) && value.$patch === 'delete') return undefined;
  return value;
}

/**
 * Applies patch documents to a config: a v1alpha1 patch (no `kind`) merges into the v1alpha1
 * document; a typed document replaces the one of the same kind and name, or is added.
 */
export function applyPatches(config: Doc[], patches: Doc[][]): Doc[] {
  let docs = config.map((doc) => structuredClone(doc));
  for (const patchDocs of patches) {
    for (const patch of patchDocs) {
      const identity = (doc: Doc) =>
        `${String(doc.apiVersion ?? '')}/${String(doc.kind ?? '')}/${String(doc.name ?? '')}`;
      const at = docs.findIndex((doc) =>
        patch.kind === undefined ? doc.kind === undefined : identity(doc) === identity(patch),
      );
      if (at < 0) {
        docs.push(patch);
        continue;
      }
      const merged = mergeValue(docs[at], patch, '');
      docs =
        merged === undefined
          ? docs.filter((_, index) => index !== at)
          : docs.map((doc, index) => (index === at ? (merged as Doc) : doc));
    }
  }
  return docs;
}
