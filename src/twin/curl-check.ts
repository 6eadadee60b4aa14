import { countReplies } from '../addons/starwars.js';
import type { Kubectl } from '../kube/kubectl.js';
import { WaitTimeoutError, waitUntil } from '../kube/readiness.js';
import type { CheckOutcome } from './platform.js';
import type { ClusterWorkContext } from './context.js';

/** One batch of HTTP requests from a client pod to a Service, and what answered. */
export interface Sample {
  requests: number;
  answered: number;
  byCluster: Record<string, number>;
  evidence: string[];
}

export interface SampleTarget {
  kubectl: Kubectl;
  namespace: string;
  /** The client workload, e.g. deploy/x-wing, and its container. */
  client: string;
  container: string;
  /** The Service name as the client resolves it. */
  host: string;
  requests: number;
}

/**
 * `requests` separate connections (Connection: close, so Cilium picks a backend for each) in one exec;
 * each reply on its own line, counted by the cluster it names.
 */
export async function sampleService(target: SampleTarget): Promise<Sample> {
  const urls = Array.from({ length: target.requests }, () => `http://${target.host}/`);
  const command = ['curl', '-sS', '--max-time', '3', '-H', 'Connection: close', '-w', '\\n', ...urls];
  const result = await target.kubectl.exec(target.namespace, target.client, target.container, command);
  const replies = countReplies(result.stdout, result.stderr);
  const counts = Object.entries(replies.byCluster)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cluster, count]) => `${cluster} ${count}`);
  return {
    requests: target.requests,
    answered: replies.answered,
    byCluster: replies.byCluster,
    evidence: [
      `kubectl -n ${target.namespace} exec ${target.client} -c ${target.container} -- curl -sS --max-time 3 -H 'Connection: close' http://${target.host}/ (x${target.requests})`,
      `exit ${result.exitCode}; ${replies.answered} of ${target.requests} answered${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`,
      ...replies.failures.slice(0, 5),
    ],
  };
}

export interface CheckSpec {
  id: string;
  title: string;
  cluster: string;
  take: () => Promise<Sample>;
  /** Whether the sample proves the point; the reason when it does not. */
  judge: (sample: Sample) => string | undefined;
}

/**
 * Samples until the judge is satisfied or the check's time runs out (endpoints of another cluster reach
 * this one only after the mesh propagates them); the outcome keeps the last sample as evidence.
 */
export async function runCheck(ctx: ClusterWorkContext, spec: CheckSpec): Promise<CheckOutcome> {
  let last: Sample | undefined;
  let verdict: string | undefined = 'not sampled';
  try {
    await waitUntil(
      async () => {
        last = await spec.take();
        verdict = spec.judge(last);
        return { ready: verdict === undefined, detail: verdict ?? 'passed' };
      },
      { timeoutMs: ctx.pace.checkTimeoutMs, intervalMs: ctx.pace.pollMs, describe: spec.title },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    // a timeout is the check failing: the outcome below carries the last sample and why
  }
  const sample = last;
  const outcome: CheckOutcome = {
    id: spec.id,
    title: spec.title,
    cluster: spec.cluster,
    passed: verdict === undefined,
    counts: sample ? { requests: sample.requests, answered: sample.answered, ...sample.byCluster } : {},
    evidence: [...(sample?.evidence ?? []), ...(verdict ? [`failed: ${verdict}`] : [])],
  };
  ctx.log(`check ${spec.id}: ${outcome.passed ? 'passed' : 'FAILED'}\n  ${outcome.evidence.join('\n  ')}`);
  return outcome;
}
