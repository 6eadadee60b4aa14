import { stringify } from 'yaml';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { ApiItem } from './kubectl-api.js';
import { humanAge, kindLabel } from './kubectl-common.js';
import { JsonPathError, renderJsonPath } from './jsonpath.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure, table } from './runtime.js';

/** kubectl's printers: the default tables per kind (`-o wide` adds columns), json, yaml, name, jsonpath. */

export interface PrintOptions {
  output: string | undefined;
  allNamespaces: boolean;
  /** One object was asked for by name: json/yaml print it alone, not in a List. */
  single: boolean;
  /** For "No resources found in <namespace> namespace."; undefined for cluster-scoped kinds. */
  namespace: string | undefined;
  /** Several kinds were asked for: one table per kind, names as `kind/name`. */
  severalKinds?: boolean;
}

const FORMATS =
  'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml';

export function printItems(call: ToolCall, items: ApiItem[], options: PrintOptions): void {
  const output = options.output;
  const body = () => (options.single && items[0] ? items[0].object : listOf(items));
  if (output === 'json') return call.out(`${JSON.stringify(sortKeys(body()), null, 4)}\n`);
  if (output === 'yaml') return call.out(toYaml(body()));
  if (output === 'name')
    return call.out(items.map((item) => `${kindLabel(item.info)}/${item.name}\n`).join(''));
  if (output?.startsWith('jsonpath=')) return call.out(jsonPath(output.slice('jsonpath='.length), body()));
  if (output !== undefined && output !== 'wide')
    throw new ToolFailure(
      `error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${FORMATS}`,
    );
  if (items.length === 0) {
    const clusterWide = options.namespace === undefined || options.allNamespaces;
    return call.err(
      clusterWide ? 'No resources found\n' : `No resources found in ${options.namespace} namespace.\n`,
    );
  }
  const kinds = [...new Set(items.map((item) => item.info))];
  const tables = kinds.map((info) =>
    tableOf(
      call,
      items.filter((item) => item.info === info),
      output === 'wide',
      options,
    ),
  );
  call.out(tables.join('\n'));
}

function listOf(items: ApiItem[]): Doc {
  return {
    apiVersion: 'v1',
    items: items.map((item) => item.object),
    kind: 'List',
    metadata: { resourceVersion: '' },
  };
}

/** kubectl prints objects with their keys in order, as Go's JSON encoding of maps does. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isMap(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

export function toYaml(value: unknown): string {
  // YAML 1.1, as Go's yaml writes: strings that would read as timestamps or booleans get quoted.
  return stringify(sortKeys(value), { indentSeq: false, lineWidth: 0, version: '1.1' });
}

function jsonPath(template: string, data: unknown): string {
  try {
    return renderJsonPath(template, JSON.parse(JSON.stringify(data)));
  } catch (error) {
    if (error instanceof JsonPathError) throw new ToolFailure(`error: ${error.message}`);
    throw error;
  }
}

interface Columns {
  headers: string[];
  row(item: ApiItem, call: ToolCall): string[];
  wide?: { headers: string[]; row(item: ApiItem): string[] };
}

const text = (value: unknown, fallback = '0') =>
  value === undefined || value === null ? fallback : String(value);
const statusOf = (item: ApiItem) => (isMap(item.object.status) ? item.object.status : {});
const specOf = (item: ApiItem) => (isMap(item.object.spec) ? item.object.spec : {});
const age = (item: ApiItem, call: ToolCall) => humanAge(call.now() - item.createdAt);

function containersOf(item: ApiItem): Doc[] {
  const containers = get(specOf(item), 'template.spec.containers');
  return Array.isArray(containers) ? containers.filter(isMap) : [];
}

function selectorText(selector: unknown): string {
  const labels = isMap(selector) ? selector : {};
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${String(value)}`);
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

const workloadWide = (withSelector: boolean) => ({
  headers: ['CONTAINERS', 'IMAGES', ...(withSelector ? ['SELECTOR'] : [])],
  row: (item: ApiItem) => [
    containersOf(item)
      .map((container) => String(container.name))
      .join(','),
    containersOf(item)
      .map((container) => String(container.image))
      .join(','),
    ...(withSelector ? [selectorText(get(specOf(item), 'selector.matchLabels'))] : []),
  ],
});

/** A CrashLoopBackOff container restarts after 10 s, then twice as long each time, at most every 5 minutes. */
function crashRestarts(call: ToolCall, sinceMs: number): number {
  const elapsed = (call.now() - sinceMs) / call.talos.ms(1);
  let restarts = 0;
  for (let at = 0, delay = 10; at + delay <= elapsed; at += delay, delay = Math.min(delay * 2, 300))
    restarts++;
  return restarts;
}

function servicePorts(item: ApiItem): string {
  const ports = get(specOf(item), 'ports');
  const list = Array.isArray(ports) ? ports.filter(isMap) : [];
  if (list.length === 0) return '<none>';
  return list
    .map(
      (port) =>
        `${String(port.port)}${port.nodePort ? `:${String(port.nodePort)}` : ''}/${text(port.protocol, 'TCP')}`,
    )
    .join(',');
}

const TABLES: Record<string, Columns> = {
  Deployment: {
    headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    row: (item, call) => [
      item.name,
      `${text(statusOf(item).readyReplicas)}/${text(specOf(item).replicas, '1')}`,
      text(statusOf(item).updatedReplicas),
      text(statusOf(item).availableReplicas),
      age(item, call),
    ],
    wide: workloadWide(true),
  },
  DaemonSet: {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    row: (item, call) => {
      const status = statusOf(item);
      return [
        item.name,
        text(status.desiredNumberScheduled),
        text(status.currentNumberScheduled),
        text(status.numberReady),
        text(status.updatedNumberScheduled),
        text(status.numberAvailable),
        selectorText(get(specOf(item), 'template.spec.nodeSelector')),
        age(item, call),
      ];
    },
    wide: workloadWide(true),
  },
  StatefulSet: {
    headers: ['NAME', 'READY', 'AGE'],
    row: (item, call) => [
      item.name,
      `${text(statusOf(item).readyReplicas)}/${text(specOf(item).replicas, '1')}`,
      age(item, call),
    ],
    wide: workloadWide(false),
  },
  Pod: {
    headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    row: (item, call) => {
      const pod = item.pod!;
      const ready = pod.ready ? pod.containers.length : 0;
      const restarts = pod.status.includes('CrashLoopBackOff') ? crashRestarts(call, pod.createdAt) : 0;
      return [item.name, `${ready}/${pod.containers.length}`, pod.status, String(restarts), age(item, call)];
    },
    wide: {
      headers: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
      row: (item) => [item.pod?.ip ?? '<none>', item.pod?.nodeName ?? '<none>', '<none>', '<none>'],
    },
  },
  Service: {
    headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    row: (item, call) => {
      const spec = specOf(item);
      const type = text(spec.type, 'ClusterIP');
      const external =
        type === 'LoadBalancer' ? '<pending>' : type === 'ExternalName' ? text(spec.externalName) : '<none>';
      return [item.name, type, text(spec.clusterIP, '<none>'), external, servicePorts(item), age(item, call)];
    },
    wide: { headers: ['SELECTOR'], row: (item) => [selectorText(specOf(item).selector)] },
  },
  Namespace: {
    headers: ['NAME', 'STATUS', 'AGE'],
    row: (item, call) => [item.name, text(statusOf(item).phase, 'Active'), age(item, call)],
  },
  Node: {
    headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    row: (item, call) => {
      const ready = (
        Array.isArray(statusOf(item).conditions) ? (statusOf(item).conditions as Doc[]) : []
      ).some((condition) => condition.type === 'Ready' && condition.status === 'True');
      const labels = isMap(get(item.object, 'metadata.labels'))
        ? (get(item.object, 'metadata.labels') as Doc)
        : {};
      const roles = Object.keys(labels)
        .filter((label) => label.startsWith('node-role.kubernetes.io/'))
        .map((label) => label.slice('node-role.kubernetes.io/'.length))
        .sort();
      return [
        item.name,
        `${ready ? 'Ready' : 'NotReady'}${specOf(item).unschedulable ? ',SchedulingDisabled' : ''}`,
        roles.length === 0 ? '<none>' : roles.join(','),
        age(item, call),
        text(get(statusOf(item), 'nodeInfo.kubeletVersion')),
      ];
    },
    wide: {
      headers: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
      row: (item) => {
        const addresses = Array.isArray(statusOf(item).addresses) ? (statusOf(item).addresses as Doc[]) : [];
        const info = get(statusOf(item), 'nodeInfo');
        return [
          text(addresses.find((address) => address.type === 'InternalIP')?.address, '<none>'),
          '<none>',
          text(get(info, 'osImage')),
          text(get(info, 'kernelVersion')),
          text(get(info, 'containerRuntimeVersion')),
        ];
      },
    },
  },
  PodDisruptionBudget: {
    headers: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    row: (item, call) => [
      item.name,
      text(specOf(item).minAvailable, 'N/A'),
      text(specOf(item).maxUnavailable, 'N/A'),
      text(statusOf(item).disruptionsAllowed, '0'),
      age(item, call),
    ],
  },
  ConfigMap: {
    headers: ['NAME', 'DATA', 'AGE'],
    row: (item, call) => [
      item.name,
      String(Object.keys(isMap(item.object.data) ? item.object.data : {}).length),
      age(item, call),
    ],
  },
  Secret: {
    headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
    row: (item, call) => [
      item.name,
      text(item.object.type, 'Opaque'),
      String(
        Object.keys({
          ...(isMap(item.object.data) ? item.object.data : {}),
          ...(isMap(item.object.stringData) ? item.object.stringData : {}),
        }).length,
      ),
      age(item, call),
    ],
  },
  StorageClass: {
    headers: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    row: (item, call) => [
      item.name,
      text(item.object.provisioner, ''),
      text(item.object.reclaimPolicy, 'Delete'),
      text(item.object.volumeBindingMode, 'Immediate'),
      text(item.object.allowVolumeExpansion, 'false'),
      age(item, call),
    ],
  },
  Event: {
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    row: (item, call) => [
      age(item, call),
      text(item.object.type),
      text(item.object.reason),
      `pod/${text(get(item.object, 'involvedObject.name'))}`,
      text(item.object.message),
    ],
  },
  CustomResourceDefinition: {
    headers: ['NAME', 'CREATED AT'],
    row: (item) => [item.name, text(get(item.object, 'metadata.creationTimestamp'), '')],
  },
};

const GENERIC: Columns = { headers: ['NAME', 'AGE'], row: (item, call) => [item.name, age(item, call)] };

function tableOf(call: ToolCall, items: ApiItem[], wide: boolean, options: PrintOptions): string {
  const columns = TABLES[items[0]!.info.kind] ?? GENERIC;
  const namespaced = options.allNamespaces && items[0]!.info.namespaced;
  const headers = [
    ...(namespaced ? ['NAMESPACE'] : []),
    ...columns.headers,
    ...(wide && columns.wide ? columns.wide.headers : []),
  ];
  const named = (row: string[]) =>
    options.severalKinds ? [`${kindLabel(items[0]!.info)}/${row[0] ?? ''}`, ...row.slice(1)] : row;
  const rows = items.map((item) => [
    ...(namespaced ? [item.namespace ?? ''] : []),
    ...named(columns.row(item, call)),
    ...(wide && columns.wide ? columns.wide.row(item) : []),
  ]);
  return table([headers, ...rows]);
}
