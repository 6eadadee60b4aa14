import { describe, expect, it } from 'vitest';
import { afterReservations, reservationsOf } from '../../src/proxmox/capacity.js';
import type { SlotClaim } from '../../src/proxmox/slots.js';
import { claimedBefore, slotComment } from '../../src/proxmox/slots.js';

describe('capacity reservations in the slot claim', () => {
  const at = new Date('2026-12-02T04:00:00.000Z');

  it('writes the reservation per node into the pool comment, and nothing once released', () => {
    const reserves = reservationsOf([
      { pveNode: 'pve2', name: 'a', memoryMiB: 4096, diskGiB: 32 },
      { pveNode: 'pve1', name: 'b', memoryMiB: 6144, diskGiB: 132 },
      { pveNode: 'pve2', name: 'c', memoryMiB: 2048, diskGiB: 32 },
    ]);
    expect(slotComment('pr-7', at, reserves)).toBe(
      'aggrik8s-twin slot of pr-7 since 2026-12-02T04:00:00.000Z reserves pve1=6144M/132G,pve2=6144M/64G',
    );
    expect(slotComment('pr-7', at)).toBe('aggrik8s-twin slot of pr-7 since 2026-12-02T04:00:00.000Z');
  });

  it('sets aside what others reserved from the free capacity', () => {
    const nodes = [
      { name: 'pve1', online: true, totalMemoryMiB: 65536, freeMemoryMiB: 40000, freeDiskGiB: 300 },
      { name: 'pve2', online: true, totalMemoryMiB: 65536, freeMemoryMiB: 50000, freeDiskGiB: 200 },
    ];
    const after = afterReservations(nodes, [
      { pveNode: 'pve1', memoryMiB: 6144, diskGiB: 132 },
      { pveNode: 'pve1', memoryMiB: 1000, diskGiB: 8 },
    ]);
    expect(after.map((n) => [n.name, n.freeMemoryMiB, n.freeDiskGiB])).toEqual([
      ['pve1', 32856, 160],
      ['pve2', 50000, 200],
    ]);
  });

  it('orders claims by age, ties by slot, and counts a claim of unknown age', () => {
    const claim = (slot: number, claimedAt?: string): SlotClaim => ({
      slot,
      poolId: `aggrik8s/slot-${slot}`,
      ...(claimedAt ? { claimedAt } : {}),
    });
    const mine = claim(3, '2026-12-02T04:00:00.500Z');
    expect(claimedBefore(claim(5, '2026-12-02T04:00:00.100Z'), mine)).toBe(true);
    expect(claimedBefore(claim(1, '2026-12-02T04:00:00.900Z'), mine)).toBe(false);
    expect(claimedBefore(claim(1, '2026-12-02T04:00:00.500Z'), mine)).toBe(true);
    expect(claimedBefore(claim(4, '2026-12-02T04:00:00.500Z'), mine)).toBe(false);
    expect(claimedBefore(claim(6), mine)).toBe(true);
  });
});
