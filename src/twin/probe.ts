import { REBEL_BASE, STARWARS_NAMESPACE, X_WING, X_WING_CONTAINER } from '../addons/starwars.js';
import { errorMessage } from '../errors.js';
import type { Kubectl } from '../kube/kubectl.js';
import { MESH_CHECK_NAMESPACE, MESH_PROBE_NAME, echoServiceName } from '../mesh/mesh-check.js';
import { sleep as realSleep } from '../util/sleep.js';
import { sampleService } from './curl-check.js';

/**
 * Availability measured while a rollout runs: from every cluster, the Star Wars global service (answered by
 * any cluster of the mesh) and the mesh check's echo services of the other clusters, sampled again and
 * again. What counts is requests sent, answered and failed per cluster. One exec in flight per cluster,
 * a pause of `intervalMs` between samples, and errors counted, never thrown: the probe must not stop a
 * rollout, only tell what it cost.
 */

export interface ProbeCluster {
  name: string;
  kubectl: Kubectl;
}

export interface ProbeOptions {
  clusters: ProbeCluster[];
  /** Sample the Star Wars demo (x-wing -> rebel-base). */
  starwars: boolean;
  /** Sample the mesh check (mesh-probe -> echo-<other cluster>), when the twin has more than one cluster. */
  mesh: boolean;
  /** Pause between two samples of one cluster: the run's pace.pollMs. */
  intervalMs: number;
  /** Requests per sample (one curl exec); 5 by default. */
  requestsPerSample?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ProbeFigures {
  cluster: string;
  sent: number;
  answered: number;
  failed: number;
  /** Samples whose exec itself failed (all their requests count as failed). */
  errors: number;
  /** The last exec error, for the log. */
  lastError?: string;
}

interface Target {
  namespace: string;
  client: string;
  container: string;
  host: string;
}

const STARWARS_TARGET: Target = {
  namespace: STARWARS_NAMESPACE,
  client: `deploy/${X_WING}`,
  container: X_WING_CONTAINER,
  host: REBEL_BASE,
};

function targetsOf(cluster: string, opts: ProbeOptions): Target[] {
  const names = opts.clusters.map((c) => c.name);
  return [
    ...(opts.starwars ? [STARWARS_TARGET] : []),
    ...(opts.mesh
      ? names
          .filter((name) => name !== cluster)
          .map((name) => ({
            namespace: MESH_CHECK_NAMESPACE,
            client: `deploy/${MESH_PROBE_NAME}`,
            container: 'probe',
            host: echoServiceName(name),
          }))
      : []),
  ];
}

export class AvailabilityProbe {
  private readonly figures = new Map<string, ProbeFigures>();
  private loops: Promise<void>[] = [];
  private stopped = false;
  private wake: () => void = () => {};
  private readonly stopSignal: Promise<void>;

  constructor(private readonly opts: ProbeOptions) {
    for (const cluster of opts.clusters)
      this.figures.set(cluster.name, { cluster: cluster.name, sent: 0, answered: 0, failed: 0, errors: 0 });
    this.stopSignal = new Promise((resolve) => (this.wake = resolve));
  }

  /** Starts one sampling loop per cluster; a second call does nothing. */
  start(): void {
    if (this.loops.length > 0 || this.stopped) return;
    this.loops = this.opts.clusters.map((cluster) => this.loop(cluster));
  }

  /** Stops sampling, lets each cluster's exec in flight finish, and returns the figures. */
  async stop(): Promise<ProbeFigures[]> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.loops);
    return this.snapshot();
  }

  /** The figures so far, in the clusters' order. */
  snapshot(): ProbeFigures[] {
    return this.opts.clusters.map((cluster) => ({ ...this.figures.get(cluster.name)! }));
  }

  private async loop(cluster: ProbeCluster): Promise<void> {
    const targets = targetsOf(cluster.name, this.opts);
    if (targets.length === 0) return;
    const sleep = this.opts.sleep ?? realSleep;
    for (let round = 0; !this.stopped; round++) {
      await this.sample(cluster, targets[round % targets.length]!);
      if (this.stopped) break;
      await Promise.race([sleep(this.opts.intervalMs), this.stopSignal]);
    }
  }

  private async sample(cluster: ProbeCluster, target: Target): Promise<void> {
    const figures = this.figures.get(cluster.name)!;
    const requests = this.opts.requestsPerSample ?? 5;
    figures.sent += requests;
    try {
      const sample = await sampleService({ kubectl: cluster.kubectl, requests, ...target });
      figures.answered += sample.answered;
      figures.failed += requests - sample.answered;
    } catch (error) {
      figures.failed += requests;
      figures.errors += 1;
      figures.lastError = errorMessage(error);
    }
  }
}

/** One line per cluster, for the run's output and the job summary: `east: 420 sent, 418 answered, 2 failed`. */
export function formatProbeFigures(figures: ProbeFigures[]): string[] {
  return figures.map(
    (f) =>
      `${f.cluster}: ${f.sent} sent, ${f.answered} answered, ${f.failed} failed` +
      (f.errors > 0 ? ` (${f.errors} samples could not run: ${f.lastError ?? 'unknown error'})` : ''),
  );
}
