import type { TwinPlan } from '../../src/plan/plan.js';
import { observeProxmox, planTwin } from '../../src/plan/plan.js';
import type { PveClient } from '../../src/proxmox/client.js';
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
  await new VmLifecycle(client).ensureImage(vm.pveNode, 'local', plan.image.fileName, plan.image.url);
  await client.post('/pools', {
    poolid: plan.pool,
    comment: `aggrik8s-twin slot of ${twin} since ${new Date().toISOString()}`,
  });
  return { plan, vm, settings: createSettings(plan, vm.pveNode) };
}
