import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import { boolFlag } from './flags.js';
import { requireAllowed, resourceRequest } from './kube-authz.js';
import { requireStored } from './kubectl-apply.js';
import type { Run } from './kubectl-common.js';
import { kindLabel, namespaceOf, notFound, parseResources } from './kubectl-common.js';
import { ToolFailure } from './runtime.js';

/** `kubectl annotate` and `kubectl label` against the lab's API objects and Nodes. */

type MetadataField = 'annotations' | 'labels';

/** `kubectl annotate` and `kubectl label`: `k=v` sets, `k-` removes; changing a value needs --overwrite. */
export function metadataCommand(field: MetadataField): Run {
  return async (call, args, cluster) => {
    const target = await cluster();
    const namespace = namespaceOf(args, target);
    const store = call.kube.objects(target.clusterId);
    const isSpec = (word: string) => word.includes('=') || word.endsWith('-');
    const { targets, rest } = parseResources(store, args.positionals, (word) => !isSpec(word));
    const changes = parseChanges(field, rest);
    for (const { info, name } of targets) {
      const asking = (verb: string) => resourceRequest(info, verb, namespace, name);
      requireAllowed(call, target, asking('get'), asking('patch'));
      if (info.kind === 'Node' && field === 'annotations') {
        annotateNode(call, target.clusterId, name, changes, boolFlag(args, 'overwrite'));
        continue;
      }
      requireStored(info);
      const stored = store.get(info, info.namespaced ? namespace : undefined, name);
      if (!stored) throw new ToolFailure(notFound(info, name));
      const current = metadataOf(stored.object, field);
      if (!boolFlag(args, 'overwrite')) refuseOverwrite(field, current, changes.set);
      const next = { ...current, ...changes.set };
      for (const key of changes.remove) delete next[key];
      const changed = store.update(info, stored, (object) => {
        const metadata = object.metadata as Doc;
        metadata[field] = next;
        if (Object.keys(next).length === 0) delete metadata[field];
      });
      call.out(
        `${kindLabel(info)}/${name} ${outcome(field, changed, next, current, boolFlag(args, 'overwrite'))}\n`,
      );
    }
  };
}

/** A Node's annotations are the one part of a computed Node kubectl writes (the kubelet keeps them). */
function annotateNode(
  call: Parameters<Run>[0],
  clusterId: string,
  name: string,
  changes: { set: Record<string, string>; remove: string[] },
  overwrite: boolean,
): void {
  if (!call.kube.nodes(clusterId).some((node) => node.name === name))
    throw new ToolFailure(`Error from server (NotFound): nodes "${name}" not found`);
  const current = call.kube.nodeAnnotations(clusterId, name);
  if (!overwrite) refuseOverwrite('annotations', current, changes.set);
  const next = { ...current, ...changes.set };
  for (const key of changes.remove) delete next[key];
  call.kube.setNodeAnnotations(clusterId, name, next);
  call.out(`node/${name} annotated\n`);
}

function parseChanges(
  field: MetadataField,
  specs: string[],
): { set: Record<string, string>; remove: string[] } {
  const singular = field === 'labels' ? 'label' : 'annotation';
  if (specs.length === 0) throw new ToolFailure(`error: at least one ${singular} update is required`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const spec of specs) {
    const equals = spec.indexOf('=');
    if (equals > 0) set[spec.slice(0, equals)] = spec.slice(equals + 1);
    else if (spec.endsWith('-')) remove.push(spec.slice(0, -1));
    else
      throw new ToolFailure(
        field === 'labels'
          ? `error: unknown label spec: ${spec}`
          : `error: invalid annotation format: ${spec}`,
      );
  }
  if (remove.some((key) => key in set))
    throw new ToolFailure(
      `error: can not both modify and remove ${field === 'labels' ? 'label' : 'an annotation'} in the same command`,
    );
  return { set, remove };
}

function metadataOf(object: Doc, field: MetadataField): Record<string, string> {
  const value = get(object, `metadata.${field}`);
  return isMap(value) ? ({ ...value } as Record<string, string>) : {};
}

/** Without --overwrite, annotate refuses a different value; label refuses any value already there. */
function refuseOverwrite(
  field: MetadataField,
  current: Record<string, string>,
  set: Record<string, string>,
): void {
  if (field === 'annotations') {
    const clashes = Object.keys(set)
      .filter((key) => current[key] !== undefined && current[key] !== set[key])
      .map((key) => `'${key}' already has a value (${current[key]})`);
    if (clashes.length > 0)
      throw new ToolFailure(
        `error: --overwrite is false but found the following declared annotation(s): ${clashes.join('; ')}`,
      );
    return;
  }
  const clashes = Object.keys(set)
    .filter((key) => current[key] !== undefined)
    .map((key) => `'${key}' already has a value (${current[key]}), and --overwrite is false`);
  if (clashes.length === 1) throw new ToolFailure(`error: ${clashes[0]}`);
  if (clashes.length > 1) throw new ToolFailure(`error: [${clashes.join(', ')}]`);
}

function outcome(
  field: MetadataField,
  changed: boolean,
  next: Record<string, string>,
  before: Record<string, string>,
  overwrite: boolean,
): string {
  if (field === 'annotations') return 'annotated';
  if (!changed) return 'not labeled';
  return !overwrite && Object.keys(next).length < Object.keys(before).length ? 'unlabeled' : 'labeled';
}
