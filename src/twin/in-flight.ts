import { waitUntil } from '../kube/readiness.js';
import { createsInFlight } from '../proxmox/tasks.js';
import type { CreateInFlight, VmTaskInFlight } from '../proxmox/tasks.js';
import type { TwinContext } from './context.js';

/**
 * Waits, bounded like a boot and paced by ctx.pace, until no create task runs for a VMID of `vmids` on
 * `pveNodes`: one a killed or cancelled run left in flight. PVE writes such a VM's config with `lock:
 * create` and adds it to its pool only when the task ends, so a pool-scoped token sees neither the VM nor
 * its lock until then (PVE-PERMISSIONS.md P.7, P.9); only the task list shows it. Returns the tasks it
 * waited for (none: it did not wait). `then` is what to do when one never ends.
 */
export async function waitForCreatesInFlight(
  ctx: Pick<TwinContext, 'client' | 'pace' | 'log'>,
  pveNodes: string[],
  vmids: { has(vmid: number): boolean },
  then: string,
): Promise<CreateInFlight[]> {
  return waitForVmTasks(ctx, () => createsInFlight(ctx.client, pveNodes, vmids), then);
}

/**
 * Waits, bounded like a boot, until `find` reports no task: e.g. a killed run's PVE reboot of a VM it
 * resized (pending cores or memory apply only through a reboot), which would otherwise reboot the node
 * under this run's rollout. Returns the tasks it waited for.
 */
export async function waitForVmTasks(
  ctx: Pick<TwinContext, 'pace' | 'log'>,
  find: () => Promise<VmTaskInFlight[]>,
  then: string,
): Promise<VmTaskInFlight[]> {
  const running = await find();
  if (running.length === 0) return [];
  const listed = running.map((task) => task.vmid).join(', ');
  const kinds = [...new Set(running.map((task) => (task.type === 'qmcreate' ? 'create' : task.type)))];
  ctx.log(`VMID(s) ${listed} held by a ${kinds.join(' or ')} task in flight; waiting for it to end`);
  await waitUntil(async () => (await find()).length === 0, {
    timeoutMs: ctx.pace.bootTimeoutMs,
    intervalMs: ctx.pace.pollMs,
    describe: `the ${kinds.join(' or ')} task(s) of VMID(s) ${listed} to end (if one stays, look at it in the PVE GUI, then ${then})`,
  });
  return running;
}
