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
      'was changed and no secrets were generated. Ways out: point this run at the store that has it (the CLI ' +
      "options --state-store and --state-dir, the actions' inputs state-store and state-dir), restore the state " +
      'into this store from a backup, or destroy the twin (twin down, or operation destroy) and create it again',
  );
}
