import { describe, expect, it, vi } from 'vitest';
import type { RemoteView } from '../../../src/lab/kube/mesh.js';

/** The agent's JSON as go-swagger writes it (LIFECYCLE I.4): false flags and zero counts are left out. */
const remotes: RemoteView[] = [];
vi.mock('../../../src/lab/kube/mesh.js', () => ({ meshView: () => remotes }));
const { runCiliumDbg } = await import('../../../src/lab/tools/cilium-dbg.js');
const { unsyncedFlags } = await import('../../../src/twin/mesh.js');

function exec() {
  const call = { now: () => 0, kube: { objects: () => ({ list: () => [] }) } };
  return { argv: ['cilium-dbg', 'status', '-o', 'json'], call, clusterId: 'c1' } as never;
}

const base: RemoteView = {
  name: 'west',
  connected: true,
  ready: false,
  status: 'synchronizing',
  synced: { nodes: true, services: true, endpoints: false, identities: false },
  numNodes: 2,
  numSharedServices: 0,
  numFailures: 0,
};

describe('cilium-dbg status -o json', () => {
  it('leaves false flags and zero counts out while a remote is still syncing; the product reads them as false', async () => {
    remotes.splice(0, remotes.length, base);
    const result = await runCiliumDbg(exec());
    const body = JSON.parse(result.stdout) as { 'cluster-mesh': { clusters: Record<string, unknown>[] } };
    expect(body['cluster-mesh']).toEqual({
      clusters: [
        {
          name: 'west',
          connected: true,
          status: 'synchronizing',
          synced: { nodes: true, services: true },
          'num-nodes': 2,
        },
      ],
    });
    const synced = body['cluster-mesh'].clusters[0]!.synced as Record<string, unknown>;
    expect(unsyncedFlags(synced)).toEqual(['endpoints', 'identities']);
  });

  it('a ready remote carries every flag', async () => {
    const all = { nodes: true, services: true, endpoints: true, identities: true };
    remotes.splice(0, remotes.length, { ...base, ready: true, status: 'ready', synced: all });
    const body = JSON.parse((await runCiliumDbg(exec())).stdout) as {
      'cluster-mesh': { clusters: Record<string, unknown>[] };
    };
    expect(body['cluster-mesh'].clusters[0]).toMatchObject({ ready: true, synced: all });
    expect(unsyncedFlags(all)).toEqual([]);
  });
});

describe('unsyncedFlags', () => {
  it('needs nodes, services, endpoints and identities; an explicit service-exports false is pending', () => {
    expect(unsyncedFlags(undefined)).toEqual(['nodes', 'services', 'endpoints', 'identities']);
    expect(unsyncedFlags({})).toEqual(['nodes', 'services', 'endpoints', 'identities']);
    const all = { nodes: true, services: true, endpoints: true, identities: true };
    expect(unsyncedFlags({ ...all, 'service-exports': false })).toEqual(['service-exports']);
    expect(unsyncedFlags({ ...all, 'service-exports': true })).toEqual([]);
    expect(unsyncedFlags({ ...all, endpoints: 'true' })).toEqual(['endpoints']);
  });
});
