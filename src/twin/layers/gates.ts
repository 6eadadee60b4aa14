import { ROOK_NAMESPACE } from '../../addons/rook.js';
import type { EtcdMembersAnswer } from '../../talos/talosctl.js';
import { cephStatus } from '../ceph-wait.js';

/**
 * Health gates of a rollout (LIFECYCLE H.2, H.3, F.4): what must hold before a node goes down and again
 * after it is back, before the next one. A gate answers true, or in words why not yet.
 */
export interface Gate {
  name: string;
  /** How long the rollout waits for the gate to hold before it stops. */
  timeoutMs: number;
  check(): Promise<true | string>;
  /** Called just before a node goes down: a gate may remember what it saw, to insist on a fresher answer after. */
  mark?(): Promise<void>;
}

/** The talosctl call the etcd gate needs (Talosctl.etcdMembers). */
export interface EtcdMembersSource {
  etcdMembers(opts: { talosconfig: string; node: string }): Promise<EtcdMembersAnswer>;
}

export interface ControlPlaneNode {
  /** The hostname, which is also the etcd member name (F.4). */
  name: string;
  address: string;
}

/**
 * etcd holds when every control plane's own etcd answers `etcd members` (its local client: the member runs)
 * and they all list the same members, one per control plane (a split cluster shows as differing lists, F.4).
 * The member list is a linearizable read in etcd 3.5+, so an answer also means the cluster has quorum.
 */
export function etcdGate(opts: {
  talosctl: EtcdMembersSource;
  talosconfig: string;
  controlPlanes: ControlPlaneNode[];
  timeoutMs: number;
}): Gate {
  return {
    name: 'etcd',
    timeoutMs: opts.timeoutMs,
    async check() {
      const views: { node: string; ids: string[]; hostnames: string[] }[] = [];
      for (const cp of opts.controlPlanes) {
        const answer = await opts.talosctl.etcdMembers({ talosconfig: opts.talosconfig, node: cp.address });
        if ('unknown' in answer) return `etcd on ${cp.name} does not answer: ${answer.unknown}`;
        views.push({
          node: cp.name,
          ids: answer.members.map((member) => member.id).sort(),
          hostnames: answer.members.map((member) => member.hostname),
        });
      }
      for (const view of views) {
        const missing = opts.controlPlanes.filter((cp) => !view.hostnames.includes(cp.name));
        if (missing.length > 0)
          return `${view.node} sees no etcd member for ${missing.map((cp) => cp.name).join(', ')}`;
        if (view.ids.length !== opts.controlPlanes.length)
          return `${view.node} sees ${view.ids.length} etcd members, expected ${opts.controlPlanes.length}`;
      }
      const [first, ...others] = views;
      const differing = others.find((view) => view.ids.join() !== first?.ids.join());
      if (first && differing)
        return `${first.node} and ${differing.node} see different etcd members (split?)`;
      return true;
    },
  };
}

/** The kubectl call the Ceph gate needs (Kubectl.getObject). */
export interface CephClusterSource {
  getObject(kind: string, name: string, namespace: string): Promise<Record<string, unknown> | undefined>;
}

/**
 * Ceph holds when Rook's CephCluster reports HEALTH_OK with phase Ready, or when there is no CephCluster yet. Ceph raises PG_DEGRADED or
 * PG_AVAILABILITY while placement groups are not active+clean, so HEALTH_OK also means every PG is clean
 * (H.3 "Health"); the CR carries no PG states of its own.
 *
 * Policy for H.4: HEALTH_WARN whose only check is RECENT_CRASH is accepted (and said in the detail), not
 * archived: archiving needs `ceph crash archive-all` in a pod with the admin key, and would hide the crash
 * from whoever looks next. Node kills during a rollout often leave such a crash behind.
 *
 * Rook refreshes the CR's health about once a minute, so after a node was down the gate waits for a
 * `lastChecked` other than the one seen before it went down: an old HEALTH_OK proves nothing.
 *
 * noout: Rook runs `ceph osd set-group noout <host>` itself on the failure domain of a draining node
 * and unsets it when the drain ends or after osdMaintenanceTimeout (H.2, chart default
 * managePodBudgets: true), so the rollout does not set it.
 */
export function cephGate(opts: { cluster: string; kubectl: CephClusterSource; timeoutMs: number }): Gate {
  let before: string | undefined;
  const read = () => opts.kubectl.getObject('cephclusters.ceph.rook.io', 'rook-ceph', ROOK_NAMESPACE);
  return {
    name: 'Ceph',
    timeoutMs: opts.timeoutMs,
    async mark() {
      before = lastChecked(await read());
    },
    async check() {
      const object = await read();
      if (!object) return true; // no Ceph deployed yet (a run killed before storage): nothing to protect
      const checked = lastChecked(object);
      if (before !== undefined && checked === before) return `Ceph health not checked again since ${before}`;
      const status = cephStatus(opts.cluster, object);
      if (status.phase !== 'Ready') return `CephCluster phase ${status.phase}`;
      if (status.health === 'HEALTH_OK') return true;
      const codes = status.details.map((detail) => detail.split(':')[0]);
      if (
        status.health === 'HEALTH_WARN' &&
        codes.length > 0 &&
        codes.every((code) => code === 'RECENT_CRASH')
      )
        return true;
      return `${status.health}${status.details.length > 0 ? `: ${status.details.join('; ')}` : ''}`;
    },
  };
}

function lastChecked(object: Record<string, unknown> | undefined): string | undefined {
  const status = object?.status as { ceph?: { lastChecked?: unknown } } | undefined;
  const value = status?.ceph?.lastChecked;
  return typeof value === 'string' ? value : undefined;
}
