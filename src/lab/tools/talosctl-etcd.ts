import type { EtcdMemberRecord } from '../talos/etcd.js';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT } from '../talos/etcd.js';
import type { TalosNode } from '../talos/nodes.js';
import { getString } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { dialSecure, proxyTo, singleNode } from './talos-dial.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure, humanBytes, table } from './runtime.js';

/**
 * The lab talosctl's etcd commands and Talos start-up: `bootstrap`, `etcd members`, `etcd status`, and the
 * time resources of `get` (LIFECYCLE F.4, F.6; TALOS v1.11.6 `v1alpha1_server.go` Bootstrap lines 416–449,
 * EtcdMemberList 1761–1806, EtcdStatus 2118–2167; `cmd/talosctl/cmd/talos/etcd.go` for the tables).
 */

const failedPrecondition = (desc: string) =>
  new ToolFailure(`rpc error: code = FailedPrecondition desc = ${desc}`);

/** etcd v3.6.5, the v1.11.6 default (`constants.DefaultEtcdVersion`). */
const ETCD_PROTOCOL = '3.6.5';
const ETCD_STORAGE = '3.6.0';

/**
 * Waits up to `limitSeconds` (profile seconds, scaled like every lab duration) for `at`; true when it came.
 * The server's own waits: 1 s for the CRI, 5 s for time sync.
 */
async function waitFor(call: ToolCall, at: number, limitSeconds: number): Promise<boolean> {
  const left = at - call.now();
  if (left <= 0) return true;
  if (left <= call.talos.ms(limitSeconds)) {
    await call.pause(left / call.talos.ms(1));
    return true;
  }
  await call.pause(limitSeconds);
  return false;
}

/** The server's checks in its order; then the node's own data directory decides AlreadyExists. */
export async function bootstrap(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length !== 0)
    throw new ToolFailure(`accepts 0 arg(s), received ${args.positionals.length}`);
  try {
    const node = await singleNode(call, args);
    if (!(await waitFor(call, node.criUpAt, 1))) throw failedPrecondition('bootstrap is not available yet');
    if (node.role !== 'controlplane')
      throw failedPrecondition('bootstrap can only be performed on a control plane node');
    if (!(await waitFor(call, node.timeSyncedAt, 5))) throw failedPrecondition('time is not in sync yet');
    if (call.talos.etcd.dataOf(node)) {
      throw new ToolFailure('rpc error: code = AlreadyExists desc = etcd data directory is not empty');
    }
    call.talos.etcd.bootstrap(node, call.now());
    call.talos.recordBootstrap({
      id: node.clusterId ?? '',
      name: getString(node.config, 'cluster.clusterName') ?? '',
      bootstrappedAt: call.now(),
      bootstrapVmid: node.vm.vmid,
    });
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error executing bootstrap: ${error.message}`);
    throw error;
  }
}

/** The nodes a multi-node command targets (--nodes, else the context's, else the endpoint). */
async function targets(
  call: ToolCall,
  args: ParsedArgs,
): Promise<{ ip: string; node: () => Promise<TalosNode> }[]> {
  const target = await dialSecure(call, args);
  const wanted = target.nodes.length > 0 ? target.nodes : [target.endpoint.addresses[0] ?? ''];
  return wanted.map((ip) => ({ ip, node: () => proxyTo(call, target.endpoint, ip) }));
}

/**
 * The node's local etcd client (`etcd.NewLocalClient`, localhost:2379): a control plane only, and only
 * while its etcd runs. What a dial to a stopped etcd answers is UNCONFIRMED (the etcd client's
 * "connection refused" as gRPC Unavailable is assumed), after the client's 5 s DialTimeout.
 */
async function localEtcd(call: ToolCall, node: TalosNode, api: string): Promise<EtcdMemberRecord> {
  if (node.role !== 'controlplane') {
    throw new ToolFailure(
      `rpc error: code = Unimplemented desc = ${api} is only available on control plane nodes`,
    );
  }
  const record = call.talos.etcd.dataOf(node);
  if (!record || call.talos.etcd.upAt(node) > call.now()) {
    await call.pause(5);
    throw new ToolFailure(
      `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:${ETCD_CLIENT_PORT}: connect: connection refused"`,
    );
  }
  return record;
}

/** `talosctl etcd members`: each node's local view (QueryLocal), members in join order. */
export async function etcdMembers(call: ToolCall, args: ParsedArgs): Promise<void> {
  try {
    const rows = await perNode(call, args, async (ip, node) => {
      const record = await localEtcd(call, node, 'member list');
      return call.talos.etcd
        .members(record)
        .map((member) => [
          ip,
          member.memberId,
          member.hostname,
          `https://${member.address}:${ETCD_PEER_PORT}`,
          `https://${member.address}:${ETCD_CLIENT_PORT}`,
          'false',
        ]);
    });
    if (rows.length > 0)
      call.out(table([['NODE', 'ID', 'HOSTNAME', 'PEER URLS', 'CLIENT URLS', 'LEARNER'], ...rows]));
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error getting members: ${error.message}`);
    throw error;
  }
}

/** `talosctl etcd status`: one row per node, from its own member's view. */
export async function etcdStatus(call: ToolCall, args: ParsedArgs): Promise<void> {
  try {
    const rows = await perNode(call, args, async (ip, node) => {
      const record = await localEtcd(call, node, 'etcd status');
      return [[ip, ...statusColumns(call, record)]];
    });
    call.out(
      table([
        [
          'NODE',
          'MEMBER',
          'DB SIZE',
          'IN USE',
          'LEADER',
          'RAFT INDEX',
          'RAFT TERM',
          'RAFT APPLIED INDEX',
          'LEARNER',
          'PROTOCOL',
          'STORAGE',
          'ERRORS',
        ],
        ...rows,
      ]),
    );
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error getting status: ${error.message}`);
    throw error;
  }
}

/**
 * A member's status: the leader is the earliest member whose etcd runs (a term per leader change), the
 * raft index grows with the cluster's age, and the database with the index.
 */
function statusColumns(call: ToolCall, record: EtcdMemberRecord): string[] {
  const members = call.talos.etcd.members(record);
  const now = call.now();
  const running = members.filter((member) => {
    const node = call.talos.all(now).find((candidate) => candidate.vm.vmid === member.vmid);
    return node !== undefined && call.talos.etcd.upAt(node) <= now;
  });
  const leader = running[0] ?? record;
  const term = 2 + members.indexOf(leader);
  const since = members[0]?.joinedAt ?? record.joinedAt;
  const index = 1000 + Math.floor(Math.max(0, now - since) / call.talos.ms(1)) * 7;
  const dbSize = 4_000_000 + index * 2_048;
  const inUse = Math.round(dbSize * 0.3);
  return [
    record.memberId,
    humanBytes(dbSize),
    `${humanBytes(inUse)} (${((inUse / dbSize) * 100).toFixed(2)}%)`,
    leader.memberId,
    String(index),
    String(term),
    String(index),
    'false',
    ETCD_PROTOCOL,
    ETCD_STORAGE,
    '',
  ];
}

/**
 * Runs `each` on every target node. One node: its error is the call's error. Several: the nodes that
 * answered print, the others are reported as talosctl's warning of a partly failed call.
 */
async function perNode(
  call: ToolCall,
  args: ParsedArgs,
  each: (ip: string, node: TalosNode) => Promise<string[][]>,
): Promise<string[][]> {
  const rows: string[][] = [];
  const failures: string[] = [];
  const list = await targets(call, args);
  for (const target of list) {
    try {
      rows.push(...(await each(target.ip, await target.node())));
    } catch (error) {
      if (!(error instanceof ToolFailure) || list.length === 1) throw error;
      failures.push(`${target.ip}: ${error.message}`);
    }
  }
  if (failures.length > 0) {
    const head = failures.length === 1 ? '1 error occurred:' : `${failures.length} errors occurred:`;
    call.err(`WARNING: ${head}\n${failures.map((failure) => `\t* ${failure}`).join('\n')}\n\n`);
  }
  return rows;
}

/** Resource types of `talosctl get` served here, by the names talosctl resolves. */
export const TIME_RESOURCES: Record<string, 'timestatus' | 'timeservers'> = {
  timestatus: 'timestatus',
  timestatuses: 'timestatus',
  TimeStatus: 'timestatus',
  'TimeStatuses.v1alpha1.talos.dev': 'timestatus',
  timeservers: 'timeservers',
  timeserverstatus: 'timeservers',
  TimeServerStatus: 'timeservers',
  'TimeServerStatuses.net.talos.dev': 'timeservers',
};

/** `talosctl get timestatus` / `timeservers` rows for one node (TALOS-DOCS time-sync.md lines 21–32). */
export function timeResourceTable(
  call: ToolCall,
  kind: 'timestatus' | 'timeservers',
  ip: string,
  node: TalosNode,
): string {
  if (kind === 'timestatus') {
    const synced = node.timeSyncedAt <= call.now();
    return table([
      ['NODE', 'NAMESPACE', 'TYPE', 'ID', 'VERSION', 'SYNCED'],
      [ip, 'runtime', 'TimeStatus', 'node', synced ? '2' : '1', String(synced)],
    ]);
  }
  return table([
    ['NODE', 'NAMESPACE', 'TYPE', 'ID', 'VERSION', 'TIMESERVERS'],
    [ip, 'network', 'TimeServerStatus', 'timeservers', '1', JSON.stringify(node.timeServers)],
  ]);
}
