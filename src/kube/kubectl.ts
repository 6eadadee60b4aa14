import { z } from 'zod';
import { parseJsonOutput } from '../exec/output.js';
import { CommandError, type CommandRunner } from '../exec/runner.js';

export interface KubeNode {
  name: string;
  /** The node's Ready condition is True. */
  ready: boolean;
  addresses: { type: string; address: string }[];
}

/** A node as the product reads it: ready, cordoned, our marks, its kubelet, and what tells a reboot apart. */
export interface NodeState extends KubeNode {
  unschedulable: boolean;
  annotations: Record<string, string>;
  /** The kubelet's boot id (`status.nodeInfo.bootID`): a new one means the node booted again. */
  bootId?: string;
  /** `status.nodeInfo.kubeletVersion`, e.g. `v1.34.1`. */
  kubeletVersion?: string;
  /** When the Ready condition last changed (`lastTransitionTime`), as the API server wrote it. */
  readySince?: string;
  /** The kubelet's capacity, e.g. `{ cpu: '4', memory: '8148236Ki' }`. */
  capacity: Record<string, string>;
}

/** A PodDisruptionBudget and how many evictions it allows now. */
export interface DisruptionBudget {
  namespace: string;
  name: string;
  disruptionsAllowed: number;
}

export type RolloutKind = 'daemonset' | 'deployment' | 'statefulset';

export type DrainOutcome = 'drained' | 'absent';

export interface KubectlOptions {
  kubeconfig: string;
  /** The executable; found on PATH by default, as on a lab runner. */
  path?: string;
}

/** The part of `kubectl get nodes -o json` we read; anything else in it is ignored. */
const NodeListSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), annotations: z.record(z.string(), z.string()).optional() }),
      spec: z.object({ unschedulable: z.boolean().optional() }).optional(),
      status: z
        .object({
          conditions: z
            .array(
              z.object({ type: z.string(), status: z.string(), lastTransitionTime: z.string().optional() }),
            )
            .optional(),
          addresses: z.array(z.object({ type: z.string(), address: z.string() })).optional(),
          capacity: z.record(z.string(), z.string()).optional(),
          nodeInfo: z
            .object({ kubeletVersion: z.string().optional(), bootID: z.string().optional() })
            .optional(),
        })
        .optional(),
    }),
  ),
});

const PdbListSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), namespace: z.string() }),
      status: z.object({ disruptionsAllowed: z.number().optional() }).optional(),
    }),
  ),
});

/** The part of `kubectl get pods -A -o json` podsNotReady reads. */
const PodListSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), namespace: z.string() }),
      status: z
        .object({
          phase: z.string().optional(),
          conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
        })
        .optional(),
    }),
  ),
});

/** A pod by namespace and name, with its phase (Pending, Running, ...). */
export interface PodPhase {
  namespace: string;
  name: string;
  phase: string;
}

/** kubectl against one cluster, one method per command the product uses. */
export class Kubectl {
  private readonly tool: string;
  private readonly kubeconfig: string;

  constructor(
    private readonly runner: CommandRunner,
    opts: KubectlOptions,
  ) {
    this.tool = opts.path ?? 'kubectl';
    this.kubeconfig = opts.kubeconfig;
  }

  /** True when the API server reports itself ready (/readyz answers "ok"). */
  async apiReady(): Promise<boolean> {
    const result = await this.kubectl(['get', '--raw=/readyz'], true);
    return result.exitCode === 0 && result.stdout.trim() === 'ok';
  }

  /** Every node: Ready, addresses, cordon, our marks, boot id, kubelet version and capacity (NodeState). */
  async nodes(): Promise<NodeState[]> {
    const { stdout } = await this.kubectl(['get', 'nodes', '-o', 'json']);
    const parsed = NodeListSchema.safeParse(parseJsonOutput('kubectl get nodes -o json', stdout));
    if (!parsed.success) {
      throw new Error(
        `kubectl get nodes -o json gave an unexpected shape: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data.items.map((item) => {
      const ready = (item.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const bootId = item.status?.nodeInfo?.bootID;
      const kubeletVersion = item.status?.nodeInfo?.kubeletVersion;
      return {
        name: item.metadata.name,
        ready: ready?.status === 'True',
        addresses: item.status?.addresses ?? [],
        unschedulable: item.spec?.unschedulable === true,
        annotations: item.metadata.annotations ?? {},
        ...(bootId ? { bootId } : {}),
        ...(kubeletVersion ? { kubeletVersion } : {}),
        ...(ready?.lastTransitionTime ? { readySince: ready.lastTransitionTime } : {}),
        capacity: item.status?.capacity ?? {},
      };
    });
  }

  /** Lets the scheduler use the node again (`node/<n> uncordoned` or `already uncordoned`). */
  async uncordon(node: string): Promise<void> {
    await this.kubectl(['uncordon', node]);
  }

  /** Sets annotations on a node (a null value removes one); nodes have no namespace. */
  async annotateNode(node: string, annotations: Record<string, string | null>): Promise<void> {
    const changes = Object.entries(annotations).map(([key, value]) =>
      value === null ? `${key}-` : `${key}=${value}`,
    );
    await this.kubectl(['annotate', 'node', node, ...changes, '--overwrite']);
  }

  /** Every PodDisruptionBudget of the cluster with the evictions it allows now. */
  async disruptionBudgets(): Promise<DisruptionBudget[]> {
    const { stdout } = await this.kubectl(['get', 'poddisruptionbudgets', '-A', '-o', 'json']);
    const parsed = PdbListSchema.safeParse(parseJsonOutput('kubectl get poddisruptionbudgets', stdout));
    if (!parsed.success) {
      throw new Error(
        `kubectl get poddisruptionbudgets -A -o json gave an unexpected shape: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data.items.map((item) => ({
      namespace: item.metadata.namespace,
      name: item.metadata.name,
      disruptionsAllowed: item.status?.disruptionsAllowed ?? 0,
    }));
  }

  /**
   * Returns once the workload's rollout completes; a CommandError when it does not within the timeout.
   * A Deployment applied before any node could run it (an operator installed as soon as the API answers,
   * its workers created late) is marked ProgressDeadlineExceeded once progressDeadlineSeconds (600 s) pass,
   * and kubectl's rollout status fails at once on that, though the pods start as soon as a node is there.
   * The Deployment controller replaces the condition when its pods are available, so such a rollout is
   * waited for as condition Available (within the same timeout), then looked at once more.
   */
  async rolloutStatus(kind: RolloutKind, name: string, namespace: string, timeoutSec: number): Promise<void> {
    const status = ['-n', namespace, 'rollout', 'status', `${kind}/${name}`, timeout(timeoutSec)];
    try {
      await this.kubectl(status);
    } catch (error) {
      if (kind !== 'deployment' || !isProgressDeadline(error)) throw error;
      const available = ['-n', namespace, 'wait', `${kind}/${name}`, '--for=condition=Available'];
      if (!(await this.waitFor([...available, timeout(timeoutSec)]))) throw error;
      await this.kubectl(status);
    }
  }

  /**
   * `kubectl wait --for=condition=Ready node/<name>...`: true once every named node is Ready, false when
   * `timeoutSec` passed first. kubectl watches the nodes, so this wakes when the last one turns Ready. Every
   * node must be registered (a missing one is kubectl's NotFound error).
   */
  async waitNodesReady(names: string[], timeoutSec: number): Promise<boolean> {
    const nodes = names.map((name) => `node/${name}`);
    return this.waitFor(['wait', ...nodes, '--for=condition=Ready', timeout(timeoutSec)]);
  }

  /**
   * `kubectl wait --for=jsonpath=...`: true once the object's field (a simple JSONPath such as
   * `{.status.phase}`) equals `value`, false when `timeoutSec` passed first. kubectl watches the object, so
   * this wakes when the change lands, for one call however long it takes. The object must exist.
   */
  async waitForField(
    target: { kind: string; name: string; namespace: string },
    field: string,
    value: string,
    timeoutSec: number,
  ): Promise<boolean> {
    const { namespace, kind, name } = target;
    const condition = `--for=jsonpath=${field}=${value}`;
    return this.waitFor(['-n', namespace, 'wait', `${kind}/${name}`, condition, timeout(timeoutSec)]);
  }

  /** A `kubectl wait`: true when met, false on its timeout, any other failure thrown. */
  private async waitFor(args: string[]): Promise<boolean> {
    try {
      await this.kubectl(args);
      return true;
    } catch (error) {
      if (error instanceof CommandError && /timed out waiting for the condition/.test(error.stderrTail))
        return false;
      throw error;
    }
  }

  /** Evicts the node's pods before it goes away; a node that is already gone has nothing to drain. */
  async drain(node: string, timeoutSec: number): Promise<DrainOutcome> {
    const args = [
      'drain',
      node,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      timeout(timeoutSec),
    ];
    try {
      await this.kubectl(args);
      return 'drained';
    } catch (error) {
      if (error instanceof CommandError && error.stderrTail.includes(`nodes "${node}" not found`))
        return 'absent';
      throw error;
    }
  }

  /** Removes the Node object; done already if it is not there. */
  async deleteNode(node: string): Promise<void> {
    await this.kubectl(['delete', 'node', node, '--ignore-not-found']);
  }

  /** Applies a manifest file (one or many documents); returns kubectl's lines, e.g. `service/x created`. */
  async apply(file: string): Promise<string[]> {
    const { stdout } = await this.kubectl(['apply', '-f', file]);
    return stdout.split('\n').filter((line) => line.trim() !== '');
  }

  /** One object as JSON, or undefined when it does not exist. */
  async getObject(
    kind: string,
    name: string,
    namespace: string,
  ): Promise<Record<string, unknown> | undefined> {
    let stdout: string;
    try {
      ({ stdout } = await this.kubectl(['-n', namespace, 'get', kind, name, '-o', 'json']));
    } catch (error) {
      if (error instanceof CommandError && /\(NotFound\)/.test(error.stderrTail)) return undefined;
      throw error;
    }
    const parsed = parseJsonOutput(`kubectl get ${kind} ${name} -o json`, stdout);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`kubectl get ${kind} ${name} -o json did not return an object`);
    }
    return parsed as Record<string, unknown>;
  }

  async scale(deployment: string, namespace: string, replicas: number): Promise<void> {
    await this.kubectl(['-n', namespace, 'scale', `deployment/${deployment}`, `--replicas=${replicas}`]);
  }

  /** Sets annotations (a null value removes one), overwriting what is there. */
  async annotate(
    kind: string,
    name: string,
    namespace: string,
    annotations: Record<string, string | null>,
  ): Promise<void> {
    const changes = Object.entries(annotations).map(([key, value]) =>
      value === null ? `${key}-` : `${key}=${value}`,
    );
    await this.kubectl(['-n', namespace, 'annotate', kind, name, ...changes, '--overwrite']);
  }

  /**
   * Runs a command in a container of a workload (`deploy/x-wing`, `ds/cilium`); the exit code is the
   * command's, so callers judge the output themselves.
   */
  exec(namespace: string, target: string, container: string, command: string[]) {
    return this.kubectl(['-n', namespace, 'exec', target, '-c', container, '--', ...command], true);
  }

  /**
   * A token of the service account (a TokenRequest) for `seconds`, which the API server may shorten. Only on
   * stdout, never in argv or a log: the caller masks it before anything else happens.
   */
  async createToken(serviceAccount: string, namespace: string, seconds: number): Promise<string> {
    if (!Number.isInteger(seconds) || seconds <= 0)
      throw new RangeError(`a token duration must be a whole number of seconds above 0, got ${seconds}`);
    const args = ['create', 'token', serviceAccount, '-n', namespace, `--duration=${seconds}s`];
    return (await this.kubectl(args)).stdout.trim();
  }

  /** Pods of every namespace that are not Ready and have not finished (phase Succeeded). */
  async podsNotReady(): Promise<PodPhase[]> {
    const { stdout } = await this.kubectl(['get', 'pods', '-A', '-o', 'json']);
    const parsed = PodListSchema.safeParse(parseJsonOutput('kubectl get pods -A -o json', stdout));
    if (!parsed.success) {
      throw new Error(
        `kubectl get pods -A -o json gave an unexpected shape: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data.items
      .filter((pod) => pod.status?.phase !== 'Succeeded')
      .filter((pod) => !(pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((pod) => ({ ...pod.metadata, phase: pod.status?.phase ?? 'Unknown' }));
  }

  /** Every Event of the cluster as `kubectl get events -A` prints it (or kubectl's "No resources found"). */
  async eventsTable(): Promise<string> {
    const { stdout, stderr } = await this.kubectl(['get', 'events', '-A']);
    return stdout || stderr;
  }

  /** `kubectl describe pod`: the pod, its containers' states, its conditions and the Events about it. */
  async describePod(namespace: string, name: string): Promise<string> {
    return (await this.kubectl(['-n', namespace, 'describe', 'pod', name])).stdout;
  }

  /** The API server's version (`/version` gitVersion, e.g. `v1.34.1`), as the server answering reports it. */
  async apiServerVersion(): Promise<string> {
    const { stdout } = await this.kubectl(['get', '--raw=/version']);
    const parsed = z
      .object({ gitVersion: z.string() })
      .safeParse(parseJsonOutput('kubectl get --raw=/version', stdout));
    if (!parsed.success) throw new Error('kubectl get --raw=/version gave no gitVersion');
    return parsed.data.gitVersion;
  }

  private kubectl(args: string[], allowFailure = false) {
    return this.runner.run(this.tool, ['--kubeconfig', this.kubeconfig, ...args], { allowFailure });
  }
}

function timeout(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new RangeError(`a kubectl timeout must be a whole number of seconds above 0, got ${seconds}`);
  }
  return `--timeout=${seconds}s`;
}

function isProgressDeadline(error: unknown): boolean {
  return error instanceof CommandError && /exceeded its progress deadline/.test(error.stderrTail);
}
