import type { TwinPlan } from '../../src/plan/plan.js';
import { creationDemands, observeProxmox, planTwin } from '../../src/plan/plan.js';
import { reservationsOf } from '../../src/proxmox/capacity.js';
import type { PveClient } from '../../src/proxmox/client.js';
import { slotComment } from '../../src/proxmox/slots.js';
import { VmLifecycle } from '../../src/proxmox/vm-lifecycle.js';
import { resolveTwin } from '../../src/spec/environment.js';
import type { TwinSpec } from '../../src/spec/schema.js';
import { importVolumeId } from '../../src/talos/image.js';

/** Where the product creates a VM of `plan` on the lab: the slot pool, vmbr0, local-lvm, the imported image. */
export function createSettings(plan: TwinPlan, pveNode: string) {
  return {
    pveNode,
    pool: plan.pool,
    bridge: 'vmbr0',
    diskStorage: 'local-lvm',
    imageVolume: importVolumeId('local', plan.image),
  };
}

/**
 * A twin's slot as the product leaves it before its first create: the plan, the Talos image on the picked
 * VM's node (the first by default) and the slot pool (with the claim comment), and the create settings of that VM.
 */
export async function preparedSlot(
  client: PveClient,
  spec: TwinSpec,
  twin: string,
  pick: (plan: TwinPlan) => TwinPlan['vms'][number] = (plan) => plan.vms[0]!,
) {
  const plan = planTwin(resolveTwin(spec, twin), await observeProxmox(client, spec));
  const vm = pick(plan);
  await new VmLifecycle(client, { paceScale: 0.002 }).ensureImage(
    vm.pveNode,
    'local',
    plan.image.fileName,
    plan.image.url,
  );
  await client.post('/pools', {
    poolid: plan.pool,
    comment: `aggrik8s-twin slot of ${twin} since ${new Date().toISOString()}`,
  });
  return { plan, vm, settings: createSettings(plan, vm.pveNode) };
}

/**
 * The claim of a twin another runner is building: its slot pool with the capacity its new VMs will take
 * reserved, and no VM yet. Returns the pool, to drop it again.
 */
export async function claimBeingBuilt(client: PveClient, spec: TwinSpec, twin: string): Promise<string> {
  const plan = planTwin(resolveTwin(spec, twin), await observeProxmox(client, spec));
  const comment = slotComment(twin, new Date(), reservationsOf(creationDemands(plan)), plan.identity);
  await client.post('/pools', { poolid: plan.pool, comment });
  return plan.pool;
}
