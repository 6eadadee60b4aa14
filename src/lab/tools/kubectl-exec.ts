import { sleep } from '../clock.js';
import type { KindInfo } from '../kube/kinds.js';
import { byKind } from '../kube/kinds.js';
import type { PodView } from '../kube/pods.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import { boolFlag, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { requireAllowed, resourceRequest } from './kube-authz.js';
import { allPods, findItem } from './kubectl-api.js';
import type { Run } from './kubectl-common.js';
import { POLL_SECONDS, namespaceOf, notFound, resolveKind, timeoutMs } from './kubectl-common.js';
import type { ProgramResult } from './pod-exec.js';
import { runInPod } from './pod-exec.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/** Kinds whose pods kubectl finds by their label selector. */
const SELECTING_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'Service'];

/**
 * `kubectl exec`: the pod is named, or picked from a workload's (or Service's) pods the way kubectl's
 * attachablePodForObject does; the container defaults to the first; the API server and the kubelet refuse
 * a container that does not exist or does not run. The program's exit code becomes kubectl's.
 */

export const exec: Run = async (call, args, cluster) => {
  const { resource, command } = splitCommand(call, args.positionals);
  if (resource === undefined) throw new ToolFailure('error: pod, type/name or --filename must be specified');
  if (command.length === 0)
    throw new ToolFailure('error: you must specify at least one command for the container');
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const deadline = call.now() + timeoutMs(args, 60, 'pod-running-timeout');
  const pod = await attachablePod(call, target, namespace, resource, deadline);
  requireAllowed(call, target, resourceRequest(byKind('Pod'), 'create', namespace, pod.name, 'exec'));
  const container = pickContainer(call, pod, stringFlag(args, 'container'));
  if (!pod.nodeName)
    throw new ToolFailure(`Error from server (BadRequest): pod ${pod.name} does not have a host assigned`);
  if (pod.status !== 'Running')
    throw new ToolFailure(`error: unable to upgrade connection: container not found ("${container.name}")`);
  if (boolFlag(args, 'tty'))
    call.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  await call.pause(call.talos.seconds.execSetup);
  const result = await runInPod({ call, clusterId: target.clusterId, pod, container, argv: command });
  call.out(result.stdout);
  if (result.exitCode === 0) return call.err(result.stderr);
  if (isRuntimeFailure(result)) throw new ToolFailure(result.stderr.trimEnd(), result.exitCode);
  call.err(result.stderr);
  throw new ToolFailure(`command terminated with exit code ${result.exitCode}`, result.exitCode);
};

/** The container runtime could not start the program: kubectl prints its error, no exit code of a process. */
function isRuntimeFailure(result: ProgramResult): boolean {
  return result.stderr.startsWith('error: ');
}

/** `exec POD -- CMD...`; without `--` the words after the pod are the command (kubectl warns it is deprecated). */
function splitCommand(call: ToolCall, positionals: string[]): { resource?: string; command: string[] } {
  const dash = call.request.args.indexOf('--');
  const afterDash = dash < 0 ? [] : call.request.args.slice(dash + 1);
  const before = positionals.slice(0, positionals.length - afterDash.length);
  if (dash >= 0) return { ...(before[0] === undefined ? {} : { resource: before[0] }), command: afterDash };
  if (before.length > 1)
    call.err(
      'kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.\n',
    );
  return { ...(before[0] === undefined ? {} : { resource: before[0] }), command: before.slice(1) };
}

/** A pod name, `pod/NAME`, or a workload/Service whose most active pod is taken (waiting for one to exist). */
async function attachablePod(
  call: ToolCall,
  target: KubeTarget,
  namespace: string,
  resource: string,
  deadline: number,
): Promise<PodView> {
  const { clusterId } = target;
  const [kindArg, name = ''] = resource.includes('/') ? resource.split('/') : ['pod', resource];
  const info = resolveKind(call.kube.objects(clusterId), kindArg ?? 'pod');
  requireAllowed(call, target, resourceRequest(info, 'get', namespace, name));
  if (info.kind !== 'Pod') requireAllowed(call, target, resourceRequest(byKind('Pod'), 'list', namespace));
  if (info.kind === 'Pod') {
    const pod = allPods(call, clusterId).find(
      (candidate) => candidate.namespace === namespace && candidate.name === name,
    );
    if (!pod) throw new ToolFailure(notFound(info, name));
    return pod;
  }
  const selects = podSelector(call, clusterId, namespace, info, name);
  if (!selects) throw new ToolFailure(notFound(info, name));
  for (;;) {
    const pods = allPods(call, clusterId).filter((pod) => pod.namespace === namespace && selects(pod));
    const [first] = pods.sort(mostActiveFirst);
    if (first) return first;
    if (call.now() >= deadline) throw new ToolFailure('error: timed out waiting for the condition');
    await sleep(Math.min(call.talos.ms(POLL_SECONDS), Math.max(0, deadline - call.now())));
  }
}

/** Which pods an object stands for (its label selector), or undefined when the object does not exist. */
function podSelector(
  call: ToolCall,
  clusterId: string,
  namespace: string,
  info: KindInfo,
  name: string,
): ((pod: PodView) => boolean) | undefined {
  const { kind } = info;
  const item = findItem(call, clusterId, info, namespace, name);
  if (!item) {
    const ciliumOwn =
      namespace === 'kube-system' &&
      ((kind === 'DaemonSet' && name === 'cilium') || (kind === 'Deployment' && name === 'cilium-operator'));
    return ciliumOwn ? (pod) => pod.owner.kind === kind && pod.owner.name === name : undefined;
  }
  if (!SELECTING_KINDS.includes(kind)) {
    const type = `*${info.group === '' ? 'v1' : info.group.split('.')[0]}.${kind}`;
    throw new ToolFailure(`error: cannot attach to ${type}: selector for ${type} not implemented`);
  }
  const selector =
    kind === 'Service' ? get(item.object, 'spec.selector') : get(item.object, 'spec.selector.matchLabels');
  if (kind === 'Service' && (!isMap(selector) || Object.keys(selector).length === 0))
    throw new ToolFailure(
      `error: cannot attach to *v1.Service: invalid service '${name}': Service is defined without a selector`,
    );
  const wanted = isMap(selector) ? selector : {};
  return (pod) => Object.entries(wanted).every(([key, value]) => pod.labels[key] === value);
}

/** podutils.ActivePods reversed: scheduled, running, ready, ready longest, oldest first (then by name). */
function mostActiveFirst(a: PodView, b: PodView): number {
  const rank = (pod: PodView) => [
    pod.nodeName ? 1 : 0,
    pod.phase === 'Running' || pod.phase === 'Terminating' ? 1 : 0,
    pod.ready ? 1 : 0,
    -(pod.startedAt ?? Infinity),
    -pod.createdAt,
  ];
  const [x, y] = [rank(a), rank(b)];
  const index = x.findIndex((value, i) => value !== y[i]);
  return index < 0 ? a.name.localeCompare(b.name) : y[index]! - x[index]!;
}

/** `-c NAME`, else the first container (kubectl says which when there was a choice). */
function pickContainer(
  call: ToolCall,
  pod: PodView,
  asked: string | undefined,
): { name: string; image: string } {
  const init = (Array.isArray(pod.spec.initContainers) ? pod.spec.initContainers.filter(isMap) : []).map(
    (container: Doc) => ({ name: String(container.name), image: String(container.image) }),
  );
  if (asked !== undefined) {
    const found = [...pod.containers, ...init].find((container) => container.name === asked);
    if (!found)
      throw new ToolFailure(
        `Error from server (BadRequest): container ${asked} is not valid for pod ${pod.name}`,
      );
    return found;
  }
  const [first] = pod.containers;
  if (!first) throw new ToolFailure(`error: pod ${pod.namespace}/${pod.name} does not have any containers`);
  if (pod.containers.length > 1 || init.length > 0) {
    const names = [
      ...pod.containers.map((container) => container.name),
      ...init.map((container) => `${container.name} (init)`),
    ];
    call.err(`Defaulted container "${first.name}" out of: ${names.join(', ')}\n`);
  }
  return first;
}
