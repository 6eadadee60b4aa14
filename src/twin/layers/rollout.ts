import { errorMessage } from '../../errors.js';
import { CommandError } from '../../exec/runner.js';
import type { DisruptionBudget, DrainOutcome, NodeState } from '../../kube/kubectl.js';
import { WaitTimeoutError, waitUntil } from '../../kube/readiness.js';
import type { Step } from '../../plan/executor.js';
import { runGraph } from '../../plan/executor.js';
import type { Gate } from './gates.js';
import type { NodeAction } from './types.js';

/**
 * A cluster's disruptive node actions, one node at a time, control planes first (LIFECYCLE H.2: Rook's
 * PDBs only slow a parallel drain down; H.3: wait for Ceph health between nodes; F.4: etcd keeps quorum
 * only with one control plane down). Each node: gates hold, drain (when asked), the action, the node back
 * Ready with a new boot, uncordon, gates again.
 */

/** Marks a node this rollout cordoned, so a killed run's successor knows to uncordon it (and no other). */
export const CORDONED_BY_ANNOTATION = 'aggrik8s.io/cordoned-by';
const CORDONED_BY_US = 'twin-rollout';

/** The kubectl calls a rollout makes (Kubectl has them all). */
export interface RolloutKube {
  nodes(): Promise<NodeState[]>;
  drain(node: string, timeoutSec: number): Promise<DrainOutcome>;
  uncordon(node: string): Promise<void>;
  annotateNode(node: string, annotations: Record<string, string | null>): Promise<void>;
  disruptionBudgets(): Promise<DisruptionBudget[]>;
}

export interface RolloutDeps {
  cluster: string;
  kube: RolloutKube;
  /** Checked before every node and awaited after it (etcdGate, cephGate). */
  gates: Gate[];
  /** kubectl drain --timeout: a PDB that still refuses after it stops the rollout (G.2). */
  drainTimeoutSec: number;
  /** How long a node may take to come back Ready (and settle) after its action. */
  nodeBackTimeoutMs: number;
  pollMs: number;
  log(line: string): void;
  /** For tests: the clock of every wait. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The rollout stopped: which node, and why. */
export class RolloutStoppedError extends Error {
  override name = 'RolloutStoppedError';
  constructor(
    readonly cluster: string,
    readonly node: string,
    reason: string,
  ) {
    super(`${cluster}: rollout stopped at ${node}: ${reason}`);
  }
}

/** Control planes first; otherwise in the order given (several actions on one node stay in their order). */
export function orderActions(actions: NodeAction[]): NodeAction[] {
  const rank = (action: NodeAction) => (action.role === 'controlplane' ? 0 : 1);
  return actions
    .map((action, index) => ({ action, index }))
    .sort((a, b) => rank(a.action) - rank(b.action) || a.index - b.index)
    .map(({ action }) => action);
}

export interface RolloutSteps {
  steps: Step[];
  /** The step every later step of this cluster's rollout follows; chain other work after `lastId`. */
  firstId: string;
  lastId: string;
}

/**
 * The rollout as steps of one graph, each needing the one before: first a step that uncordons nodes a
 * killed run left cordoned (emitted even without actions, so a re-run always cleans up), then one step per
 * node action, titled by what it does (`east: east-cp-1: Talos v1.11.6 -> v1.12.11`).
 */
export function rolloutSteps(deps: RolloutDeps, actions: NodeAction[], needs: string[] = []): RolloutSteps {
  const prefix = `rollout:${deps.cluster}`;
  const firstId = `${prefix}:prepare`;
  const steps: Step[] = [
    {
      id: firstId,
      title: `${deps.cluster}: rollout: nodes an earlier run cordoned uncordoned`,
      doing: `uncordoning the nodes of ${deps.cluster} an earlier run left cordoned`,
      stage: 'rollout',
      needs,
      run: async () => void (await uncordonOurs(deps)),
    },
  ];
  orderActions(actions).forEach((action, index) => {
    steps.push({
      id: `${prefix}:${index + 1}:${action.node}`,
      title: `${deps.cluster}: ${action.node}: ${action.describe}`,
      doing: rollingOut(action),
      stage: 'rollout',
      needs: [steps[steps.length - 1]!.id],
      run: () => rollOutNode(deps, action),
    });
  });
  return { steps, firstId, lastId: steps[steps.length - 1]!.id };
}

/** A node action as it runs, for the live view: "rolling out Talos v1.11.6 -> v1.12.11 on pr-7-east-cp-1". */
export function rollingOut(action: NodeAction): string {
  return `rolling out ${action.describe} on ${action.node}`;
}

/** The same rollout on its own, for callers without a step graph: throws the first failure. */
export async function rollOutCluster(deps: RolloutDeps, actions: NodeAction[]): Promise<void> {
  const { failed } = await runGraph(rolloutSteps(deps, actions).steps);
  if (failed[0]) throw failed[0].error;
}

/** Nodes carrying our mark were cordoned by a run that did not finish: give them back to the scheduler. */
export async function uncordonOurs(deps: RolloutDeps): Promise<string[]> {
  const ours = (await deps.kube.nodes()).filter(
    (node) => node.annotations[CORDONED_BY_ANNOTATION] === CORDONED_BY_US,
  );
  for (const node of ours) {
    await deps.kube.uncordon(node.name);
    await deps.kube.annotateNode(node.name, { [CORDONED_BY_ANNOTATION]: null });
    deps.log(`${deps.cluster}: ${node.name} uncordoned (an earlier run had cordoned it)`);
  }
  return ours.map((node) => node.name);
}

/** One node: gates, drain, action, back Ready, settled, uncordon, gates. */
export async function rollOutNode(deps: RolloutDeps, action: NodeAction): Promise<void> {
  const stop = (reason: string) => new RolloutStoppedError(deps.cluster, action.node, reason);
  await awaitGates(deps, (gate, detail) => stop(`before it went down, ${gate} does not hold: ${detail}`));
  const before = (await deps.kube.nodes()).find((node) => node.name === action.node);
  if (!before) throw stop('the node is not in the cluster');
  for (const gate of deps.gates) await gate.mark?.();
  // A node someone else cordoned is drained too, but left cordoned: only our own cordon is lifted.
  const cordoned = action.drain ? await drain(deps, action, !before.unschedulable, stop) : false;
  deps.log(`${deps.cluster}: ${action.node}: ${action.describe}`);
  try {
    await action.run();
  } catch (error) {
    if (cordoned) await release(deps, action.node).catch(() => undefined); // the next run's prepare retries
    throw stop(`${action.describe} failed: ${errorMessage(error)}`);
  }
  await awaitBack(deps, action, before, stop);
  if (cordoned) await release(deps, action.node);
  await awaitGates(deps, (gate, detail) => stop(`after it came back, ${gate} does not hold: ${detail}`));
}

/** Drains (cordoning first, with our mark when the cordon is ours); a refused drain gives our cordon back and stops. Returns whether the cordon is ours. */
async function drain(
  deps: RolloutDeps,
  action: NodeAction,
  ours: boolean,
  stop: (reason: string) => Error,
): Promise<boolean> {
  if (ours) await deps.kube.annotateNode(action.node, { [CORDONED_BY_ANNOTATION]: CORDONED_BY_US });
  try {
    await deps.kube.drain(action.node, deps.drainTimeoutSec);
    return ours;
  } catch (error) {
    const reason = await drainFailure(deps, error);
    if (!ours) throw stop(reason);
    await release(deps, action.node).catch((undo: unknown) =>
      deps.log(
        `${deps.cluster}: ${action.node}: could not uncordon after the failed drain: ${errorMessage(undo)}`,
      ),
    );
    throw stop(reason);
  }
}

const PDB_REFUSAL = /violate the pod's disruption budget/;

/** Why the drain failed; for a PDB refusal (HTTP 429 until kubectl's timeout, G.2) the budgets allowing none. */
async function drainFailure(deps: RolloutDeps, error: unknown): Promise<string> {
  const text = error instanceof CommandError ? error.stderrTail : errorMessage(error);
  if (!PDB_REFUSAL.test(text)) return `drain failed: ${errorMessage(error)}`;
  const blocking = (await deps.kube.disruptionBudgets().catch(() => []))
    .filter((pdb) => pdb.disruptionsAllowed === 0)
    .map((pdb) => `${pdb.namespace}/${pdb.name}`);
  const pods = [...text.matchAll(/evicting pods\/"([^"]+)" -n "([^"]+)"/g)].map((m) => `${m[2]}/${m[1]}`);
  return (
    `drain blocked for ${deps.drainTimeoutSec}s by a PodDisruptionBudget` +
    (blocking.length > 0 ? ` (${blocking.join(', ')} allow no disruption)` : '') +
    (pods.length > 0 ? `; pods not evicted: ${[...new Set(pods)].join(', ')}` : '')
  );
}

async function release(deps: RolloutDeps, node: string): Promise<void> {
  await deps.kube.uncordon(node);
  await deps.kube.annotateNode(node, { [CORDONED_BY_ANNOTATION]: null });
}

/**
 * Back means Ready after a new boot: the boot id changed, or (when the kubelet reports none) the Ready
 * condition changed since before. A node still Ready from before its reboot (G.4: NotReady only after the
 * grace period) is not back yet.
 */
async function awaitBack(
  deps: RolloutDeps,
  action: NodeAction,
  before: NodeState,
  stop: (reason: string) => Error,
): Promise<void> {
  const waitOpts = {
    timeoutMs: deps.nodeBackTimeoutMs,
    intervalMs: deps.pollMs,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  };
  try {
    await waitUntil(
      async () => {
        const node = (await deps.kube.nodes()).find((candidate) => candidate.name === action.node);
        if (!node) return { ready: false, detail: 'not in the cluster' };
        const rebooted =
          node.bootId !== undefined && before.bootId !== undefined
            ? node.bootId !== before.bootId
            : node.readySince !== before.readySince;
        const detail = !node.ready ? 'NotReady' : rebooted ? 'Ready' : 'Ready, not rebooted yet';
        return { ready: node.ready && rebooted, detail };
      },
      { ...waitOpts, describe: `${action.node} back Ready` },
    );
    if (action.settled) {
      const settled = action.settled.bind(action);
      await waitUntil(
        async () => {
          const answer = await settled();
          return { ready: answer === true, detail: answer === true ? 'settled' : answer };
        },
        { ...waitOpts, describe: `${action.node} settled` },
      );
    }
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw stop(`did not come back after ${action.describe}: ${error.message}`);
  }
}

async function awaitGates(deps: RolloutDeps, fail: (gate: string, detail: string) => Error): Promise<void> {
  for (const gate of deps.gates) {
    try {
      await waitUntil(
        async () => {
          const answer = await gate.check();
          return { ready: answer === true, detail: answer === true ? 'holds' : answer };
        },
        {
          timeoutMs: gate.timeoutMs,
          intervalMs: deps.pollMs,
          describe: `${deps.cluster}: ${gate.name}`,
          ...(deps.now ? { now: deps.now } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
        },
      );
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      throw fail(gate.name, error.lastObservation);
    }
  }
}
