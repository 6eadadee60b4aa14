import type { KindInfo } from '../kube/kinds.js';
import { ApiRejection } from '../kube/objects.js';
import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import type { KubeTarget } from './kube-access.js';
import { refusal, resourceRequest } from './kube-authz.js';
import type { ToolCall } from './runtime.js';

/**
 * RBAC for one object of `kubectl apply`, in the order its requests go: a get of the current object, then a
 * create (none there) or a patch. A refusal is the API server's 403 with kubectl's framing of it
 * (apply.go's AddSourceToErr for retrieving, creating and applying a patch), so the command goes on with
 * the next object as kubectl does.
 */

export interface AppliedObject {
  info: KindInfo;
  namespace: string | undefined;
  name: string;
  /** The manifest's file, or STDIN. */
  source: string;
  existing: Doc | undefined;
  /** What the object becomes: the patch is what differs from `existing`. */
  merged: Doc;
}

export function authorizeApply(call: ToolCall, target: KubeTarget, applied: AppliedObject): void {
  const { info, namespace, name, source } = applied;
  const forbidden = (verb: string, named = true) =>
    refusal(call, target, resourceRequest(info, verb, namespace, named ? name : undefined));
  const reading = forbidden('get');
  if (reading)
    throw rejection(
      `error when retrieving current configuration of:\n${describe(applied)}\nfrom server for: "${source}": ${reading}`,
    );
  if (!applied.existing) {
    // A create names no object in its URL, so the refusal names none either.
    const creating = forbidden('create', false);
    if (creating) throw rejection(`error when creating "${source}": ${creating}`);
    return;
  }
  const patching = forbidden('patch');
  if (patching) {
    const patch = JSON.stringify(mergePatch(applied.existing, applied.merged));
    throw rejection(
      `error when applying patch:\n${patch}\nto:\n${describe(applied)}\nfor: "${source}": error when patching "${source}": ${patching}`,
    );
  }
}

function rejection(message: string): ApiRejection {
  return new ApiRejection(`Error from server (Forbidden): ${message}`);
}

/** resource.Info's String(): the mapping, then name and namespace. */
function describe({ info, name, namespace }: AppliedObject): string {
  const groupVersion = `${info.group}/${info.version}`;
  return (
    `Resource: "${groupVersion}, Resource=${info.plural}", GroupVersionKind: "${groupVersion}, Kind=${info.kind}"\n` +
    `Name: "${name}", Namespace: "${namespace ?? ''}"`
  );
}

/** What changes from `before` to `after`, as a merge patch: changed fields set, removed ones null. */
export function mergePatch(before: Doc, after: Doc): Doc {
  const patch: Doc = {};
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const [old, next] = [before[key], after[key]];
    if (JSON.stringify(old) === JSON.stringify(next)) continue;
    if (next === undefined) patch[key] = null;
    else if (isMap(old) && isMap(next)) patch[key] = mergePatch(old, next);
    else patch[key] = next;
  }
  return patch;
}
