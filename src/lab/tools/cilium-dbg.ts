import { byKind } from '../kube/kinds.js';
import { meshView } from '../kube/mesh.js';
import { annotationsOf } from '../kube/objects.js';
import type { PodExec, ProgramResult } from './program.js';

/** `cilium-dbg status [-o json]` in a Cilium agent: the cluster-mesh part is the lab's mesh view. */
export function runCiliumDbg(exec: PodExec): Promise<ProgramResult> {
  const args = exec.argv.slice(1);
  if (args[0] !== 'status') {
    return Promise.resolve({
      exitCode: 1,
      stdout: '',
      stderr: `Error: unknown command "${args[0] ?? ''}" for "cilium-dbg"\nRun 'cilium-dbg --help' for usage.\n`,
    });
  }
  const json = args.includes('json') && (args.includes('-o') || args.includes('--output'));
  const { call, clusterId } = exec;
  const now = call.now();
  const remotes = meshView(call.kube, clusterId, now);
  const globalServices = call.kube
    .objects(clusterId)
    .list(byKind('Service'))
    .filter((stored) => annotationsOf(stored.object)['service.cilium.io/global'] === 'true').length;
  const clusters = remotes.map((remote) =>
    omitEmpty({
      name: remote.name,
      ready: remote.ready,
      connected: remote.connected,
      status: remote.status,
      synced: omitEmpty({ ...remote.synced }),
      'num-nodes': remote.numNodes,
      'num-shared-services': remote.numSharedServices,
      'num-failures': remote.numFailures,
      ...(remote.lastFailure === undefined
        ? {}
        : { 'last-failure': new Date(remote.lastFailure).toISOString() }),
    }),
  );
  if (json) {
    const body = {
      cilium: { state: 'Ok', msg: '' },
      kvstore: { state: 'Ok', msg: 'Disabled' },
      // 1.19's ClusterMeshStatus has `clusters` only (no global-services count) (I.4).
      ...(remotes.length > 0 || globalServices > 0 ? { 'cluster-mesh': { clusters } } : {}),
    };
    return Promise.resolve({ exitCode: 0, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' });
  }
  const ready = remotes.filter((remote) => remote.ready).length;
  const lines = [
    'KVStore:                 Disabled',
    'Kubernetes:              Ok         1.34 (v1.34.1) [linux/amd64]',
    'KubeProxyReplacement:    True',
    `ClusterMesh:             ${ready}/${remotes.length} remote clusters ready, ${globalServices} global-services`,
    ...remotes.map(
      (remote) => `   ${remote.name}: ${remote.ready ? 'ready' : 'not-ready'}, ${remote.status}`,
    ),
  ];
  return Promise.resolve({ exitCode: 0, stdout: `${lines.join('\n')}\n`, stderr: '' });
}

/**
 * go-swagger's `omitempty` on plain bool and int64 fields: false and 0 are left out of the JSON, so a
 * reader must take a missing flag as false (I.4).
 */
function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== false && value !== 0));
}
