import type { StateKey, StateStore } from '../state/store.js';
import type { TalosClusterInput } from '../talos/config.js';
import { timeServersOf } from '../talos/config.js';
import type { BootstrapOutcome, EtcdMember, Talosctl } from '../talos/talosctl.js';
import { BootstrapNotReadyError } from '../talos/talosctl.js';
import { retry } from '../util/retry.js';
import type { Pace } from './context.js';

/**
 * A cluster's etcd is bootstrapped exactly once, on one node (LIFECYCLE F.4: "Every new cluster must be
 * bootstrapped only once"; a bootstrap on a control plane whose data directory is empty starts a second,
 * independent etcd). So: a recorded bootstrap is never repeated; members found on any other control
 * plane mean a running etcd (recorded, then left alone); otherwise the chosen node is bootstrapped,
 * retried while it is not ready yet, and AlreadyExists from it counts as done. A control plane created
 * again joins the running etcd by itself: nothing here touches it.
 */

/** The state item that says the cluster's etcd was bootstrapped (no secret in it). */
export const BOOTSTRAP_RECORD = 'etcd-bootstrap.json';

export interface EtcdBootstrapRecord {
  node: string;
  address: string;
  at: string;
  /** How we know: we bootstrapped it, the node said AlreadyExists, or other control planes listed members. */
  how: BootstrapOutcome | 'members-found';
}

export interface ControlPlaneTarget {
  name: string;
  address: string;
}

export interface EtcdBootstrapTarget {
  twin: string;
  /** Its name, and the time servers its nodes use (for the error when time never syncs). */
  cluster: Pick<TalosClusterInput, 'name' | 'timeServers'>;
  talosconfig: string;
  /** The cluster's control planes: the first is bootstrapped when nothing runs yet, the others are asked first. */
  controlPlanes: ControlPlaneTarget[];
  /**
   * Every control plane's VM was created by this run from the Talos image: no etcd data can be on any of
   * them, so the others are not asked (an etcd client on a node without etcd answers only after it gives
   * up, some seconds on the critical path).
   */
  allCreatedThisRun?: boolean;
}

export interface EtcdBootstrapDeps {
  talosctl: Talosctl;
  store: StateStore;
  pace: Pace;
  log(line: string): void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type EtcdBootstrapResult = 'recorded-before' | 'members-found' | BootstrapOutcome;

export async function ensureEtcdBootstrapped(
  deps: EtcdBootstrapDeps,
  target: EtcdBootstrapTarget,
): Promise<EtcdBootstrapResult> {
  const [first, ...others] = target.controlPlanes;
  if (!first) throw new RangeError(`cluster ${target.cluster.name} has no control plane to bootstrap`);
  const key: StateKey = { twin: target.twin, cluster: target.cluster.name, name: BOOTSTRAP_RECORD };
  const recorded = await deps.store.read(key);
  if (recorded !== undefined) {
    deps.log(`${target.cluster.name}: etcd was bootstrapped before (${describeRecord(recorded)}): not again`);
    return 'recorded-before';
  }
  const running = target.allCreatedThisRun ? undefined : await membersOnAny(deps, target.talosconfig, others);
  if (running) {
    deps.log(
      `${target.cluster.name}: ${running.node.name} lists etcd members (${running.members.map((m) => m.hostname).join(', ')}): etcd runs, no bootstrap`,
    );
    await record(deps, key, running.node, 'members-found');
    return 'members-found';
  }
  const outcome = await bootstrapWhenReady(deps, target, first);
  deps.log(
    `${target.cluster.name}: ${outcome === 'bootstrapped' ? 'bootstrapped etcd' : 'etcd was bootstrapped before'} on ${first.name}`,
  );
  await record(deps, key, first, outcome);
  return outcome;
}

/**
 * The first of `nodes` whose etcd lists members; none when no etcd runs on them (or none answers). Asked
 * at once: a node without etcd answers only after its etcd client gives up.
 */
async function membersOnAny(
  deps: EtcdBootstrapDeps,
  talosconfig: string,
  nodes: ControlPlaneTarget[],
): Promise<{ node: ControlPlaneTarget; members: EtcdMember[] } | undefined> {
  const answers = await Promise.all(
    nodes.map((node) => deps.talosctl.etcdMembers({ talosconfig, node: node.address })),
  );
  for (const [index, answer] of answers.entries()) {
    if ('members' in answer && answer.members.length > 0)
      return { node: nodes[index]!, members: answer.members };
  }
  return undefined;
}

/**
 * Bootstraps the chosen node, retrying (full jitter) while it answers "not available yet" or "time is not in
 * sync yet", for as long as a boot may take; then fails saying why.
 */
async function bootstrapWhenReady(
  deps: EtcdBootstrapDeps,
  target: EtcdBootstrapTarget,
  node: ControlPlaneTarget,
): Promise<BootstrapOutcome> {
  const now = deps.now ?? Date.now;
  const deadline = now() + deps.pace.bootTimeoutMs;
  try {
    return await retry(
      () => deps.talosctl.bootstrap({ talosconfig: target.talosconfig, node: node.address }),
      {
        attempts: Number.MAX_SAFE_INTEGER,
        baseDelayMs: deps.pace.pollMs,
        maxDelayMs: deps.pace.pollMs * 8,
        isRetryable: (error) => error instanceof BootstrapNotReadyError && now() < deadline,
        onRetry: (error, attempt) => {
          if (attempt === 1 && error instanceof BootstrapNotReadyError)
            deps.log(
              `${target.cluster.name}: ${node.name} is not ready for the etcd bootstrap yet (${error.reason}): retrying`,
            );
        },
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...(deps.random ? { random: deps.random } : {}),
      },
    );
  } catch (error) {
    if (error instanceof BootstrapNotReadyError)
      throw notReadyInTime(error, target, node, deps.pace.bootTimeoutMs);
    throw error;
  }
}

function notReadyInTime(
  error: BootstrapNotReadyError,
  target: EtcdBootstrapTarget,
  first: ControlPlaneTarget,
  boundMs: number,
): Error {
  const cluster = target.cluster.name;
  const waited = `${Math.round(boundMs / 1000)} s`;
  if (error.reason === 'time-not-in-sync') {
    return new Error(
      `${cluster}: ${first.name} (${first.address}) refused the etcd bootstrap for ${waited}: time is not in sync yet. ` +
        `Its time servers (${timeServersOf(target.cluster).join(', ')}) are not reachable, and Talos starts neither etcd nor the ` +
        'kubelet before time is in sync, so no node can get Ready. Set talos.timeServers in twin.yaml to servers the ' +
        'nodes reach (on Proxmox the VM clock /dev/ptp0 needs no network), then run apply again',
      { cause: error },
    );
  }
  return new Error(
    `${cluster}: ${first.name} (${first.address}) refused the etcd bootstrap for ${waited}: bootstrap is not ` +
      `available yet (its container runtime has not started). Look at the node: talosctl -n ${first.address} services`,
    { cause: error },
  );
}

async function record(
  deps: EtcdBootstrapDeps,
  key: StateKey,
  node: ControlPlaneTarget,
  how: EtcdBootstrapRecord['how'],
): Promise<void> {
  const now = deps.now ?? Date.now;
  const entry: EtcdBootstrapRecord = {
    node: node.name,
    address: node.address,
    at: new Date(now()).toISOString(),
    how,
  };
  await deps.store.write(key, `${JSON.stringify(entry, null, 2)}\n`);
}

/** Any content means bootstrapped; a record we cannot read still forbids a second bootstrap. */
function describeRecord(text: string): string {
  try {
    const entry = JSON.parse(text) as Partial<EtcdBootstrapRecord>;
    return `${entry.node ?? 'a control plane'} at ${entry.at ?? 'an unknown time'}`;
  } catch {
    return `${BOOTSTRAP_RECORD} is in the state store`;
  }
}
