import type { KindInfo } from '../kube/kinds.js';
import { kindForResource } from '../kube/kinds.js';
import type { ObjectStore } from '../kube/objects.js';
import type { ParsedArgs } from './flags.js';
import { parseDurationSeconds, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/** What the lab's kubectl subcommands share: flags, resource names, kubectl's wording of common errors. */

export type Run = (call: ToolCall, args: ParsedArgs, cluster: () => Promise<KubeTarget>) => Promise<void>;

/** How often waits look again (lab-scaled seconds). */
export const POLL_SECONDS = 1;

export function namespaceOf(args: ParsedArgs, target: KubeTarget): string {
  return stringFlag(args, 'namespace') ?? target.namespace;
}

export function timeoutMs(args: ParsedArgs, fallbackSeconds: number, flag = 'timeout'): number {
  const raw = stringFlag(args, flag);
  if (raw === undefined) return fallbackSeconds * 1000;
  const seconds = parseDurationSeconds(raw);
  if (seconds === undefined)
    throw new ToolFailure(
      `error: invalid argument "${raw}" for "--${flag}" flag: time: invalid duration "${raw}"`,
    );
  return seconds * 1000;
}

/** apimachinery's HumanDuration, as kubectl prints AGE. */
export function humanAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const withRest = (major: number, unit: string, minor: number, minorUnit: string) =>
    minor === 0 ? `${major}${unit}` : `${major}${unit}${minor}${minorUnit}`;
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return withRest(Math.floor(hours / 24), 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) return withRest(years, 'y', Math.floor(hours / 24) % 365, 'd');
  return `${years}y`;
}

/** The kind a resource argument names, if the cluster serves it (custom kinds only with their CRD). */
export function resolveKind(store: ObjectStore, arg: string): KindInfo {
  const info = kindForResource(arg);
  if (!info || !store.serves(info))
    throw new ToolFailure(`error: the server doesn't have a resource type "${arg}"`);
  return info;
}

/** `deployment.apps`, `service`, `cephcluster.ceph.rook.io`: how kubectl names a kind in its output lines. */
export function kindLabel(info: KindInfo): string {
  const kind = info.kind.toLowerCase();
  return info.group === '' ? kind : `${kind}.${info.group}`;
}

/** `deployments.apps`, `pods`: how the API server names a resource in its errors. */
export function resourceLabel(info: KindInfo): string {
  return info.group === '' ? info.plural : `${info.plural}.${info.group}`;
}

export function notFound(info: KindInfo, name: string): string {
  return `Error from server (NotFound): ${resourceLabel(info)} "${name}" not found`;
}

export interface ResourceTarget {
  info: KindInfo;
  name: string;
  /** Set when a manifest names it; otherwise the command's namespace applies. */
  namespace?: string;
  /** The manifest file that named it (`-f`), which kubectl's errors quote. */
  source?: string;
}

/**
 * kubectl's resource arguments: `KIND NAME...` or `KIND/NAME...`; `names` may be empty for the first
 * form (all of the kind). The words after the resources (`k=v` for annotate) are returned as `rest`.
 */
export function parseResources(
  store: ObjectStore,
  words: string[],
  isResourceWord: (word: string) => boolean = () => true,
): { targets: ResourceTarget[]; kinds: KindInfo[]; rest: string[] } {
  const [first] = words;
  if (first === undefined) return { targets: [], kinds: [], rest: [] };
  if (first.includes('/')) {
    const slashed = words.filter((word) => word.includes('/') && isResourceWord(word));
    const targets = slashed.map((word) => {
      const [kind = '', name = ''] = word.split('/');
      return { info: resolveKind(store, kind), name };
    });
    return { targets, kinds: [], rest: words.slice(slashed.length) };
  }
  const info = resolveKind(store, first);
  const names = words.slice(1).filter(isResourceWord);
  if (names.some((name) => name.includes('/'))) {
    throw new ToolFailure(
      `error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`,
    );
  }
  return {
    targets: names.map((name) => ({ info, name })),
    kinds: [info],
    rest: words.slice(1 + names.length),
  };
}

/** A `-l` label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-joined. */
export function labelSelector(text: string | undefined): (labels: Record<string, string>) => boolean {
  if (text === undefined || text.trim() === '') return () => true;
  const requirements = splitRequirements(text).map((requirement) => parseRequirement(requirement.trim()));
  return (labels) => requirements.every((matches) => matches(labels));
}

function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  return [...parts, current];
}

function parseRequirement(text: string): (labels: Record<string, string>) => boolean {
  const set = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key = '', operator, list = ''] = set;
    const values = list.split(',').map((value) => value.trim());
    return (labels) =>
      operator === 'in'
        ? labels[key] !== undefined && values.includes(labels[key])
        : labels[key] === undefined || !values.includes(labels[key]);
  }
  const compare = /^([\w./-]+)\s*(==|!=|=)\s*([\w.-]*)$/.exec(text);
  if (compare) {
    const [, key = '', operator, value = ''] = compare;
    return (labels) => (operator === '!=' ? labels[key] !== value : labels[key] === value);
  }
  const exists = /^(!?)([\w./-]+)$/.exec(text);
  if (exists) {
    const [, negated, key = ''] = exists;
    return (labels) => (negated ? labels[key] === undefined : labels[key] !== undefined);
  }
  throw new ToolFailure(`error: unable to parse requirement: found '${text}', expected: identifier`);
}
