import { WaitTimeoutError, waitUntil } from '../../kube/readiness.js';
import type { TalosNodeInput } from '../../talos/config.js';
import { installerImage } from '../../talos/image.js';
import { UpgradeRefusedError } from '../../talos/talosctl.js';
import { sleep as realSleep } from '../../util/sleep.js';
import type { ClusterLayerDeps } from './steps.js';
import type { NodeAction } from './types.js';

/**
 * What the Talos layer does to one node: upgrade it one hop (LIFECYCLE F.1: Talos cordons and drains it
 * itself, so the rollout does not), or apply its config, with a reboot (drained first: the Reboot sequence
 * does not drain, F.5) or without. Each waits for the node to be back before it returns: the rollout's
 * health gates come after.
 */

/** The node came back on a new boot with its old release: the upgrade it accepted did not take. */
export class UpgradeNotTakenError extends Error {
  override name = 'UpgradeNotTakenError';
}

/** The cluster a node belongs to, as the actions need it. */
export interface TalosActionCluster {
  cluster: string;
  talosconfig: string;
  /** The Image Factory schematic of the boot image, which the installer must share (CONTRACTS B.2). */
  schematic: string;
}

/**
 * Whether talosctl 1.13 upgrades a node running `release` through the LifecycleService: nodes in
 * `>1.13.0-alpha.2 <2.0.0` (facts-13 §2, upgrade.go l.86), the others through the legacy API.
 */
export function usesLifecycleApi(release: string): boolean {
  const match = /^v?(\d+)\.(\d+)\./.exec(release);
  return match !== null && Number(match[1]) === 1 && Number(match[2]) >= 13;
}

/** Upgrades `node` to `hop`: `talosctl upgrade --wait=false`, then waits for the new release and Ready. */
export function talosUpgradeAction(
  deps: ClusterLayerDeps,
  cluster: TalosActionCluster,
  node: TalosNodeInput,
  hop: { from: string; to: string },
): NodeAction {
  const image = installerImage({ schematic: cluster.schematic, version: hop.to });
  const lifecycleApi = usesLifecycleApi(hop.from);
  return {
    cluster: cluster.cluster,
    node: node.name,
    role: node.role,
    describe: `Talos ${hop.from} -> ${hop.to}`,
    // Legacy upgrades drain in the node (F.1); LifecycleService ones do not, and we keep talosctl's off.
    drain: lifecycleApi,
    run: async () => {
      // A boot on the old release may be another reboot that came first (a VM restart, say) and dropped the
      // accepted upgrade: asked once more; an upgrade that really does not take fails the same way again.
      for (let attempt = 1; ; attempt++) {
        const bootBefore = await deps.talosctl.bootId(cluster.talosconfig, node.address);
        await requestUpgrade(deps, cluster, node, image, lifecycleApi);
        deps.log(`${node.name}: upgrade to ${hop.to} accepted (${image})`);
        try {
          return await awaitBack(deps, cluster, node, {
            what: `the upgrade to ${hop.to}`,
            release: hop.to,
            bootBefore,
          });
        } catch (error) {
          if (!(error instanceof UpgradeNotTakenError) || attempt >= 2) throw error;
          deps.log(`${node.name}: booted again on ${hop.from} before the upgrade took; asking once more`);
        }
      }
    },
  };
}

/** Applies a config that needs a reboot (F.3): drained first, mode reboot, then back and Ready. */
export function configRebootAction(
  deps: ClusterLayerDeps,
  cluster: TalosActionCluster,
  node: TalosNodeInput,
  config: { file: string; keys: string[] },
): NodeAction {
  return {
    cluster: cluster.cluster,
    node: node.name,
    role: node.role,
    describe: `config with a reboot (${config.keys.join(', ') || 'changed'})`,
    drain: true,
    run: async () => {
      const bootBefore = await deps.talosctl.bootId(cluster.talosconfig, node.address);
      await deps.talosctl.applyConfig(cluster.talosconfig, node.address, config.file, 'reboot');
      await awaitBack(deps, cluster, node, { what: 'the reboot for its new config', bootBefore });
    },
  };
}

/** Applies a config that needs no reboot (F.3 `no-reboot`: the node refuses it if it would need one). */
export async function applyConfigNoReboot(
  deps: ClusterLayerDeps,
  cluster: TalosActionCluster,
  node: TalosNodeInput,
  file: string,
): Promise<void> {
  const details = await deps.talosctl.applyConfig(cluster.talosconfig, node.address, file, 'no-reboot');
  deps.log(`${node.name}: ${details || 'config applied without a reboot'}`);
}

/**
 * Asks until the node accepts: a refusal that can pass (the etcd upgrade lock, a member not healthy yet)
 * is asked again until the API timeout; any other stops the rollout with the node's words.
 */
async function requestUpgrade(
  deps: ClusterLayerDeps,
  cluster: TalosActionCluster,
  node: TalosNodeInput,
  image: string,
  lifecycleApi: boolean,
): Promise<void> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const deadline = now() + deps.pace.apiTimeoutMs;
  for (;;) {
    try {
      return await deps.talosctl.upgrade(
        cluster.talosconfig,
        node.address,
        image,
        lifecycleApi ? { clientDrain: false } : {},
      );
    } catch (error) {
      if (!(error instanceof UpgradeRefusedError)) throw error;
      if (!error.retryable || now() >= deadline) {
        throw new Error(`${node.name} refused the upgrade: ${error.reason}: the rollout stops here`, {
          cause: error,
        });
      }
      deps.log(`${node.name}: upgrade refused for now (${error.reason}); asking again`);
      await sleep(deps.pace.pollMs);
    }
  }
}

/**
 * Waits until the node answers Talos on a new boot (a changed boot id; where none was read before, the node
 * must have been seen down once, or run the new release, which it can only do after booting it), with
 * `release` when given, and its Kubernetes Node is Ready. A node back on a new boot with the old release
 * did not take the upgrade (the installer's pre-flight or a boot fallback, F.1): that fails at once.
 */
async function awaitBack(
  deps: ClusterLayerDeps,
  cluster: TalosActionCluster,
  node: TalosNodeInput,
  expect: { what: string; release?: string; bootBefore: string | undefined },
): Promise<void> {
  const timeoutMs = deps.pace.bootTimeoutMs + deps.pace.nodesReadyTimeoutMs;
  let seenDown = false;
  let failed: string | undefined;
  const probe = async () => {
    const [answer] = await deps.talosctl.versions(cluster.talosconfig, [node.address]);
    const boot =
      answer && 'release' in answer
        ? await deps.talosctl.bootId(cluster.talosconfig, node.address)
        : undefined;
    if (!answer || 'unknown' in answer || !boot) {
      seenDown = true;
      return {
        ready: false,
        detail: `Talos does not answer${answer && 'unknown' in answer ? `: ${answer.unknown}` : ''}`,
      };
    }
    const newBoot = expect.bootBefore !== undefined ? boot !== expect.bootBefore : seenDown;
    if (expect.release && answer.release !== expect.release) {
      if (newBoot)
        failed = `${node.name} booted again still on ${answer.release}: ${expect.what} did not take`;
      return { ready: newBoot, detail: `Talos still runs ${answer.release}` };
    }
    if (!newBoot && !expect.release) return { ready: false, detail: 'the node has not rebooted yet' };
    const kube = (await deps.kubectl.nodes()).find((candidate) => candidate.name === node.name);
    if (!kube?.ready) return { ready: false, detail: `Talos ${answer.release} runs; the Node is not Ready` };
    return { ready: true, detail: `Talos ${answer.release}, Ready` };
  };
  try {
    await waitUntil(probe, {
      timeoutMs,
      intervalMs: deps.pace.pollMs,
      describe: `${node.name} back from ${expect.what}`,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    });
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    throw new Error(
      `node ${node.name} did not come back from ${expect.what} within ${Math.round(timeoutMs / 1000)} s: ` +
        `the rollout stops here (last seen: ${error.lastObservation})`,
      { cause: error },
    );
  }
  if (failed)
    throw new UpgradeNotTakenError(`${failed} (see talosctl dmesg and events on it): the rollout stops here`);
  deps.log(
    `${node.name}: back from ${expect.what}${expect.release ? ` (Talos ${expect.release})` : ''}, Ready`,
  );
}
