import { ConfigurationError, errorMessage } from '../errors.js';
import type { Step } from '../plan/executor.js';
import { runGraph } from '../plan/executor.js';
import { listNodeNames, listVms } from '../proxmox/inventory.js';
import type { VmInventoryItem } from '../proxmox/inventory.js';
import type { ForeignVm, TwinHolding } from '../proxmox/ownership.js';
import { describeForeign, sortByOwnership } from '../proxmox/ownership.js';
import { listSlotClaims } from '../proxmox/slots.js';
import { slotPoolPrefixes } from '../spec/pools.js';
import { createsInFlight } from '../proxmox/tasks.js';
import { VmLifecycle } from '../proxmox/vm-lifecycle.js';
import type { TwinContext } from './context.js';
import { waitForCreatesInFlight } from './in-flight.js';
import { withTwinLock } from './lock.js';
import { observeOwnership } from './ownership.js';

export interface DestroyOutcome {
  twin: string;
  /** False when the twin had no slot pool (and so no VM of its own): nothing was there to destroy. */
  existed: boolean;
  vms: { name: string; vmid: number; pveNode: string; result: 'destroyed' | 'absent' }[];
  /** VMs that look partly like the twin's (its tags, pool, VMID range or name) but are not: left alone. */
  foreign: ForeignVm[];
  /** VMIDs whose create task (a killed apply's) was still running: destroy waited for it, then took the VM. */
  waitedFor: number[];
  pools: string[];
  stateEntries: number;
}

/**
 * Removes a twin without a trace, holding the twin's lock (apply and the reaper take the same): first waits
 * for creates still in flight in the VMIDs its claims recorded (a killed apply leaves them running on PVE,
 * untagged and outside the pool until they end), then the VMs that are provably its own (members of its
 * slot pool, inside the recorded VMID range, named and tagged as its VMs; see sortByOwnership), each checked
 * again by name and tags at its VMID before it is deleted, then its slot pool and its state-store entries.
 * VMs that match only in part are never touched and are reported. "Does not exist" counts as done, so a
 * destroy that was interrupted can simply run again. It ends by proving that nothing of the twin is left.
 */
export async function destroyTwin(ctx: TwinContext): Promise<DestroyOutcome> {
  return withTwinLock(ctx, 'destroy', () => destroyHeld(ctx));
}

async function destroyHeld(ctx: TwinContext): Promise<DestroyOutcome> {
  const twin = ctx.twin.twin;
  const pveNodes = await pveNodesOf(ctx);
  const seen = await observeOwnership(ctx);
  // Before anything is deleted: a create that ends later would join the pool after it is gone, tagged and
  // found by nobody. Once it ended, its VM is in the pool and is the twin's like the others.
  const running = await waitForCreatesInFlight(
    ctx,
    pveNodes,
    recordedVmids(seen.holdings),
    'run destroy again',
  );
  const { holdings, owned, foreign } =
    running.length > 0 ? await observeOwnership({ ...ctx, log: () => {} }) : seen;
  refuseForeignMembers(twin, holdings, foreign);
  for (const vm of foreign) ctx.log(`left alone, not this twin's: ${describeForeign(vm)}`);
  const vms = await destroyVms(ctx, owned);
  const pools = [];
  for (const claim of await listSlotClaims(ctx.client, slotPoolPrefixes(ctx.twin.spec))) {
    if (claim.twin !== twin) continue;
    await ctx.client.delete('/pools', { poolid: claim.poolId });
    pools.push(claim.poolId);
    ctx.log(`released slot ${claim.slot} (pool ${claim.poolId})`);
  }
  const stateEntries = (await ctx.store.list(twin)).length;
  await ctx.store.removeTwin(twin);
  await proveGone(ctx, { holdings, foreign, pveNodes });
  const waitedFor = running.map((task) => task.vmid);
  return { twin, existed: holdings.length > 0, vms, foreign, waitedFor, pools, stateEntries };
}

/** Every node of the PVE cluster: a create may run on a node the spec of the moment no longer names. */
async function pveNodesOf(ctx: TwinContext): Promise<string[]> {
  return listNodeNames(ctx.client);
}

/** The VMIDs the twin's claims recorded. */
function recordedVmids(holdings: TwinHolding[]): { has(vmid: number): boolean } {
  return {
    has: (vmid) => holdings.some((h) => vmid >= h.identity.vmids.first && vmid <= h.identity.vmids.last),
  };
}

/**
 * PVE deletes no pool that still has members, so a VM in the twin's slot pool that is not provably the
 * twin's would stop destroy half-way. It is refused before anything changes, naming the VMs and the fix.
 */
function refuseForeignMembers(twin: string, holdings: TwinHolding[], foreign: ForeignVm[]): void {
  const members = foreign.filter((vm) => holdings.some((h) => h.pool === vm.pool));
  if (members.length === 0) return;
  throw new ConfigurationError(
    `twin ${twin} cannot be destroyed, nothing was changed: its slot pool holds VMs that are not provably ` +
      `its own, and PVE deletes no pool with members:\n  ${members.map(describeForeign).join('\n  ')}\n` +
      "look at them; if they are not the twin's, move them out of the pool (pvesh set /pools --poolid " +
      `${members[0]!.pool} --vms ${members.map((vm) => vm.vmid).join(',')} --delete 1), else remove them by ` +
      'hand; then run destroy again',
  );
}

async function destroyVms(ctx: TwinContext, owned: VmInventoryItem[]): Promise<DestroyOutcome['vms']> {
  const { project } = ctx.twin.spec;
  const twin = ctx.twin.twin;
  const lifecycle = new VmLifecycle(ctx.client, { paceScale: ctx.pace.scale });
  const vms: DestroyOutcome['vms'] = [];
  const steps: Step[] = owned.map((vm) => ({
    id: `destroy:${vm.vmid}`,
    title: `${vm.name}: VM ${vm.vmid} on ${vm.node} removed`,
    doing: `stopping and removing VM ${vm.name} (${vm.vmid}) on ${vm.node}`,
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
  return vms;
}

/** The ownership tags a VM must still carry for destroy to touch it (none on a VM never tagged). */
function ownerTags(vm: VmInventoryItem, project: string, twin: string): string[] {
  return [project, `twin-${twin}`].filter((tag) => vm.tags.includes(tag));
}

/**
 * Nothing of the twin is left: no VM of its own by the holdings it had, no VM the token can see in their
 * VMIDs but the foreign ones reported and left alone, no create task running for those VMIDs, no slot pool,
 * no state entry.
 */
async function proveGone(
  ctx: TwinContext,
  had: { holdings: TwinHolding[]; foreign: ForeignVm[]; pveNodes: string[] },
): Promise<void> {
  const twin = ctx.twin.twin;
  const vmids = recordedVmids(had.holdings);
  const leftAlone = new Set(had.foreign.map((vm) => `${vm.vmid} ${vm.name}`));
  const vms = await listVms(ctx.client);
  const owned = new Set(sortByOwnership(vms, twin, had.holdings).owned.map((vm) => vm.vmid));
  const leftovers = [
    ...vms
      .filter((vm) => owned.has(vm.vmid) || (vmids.has(vm.vmid) && !leftAlone.has(`${vm.vmid} ${vm.name}`)))
      .map((vm) => `VM ${vm.vmid} ${vm.name}`),
    ...(await createsInFlight(ctx.client, had.pveNodes, vmids)).map(
      (task) => `a create task of VMID ${task.vmid} on ${task.pveNode} (${task.upid})`,
    ),
    ...(await listSlotClaims(ctx.client, slotPoolPrefixes(ctx.twin.spec)))
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
