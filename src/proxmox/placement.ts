/**
 * Chooses a PVE node for each new VM: among the nodes where it fits, a cluster's control planes go to
 * distinct nodes where there are enough (so losing one PVE host keeps etcd quorum), workers likewise,
 * and ties go to the node with the most free memory. VMs that already exist stay where they are.
 * When nothing fits, the VM still gets a node: admission (capacity.ts) refuses the plan and says why.
 */
export interface PlacementRequest {
  vmid: number;
  cluster: string;
  role: string;
  memoryMiB: number;
}

export interface PlacementNode {
  name: string;
  /** Unknown when planning offline; then only the spreading rule applies. */
  freeMemoryMiB?: number;
}

export function placeVms(
  requests: PlacementRequest[],
  nodes: PlacementNode[],
  existing: ReadonlyMap<number, string>,
): Map<number, string> {
  if (nodes.length === 0) throw new RangeError('placement needs at least one Proxmox node');
  const free = new Map(nodes.map((node) => [node.name, node.freeMemoryMiB ?? Number.POSITIVE_INFINITY]));
  const groupCount = new Map<string, number>();
  const groupKey = (request: PlacementRequest, node: string): string =>
    `${request.cluster}/${request.role}/${node}`;
  const placed = new Map<number, string>();

  const take = (request: PlacementRequest, node: string): void => {
    placed.set(request.vmid, node);
    const key = groupKey(request, node);
    groupCount.set(key, (groupCount.get(key) ?? 0) + 1);
  };

  for (const request of requests) {
    const node = existing.get(request.vmid);
    if (node !== undefined) take(request, node);
  }
  for (const request of requests) {
    if (placed.has(request.vmid)) continue;
    const fits = (node: PlacementNode): number => ((free.get(node.name) ?? 0) >= request.memoryMiB ? 0 : 1);
    const best = [...nodes].sort(
      (a, b) =>
        fits(a) - fits(b) ||
        (groupCount.get(groupKey(request, a.name)) ?? 0) - (groupCount.get(groupKey(request, b.name)) ?? 0) ||
        (free.get(b.name) ?? 0) - (free.get(a.name) ?? 0) ||
        a.name.localeCompare(b.name),
    )[0]!;
    take(request, best.name);
    free.set(best.name, (free.get(best.name) ?? 0) - request.memoryMiB);
  }
  return placed;
}
