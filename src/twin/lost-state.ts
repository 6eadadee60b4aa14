import { ConfigurationError } from '../errors.js';
import type { TwinPlan } from '../plan/plan.js';
import type { StateStore } from '../state/store.js';

/**
 * A twin that exists on Proxmox (its slot pool, or any of its VMs) while the store holds nothing of it was
 * built with another store, or its state was lost. Its nodes trust only the Talos secrets and CA they were
 * given: new ones would make an identity the running cluster refuses, after minutes of waiting. So it is
 * refused before anything is waited for, generated or changed.
 */
export async function refuseLostState(store: StateStore, plan: TwinPlan): Promise<void> {
  const existing = plan.vms.filter((vm) => vm.action !== 'create');
  if (plan.slotState !== 'held' && existing.length === 0) return;
  if ((await store.list(plan.twin)).length > 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} exists on Proxmox (slot ${plan.slot}, pool ${plan.pool}, ${existing.length} VM(s)) but ` +
      `${store.describe()} holds none of its state (Talos secrets, talosconfig, kubeconfigs, mesh CA); nothing ` +
      `was changed and no secrets were generated. ${WAYS_OUT}`,
  );
}

const WAYS_OUT =
  'Ways out: point this run at the store that has it (the CLI options --state-store and --state-dir, the ' +
  "actions' inputs state-store and state-dir), bring the state into this store (twin state export from the " +
  'store that has it, then twin state import into this one; or restore a backup), or destroy the twin (twin ' +
  'down, or operation destroy) and create it again';

/**
 * action-mesh and action-day2 hold no Proxmox credentials, so they cannot tell a lost state from a twin that
 * was never provisioned: an empty store gets both readings and the ways out, at once.
 */
export function missingStateError(store: StateStore, twin: string): ConfigurationError {
  return new ConfigurationError(
    `${store.describe()} holds no state of twin ${twin}: nothing was changed. Either action-provision has not ` +
      `applied this twin yet (run it first, with the same state-store and state-dir), or the twin runs and ` +
      `its state is elsewhere or lost. ${WAYS_OUT}`,
  );
}
