import { byKind } from '../kube/kinds.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { ApiItem } from './kubectl-api.js';
import { findItem, listItems } from './kubectl-api.js';
import type { Run } from './kubectl-common.js';
import { humanAge, namespaceOf, notFound, parseResources } from './kubectl-common.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * `kubectl describe pod NAME...` (also `pods`, `pod/NAME`; no name: every pod of the namespace): the pod's
 * identity, node, labels, status, containers with their state, conditions and the Events about it, laid out
 * by kubectl's describe printer (a tabwriter with padding 2; blocks of `Key:<TAB>value` lines aligned
 * together). The lab describes pods only, the kind a failed run leaves to look at.
 */

export const describe: Run = async (call, args, cluster) => {
  const target = await cluster();
  const store = call.kube.objects(target.clusterId);
  const { targets, kinds } = parseResources(store, args.positionals);
  const asked = [...targets.map((entry) => entry.info), ...kinds];
  if (asked.length === 0) throw new ToolFailure('error: You must specify the type of resource to describe.');
  const other = asked.find((info) => info.kind !== 'Pod');
  if (other) throw new ToolFailure(`error: the lab's kubectl describes pods only, not ${other.kind}`);
  const namespace = namespaceOf(args, target);
  const pods =
    targets.length > 0
      ? targets.map(({ info, name }) => {
          const item = findItem(call, target.clusterId, info, namespace, name);
          if (!item) throw new ToolFailure(notFound(info, name));
          return item;
        })
      : listItems(call, target.clusterId, byKind('Pod'), namespace);
  if (pods.length === 0) return call.err(`No resources found in ${namespace} namespace.\n`);
  const events = listItems(call, target.clusterId, byKind('Event'), namespace);
  call.out(pods.map((pod) => tabwriter(describePod(call, pod, events))).join('\n\n'));
};

/** The describe text of one pod, with tabs between key and value (tabwriter aligns them). */
function describePod(call: ToolCall, item: ApiItem, events: ApiItem[]): string[] {
  const object = item.object;
  const status = (get(object, 'status') ?? {}) as Doc;
  const node = String(get(object, 'spec.nodeName') ?? '');
  const hostIp = String(status.hostIP ?? '');
  const owner = (get(object, 'metadata.ownerReferences') as Doc[] | undefined)?.[0];
  return [
    `Name:\t${item.name}`,
    `Namespace:\t${item.namespace ?? ''}`,
    'Priority:\t0',
    `Service Account:\t${String(get(object, 'spec.serviceAccountName') ?? 'default')}`,
    `Node:\t${node === '' ? '<none>' : `${node}/${hostIp}`}`,
    ...mapLines('Labels', (get(object, 'metadata.labels') as Record<string, string> | undefined) ?? {}),
    ...mapLines(
      'Annotations',
      (get(object, 'metadata.annotations') as Record<string, string> | undefined) ?? {},
    ),
    `Status:\t${get(object, 'metadata.deletionTimestamp') ? 'Terminating' : String(status.phase ?? '')}`,
    `IP:\t${String(status.podIP ?? '')}`,
    ...(status.podIP ? ['IPs:', `  IP:\t${String(status.podIP)}`] : ['IPs:\t<none>']),
    ...(owner ? [`Controlled By:\t${String(owner.kind)}/${String(owner.name)}`] : []),
    'Containers:',
    ...containerLines(item),
    'Conditions:',
    '  Type\tStatus',
    ...((status.conditions as Doc[] | undefined) ?? []).map(
      (c) => `  ${String(c.type)} \t${String(c.status)} `,
    ),
    `QoS Class:\t${String(status.qosClass ?? 'BestEffort')}`,
    'Node-Selectors:\t<none>',
    'Tolerations:\t<none>',
    ...eventLines(call, item, events),
  ];
}

function mapLines(label: string, entries: Record<string, string>): string[] {
  const sorted = Object.entries(entries).sort(([a], [b]) => a.localeCompare(b));
  if (sorted.length === 0) return [`${label}:\t<none>`];
  return sorted.map(([key, value], index) => `${index === 0 ? `${label}:` : ''}\t${key}=${value}`);
}

/** Each container: image, state (with the waiting reason), ready, restarts. */
function containerLines(item: ApiItem): string[] {
  const containers = ((get(item.object, 'spec.containers') as Doc[] | undefined) ?? []).filter(isMap);
  const waiting = item.pod && !item.pod.ready && item.pod.status !== 'Running';
  return containers.flatMap((container) => [
    `  ${String(container.name)}:`,
    `    Image:\t${String(container.image ?? '')}`,
    ...(item.pod?.nodeName === undefined
      ? []
      : waiting
        ? ['    State:\tWaiting', `      Reason:\t${item.pod.status}`]
        : ['    State:\tRunning', `      Started:\t${rfc1123(item.pod.startedAt ?? item.createdAt)}`]),
    `    Ready:\t${item.pod?.ready ? 'True' : 'False'}`,
    '    Restart Count:\t0',
  ]);
}

/** The Events whose involvedObject is this pod, oldest first; `Events: <none>` when there are none. */
function eventLines(call: ToolCall, item: ApiItem, events: ApiItem[]): string[] {
  const about = events.filter(
    (event) =>
      get(event.object, 'involvedObject.kind') === 'Pod' &&
      get(event.object, 'involvedObject.name') === item.name,
  );
  if (about.length === 0) return ['Events:\t<none>'];
  return [
    'Events:',
    '  Type\tReason\tAge\tFrom\tMessage',
    '  ----\t------\t----\t----\t-------',
    ...about.map(
      (event) =>
        `  ${String(event.object.type)}\t${String(event.object.reason)}\t${humanAge(call.now() - event.createdAt)}\t` +
        `${String(get(event.object, 'source.component') ?? '')}\t${String(event.object.message ?? '')}`,
    ),
  ];
}

/** Go's time.RFC1123Z, as describe prints Start Time and Started. */
function rfc1123(ms: number): string {
  const date = new Date(ms);
  const [day, rest] = date.toUTCString().split(', ');
  return `${day}, ${(rest ?? '').replace(' GMT', ' +0000')}`;
}

/**
 * Go's text/tabwriter (minwidth 0, padding 2) over lines: consecutive lines that have a cell in column k
 * align that column; the text after a line's last tab is not a cell and is not padded.
 */
export function tabwriter(lines: string[]): string {
  const cells = lines.map((line) => line.split('\t'));
  const widths = cells.map((row) => row.map(() => 0));
  for (let column = 0; ; column++) {
    let any = false;
    for (let start = 0; start < cells.length;) {
      if ((cells[start]?.length ?? 0) - 1 <= column) {
        start++;
        continue;
      }
      let end = start;
      while (end < cells.length && (cells[end]?.length ?? 0) - 1 > column) end++;
      const width = Math.max(...cells.slice(start, end).map((row) => row[column]!.length)) + 2;
      for (let row = start; row < end; row++) widths[row]![column] = width;
      any = true;
      start = end;
    }
    if (!any) break;
  }
  return cells
    .map((row, r) =>
      row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[r]![c]!))).join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
