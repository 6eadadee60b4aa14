import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec/load.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { planTwin } from '../../src/plan/plan.js';
import type { ProxmoxView } from '../../src/plan/plan.js';
import { placeVms } from '../../src/proxmox/placement.js';
import { chooseSlot } from '../../src/proxmox/slots.js';
import { parseCidr, parseIpv4, parseRange } from '../../src/util/ipv4.js';

const { spec } = loadSpec('examples/twin.yaml');
const gib = 1024;

function emptyView(overrides: Partial<ProxmoxView> = {}): ProxmoxView {
  return {
    vms: [],
    nodes: ['pve1', 'pve2', 'pve3'].map((name) => ({
      name,
      online: true,
      totalMemoryMiB: 64 * gib,
      freeMemoryMiB: 64 * gib,
      freeDiskGiB: 400,
    })),
    claims: [],
    ...overrides,
  };
}

describe('planTwin', () => {
  it('gives a preview twin distinct VMIDs and addresses inside each cluster pool, spreading control planes', () => {
    const plan = planTwin(resolveTwin(spec, 'pr-7'), emptyView());
    const created = plan.vms.filter((vm) => vm.action === 'create');
    expect(plan.vms.length).toBeGreaterThan(0);
    expect(created).toHaveLength(plan.vms.length);
    expect(new Set(plan.vms.map((vm) => vm.vmid)).size).toBe(plan.vms.length);
    expect(new Set(plan.vms.map((vm) => vm.address)).size).toBe(plan.vms.length);
    for (const cluster of spec.clusters) {
      const pool = parseRange(cluster.network.addressPool);
      const vms = plan.vms.filter((vm) => vm.cluster === cluster.name);
      for (const vm of vms) {
        const address = parseIpv4(vm.address!);
        expect(address).toBeGreaterThanOrEqual(pool.first);
        expect(address).toBeLessThanOrEqual(pool.last);
        expect(vm.tags).toEqual(expect.arrayContaining(['aggrik8s', 'twin-pr-7', `cluster-${cluster.name}`]));
      }
      const cpNodes = vms.filter((vm) => vm.role === 'controlplane').map((vm) => vm.pveNode);
      expect(new Set(cpNodes).size).toBe(Math.min(cpNodes.length, 3));
      const vip = plan.clusters.find((c) => c.name === cluster.name)!.vip;
      expect(vms.map((vm) => vm.address)).not.toContain(vip);
    }
    // production pins slot 0, so the first preview takes slot 1
    expect(plan.slot).toBe(1);
    expect(plan.slotState).toBe('claim');
  });

  it('production uses its pinned slot and VIPs', () => {
    const plan = planTwin(resolveTwin(spec, 'production'), undefined);
    expect(plan.slot).toBe(spec.environments.production.slot);
    for (const cluster of plan.clusters) {
      const pinned = spec.environments.production.clusters?.[cluster.name]?.vip;
      if (pinned) expect(cluster.vip).toBe(pinned);
      const network = parseCidr(spec.clusters.find((c) => c.name === cluster.name)!.network.cidr);
      expect(parseIpv4(cluster.vip)).toBeGreaterThanOrEqual(network.first);
    }
  });

  it('two previews planned against each other never share VMIDs or addresses', () => {
    const first = planTwin(resolveTwin(spec, 'pr-7'), emptyView());
    const second = planTwin(
      resolveTwin(spec, 'pr-8'),
      emptyView({ claims: [{ slot: first.slot, poolId: first.pool, twin: 'pr-7' }] }),
    );
    expect(second.slot).not.toBe(first.slot);
    const ids = new Set(first.vms.map((vm) => vm.vmid));
    const addresses = new Set([...first.vms.map((vm) => vm.address), ...first.clusters.map((c) => c.vip)]);
    for (const vm of second.vms) {
      expect(ids.has(vm.vmid)).toBe(false);
      expect(addresses.has(vm.address)).toBe(false);
    }
    for (const cluster of second.clusters) expect(addresses.has(cluster.vip)).toBe(false);
  });

  it('keeps what exists, changes what differs, destroys what the spec dropped and flags foreign VMIDs', () => {
    const first = planTwin(resolveTwin(spec, 'pr-7'), emptyView());
    const [a, b, c] = first.vms;
    const existing = (vm: typeof a, memoryMiB: number) => ({
      vmid: vm!.vmid,
      name: vm!.name,
      node: vm!.pveNode,
      status: 'running',
      tags: vm!.tags,
      pool: first.pool,
      template: false,
      memoryMiB,
      cores: vm!.cores,
    });
    const lastVmid = first.identity.vmids.last;
    const view = emptyView({
      claims: [{ slot: first.slot, poolId: first.pool, twin: 'pr-7' }],
      vms: [
        existing(a, a!.memoryMiB),
        existing(b, b!.memoryMiB * 2),
        { ...existing(c, c!.memoryMiB), name: 'someone-else', tags: ['other'] },
        { ...existing(a, 1024), vmid: lastVmid, name: 'pr-7-east-w-9' },
        // The twin's tags alone make nothing the twin's: another pool, or outside the slot's VMIDs.
        { ...existing(a, 1024), vmid: 99999, name: 'pr-7-east-w-8' },
        { ...existing(a, 1024), vmid: lastVmid - 1, name: 'important-db', pool: 'databases' },
      ],
    });
    const plan = planTwin(resolveTwin(spec, 'pr-7'), view);
    const action = (vmid: number) => plan.vms.find((vm) => vm.vmid === vmid)?.action;
    expect(plan.slotState).toBe('held');
    expect(action(a!.vmid)).toBe('keep');
    expect(action(b!.vmid)).toBe('change');
    expect(plan.vms.find((vm) => vm.vmid === b!.vmid)!.reasons[0]).toMatch(/memory/);
    expect(action(c!.vmid)).toBe('conflict');
    expect(action(lastVmid)).toBe('destroy');
    expect(action(99999)).toBeUndefined();
    expect(action(lastVmid - 1)).toBeUndefined();
  });

  it('refuses when every slot is taken, naming the holders', () => {
    const claims = Array.from({ length: spec.proxmox.slots.count }, (_, slot) => ({
      slot,
      poolId: `p-${slot}`,
      twin: `pr-${slot + 100}`,
    }));
    expect(() => planTwin(resolveTwin(spec, 'pr-7'), emptyView({ claims }))).toThrow(
      /all 8 twin slots are taken .*raise proxmox.slots.count/,
    );
  });

  it('refuses a node the spec names but Proxmox lacks', () => {
    const view = emptyView({
      nodes: [{ name: 'pve1', online: true, totalMemoryMiB: 1, freeMemoryMiB: 1, freeDiskGiB: 1 }],
    });
    expect(() => planTwin(resolveTwin(spec, 'pr-7'), view)).toThrow(
      /pve2, pve3, which the Proxmox cluster does not have/,
    );
  });
});

describe('placement', () => {
  it('keeps existing VMs where they are and puts new ones on the freest node', () => {
    const placed = placeVms(
      [
        { vmid: 1, cluster: 'a', role: 'worker', memoryMiB: 8 },
        { vmid: 2, cluster: 'a', role: 'worker', memoryMiB: 8 },
      ],
      [
        { name: 'n1', freeMemoryMiB: 10 },
        { name: 'n2', freeMemoryMiB: 100 },
      ],
      new Map([[1, 'n1']]),
    );
    expect(placed.get(1)).toBe('n1');
    expect(placed.get(2)).toBe('n2');
  });
});

describe('chooseSlot', () => {
  it('returns the held slot, skips reserved and taken ones', () => {
    expect(
      chooseSlot([{ slot: 3, poolId: 'x-3', twin: 'pr-1' }], 'pr-1', { count: 8, reserved: [0] }),
    ).toEqual({ slot: 3, held: true });
    expect(
      chooseSlot([{ slot: 1, poolId: 'x-1', twin: 'pr-2' }], 'pr-1', { count: 8, reserved: [0] }),
    ).toEqual({ slot: 2, held: false });
    expect(chooseSlot([], 'pr-1', { count: 1, reserved: [0] })).toBeUndefined();
  });
});
