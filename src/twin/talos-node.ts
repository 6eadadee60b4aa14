import { WaitTimeoutError } from '../kube/readiness.js';
import type { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import type { MaintenanceProbe, Talosctl } from '../talos/talosctl.js';
import type { LearnedDurations } from '../util/durations.js';
import { buildWait } from './build-waits.js';
import type { Pace } from './context.js';

/** One VM that is to run a Talos config. */
export interface TalosNodeTarget {
  name: string;
  pveNode: string;
  vmid: number;
  address: string;
  /** The node's own machine config. */
  configFile: string;
  /** The cluster's talosconfig. */
  talosconfig: string;
}

export interface TalosNodeDeps {
  talosctl: Talosctl;
  vms: VmLifecycle;
  pace: Pace;
  /** The run's learned build durations (buildWaits): boot and config waits skip looks that cannot succeed. */
  waits: LearnedDurations;
  log(line: string): void;
}

/**
 * Brings a started VM to run its Talos config: maintenance mode, the config sent, the node answering over
 * mTLS with the cluster's credentials. Safe to repeat from anywhere on that path (a killed run leaves nodes
 * anywhere on it). A VM that answers nothing within the boot timeout hung in its boot and is power-cycled,
 * once; an apply whose answer the node's reboot cut off counts as sent, and the wait for the config decides.
 */
export async function bringUpTalosNode(deps: TalosNodeDeps, node: TalosNodeTarget): Promise<void> {
  const { talosctl, pace } = deps;
  const configured = () => talosctl.configuredReady({ talosconfig: node.talosconfig, node: node.address });
  if (await configured()) return;
  // One probe per poll; the mTLS check only once the node turns out to run a config (a killed run sent it).
  let probe: MaintenanceProbe = 'no-answer';
  let runsConfig = false;
  const answers = async () => {
    probe = await talosctl.maintenanceProbe(node.address);
    if (probe === 'runs-config') runsConfig = await configured();
    return probe === 'maintenance' || runsConfig;
  };
  const booted = () =>
    buildWait(deps.waits, 'talos-boot', answers, {
      timeoutMs: pace.bootTimeoutMs,
      intervalMs: pace.pollMs,
      describe: `${node.name} to answer in maintenance mode at ${node.address}:50000`,
    });
  try {
    await booted();
  } catch (error) {
    // Only silence is a hung boot; a node that answers with some other config is not ours to power-cycle.
    if (!(error instanceof WaitTimeoutError) || probe !== 'no-answer') throw error;
    deps.log(
      `warning: ${node.name}: nothing answered at ${node.address}:50000 within ` +
        `${Math.round(pace.bootTimeoutMs / 1000)} s of its start, as when a boot hangs: power-cycling the VM once`,
    );
    await deps.vms.powerCycle(node.pveNode, node.vmid);
    await booted();
  }
  if (runsConfig) return; // a run that was killed had sent it
  if ((await talosctl.applyInsecure(node.address, node.configFile)) === 'answer-lost') {
    deps.log(
      `${node.name}: the node's reboot cut off apply-config's answer: waiting for it to run the config`,
    );
  }
  await buildWait(deps.waits, 'talos-config', configured, {
    timeoutMs: pace.bootTimeoutMs,
    intervalMs: pace.pollMs,
    describe: `${node.name} to run its Talos config (mTLS at ${node.address}:50000)`,
  });
}
