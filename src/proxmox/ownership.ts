import type { VmInventoryItem } from './inventory.js';
import type { SlotIdentity } from './slots.js';

/** One slot pool a twin holds, with what its claim recorded (or, for a claim older than the record, the spec). */
export interface TwinHolding {
  twin: string;
  pool: string;
  identity: SlotIdentity;
}

/** A VM that looks partly like the twin's but is not provably its own: never stopped or deleted, reported. */
export interface ForeignVm {
  vmid: number;
  name: string;
  pveNode: string;
  pool?: string;
  why: string;
}

/** `<twin>-<cluster>-<cp|w>-<n>`, as vmName builds it (twin and cluster names are `[a-z0-9-]`). */
function namePattern(twin: string): RegExp {
  return new RegExp(`^${twin}-[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-(?:cp|w)-[1-9][0-9]?$`);
}

/**
 * The tags allow the VM to be the twin's when they carry the project's and the twin's tags, or when they
 * carry no twin tag at all. The second is the one legitimate partial case: the product creates a VM with its
 * pool but without tags (qemu-server 9.2 checks tag rights before the VM joins its pool, P.6.1) and tags it
 * right after, so a run killed in between leaves an untagged VM that only pool, VMID range and name prove
 * to be the twin's. A VM tagged for another twin never is, wherever it sits.
 */
function tagProblem(vm: VmInventoryItem, twin: string, project: string): string | undefined {
  const twinTags = vm.tags.filter((tag) => tag.startsWith('twin-'));
  if (twinTags.length === 0) return undefined;
  if (twinTags.some((tag) => tag !== `twin-${twin}`)) return `tagged for ${twinTags.join(', ')}`;
  if (!vm.tags.includes(project)) return `tags lack the project tag ${project}`;
  return undefined;
}

function inRange(vm: VmInventoryItem, holding: TwinHolding): boolean {
  return vm.vmid >= holding.identity.vmids.first && vm.vmid <= holding.identity.vmids.last;
}

/** Why `vm` is not the twin's by `holding`, or undefined when it is: pool, VMID range, name and tags all hold. */
function whyNotOwned(vm: VmInventoryItem, twin: string, holding: TwinHolding | undefined): string[] {
  if (!holding)
    return [`in no slot pool of twin ${twin} (${vm.pool ? `pool ${vm.pool}` : 'no pool visible'})`];
  const { first, last } = holding.identity.vmids;
  const tags = tagProblem(vm, twin, holding.identity.project);
  return [
    ...(vm.pool === holding.pool ? [] : [`not in pool ${holding.pool} (${vm.pool ?? 'no pool visible'})`]),
    ...(inRange(vm, holding) ? [] : [`VMID outside ${first}-${last}`]),
    ...(namePattern(twin).test(vm.name) ? [] : [`name "${vm.name}" is not ${twin}-<cluster>-<cp|w>-<n>`]),
    ...(tags ? [tags] : []),
  ];
}

/**
 * Splits the VMs the token can see by the strict rule: a VM is the twin's only when it is a member of one
 * of the twin's slot pools, its VMID lies in that slot's recorded range, its name has the twin's pattern
 * and its tags are the twin's (or none, see tagProblem). VMs that match only part of it (the twin's tag,
 * its pool, its VMID range or its name pattern) are returned as foreign with the reasons; the rest are
 * simply someone else's and not mentioned.
 */
export function sortByOwnership(
  vms: VmInventoryItem[],
  twin: string,
  holdings: TwinHolding[],
): { owned: VmInventoryItem[]; foreign: ForeignVm[] } {
  const owned: VmInventoryItem[] = [];
  const foreign: ForeignVm[] = [];
  for (const vm of vms) {
    const holding = holdings.find((h) => h.pool === vm.pool);
    const reasons = whyNotOwned(vm, twin, holding);
    if (reasons.length === 0) {
      owned.push(vm);
      continue;
    }
    const related =
      holding !== undefined ||
      vm.tags.includes(`twin-${twin}`) ||
      namePattern(twin).test(vm.name) ||
      holdings.some((h) => inRange(vm, h));
    if (!related) continue;
    const why = holding
      ? reasons
      : whyNotOwned(vm, twin, holdings.find((h) => inRange(vm, h)) ?? holdings[0]);
    foreign.push({
      vmid: vm.vmid,
      name: vm.name,
      pveNode: vm.node,
      ...(vm.pool ? { pool: vm.pool } : {}),
      why: why.join('; '),
    });
  }
  return { owned, foreign };
}

/** One line per foreign VM, for logs and errors. */
export function describeForeign(vm: ForeignVm): string {
  return `VM ${vm.vmid} "${vm.name}" on ${vm.pveNode}${vm.pool ? ` in pool ${vm.pool}` : ''}: ${vm.why}`;
}
