import { WaitTimeoutError, waitUntil } from '../kube/readiness.js';
import type { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import type { Talosctl } from '../talos/talosctl.js';
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
  const answers = async () => (await talosctl.maintenanceReady(node.address)) || (await configured());
  const booted = () =>
    waitUntil(answers, {
      timeoutMs: pace.bootTimeoutMs,
      intervalMs: pace.pollMs,
      describe: `${node.name} to answer in maintenance mode at ${node.address}:50000`,
    });
  try {
    await booted();
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    deps.log(
      `warning: ${node.name}: nothing answered at ${node.address}:50000 within ` +
        `${Math.round(pace.bootTimeoutMs / 1000)} s of its start, as when a boot hangs: power-cycling the VM once`,
    );
    await deps.vms.powerCycle(node.pveNode, node.vmid);
    await booted();
  }
  if (await configured()) return; // a run that was killed had sent it
  if ((await talosctl.applyInsecure(node.address, node.configFile)) === 'answer-lost') {
    deps.log(
      `${node.name}: the node's reboot cut off apply-config's answer: waiting for it to run the config`,
    );
  }
  await waitUntil(configured, {
    timeoutMs: pace.bootTimeoutMs,
    intervalMs: pace.pollMs,
    describe: `${node.name} to run its Talos config (mTLS at ${node.address}:50000)`,
  });
}
