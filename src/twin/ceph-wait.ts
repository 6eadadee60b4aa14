import { ROOK_NAMESPACE } from '../addons/rook.js';
import type { Kubectl } from '../kube/kubectl.js';
import { sleep } from '../util/sleep.js';
import type { Pace } from './context.js';
import type { CephClusterStatus, CephHealth } from './platform.js';

/** The CephCluster the rook-ceph-cluster chart makes. */
export const CEPH_CLUSTER = {
  kind: 'cephclusters.ceph.rook.io',
  name: 'rook-ceph',
  namespace: ROOK_NAMESPACE,
};

/** How many times a full Ceph wait reads the CephCluster at least: its status is recorded that often. */
const SLICES = 12;

/**
 * Waits until Ceph reports HEALTH_OK and Rook phase Ready; on timeout, fails with Ceph's health detail.
 * Between two reads of the CephCluster, `kubectl wait` watches the field still missing (the health, then
 * the phase) for up to a twelfth of the timeout: it wakes when the change lands, and a wait of minutes is
 * a few tool calls, not one per poll.
 */
export async function waitForCeph(
  pace: Pick<Pace, 'cephTimeoutMs' | 'pollMs'>,
  kubectl: Pick<Kubectl, 'getObject' | 'waitForField'>,
  cluster: string,
  record: (status: CephClusterStatus) => void,
): Promise<void> {
  const started = Date.now();
  const deadline = started + pace.cephTimeoutMs;
  const sliceSec = Math.max(1, Math.round(pace.cephTimeoutMs / SLICES / 1000));
  for (let reads = 1; ; reads++) {
    const object = await kubectl.getObject(CEPH_CLUSTER.kind, CEPH_CLUSTER.name, CEPH_CLUSTER.namespace);
    const status = cephStatus(cluster, object);
    record(status);
    if (status.health === 'HEALTH_OK' && status.phase === 'Ready') return;
    const remainingSec = Math.floor((deadline - Date.now()) / 1000);
    if (remainingSec < 1) throw cephTimeout(cluster, status, Date.now() - started, reads);
    const awaited = awaitedField(status, object);
    if (awaited)
      await kubectl.waitForField(
        CEPH_CLUSTER,
        awaited.field,
        awaited.value,
        Math.min(sliceSec, remainingSec),
      );
    else await sleep(Math.min(pace.pollMs, remainingSec * 1000));
  }
}

/**
 * The field kubectl can watch for what is still missing; none while the object is absent (kubectl wait
 * needs it) or while its Ready is stale (phase says Ready already: only the observed generation moves).
 */
function awaitedField(
  status: CephClusterStatus,
  object: Record<string, unknown> | undefined,
): { field: string; value: string } | undefined {
  if (!object) return undefined;
  if (status.health !== 'HEALTH_OK') return { field: '{.status.ceph.health}', value: 'HEALTH_OK' };
  const phase = (object.status as { phase?: unknown } | undefined)?.phase;
  return phase === 'Ready' ? undefined : { field: '{.status.phase}', value: 'Ready' };
}

function cephTimeout(cluster: string, last: CephClusterStatus, elapsedMs: number, reads: number): Error {
  const observed = `${last.phase} ${last.health}, ${last.mons} mon(s), ${last.osds} OSD(s)`;
  const details = last.details.length > 0 ? `\n  ${last.details.join('\n  ')}` : '';
  return new Error(
    `timed out after ${Math.round(elapsedMs / 1000)}s (${reads} reads) waiting for Ceph HEALTH_OK in ${cluster}; ` +
      `last observation: ${observed}; Ceph health detail:${details || ' none reported'}`,
  );
}

/** Rook's CephCluster status in our terms: mons and OSDs counted from the daemons' versions. */
export function cephStatus(cluster: string, object: Record<string, unknown> | undefined): CephClusterStatus {
  const status = (object?.status ?? {}) as {
    phase?: string;
    message?: string;
    observedGeneration?: number;
    ceph?: {
      health?: string;
      details?: Record<string, { message?: string }>;
      versions?: Record<string, Record<string, number>>;
    };
  };
  const count = (daemon: string) =>
    Object.values(status.ceph?.versions?.[daemon] ?? {}).reduce((sum, value) => sum + Number(value), 0);
  const health = status.ceph?.health;
  const known: CephHealth[] = ['HEALTH_OK', 'HEALTH_WARN', 'HEALTH_ERR'];
  // A Ready written before the operator saw the newest spec says nothing about that spec.
  const generation = Number((object?.metadata as { generation?: number } | undefined)?.generation ?? 0);
  const unobserved =
    status.phase === 'Ready' &&
    status.observedGeneration !== undefined &&
    generation > status.observedGeneration;
  return {
    cluster,
    health: known.includes(health as CephHealth) ? (health as CephHealth) : 'UNKNOWN',
    phase: unobserved ? 'Progressing' : (status.phase ?? (object ? 'Pending' : 'absent')),
    mons: count('mon'),
    osds: count('osd'),
    details: [
      ...Object.entries(status.ceph?.details ?? {}).map(
        ([code, detail]) => `${code}: ${detail.message ?? ''}`,
      ),
      ...(status.message && status.phase !== 'Ready' ? [`Rook: ${status.message}`] : []),
      ...(unobserved
        ? [
            `Rook: generation ${generation} of the spec is not reconciled yet (${status.observedGeneration} is)`,
          ]
        : []),
    ],
  };
}
