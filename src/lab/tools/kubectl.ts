import { sleep } from '../clock.js';
import type { KubeNode, WorkloadStatus } from '../kube/clusters.js';
import { get as read } from '../talos/yaml-docs.js';
import type { CommandNode, FlagSpec, ParsedArgs } from './flags.js';
import { UsageError, boolFlag, findCommand, parseDurationSeconds, parseFlags, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { ApiConnectError, connectKube, kubeconfigPath, kubectlConnectMessage } from './kube-access.js';
import type { ExecResult, ToolCall } from './runtime.js';
import { ToolFailure, podSuffix, table } from './runtime.js';

/**
 * The lab's kubectl (v1.34): the commands the product runs, with kubectl's flags, output and
 * errors, against the lab's Kubernetes clusters. Waits (`--timeout`) are held here on lab time.
 */

type Run = (call: ToolCall, args: ParsedArgs, cluster: () => Promise<KubeTarget>) => Promise<void>;

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string' },
  { name: 'namespace', short: 'n', kind: 'string' },
  { name: 'context', kind: 'string' },
  { name: 'request-timeout', kind: 'string' },
];

const ROOT: CommandNode<Run> = {
  name: 'kubectl',
  children: [
    {
      name: 'get',
      flags: [
        { name: 'raw', kind: 'string' },
        { name: 'output', short: 'o', kind: 'string' },
        { name: 'all-namespaces', short: 'A', kind: 'bool' },
      ],
      run: get,
    },
    {
      name: 'rollout',
      children: [
        {
          name: 'status',
          flags: [
            { name: 'timeout', kind: 'string' },
            { name: 'watch', short: 'w', kind: 'bool' },
          ],
          run: rolloutStatus,
        },
      ],
    },
    {
      name: 'wait',
      flags: [
        { name: 'for', kind: 'string' },
        { name: 'timeout', kind: 'string' },
        { name: 'all', kind: 'bool' },
      ],
      run: wait,
    },
    {
      name: 'drain',
      flags: [
        { name: 'ignore-daemonsets', kind: 'bool' },
        { name: 'delete-emptydir-data', kind: 'bool' },
        { name: 'force', kind: 'bool' },
        { name: 'timeout', kind: 'string' },
        { name: 'grace-period', kind: 'int' },
      ],
      run: drain,
    },
    { name: 'delete', flags: [{ name: 'ignore-not-found', kind: 'bool' }], run: deleteNode },
  ],
};

export async function runKubectl(call: ToolCall): Promise<ExecResult> {
  let commandPath = 'kubectl';
  try {
    const found = findCommand(ROOT, call.request.args, GLOBAL_FLAGS);
    commandPath = ['kubectl', ...found.path].join(' ');
    if (found.unknown !== undefined)
      throw new ToolFailure(`error: unknown command "${found.unknown}" for "${commandPath}"`);
    if (!found.node.run)
      throw new ToolFailure(
        `error: ${commandPath} requires a subcommand\nSee '${commandPath} --help' for usage.`,
      );
    const args = parseFlags(found.rest, [...GLOBAL_FLAGS, ...(found.node.flags ?? [])]);
    const cluster = () => {
      const flag = stringFlag(args, 'kubeconfig');
      return connectKube(call, {
        kubeconfig: kubeconfigPath(call, flag),
        explicit: flag !== undefined,
        ...contextOf(args),
      });
    };
    await found.node.run(call, args, cluster);
    return call.result(0);
  } catch (error) {
    if (error instanceof UsageError) {
      call.err(`error: ${error.message}\nSee '${commandPath} --help' for usage.\n`);
      return call.result(1);
    }
    if (error instanceof ToolFailure) {
      call.err(`${error.message}\n`);
      return call.result(1);
    }
    if (error instanceof ApiConnectError) {
      call.err(`${kubectlConnectMessage(error)}\n`);
      return call.result(1);
    }
    throw error;
  }
}

function contextOf(args: ParsedArgs): { context?: string } {
  const context = stringFlag(args, 'context');
  return context === undefined ? {} : { context };
}

function namespaceOf(args: ParsedArgs, target: KubeTarget): string {
  return stringFlag(args, 'namespace') ?? target.namespace;
}

function timeoutMs(args: ParsedArgs, fallbackSeconds: number): number {
  const raw = stringFlag(args, 'timeout');
  if (raw === undefined) return fallbackSeconds * 1000;
  const seconds = parseDurationSeconds(raw);
  if (seconds === undefined)
    throw new ToolFailure(
      `error: invalid argument "${raw}" for "--timeout" flag: time: invalid duration "${raw}"`,
    );
  return seconds * 1000;
}

const KIND_ALIASES: Record<string, string> = {
  node: 'nodes',
  nodes: 'nodes',
  no: 'nodes',
  pod: 'pods',
  pods: 'pods',
  po: 'pods',
  daemonset: 'daemonsets',
  daemonsets: 'daemonsets',
  ds: 'daemonsets',
  'daemonsets.apps': 'daemonsets',
  deployment: 'deployments',
  deployments: 'deployments',
  deploy: 'deployments',
  'deployments.apps': 'deployments',
};

async function get(call: ToolCall, args: ParsedArgs, cluster: () => Promise<KubeTarget>): Promise<void> {
  const raw = stringFlag(args, 'raw');
  const target = await cluster();
  if (raw !== undefined) {
    if (['/readyz', '/livez', '/healthz'].includes(raw)) return call.out('ok');
    if (raw === '/version')
      return call.out(
        JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.1', platform: 'linux/amd64' }, null, 2),
      );
    throw new ToolFailure('Error from server (NotFound): the server could not find the requested resource');
  }
  const [kindArg, name] = args.positionals;
  if (kindArg === undefined) {
    throw new ToolFailure(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
    );
  }
  const kind = KIND_ALIASES[kindArg];
  if (kind === 'nodes') return getNodes(call, args, target, name);
  if (kind === 'pods') return getPods(call, args, target);
  throw new ToolFailure(`error: the server doesn't have a resource type "${kindArg}"`);
}

function getNodes(call: ToolCall, args: ParsedArgs, target: KubeTarget, name: string | undefined): void {
  const all = call.kube.nodes(target.clusterId);
  const nodes = name === undefined ? all : all.filter((node) => node.name === name);
  if (name !== undefined && nodes.length === 0)
    throw new ToolFailure(`Error from server (NotFound): nodes "${name}" not found`);
  const output = stringFlag(args, 'output');
  if (output === 'json') {
    const items = nodes.map((node) => nodeObject(call, node));
    const body =
      name === undefined
        ? { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }
        : items[0];
    return call.out(`${JSON.stringify(body, null, 4)}\n`);
  }
  if (output === 'name') return call.out(nodes.map((node) => `node/${node.name}\n`).join(''));
  if (nodes.length === 0) return call.err('No resources found\n');
  const rows = [['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']];
  for (const node of nodes) {
    const status = `${node.ready ? 'Ready' : 'NotReady'}${node.unschedulable ? ',SchedulingDisabled' : ''}`;
    rows.push([
      node.name,
      status,
      node.talos.role === 'controlplane' ? 'control-plane' : '<none>',
      age(call.now() - node.registeredAt),
      'v1.34.1',
    ]);
  }
  call.out(table(rows));
}

function age(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

function nodeObject(call: ToolCall, node: KubeNode): object {
  const config = node.talos.config;
  const nodeLabels =
    (config?.machine as { nodeLabels?: Record<string, string> } | undefined)?.nodeLabels ?? {};
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    ...(node.talos.role === 'controlplane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    ...nodeLabels,
  };
  const controlPlaneTaint =
    node.talos.role === 'controlplane' && read(config, 'cluster.allowSchedulingOnControlPlanes') !== true;
  const taints = [
    ...(controlPlaneTaint ? [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] : []),
    ...(node.ready ? [] : [{ effect: 'NoSchedule', key: 'node.kubernetes.io/not-ready' }]),
    ...(node.unschedulable ? [{ effect: 'NoSchedule', key: 'node.kubernetes.io/unschedulable' }] : []),
  ];
  const at = (ms: number) => new Date(Math.min(ms, call.now())).toISOString().replace(/\.\d+Z$/, 'Z');
  const readyCondition = node.ready
    ? {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastTransitionTime: at(node.readyAt),
      }
    : {
        type: 'Ready',
        status: 'False',
        reason: 'KubeletNotReady',
        message:
          'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
        lastTransitionTime: at(node.registeredAt),
      };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels, creationTimestamp: at(node.registeredAt) },
    spec: {
      ...(node.unschedulable ? { unschedulable: true } : {}),
      ...(taints.length > 0 ? { taints } : {}),
    },
    status: {
      addresses: [
        ...node.talos.addresses.map((address) => ({ type: 'InternalIP', address })),
        { type: 'Hostname', address: node.name },
      ],
      conditions: [readyCondition],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://2.1.5',
        kernelVersion: '6.12.57-talos',
        kubeletVersion: 'v1.34.1',
        operatingSystem: 'linux',
        osImage: 'Talos (v1.11.6)',
      },
    },
  };
}

interface PodRow {
  name: string;
  ready: string;
  status: string;
  node: string;
}

/** The pods the lab knows: Cilium's agents (one per node) and operator replicas. */
function ciliumPods(call: ToolCall, clusterId: string): PodRow[] {
  const agents = call.kube.ciliumDaemonSet(clusterId);
  const operator = call.kube.ciliumOperator(clusterId);
  if (!agents || !operator) return [];
  const nodes = call.kube.nodes(clusterId);
  let readyLeft = agents.ready;
  const rows: PodRow[] = nodes.map((node) => {
    const running = !node.ciliumFailure && readyLeft-- > 0;
    return {
      name: `cilium-${podSuffix(`${clusterId}/${node.name}`)}`,
      ready: running ? '1/1' : '0/1',
      status: node.ciliumFailure?.status ?? (running ? 'Running' : 'Init:0/6'),
      node: node.name,
    };
  });
  for (let i = 0; i < operator.desired; i++) {
    const running = i < operator.ready;
    rows.push({
      name: `cilium-operator-${podSuffix(`${clusterId}/operator`, 10)}-${podSuffix(`${clusterId}/operator/${i}`)}`,
      ready: running ? '1/1' : '0/1',
      status: operator.failure?.status ?? (running ? 'Running' : nodes[i] ? 'ContainerCreating' : 'Pending'),
      node: running || nodes[i] ? (nodes[i]?.name ?? '<none>') : '<none>',
    });
  }
  return rows;
}

function getPods(call: ToolCall, args: ParsedArgs, target: KubeTarget): void {
  const namespace = namespaceOf(args, target);
  const pods =
    boolFlag(args, 'all-namespaces') || namespace === 'kube-system' ? ciliumPods(call, target.clusterId) : [];
  if (pods.length === 0) return call.err(`No resources found in ${namespace} namespace.\n`);
  const wide = stringFlag(args, 'output') === 'wide';
  const rows = [['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['NODE'] : [])]];
  for (const pod of pods) {
    rows.push([
      pod.name,
      pod.ready,
      pod.status,
      pod.status.includes('CrashLoopBackOff') ? '5' : '0',
      '5m',
      ...(wide ? [pod.node] : []),
    ]);
  }
  call.out(table(rows));
}

const POLL_SECONDS = 1;

async function rolloutStatus(
  call: ToolCall,
  args: ParsedArgs,
  cluster: () => Promise<KubeTarget>,
): Promise<void> {
  const [resource = ''] = args.positionals;
  const [kindArg = '', name = ''] = resource.split('/');
  const kind = KIND_ALIASES[kindArg];
  if (!name || (kind !== 'daemonsets' && kind !== 'deployments')) {
    throw new ToolFailure(
      `error: no kind "${kindArg}" is registered for rollout status, use daemonset/<name> or deployment/<name>`,
    );
  }
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const deadline = call.now() + timeoutMs(args, 0);
  const hasDeadline = stringFlag(args, 'timeout') !== undefined && timeoutMs(args, 0) > 0;
  const label = kind === 'daemonsets' ? 'daemon set' : 'deployment';
  const read = (): WorkloadStatus | undefined => {
    if (namespace !== 'kube-system') return undefined;
    if (kind === 'daemonsets' && name === 'cilium') return call.kube.ciliumDaemonSet(target.clusterId);
    if (kind === 'deployments' && name === 'cilium-operator')
      return call.kube.ciliumOperator(target.clusterId);
    return undefined;
  };
  let last = '';
  for (;;) {
    const status = read();
    if (!status) throw new ToolFailure(`Error from server (NotFound): ${kind}.apps "${name}" not found`);
    if (status.ready >= status.desired) return call.out(`${label} "${name}" successfully rolled out\n`);
    const line =
      kind === 'daemonsets'
        ? `Waiting for daemon set "${name}" rollout to finish: ${status.ready} of ${status.desired} updated pods are available...\n`
        : `Waiting for deployment "${name}" rollout to finish: ${status.ready} of ${status.desired} updated replicas are available...\n`;
    if (line !== last) call.out(line);
    last = line;
    if (hasDeadline && call.now() >= deadline) {
      // kubectl says only "timed out"; the lab adds the pods' state, which `kubectl get pods` would show.
      const why = status.failure
        ? `\npods of ${label} "${name}" are ${status.failure.status}: ${status.failure.container}: ${status.failure.reason}`
        : '';
      throw new ToolFailure(`error: timed out waiting for the condition${why}`);
    }
    await sleep(
      Math.min(call.talos.ms(POLL_SECONDS), hasDeadline ? Math.max(0, deadline - call.now()) : Infinity),
    );
  }
}

async function wait(call: ToolCall, args: ParsedArgs, cluster: () => Promise<KubeTarget>): Promise<void> {
  const condition = stringFlag(args, 'for') ?? '';
  const match = /^condition=([A-Za-z]+)(?:=(\w+))?$/.exec(condition);
  if (!match) throw new ToolFailure(`error: unrecognized condition: "${condition}"`);
  const wanted = match[1] ?? '';
  const [kindArg = '', name] = args.positionals;
  if (KIND_ALIASES[kindArg] !== 'nodes')
    throw new ToolFailure(`error: the server doesn't have a resource type "${kindArg}"`);
  if (!boolFlag(args, 'all') && name === undefined)
    throw new ToolFailure('error: resource(s) were provided, but no name was specified');
  const target = await cluster();
  const names = call.kube
    .nodes(target.clusterId)
    .map((node) => node.name)
    .filter((candidate) => name === undefined || candidate === name);
  if (names.length === 0) {
    throw new ToolFailure(
      name === undefined
        ? 'error: no matching resources found'
        : `Error from server (NotFound): nodes "${name}" not found`,
    );
  }
  const deadline = call.now() + timeoutMs(args, 30);
  for (const nodeName of names) {
    for (;;) {
      const node = call.kube.nodes(target.clusterId).find((candidate) => candidate.name === nodeName);
      if (wanted === 'Ready' && node?.ready) break;
      if (call.now() >= deadline)
        throw new ToolFailure(`error: timed out waiting for the condition on nodes/${nodeName}`);
      await sleep(Math.min(call.talos.ms(POLL_SECONDS), Math.max(0, deadline - call.now())));
    }
    call.out(`node/${nodeName} condition met\n`);
  }
}

async function drain(call: ToolCall, args: ParsedArgs, cluster: () => Promise<KubeTarget>): Promise<void> {
  const [name] = args.positionals;
  if (name === undefined)
    throw new ToolFailure("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples");
  const target = await cluster();
  const node = call.kube.nodes(target.clusterId).find((candidate) => candidate.name === name);
  if (!node) throw new ToolFailure(`Error from server (NotFound): nodes "${name}" not found`);
  call.kube.cordon(target.clusterId, name);
  call.out(`node/${name} cordoned\n`);
  const agent = ciliumPods(call, target.clusterId).find(
    (pod) => pod.node === name && pod.name.split('-').length === 2,
  );
  if (agent) {
    if (!boolFlag(args, 'ignore-daemonsets')) {
      throw new ToolFailure(
        `error: unable to drain node "${name}" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/${agent.name}, continuing command...\nThere are pending nodes to be drained:\n ${name}\ncannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/${agent.name}`,
      );
    }
    call.err(`Warning: ignoring DaemonSet-managed Pods: kube-system/${agent.name}\n`);
  }
  const limit = stringFlag(args, 'timeout') === undefined ? Infinity : timeoutMs(args, 0);
  const needed = call.talos.ms(call.talos.seconds.drain);
  await sleep(Math.min(needed, limit));
  if (needed > limit)
    throw new ToolFailure(
      `error: unable to drain node "${name}" due to error: drain did not complete within ${stringFlag(args, 'timeout')}, continuing command...\nThere are pending nodes to be drained:\n ${name}\nerror: drain did not complete within ${stringFlag(args, 'timeout')}`,
    );
  call.out(`node/${name} drained\n`);
}

async function deleteNode(
  call: ToolCall,
  args: ParsedArgs,
  cluster: () => Promise<KubeTarget>,
): Promise<void> {
  const [kindArg = '', ...names] = args.positionals;
  if (KIND_ALIASES[kindArg] !== 'nodes')
    throw new ToolFailure(`error: the server doesn't have a resource type "${kindArg}"`);
  if (names.length === 0)
    throw new ToolFailure('error: resource(s) were provided, but no name was specified');
  const target = await cluster();
  const present = new Set(call.kube.nodes(target.clusterId).map((node) => node.name));
  const missing: string[] = [];
  for (const name of names) {
    if (!present.has(name)) {
      if (!boolFlag(args, 'ignore-not-found')) missing.push(name);
      continue;
    }
    call.kube.deleteNode(target.clusterId, name);
    call.out(`node "${name}" deleted\n`);
  }
  if (missing.length > 0)
    throw new ToolFailure(
      missing.map((name) => `Error from server (NotFound): nodes "${name}" not found`).join('\n'),
    );
}
