import { sleep } from '../clock.js';
import { EvictionApi } from '../kube/disruption.js';
import { byKind } from '../kube/kinds.js';
import type { PodView } from '../kube/pods.js';
import type { ParsedArgs } from './flags.js';
import { boolFlag, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { requireAllowed, resourceRequest } from './kube-authz.js';
import { allPods } from './kubectl-api.js';
import { timeoutMs } from './kubectl-common.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * `kubectl cordon`, `uncordon` and `drain` (LIFECYCLE G.2, KUBECTL `pkg/cmd/drain/drain.go`,
 * `pkg/drain/drain.go`): drain cordons, refuses what its flags do not allow, then evicts the node's pods
 * through the eviction API, retrying a 429 (PodDisruptionBudget) every 5 s until the global timeout, and
 * waits for them to be gone. Retries and waits run on lab time.
 */

/** kubectl's EvictErrorRetryDelay. */
const EVICT_RETRY_SECONDS = 5;

type Cluster = () => Promise<KubeTarget>;

async function nodeOf(call: ToolCall, args: ParsedArgs, cluster: Cluster, verb: string) {
  const [name] = args.positionals;
  if (name === undefined)
    throw new ToolFailure(
      `error: USAGE: ${verb} NODE [flags]\nSee 'kubectl ${verb} -h' for help and examples`,
    );
  const target = await cluster();
  const nodes = byKind('Node');
  // Each of these commands reads the node and patches its spec.unschedulable.
  requireAllowed(call, target, resourceRequest(nodes, 'get', undefined, name));
  if (!call.kube.nodes(target.clusterId).some((candidate) => candidate.name === name))
    throw new ToolFailure(`Error from server (NotFound): nodes "${name}" not found`);
  requireAllowed(call, target, resourceRequest(nodes, 'patch', undefined, name));
  return { name, clusterId: target.clusterId, target };
}

export async function cordon(call: ToolCall, args: ParsedArgs, cluster: Cluster): Promise<void> {
  const { name, clusterId } = await nodeOf(call, args, cluster, 'cordon');
  call.out(`node/${name} ${call.kube.cordon(clusterId, name) ? 'cordoned' : 'already cordoned'}\n`);
}

export async function uncordon(call: ToolCall, args: ParsedArgs, cluster: Cluster): Promise<void> {
  const { name, clusterId } = await nodeOf(call, args, cluster, 'uncordon');
  call.out(`node/${name} ${call.kube.uncordon(clusterId, name) ? 'uncordoned' : 'already uncordoned'}\n`);
}

/** utilerrors.NewAggregate's text: one error as it is, several in brackets. */
function aggregate(errors: string[]): string {
  return errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
}

function drainFailure(name: string, errors: string[]): ToolFailure {
  const text = aggregate(errors);
  return new ToolFailure(
    `error: unable to drain node "${name}" due to error: ${text}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${text}`,
  );
}

/** Go's time.Duration text of whole seconds: 30s, 1m0s, 1h0m0s. */
function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  if (h > 0) return `${h}h${m}m${s}s`;
  return m > 0 ? `${m}m${s}s` : `${s}s`;
}

const key = (pod: PodView) => `${pod.namespace}/${pod.name}`;
const hasEmptyDir = (pod: PodView) =>
  Array.isArray(pod.spec.volumes) && pod.spec.volumes.some((volume) => 'emptyDir' in Object(volume));

/** The pods drain deletes, or its refusals (the filters of pkg/drain/filters.go). */
function podsToEvict(call: ToolCall, args: ParsedArgs, clusterId: string, name: string) {
  const pods = allPods(call, clusterId).filter((pod) => pod.nodeName === name && pod.phase !== 'Terminating');
  const daemons = pods.filter((pod) => pod.owner.kind === 'DaemonSet').map(key);
  const evicted = pods.filter((pod) => pod.owner.kind !== 'DaemonSet');
  const localStorage = evicted.filter(hasEmptyDir).map(key);
  const refusals = [
    ...(daemons.length > 0 && !boolFlag(args, 'ignore-daemonsets')
      ? [`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemons.join(', ')}`]
      : []),
    ...(localStorage.length > 0 && !boolFlag(args, 'delete-emptydir-data')
      ? [
          `cannot delete Pods with local storage (use --delete-emptydir-data to override): ${localStorage.join(', ')}`,
        ]
      : []),
  ];
  // PodDeleteList.Warnings(): one line, "<filter message>: <pods>" joined with "; ".
  const warnings = [
    ...(daemons.length > 0 ? [`ignoring DaemonSet-managed Pods: ${daemons.join(', ')}`] : []),
    ...(localStorage.length > 0 ? [`deleting Pods with local storage: ${localStorage.join(', ')}`] : []),
  ];
  return { evicted, refusals, warnings };
}

/** Cordons the node, then evicts its pods (DaemonSet pods stay: --ignore-daemonsets). */
export async function drain(call: ToolCall, args: ParsedArgs, cluster: Cluster): Promise<void> {
  const { name, clusterId, target } = await nodeOf(call, args, cluster, 'drain');
  const pods = byKind('Pod');
  requireAllowed(call, target, resourceRequest(pods, 'list', undefined));
  const timeoutText = stringFlag(args, 'timeout');
  const limit = timeoutText === undefined ? 0 : timeoutMs(args, 0);
  const deadline = limit > 0 ? call.now() + limit : Infinity;
  const { evicted, refusals, warnings } = podsToEvict(call, args, clusterId, name);
  const evictions = evicted.map((pod) =>
    resourceRequest(pods, 'create', pod.namespace, pod.name, 'eviction'),
  );
  requireAllowed(call, target, ...evictions);
  call.out(`node/${name} ${call.kube.cordon(clusterId, name) ? 'cordoned' : 'already cordoned'}\n`);
  if (refusals.length > 0) throw drainFailure(name, refusals);
  if (warnings.length > 0) call.err(`Warning: ${warnings.join('; ')}\n`);
  const { done, errors } = await evictAll(call, clusterId, evicted, deadline, goDuration(limit));
  if (done.length > 0) await sleep(call.talos.ms(call.talos.seconds.podTerminate));
  for (const pod of done) call.out(`pod/${pod.name} evicted\n`);
  if (errors.length > 0) throw drainFailure(name, errors);
  call.out(`node/${name} drained\n`);
}

/** Each pod's eviction loop (kubectl runs them in parallel): evict, or wait 5 s after a 429 and try again. */
async function evictAll(
  call: ToolCall,
  clusterId: string,
  pods: PodView[],
  deadline: number,
  timeoutText: string,
): Promise<{ done: PodView[]; errors: string[] }> {
  const done: PodView[] = [];
  const errors: string[] = [];
  let pending = [...pods];
  while (pending.length > 0) {
    const now = call.now();
    const api = new EvictionApi(call.kube, clusterId, now);
    const retry: PodView[] = [];
    for (const pod of pending) {
      call.out(`evicting pod ${key(pod)}\n`);
      const subject = `pods/"${pod.name}" -n "${pod.namespace}"`;
      if (now >= deadline) {
        errors.push(`error when evicting ${subject}: global timeout reached: ${timeoutText}`);
        continue;
      }
      const current = api.pods.find((candidate) => key(candidate) === key(pod));
      const answer = current ? api.evict(current) : ({ ok: true } as const); // 404: already gone
      if (answer.ok) {
        if (current) call.kube.evict(clusterId, pod.namespace, pod.name, now);
        done.push(pod);
      } else if (answer.code === 429) {
        call.err(
          `error when evicting ${subject} (will retry after ${EVICT_RETRY_SECONDS}s): ${answer.message}\n`,
        );
        retry.push(pod);
      } else {
        errors.push(`error when evicting ${subject}: ${answer.message}`);
      }
    }
    pending = retry;
    if (pending.length > 0)
      await sleep(Math.min(call.talos.ms(EVICT_RETRY_SECONDS), Math.max(0, deadline - call.now())));
  }
  return { done, errors };
}
