import { createHash } from 'node:crypto';
import type { TalosNode } from '../talos/nodes.js';
import type { FlagSpec, ParsedArgs } from './flags.js';
import { dialSecure, proxyTo } from './talos-dial.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure, table } from './runtime.js';

/**
 * `talosctl services [<id>]` and `talosctl logs <service>`: what a node's system services do, computed from
 * the same facts the rest of the lab keeps (boot, CRI, time sync, etcd data, kubelet registration).
 * Output as talosctl prints it (`cmd/talosctl/cmd/talos/service.go`: a tabwriter table NODE SERVICE STATE
 * HEALTH LAST CHANGE LAST EVENT, or NODE/ID/STATE/HEALTH/EVENTS for one service, newest event first;
 * `logs.go`: every line as `<node>: <line>`, `--tail` lines, -1 for all). CONTRACTS does not list a node's
 * services or their event and log texts: the set (Talos v1.11's system services), the event messages and
 * the log lines below are UNCONFIRMED wording, modelled on Talos' and the kubelet's and etcd's own.
 */

interface ServiceEvent {
  state: string;
  msg: string;
  at: number;
}

interface ServiceView {
  id: string;
  state: string;
  health: 'OK' | 'Fail' | '?';
  events: ServiceEvent[];
}

export const LOGS_FLAGS: FlagSpec[] = [
  { name: 'kubernetes', short: 'k', kind: 'bool' },
  { name: 'use-cri', short: 'c', kind: 'bool' },
  { name: 'follow', short: 'f', kind: 'bool' },
  { name: 'tail', kind: 'int' },
];

/** The nodes the call targets (--nodes, else the endpoint), each reached through the endpoint's apid. */
async function targetNodes(call: ToolCall, args: ParsedArgs): Promise<{ ip: string; node: TalosNode }[]> {
  const target = await dialSecure(call, args);
  const wanted = target.nodes.length > 0 ? target.nodes : [target.endpoint.addresses[0] ?? ''];
  const reached: { ip: string; node: TalosNode }[] = [];
  for (const ip of wanted) reached.push({ ip, node: await proxyTo(call, target.endpoint, ip) });
  return reached;
}

export async function services(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length > 2)
    throw new ToolFailure(`accepts at most 2 arg(s), received ${args.positionals.length}`);
  const [id, action = 'status'] = args.positionals;
  if (action !== 'status') throw new ToolFailure(`unsupported service action: "${action}"`);
  let nodes: { ip: string; node: TalosNode }[];
  try {
    nodes = await targetNodes(call, args);
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error listing services: ${error.message}`);
    throw error;
  }
  const now = call.now();
  if (id === undefined) return call.out(servicesTable(call, nodes, now));
  const found = nodes.flatMap(({ ip, node }) =>
    nodeServices(call, node, now)
      .filter((service) => service.id === id)
      .map((service) => ({ ip, service })),
  );
  if (found.length === 0) throw new ToolFailure(`service "${id}" is not registered on any nodes`);
  call.out(found.map(({ ip, service }) => serviceInfo(ip, service, now)).join(''));
}

function servicesTable(call: ToolCall, nodes: { ip: string; node: TalosNode }[], now: number): string {
  const rows = nodes.flatMap(({ ip, node }) =>
    nodeServices(call, node, now).map((service) => {
      const last = service.events.at(-1);
      return [
        ip,
        service.id,
        service.state,
        service.health,
        `${last ? goDuration(now - last.at) : ''} ago`,
        last?.msg ?? '<none>',
      ];
    }),
  );
  return table([['NODE', 'SERVICE', 'STATE', 'HEALTH', 'LAST CHANGE', 'LAST EVENT'], ...rows]);
}

function serviceInfo(ip: string, service: ServiceView, now: number): string {
  const events = [...service.events].reverse();
  const rows = [
    ['NODE', ip],
    ['ID', service.id],
    ['STATE', service.state],
    ['HEALTH', service.health],
    ...events.map((event, index) => [
      index === 0 ? 'EVENTS' : '',
      `[${event.state}]: ${event.msg} (${goDuration(now - event.at)} ago)`,
    ]),
  ];
  return table(rows);
}

/** The services a configured node runs, as Talos v1.11 lists them (sorted by id). */
function nodeServices(call: ToolCall, node: TalosNode, now: number): ServiceView[] {
  const controlPlane = node.role === 'controlplane';
  const up = (id: string, at: number, health: ServiceView['health'] = 'OK') =>
    runningService(node, id, at, health);
  const list: ServiceView[] = [
    up('apid', node.upAt),
    up('containerd', node.bootAt),
    criService(node, now),
    ...(controlPlane ? [etcdService(call, node, now)] : []),
    kubeletService(node, now),
    up('machined', node.bootAt, '?'),
    ...(controlPlane ? [up('trustd', node.upAt)] : []),
    up('udevd', node.bootAt),
  ];
  return list.sort((a, b) => a.id.localeCompare(b.id));
}

/** A service that started at `at`: pre state, runner, its task, then (with a health check) the check passing. */
function runningService(node: TalosNode, id: string, at: number, health: ServiceView['health']): ServiceView {
  const events: ServiceEvent[] = [
    { state: 'Preparing', msg: 'Running pre state', at },
    { state: 'Preparing', msg: 'Creating service runner', at },
    { state: 'Running', msg: `Started task ${id} (PID ${pidOf(node, id)}) for container ${id}`, at },
    ...(health === 'OK' ? [{ state: 'Running', msg: 'Health check successful', at }] : []),
  ];
  return { id, state: 'Running', health, events };
}

function criService(node: TalosNode, now: number): ServiceView {
  if (node.criUpAt <= now) return runningService(node, 'cri', node.criUpAt, 'OK');
  return preparing('cri', node.bootAt);
}

/** etcd waits for the CRI and time sync, then in its pre state for data: a bootstrap, or a peer to join. */
function etcdService(call: ToolCall, node: TalosNode, now: number): ServiceView {
  const upAt = call.talos.etcd.upAt(node);
  if (upAt <= now) return runningService(node, 'etcd', upAt, 'OK');
  if (node.servicesStartAt > now) return waiting('etcd', node, now);
  return preparing('etcd', node.servicesStartAt);
}

function kubeletService(node: TalosNode, now: number): ServiceView {
  if (node.servicesStartAt <= now) return runningService(node, 'kubelet', node.servicesStartAt, 'OK');
  return waiting('kubelet', node, now);
}

function preparing(id: string, at: number): ServiceView {
  return {
    id,
    state: 'Preparing',
    health: '?',
    events: [{ state: 'Preparing', msg: 'Running pre state', at }],
  };
}

/** The conditions a service still waits for, as Talos' WaitForAll describes them. */
function waiting(id: string, node: TalosNode, now: number): ServiceView {
  const conditions = [
    ...(node.criUpAt > now ? ['service "cri" to be "up"'] : []),
    ...(node.timeSyncedAt > now ? ['time sync'] : []),
  ];
  const msg = `Waiting for ${conditions.join(', ')}`;
  return { id, state: 'Waiting', health: '?', events: [{ state: 'Waiting', msg, at: node.bootAt }] };
}

function pidOf(node: TalosNode, id: string): number {
  return 1000 + (createHash('sha256').update(`${node.bootId}/${id}`).digest().readUInt16BE(0) % 8000);
}

/** Go's time.Duration.String() of a duration rounded to the second: 0s, 45s, 3m7s, 2h0m5s. */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** `talosctl logs <service>`: the service's log lines so far, each prefixed with the node it came from. */
export async function logs(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length !== 1)
    throw new ToolFailure(`accepts 1 arg(s), received ${args.positionals.length}`);
  const id = args.positionals[0] ?? '';
  let nodes: { ip: string; node: TalosNode }[];
  try {
    nodes = await targetNodes(call, args);
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error fetching logs: ${error.message}`);
    throw error;
  }
  const tail = Number(args.flags.get('tail') ?? -1);
  for (const { ip, node } of nodes) {
    const lines = serviceLog(call, node, id, call.now());
    if (lines === undefined)
      throw new ToolFailure(
        `error getting logs: rpc error: code = Unknown desc = log "${id}" was not registered`,
      );
    call.out(
      lines
        .slice(tail < 0 ? 0 : Math.max(0, lines.length - tail))
        .map((line) => `${ip}: ${line}\n`)
        .join(''),
    );
  }
}

/** The lines a service wrote by `now`; undefined for a service the node does not run. */
function serviceLog(call: ToolCall, node: TalosNode, id: string, now: number): string[] | undefined {
  if (id === 'kubelet') return kubeletLog(call, node, now);
  if (id === 'etcd') return node.role === 'controlplane' ? etcdLog(call, node, now) : undefined;
  const known = nodeServices(call, node, now).find((service) => service.id === id);
  return known ? [] : undefined;
}

/** The kubelet's JSON log (Talos runs it with --logging-format=json): start, registration, the CNI wait. */
function kubeletLog(call: ToolCall, node: TalosNode, now: number): string[] {
  const startedAt = node.servicesStartAt;
  if (startedAt > now) return [];
  const line = (at: number, caller: string, msg: string, fields: Record<string, string>) =>
    JSON.stringify({ ts: at, caller, msg, v: 0, ...fields });
  const kube = call.kube
    .nodes(node.clusterId ?? '', now)
    .find((candidate) => candidate.talos.vm.vmid === node.vm.vmid);
  const kubelet = `v${node.kubernetes?.kubelet ?? ''}`;
  return [
    line(startedAt, 'app/server.go:525', 'Kubelet version', { kubeletVersion: kubelet }),
    ...(kube && kube.registeredAt <= now
      ? [
          line(kube.registeredAt, 'kubelet/kubelet_node_status.go:78', 'Successfully registered node', {
            node: kube.name,
          }),
        ]
      : []),
    ...(kube && kube.registeredAt <= now && !kube.ready
      ? [
          line(now, 'kubelet/kubelet.go:3117', 'Container runtime network not ready', {
            networkReady:
              'NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
          }),
        ]
      : []),
  ];
}

/** etcd's zap JSON log: the server starting, then serving clients once it has data. */
function etcdLog(call: ToolCall, node: TalosNode, now: number): string[] {
  const upAt = call.talos.etcd.upAt(node);
  if (upAt > now) return [];
  const line = (caller: string, msg: string, fields: Record<string, string> = {}) =>
    JSON.stringify({ level: 'info', ts: new Date(upAt).toISOString(), caller, msg, ...fields });
  return [
    line('embed/etcd.go:138', 'starting an etcd server', { name: node.hostname }),
    line('embed/serve.go:103', 'ready to serve client requests'),
  ];
}
