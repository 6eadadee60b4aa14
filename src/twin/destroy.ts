import { ConfigurationError, errorMessage } from '../errors.js';
import type { Step } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import { listVms, ownedByTwin } from '../proxmox/inventory.js';
import type { VmInventoryItem } from '../proxmox/inventory.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import type { TwinContext } from './context.js';

export interface DestroyOutcome {
  twin: string;
  vms: { name: string; vmid: number; pveNode: string; result: 'destroyed' | 'absent' }[];
  pools: string[];
  stateEntries: number;
}

/**
 * Removes a twin without a trace: its VMs found by tags on every PVE node (whatever the spec says now),
 * each checked by name and tags before its VMID is deleted, then its slot pool and its state-store
 * entries. "Does not exist" counts as done, so a destroy that was interrupted can simply run again. It ends
 * by proving that nothing of the twin is left, and fails naming what is.
 */
export async function destroyTwin(ctx: TwinContext): Promise<DestroyOutcome> {
  const { project, proxmox } = ctx.twin.spec;
  const twin = ctx.twin.twin;
  const lifecycle = new VmLifecycle(ctx.client, { paceScale: ctx.pace.scale });
  const slotPools = new Set(
    (await listSlotClaims(ctx.client, proxmox.slots.poolPrefix))
      .filter((claim) => claim.twin === twin)
      .map((claim) => claim.poolId),
  );
  // Members of the twin's slot pool count even untagged: a run that ended between create and tagging.
  const owned = (await listVms(ctx.client)).filter(
    (vm) => ownedByTwin(vm, project, twin) || (vm.pool !== undefined && slotPools.has(vm.pool)),
  );
  const vms: DestroyOutcome['vms'] = [];
  const steps: Step[] = owned.map((vm) => ({
    id: `destroy:${vm.vmid}`,
    title: `${vm.name}: VM ${vm.vmid} on ${vm.node} removed`,
    stage: 'destroy',
    needs: [],
    run: async () => {
      const result = await lifecycle.destroy(vm.node, vm.vmid, {
        name: vm.name,
        tags: ownerTags(vm, project, twin),
      });
      vms.push({ name: vm.name, vmid: vm.vmid, pveNode: vm.node, result });
      ctx.log(`${vm.name} (VM ${vm.vmid} on ${vm.node}): ${result}`);
    },
  }));
  const { failed } = await runGraph(steps, ctx.events);
  if (failed.length > 0) {
    throw new ConfigurationError(
      `destroy of twin ${twin} left VMs behind; run it again:\n  ${failed.map((r) => `${r.title}: ${errorMessage(r.error)}`).join('\n  ')}`,
    );
  }
  const pools = [];
  for (const claim of await listSlotClaims(ctx.client, proxmox.slots.poolPrefix)) {
    if (claim.twin !== twin) continue;
    await ctx.client.delete('/pools', { poolid: claim.poolId });
    pools.push(claim.poolId);
    ctx.log(`released slot ${claim.slot} (pool ${claim.poolId})`);
  }
  const stateEntries = (await ctx.store.list(twin)).length;
  await ctx.store.removeTwin(twin);
  await proveGone(ctx);
  return { twin, vms, pools, stateEntries };
}

/** The ownership tags a VM must still carry for destroy to touch it. */
function ownerTags(vm: VmInventoryItem, project: string, twin: string): string[] {
  return [project, `twin-${twin}`].filter((tag) => vm.tags.includes(tag));
}

async function proveGone(ctx: TwinContext): Promise<void> {
  const { project, proxmox } = ctx.twin.spec;
  const twin = ctx.twin.twin;
  const leftovers = [
    ...(await listVms(ctx.client))
      .filter((vm) => ownedByTwin(vm, project, twin))
      .map((vm) => `VM ${vm.vmid} ${vm.name}`),
    ...(await listSlotClaims(ctx.client, proxmox.slots.poolPrefix))
      .filter((c) => c.twin === twin)
      .map((c) => `pool ${c.poolId}`),
    ...(await ctx.store.list(twin)).map(
      (key) => `state ${[key.cluster, key.name].filter(Boolean).join('/')}`,
    ),
  ];
  if (leftovers.length > 0) {
    throw new ConfigurationError(
      `twin ${twin} is not entirely gone: ${leftovers.join(', ')}; run destroy again`,
    );
  }
}
