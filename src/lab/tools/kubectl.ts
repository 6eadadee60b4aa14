import type { KindInfo } from '../kube/kinds.js';
import { get as read } from '../talos/yaml-docs.js';
import type { CommandNode, FlagSpec, ParsedArgs } from './flags.js';
import { UsageError, boolFlag, findCommand, parseFlags, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { ApiConnectError, connectKube, kubeconfigPath, kubectlConnectMessage } from './kube-access.js';
import { requireAllowed, resourceRequest } from './kube-authz.js';
import { findItem, listItems } from './kubectl-api.js';
import { apply, deleteObjects, scale } from './kubectl-apply.js';
import { metadataCommand } from './kubectl-metadata.js';
import type { Run } from './kubectl-common.js';
import { labelSelector, namespaceOf, notFound, parseResources, resolveKind } from './kubectl-common.js';
import { describe } from './kubectl-describe.js';
import { cordon, drain, uncordon } from './kubectl-drain.js';
import { exec } from './kubectl-exec.js';
import { createToken } from './kubectl-token.js';
import { printItems } from './kubectl-print.js';
import { serverVersion, version } from './kubectl-version.js';
import { rolloutStatus, wait } from './kubectl-watch.js';
import type { ExecResult, ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * The lab's kubectl (v1.34): the commands the product and users run, with kubectl's flags, output and
 * errors, against the lab's Kubernetes clusters. Waits (`--timeout`) are held here on lab time.
 */

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string' },
  { name: 'namespace', short: 'n', kind: 'string' },
  { name: 'context', kind: 'string' },
  { name: 'request-timeout', kind: 'string' },
];

const FILE_FLAGS: FlagSpec[] = [
  { name: 'filename', short: 'f', kind: 'stringArray' },
  { name: 'recursive', short: 'R', kind: 'bool' },
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
        { name: 'selector', short: 'l', kind: 'string' },
      ],
      run: get,
    },
    {
      name: 'apply',
      flags: [...FILE_FLAGS, { name: 'validate', kind: 'string' }],
      run: apply,
    },
    {
      name: 'delete',
      flags: [
        ...FILE_FLAGS,
        { name: 'ignore-not-found', kind: 'bool' },
        { name: 'wait', kind: 'bool' },
        { name: 'selector', short: 'l', kind: 'string' },
        { name: 'all', kind: 'bool' },
        { name: 'grace-period', kind: 'int' },
        { name: 'force', kind: 'bool' },
        { name: 'now', kind: 'bool' },
        { name: 'timeout', kind: 'string' },
      ],
      run: deleteObjects,
    },
    {
      name: 'scale',
      flags: [
        { name: 'replicas', kind: 'int' },
        { name: 'current-replicas', kind: 'int' },
        { name: 'timeout', kind: 'string' },
      ],
      run: scale,
    },
    { name: 'annotate', flags: [{ name: 'overwrite', kind: 'bool' }], run: metadataCommand('annotations') },
    { name: 'label', flags: [{ name: 'overwrite', kind: 'bool' }], run: metadataCommand('labels') },
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
      name: 'version',
      flags: [
        { name: 'client', kind: 'bool' },
        { name: 'output', short: 'o', kind: 'string' },
      ],
      run: version,
    },
    {
      name: 'wait',
      flags: [
        { name: 'for', kind: 'string' },
        { name: 'timeout', kind: 'string' },
        { name: 'all', kind: 'bool' },
        { name: 'selector', short: 'l', kind: 'string' },
      ],
      run: wait,
    },
    {
      name: 'exec',
      flags: [
        { name: 'container', short: 'c', kind: 'string' },
        { name: 'stdin', short: 'i', kind: 'bool' },
        { name: 'tty', short: 't', kind: 'bool' },
        { name: 'quiet', short: 'q', kind: 'bool' },
        { name: 'pod-running-timeout', kind: 'string' },
      ],
      run: exec,
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
    {
      name: 'create',
      children: [
        {
          name: 'token',
          flags: [
            { name: 'duration', kind: 'string' },
            { name: 'audience', kind: 'stringArray' },
          ],
          run: createToken,
        },
      ],
    },
    {
      name: 'describe',
      run: describe,
    },
    { name: 'cordon', run: cordon },
    { name: 'uncordon', run: uncordon },
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
      return call.result(error.code);
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

async function get(call: ToolCall, args: ParsedArgs, cluster: () => Promise<KubeTarget>): Promise<void> {
  const raw = stringFlag(args, 'raw');
  const target = await cluster();
  if (raw !== undefined) return getRaw(call, raw, target);
  if (args.positionals.length === 0) {
    throw new ToolFailure(
      'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples',
    );
  }
  const store = call.kube.objects(target.clusterId);
  const [first = '', ...names] = args.positionals;
  if (!first.includes('/') && first.includes(',')) {
    const kinds = first.split(',').map((kind) => resolveKind(store, kind));
    return getKinds(call, args, target, kinds, names);
  }
  const { targets, kinds } = parseResources(store, args.positionals);
  if (targets.length === 0) return getKinds(call, args, target, kinds, []);
  const namespace = namespaceOf(args, target);
  const output = stringFlag(args, 'output');
  requireAllowed(
    call,
    target,
    ...targets.map(({ info, name }) => resourceRequest(info, 'get', namespace, name)),
  );
  const items = targets.map(({ info, name }) => findItem(call, target.clusterId, info, namespace, name));
  const found = items.filter((item) => item !== undefined);
  if (found.length > 0)
    printItems(call, found, { output, allNamespaces: false, single: targets.length === 1, namespace });
  const missing = targets.filter((_, index) => items[index] === undefined);
  if (missing.length > 0)
    throw new ToolFailure(missing.map(({ info, name }) => notFound(info, name)).join('\n'));
}

/** Every object of the kinds (only those named, if names are given), one table per kind. */
function getKinds(
  call: ToolCall,
  args: ParsedArgs,
  target: KubeTarget,
  kinds: KindInfo[],
  names: string[],
): void {
  const namespace = namespaceOf(args, target);
  const allNamespaces = boolFlag(args, 'all-namespaces');
  const matches = labelSelector(stringFlag(args, 'selector'));
  const scope = allNamespaces ? undefined : namespace;
  requireAllowed(call, target, ...kinds.map((info) => resourceRequest(info, 'list', scope)));
  const items = kinds.flatMap((info) =>
    listItems(call, target.clusterId, info, allNamespaces || !info.namespaced ? undefined : namespace).filter(
      (item) =>
        (names.length === 0 || names.includes(item.name)) &&
        matches((read(item.object, 'metadata.labels') as Record<string, string> | undefined) ?? {}),
    ),
  );
  printItems(call, items, {
    output: stringFlag(args, 'output'),
    allNamespaces,
    single: false,
    namespace: kinds.some((info) => info.namespaced) ? namespace : undefined,
    severalKinds: kinds.length > 1,
  });
}

function getRaw(call: ToolCall, raw: string, target: KubeTarget): void {
  requireAllowed(call, target, { verb: 'get', path: raw });
  if (['/readyz', '/livez', '/healthz'].includes(raw)) return call.out('ok');
  if (raw === '/version') return call.out(JSON.stringify(serverVersion(call, target), null, 2));
  throw new ToolFailure('Error from server (NotFound): the server could not find the requested resource');
}
