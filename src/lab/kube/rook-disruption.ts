import { get } from '../talos/yaml-docs.js';
import type { CephView } from './ceph.js';
import type { KubeNode } from './clusters.js';
import { within } from './node-state.js';
import type { StoredObject } from './objects.js';
import { namespaceOf } from './objects.js';

/**
 * Rook's managed disruption budgets (LIFECYCLE H.2, ROOK `pkg/operator/ceph/disruption/clusterdisruption/
 * osd.go`, `cluster/mon/drain.go`, `cluster/mgr/drain.go`), with `disruptionManagement.managePodBudgets`:
 * a mon PDB (maxUnavailable 1, 2 from five mons; none with two mons or fewer), a mgr PDB with more than one
 * mgr, and for the OSDs either the default PDB `rook-ceph-osd` (maxUnavailable 1) or, while a draining
 * (unschedulable) host has an OSD down, blocking PDBs `rook-ceph-osd-host-<host>` (maxUnavailable 0) for
 * every other host, until the OSDs are back and the PGs clean. The draining host gets `noout`
 * (`ceph osd set-group noout <host>`) until its OSDs are back or osdMaintenanceTimeout runs out.
 */

/** A PodDisruptionBudget Rook keeps, before the API server's metadata and status. */
export interface RookBudget {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  maxUnavailable: number;
  createdAt: number;
}

/** An OSD down on a host that was draining when it stopped; the PGs are clean again at `cleanAt`. */
interface DrainSpell {
  host: string;
  from: number;
  backAt: number;
  cleanAt: number;
}

/** Rook's default osdMaintenanceTimeout, minutes (cluster values line 401). */
const OSD_MAINTENANCE_TIMEOUT_MINUTES = 30;

type Ms = (seconds: number) => number;

const managed = (stored: StoredObject) =>
  get(stored.object, 'spec.disruptionManagement.managePodBudgets') === true;

/** Every spell an OSD was down since a drain stopped it (its host unschedulable then). */
function drainSpells(view: CephView, nodes: KubeNode[], recoveryMs: number): DrainSpell[] {
  return view.osds.flatMap((osd) => {
    const node = nodes.find((candidate) => candidate.name === osd.node);
    return osd.ups
      .filter((up) => Number.isFinite(up.until) && node !== undefined && within(node.cordons, up.until))
      .map((up) => {
        const backAt = osd.ups.find((later) => later.from >= up.until)?.from ?? Infinity;
        return { host: osd.node, from: up.until, backAt, cleanAt: backAt + recoveryMs };
      });
  });
}

/** Hosts with Rook's noout flag at `now`. */
export function nooutHosts(
  stored: StoredObject,
  view: CephView,
  nodes: KubeNode[],
  now: number,
  ms: Ms,
): string[] {
  if (!managed(stored)) return [];
  const minutes = Number(get(stored.object, 'spec.disruptionManagement.osdMaintenanceTimeout') ?? 0);
  const timeout = ms(60 * (minutes > 0 ? minutes : OSD_MAINTENANCE_TIMEOUT_MINUTES));
  const spells = drainSpells(view, nodes, 0).filter(
    (spell) => spell.from <= now && now < Math.min(spell.backAt, spell.from + timeout),
  );
  return [...new Set(spells.map((spell) => spell.host))].sort();
}

/** The PDBs Rook keeps for the CephCluster at `now`. */
export function rookBudgets(
  stored: StoredObject,
  view: CephView,
  nodes: KubeNode[],
  now: number,
  recoveryMs: number,
): RookBudget[] {
  if (!managed(stored)) return [];
  const namespace = namespaceOf(stored) ?? 'rook-ceph';
  const budget = (
    name: string,
    selector: Record<string, string>,
    maxUnavailable: number,
    createdAt: number,
  ) => ({
    namespace,
    name,
    selector,
    maxUnavailable,
    createdAt,
  });
  const upAts = (daemons: { upAt?: number }[]) => daemons.map((daemon) => daemon.upAt ?? Infinity);
  const monsUp = Math.max(...upAts(view.mons));
  const mgrsUp = Math.min(...upAts(view.mgrs));
  const budgets: RookBudget[] = [
    ...(view.mons.length > 2 && monsUp <= now
      ? [budget('rook-ceph-mon-pdb', { app: 'rook-ceph-mon' }, view.mons.length >= 5 ? 2 : 1, monsUp)]
      : []),
    ...(view.mgrs.length > 1 && mgrsUp <= now
      ? [budget('rook-ceph-mgr-pdb', { app: 'rook-ceph-mgr' }, 1, mgrsUp)]
      : []),
  ];
  if (view.readyAt === undefined || now < view.readyAt) return budgets;
  const spells = drainSpells(view, nodes, recoveryMs);
  const active = spells.filter((spell) => spell.from <= now && now < spell.cleanAt);
  if (active.length === 0) {
    const since = Math.max(view.readyAt, ...spells.map((spell) => spell.cleanAt).filter((at) => at <= now));
    return [...budgets, budget('rook-ceph-osd', { app: 'rook-ceph-osd' }, 1, since)];
  }
  const draining = new Set(active.map((spell) => spell.host));
  const since = Math.min(...active.map((spell) => spell.from));
  const hosts = [...new Set(view.osds.map((osd) => osd.node))].filter((host) => !draining.has(host)).sort();
  return [
    ...budgets,
    ...hosts.map((host) =>
      budget(
        `rook-ceph-osd-host-${host}`,
        { app: 'rook-ceph-osd', 'topology-location-host': host },
        0,
        since,
      ),
    ),
  ];
}
