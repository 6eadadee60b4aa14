import { ConfigurationError } from '../errors.js';
import type { ProxmoxView, TwinPlan } from '../plan/plan.js';
import type { PveClient } from '../proxmox/client.js';
import { isDoesNotExist, isPermissionFailure } from '../proxmox/errors.js';
import type { SlotClaim } from '../proxmox/slots.js';
import { slotBlock } from '../spec/derived.js';
import type { ResolvedTwin } from '../spec/environment.js';
import { formatIpv4, parseIpv4, rangeIncludes } from '../util/ipv4.js';

/** An address the plan is about to give out: a new VM's, or a cluster's VIP. */
interface Wanted {
  address: string;
  what: string;
}

/** An address someone else holds: a VM's static ipconfig, or a recorded twin's block or VIP. */
interface Held {
  first: string;
  last: string;
  what: string;
}

/**
 * Before any VM is created, its address and the twin's VIPs must be nobody else's: not inside the address
 * block or equal to the VIP another twin's claim recorded, and not a static address (ipconfigN) of any VM
 * the token can see that is not this twin's own. The slot layout follows from the spec, so a spec edited in
 * a pull request could otherwise put a preview on production's addresses. An overlap is refused naming both.
 */
export async function refuseAddressOverlap(
  client: PveClient,
  resolved: ResolvedTwin,
  plan: TwinPlan,
  view: ProxmoxView,
): Promise<void> {
  if (!plan.vms.some((vm) => vm.action === 'create')) return;
  const wanted: Wanted[] = [
    ...plan.vms
      .filter((vm) => vm.action === 'create' && vm.address)
      .map((vm) => ({ address: vm.address!, what: `${vm.name} (VM ${vm.vmid})` })),
    ...plan.clusters.map((cluster) => ({ address: cluster.vip, what: `the VIP of cluster ${cluster.name}` })),
  ];
  const held = [
    ...recordedTwins(resolved, view.claims, plan.twin),
    ...(await vmAddresses(client, plan, view)),
  ];
  const overlaps = wanted.flatMap((mine) =>
    held
      .filter((other) => rangeIncludes(rangeOf(other), parseIpv4(mine.address)))
      .map((other) => `${mine.address} for ${mine.what} is ${other.what}`),
  );
  if (overlaps.length === 0) return;
  throw new ConfigurationError(
    `twin ${plan.twin} would take addresses that are already held, nothing was changed:\n  ${overlaps.join('\n  ')}\n` +
      "fix the spec's proxmox.slots and clusters[].network.addressPool / vip so this twin's slot block is " +
      "free (a pull request's spec must keep the production branch's layout), or free those addresses",
  );
}

function rangeOf(held: Held) {
  return { first: parseIpv4(held.first), last: parseIpv4(held.last) };
}

/** Every other twin's block and VIP per cluster, as its claim recorded them (or by the spec, said so). */
function recordedTwins(resolved: ResolvedTwin, claims: SlotClaim[], twin: string): Held[] {
  const { slots } = resolved.spec.proxmox;
  return claims
    .filter((claim) => claim.twin !== twin)
    .flatMap((claim) => {
      const owner = `twin ${claim.twin ?? '(unknown)'} (pool ${claim.poolId})`;
      const networks =
        claim.identity?.networks ??
        resolved.spec.clusters.flatMap((cluster) => {
          if (claim.slot >= slots.count) return [];
          const block = slotBlock(cluster, slots, claim.slot);
          const last = formatIpv4(parseIpv4(block.first) + block.size - 1);
          return [{ cluster: cluster.name, first: block.first, last, vip: block.first }];
        });
      const how = claim.identity ? 'recorded' : 'by the spec: the claim has no record';
      return networks.flatMap((net) => [
        {
          first: net.first,
          last: net.last,
          what: `in the ${net.cluster} block ${net.first}-${net.last} of ${owner}, ${how}`,
        },
        { first: net.vip, last: net.vip, what: `the ${net.cluster} VIP of ${owner}, ${how}` },
      ]);
    });
}

/** The static addresses (ipconfig0..N) of every VM the token can see that is not this twin's own. */
async function vmAddresses(client: PveClient, plan: TwinPlan, view: ProxmoxView): Promise<Held[]> {
  const mine = new Set(plan.vms.filter((vm) => vm.action !== 'create').map((vm) => vm.vmid));
  const others = view.vms.filter((vm) => !mine.has(vm.vmid) && !vm.template);
  const configs = await Promise.all(
    others.map(async (vm) => {
      try {
        return {
          vm,
          config: await client.get<Record<string, unknown>>(`/nodes/${vm.node}/qemu/${vm.vmid}/config`),
        };
      } catch (error) {
        // Gone since it was listed, or a create still in flight that only the pool will let us read.
        if (isDoesNotExist(error) || isPermissionFailure(error)) return { vm, config: {} };
        throw error;
      }
    }),
  );
  return configs.flatMap(({ vm, config }) =>
    Object.entries(config)
      .filter(([key]) => /^ipconfig\d+$/.test(key))
      .flatMap(([key, value]) => {
        const ip = /(?:^|,)ip=(\d+\.\d+\.\d+\.\d+)\/\d+(?:,|$)/.exec(String(value))?.[1];
        const what = `${key} of VM ${vm.vmid} "${vm.name}" on ${vm.node}${vm.pool ? ` (pool ${vm.pool})` : ''}`;
        return ip ? [{ first: ip, last: ip, what }] : [];
      }),
  );
}
