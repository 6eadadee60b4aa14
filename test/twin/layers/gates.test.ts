import { describe, expect, it } from 'vitest';
import type { EtcdMembersAnswer } from '../../../src/talos/talosctl.js';
import { cephGate, etcdGate } from '../../../src/twin/layers/gates.js';

const CPS = [
  { name: 'east-cp-1', address: '10.0.0.11' },
  { name: 'east-cp-2', address: '10.0.0.12' },
  { name: 'east-cp-3', address: '10.0.0.13' },
];
const member = (n: number) => ({ id: `00000000000000a${n}`, hostname: `east-cp-${n}`, peerUrls: [] });

function etcd(answers: Record<string, EtcdMembersAnswer>) {
  const asked: string[] = [];
  const gate = etcdGate({
    talosconfig: '/s/east/talosconfig',
    controlPlanes: CPS,
    timeoutMs: 1000,
    talosctl: {
      etcdMembers: async ({ talosconfig, node }) => {
        asked.push(`${talosconfig} ${node}`);
        return answers[node] ?? { members: [member(1), member(2), member(3)] };
      },
    },
  });
  return { gate, asked };
}

describe('etcd gate', () => {
  it('holds when every control plane answers with all members, asking each node itself', async () => {
    const { gate, asked } = etcd({});
    expect(await gate.check()).toBe(true);
    expect(asked).toEqual(CPS.map((cp) => `/s/east/talosconfig ${cp.address}`));
  });

  it('names a control plane whose etcd does not answer', async () => {
    const { gate } = etcd({
      '10.0.0.12': { unknown: 'rpc error: code = Unavailable desc = connection refused' },
    });
    expect(await gate.check()).toBe(
      'etcd on east-cp-2 does not answer: rpc error: code = Unavailable desc = connection refused',
    );
  });

  it('names a member missing from a view, and views that differ', async () => {
    expect(await etcd({ '10.0.0.11': { members: [member(1), member(2)] } }).gate.check()).toBe(
      'east-cp-1 sees no etcd member for east-cp-3',
    );
    const split = etcd({ '10.0.0.13': { members: [member(1), member(2), { ...member(3), id: 'ff' }] } });
    expect(await split.gate.check()).toBe('east-cp-1 and east-cp-3 see different etcd members (split?)');
  });
});

function cephCluster(health: string, details: Record<string, string> = {}, lastChecked = 't1') {
  return {
    status: {
      phase: 'Ready',
      ceph: {
        health,
        lastChecked,
        details: Object.fromEntries(Object.entries(details).map(([code, message]) => [code, { message }])),
      },
    },
  };
}

describe('Ceph gate', () => {
  const gateOver = (objects: Record<string, unknown>[]) => {
    const asked: string[] = [];
    const gate = cephGate({
      cluster: 'east',
      timeoutMs: 1000,
      kubectl: {
        getObject: async (kind, name, namespace) => {
          asked.push(`${namespace} ${kind} ${name}`);
          return objects.length > 1 ? objects.shift() : objects[0];
        },
      },
    });
    return { gate, asked };
  };

  it('holds on HEALTH_OK read from the CephCluster', async () => {
    const { gate, asked } = gateOver([cephCluster('HEALTH_OK')]);
    expect(await gate.check()).toBe(true);
    expect(asked).toEqual(['rook-ceph cephclusters.ceph.rook.io rook-ceph']);
  });

  it('holds when there is no CephCluster yet', async () => {
    const gate = cephGate({
      cluster: 'east',
      timeoutMs: 1000,
      kubectl: { getObject: async () => undefined },
    });
    expect(await gate.check()).toBe(true);
  });

  it('accepts HEALTH_WARN whose only check is RECENT_CRASH, nothing else', async () => {
    const crash = { RECENT_CRASH: '1 daemons have recently crashed' };
    expect(await gateOver([cephCluster('HEALTH_WARN', crash)]).gate.check()).toBe(true);
    const degraded = { ...crash, PG_DEGRADED: 'Degraded data redundancy: 12 pgs undersized' };
    expect(await gateOver([cephCluster('HEALTH_WARN', degraded)]).gate.check()).toBe(
      'HEALTH_WARN: RECENT_CRASH: 1 daemons have recently crashed; PG_DEGRADED: Degraded data redundancy: 12 pgs undersized',
    );
    expect(await gateOver([cephCluster('HEALTH_ERR')]).gate.check()).toBe('HEALTH_ERR');
  });

  it('after a node went down, insists on a health check newer than the one seen before', async () => {
    const { gate } = gateOver([
      cephCluster('HEALTH_OK', {}, 't1'),
      cephCluster('HEALTH_OK', {}, 't1'),
      cephCluster('HEALTH_OK', {}, 't2'),
    ]);
    await gate.mark!();
    expect(await gate.check()).toBe('Ceph health not checked again since t1');
    expect(await gate.check()).toBe(true);
  });
});
