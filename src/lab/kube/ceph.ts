import type { Doc } from '../talos/yaml-docs.js';
import { get, getString } from '../talos/yaml-docs.js';
import type { CephPlan, CephOsd } from './ceph-plan.js';
import { cephPlan, MON_CANARY_WAIT_SECONDS } from './ceph-plan.js';
import {
  boundPods,
  daemonName,
  daemonUid,
  monsPlaced,
  plannedClusters,
  rookOperatorStartedAt,
} from './ceph-pods.js';
import type { CephReconcile, DaemonSlot } from './ceph-reconciles.js';
import { goDurationMs } from '../talos/time-sync.js';
import { blockPoolRefusal, healthChecks } from './ceph-health.js';
import type { KubeClusters } from './clusters.js';
import type { Interval } from './node-state.js';
import { within } from './node-state.js';
import { byKind } from './kinds.js';
import type { StoredObject } from './objects.js';
import { namespaceOf } from './objects.js';
import type { PodPlan } from './pod-plans.js';
import { CEPH_IMAGE } from './rook-charts.js';
import type { Sweep } from './sweep.js';
import { clusterSweep, sweepPods } from './sweep.js';

export type { CephOsd } from './ceph-plan.js';
export { fsidOf } from './ceph-plan.js';
export { blockPoolRefusal };

/**
 * What the Rook operator and Ceph make of a CephCluster (CONTRACTS D), computed from Rook's plan
 * (ceph-plan.ts) and from where the scheduler bound the daemons' pods (sweep.ts): nothing before the
 * operator runs; then version detection, the mons, the mgrs and the OSDs, each up only once its pod runs
 * on a node; then Ceph's health checks from the daemons that are up. Every refusal carries Rook's or
 * Ceph's own text.
 */

const CEPH_VERSION = 'ceph version 19.2.3 (c92aebb279828e9c3c1f5d24613efca272649e62) squid (stable)';

export interface CephDaemon {
  name: string;
  /** When a smaller count made Rook remove it (it has left the monmap / mgr map). */
  removedAt?: number;
  node?: string;
  /** When it first joined (mons: quorum); undefined while its pod cannot be placed. */
  upAt?: number;
  /** When it was up: its first pod from upAt, each later one (after a node outage) once ready. */
  ups: Interval[];
}

export type CephOsdView = CephOsd & { ups: Interval[] };

/** A later reconcile as the CR shows it: its steps, when it is done, or why it stopped. */
export interface ReconcileView {
  generation: number;
  at: number;
  steps: [number, string][];
  readyAt: number;
  error?: { at: number; message: string };
}

/** The daemon is up at `at`. */
export const isUp = (daemon: { ups: Interval[] }, at: number) => within(daemon.ups, at);

export interface CephView {
  fsid: string;
  /** The operator's first reconcile of this CephCluster. */
  startedAt: number;
  /** Progressing steps: [from, message], in order. */
  steps: [number, string][];
  /** "Cluster created successfully": the OSD prepare jobs finished. */
  readyAt?: number;
  /** The reconcile failed: from then on Rook reports this (phase Progressing, state Error). */
  error?: { at: number; message: string };
  /** The spec generation the creation reconciled, and the reconciles of the generations applied since. */
  generation: number;
  reconciles: ReconcileView[];
  mons: CephDaemon[];
  mgrs: CephDaemon[];
  osds: CephOsdView[];
  /** The OSD prepare job's log per storage node (what `kubectl logs job/rook-ceph-osd-prepare-<node>` shows). */
  prepareLogs: Record<string, string[]>;
}

/** The operator's view of one CephCluster now, or undefined before the operator has reconciled it. */
export function cephView(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): CephView | undefined {
  const sweep = clusterSweep(kube, clusterId, now);
  const pods = sweepPods(sweep);
  if (rookOperatorStartedAt(pods, now) === undefined) return undefined;
  const planned = plannedClusters(kube, clusterId, pods, now).find(
    (entry) => entry.stored.uid === stored.uid,
  );
  const plan = planned?.plan ?? refusedPlan(kube, clusterId, stored, pods, now);
  if (!plan || now < plan.startedAt) return undefined;
  const view: CephView = {
    fsid: plan.fsid,
    startedAt: plan.startedAt,
    steps: [[plan.startedAt, 'Detecting Ceph version']],
    mons: [],
    mgrs: [],
    osds: [],
    prepareLogs: {},
    generation: plan.generation,
    reconciles: [],
  };
  if (plan.refusal) return { ...view, error: { at: plan.startedAt, message: plan.refusal } };
  orchestrate(kube, sweep, view, plan, stored);
  if (view.readyAt !== undefined && now >= view.readyAt) recordOsdDisks(kube, view);
  return view;
}

/** The plan of a CephCluster Rook refused before creating anything (plannedClusters leaves those out). */
function refusedPlan(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  pods: PodPlan[],
  now: number,
): CephPlan | undefined {
  const operator = rookOperatorStartedAt(pods, now);
  if (operator === undefined) return undefined;
  return cephPlan(kube, clusterId, stored, operator, now);
}

/**
 * Where the scheduler bound a daemon's first pod and how long after its creation, and when the daemon
 * was up: the first pod from the plan's time (plus that delay, unless the plan counted the binding
 * already) until it stopped, each replacement (a node outage, an eviction) from when it is ready until it
 * stops.
 */
function bound(
  pods: PodPlan[],
  namespace: string,
  uid: string,
  plannedUpAt: number,
  plannedAfterBinding = false,
): { node: string; delay: number; upAt: number; ups: Interval[] } | undefined {
  const mine = boundPods(pods, namespace, uid);
  const first = mine[0];
  if (!first) return undefined;
  const delay = plannedAfterBinding ? 0 : first.times.scheduledAt - first.createdAt;
  const ups = mine
    .map((pod, i) => ({
      from: i === 0 ? plannedUpAt + delay : pod.times.readyAt,
      until: pod.deletedAt ?? Infinity,
    }))
    .filter((up) => up.from < up.until);
  return { node: first.times.node!.name, delay, upAt: plannedUpAt + delay, ups };
}

/** Rook's reconcile as it went: the mons (all bound within the canary wait), the mgrs, then the OSDs. */
function orchestrate(
  kube: KubeClusters,
  sweep: Sweep,
  view: CephView,
  plan: CephPlan,
  stored: StoredObject,
): void {
  const { cluster } = sweep;
  const namespace = namespaceOf(stored) ?? 'rook-ceph';
  const pods = sweepPods(sweep);
  const now = cluster.now;
  const daemon = (kind: string, slot: DaemonSlot): CephDaemon => {
    const name = daemonName(kind, slot.id);
    // The creation's mons start once all their pods are bound (cephPlan): their plan counts the binding.
    const creationMon = kind === 'mon' && slot.generation === plan.generation;
    const placed = bound(pods, namespace, daemonUid(stored, name, plan, slot), slot.upAt, creationMon);
    const removed = slot.removedAt === undefined ? {} : { removedAt: slot.removedAt };
    const common = { name: `${kind}.${slot.id}`, ...removed };
    return placed
      ? { ...common, node: placed.node, upAt: placed.upAt, ups: placed.ups }
      : { ...common, ups: [] };
  };
  // The daemons in Ceph's maps now: created by now and not removed since.
  const current = (slot: DaemonSlot) => slot.createdAt <= now && !(slot.removedAt! <= now);
  view.steps.push([plan.monsAt, 'Configuring Ceph Mons']);
  view.mons = plan.mons.filter(current).map((slot) => daemon('mon', slot));
  if (!monsPlaced(cluster, plan, namespace, pods, plan.monsAt, true)) {
    // All canaries must be scheduled before any mon starts; Rook gives up after the canary wait.
    view.mons = view.mons.map((mon) => ({
      name: mon.name,
      ups: [],
      ...(mon.node ? { node: mon.node } : {}),
    }));
    view.error = { at: plan.monsAt + kube.talos.ms(MON_CANARY_WAIT_SECONDS), message: MONS_UNSCHEDULED };
    return;
  }
  view.steps.push([plan.mgrsAt, 'Configuring Ceph Mgr(s)']);
  view.mgrs = plan.mgrs.filter(current).map((slot) => daemon('mgr', slot));
  view.steps.push([plan.mgrUpAt, 'Configuring Ceph OSDs']);
  view.readyAt = plan.readyAt;
  view.prepareLogs = plan.prepareLogs;
  view.osds = plan.osds.map((osd) => {
    const placed = bound(
      pods,
      namespace,
      daemonUid(stored, daemonName('osd', String(osd.id)), plan, { createdAt: osd.createdAt }),
      osd.upAt,
    );
    // An OSD whose pod finds no node never boots: it stays down.
    return { ...osd, upAt: placed?.upAt ?? Infinity, ups: placed?.ups ?? [] };
  });
  view.reconciles = plan.reconciles
    .filter((step) => step.at <= now)
    .map((step) => reconcileView(kube, cluster, plan, namespace, pods, step));
}

const MONS_UNSCHEDULED =
  'failed to create cluster: failed to start ceph monitors: failed to assign pods to mons: failed to schedule mons';

function reconcileView(
  kube: KubeClusters,
  cluster: Sweep['cluster'],
  plan: CephPlan,
  namespace: string,
  pods: PodPlan[],
  step: CephReconcile,
): ReconcileView {
  const steps: [number, string][] = [
    [step.at, 'Configuring Ceph Mons'],
    [step.mgrsAt, 'Configuring Ceph Mgr(s)'],
    [step.mgrUpAt, 'Configuring Ceph OSDs'],
  ];
  const base = { generation: step.generation, at: step.at, steps, readyAt: step.readyAt };
  if (step.refusal) return { ...base, error: { at: step.at, message: step.refusal } };
  if (!monsPlaced(cluster, plan, namespace, pods, step.monsAt, true))
    return {
      ...base,
      readyAt: Infinity,
      error: { at: step.monsAt + kube.talos.ms(MON_CANARY_WAIT_SECONDS), message: MONS_UNSCHEDULED },
    };
  return base;
}

/** Once prepared, an OSD's bluestore label stays on its disk: a later Ceph cluster finds it taken. */
function recordOsdDisks(kube: KubeClusters, view: CephView): void {
  for (const osd of view.osds) {
    if (!kube.cephDisk(osd.diskKey))
      kube.claimCephDisk(osd.diskKey, { fsid: view.fsid, osdId: osd.id, osdUuid: osd.uuid });
  }
}

/** RFC 3339 in seconds, as metav1.Time serialises. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function condition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  since: number,
  now: number,
) {
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime: rfc3339(since),
  };
}

/** Daemons up now, by version, as `ceph versions` reports them (Rook leaves empty maps out). */
function versions(view: CephView, now: number): Doc {
  const up = (list: { ups: Interval[] }[]) => list.filter((daemon) => isUp(daemon, now)).length;
  const counts = { mon: up(view.mons), mgr: up(view.mgrs), osd: up(view.osds) };
  const total = counts.mon + counts.mgr + counts.osd;
  return Object.fromEntries(
    [...Object.entries(counts), ['overall', total] as const]
      .filter(([, n]) => n > 0)
      .map(([daemon, n]) => [daemon, { [CEPH_VERSION]: n }]),
  );
}

/** The CephCluster `status` Rook writes: phase, state, message, conditions and (once created) ceph health. */
export function cephClusterStatus(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): Doc {
  const view = cephView(kube, clusterId, stored, now);
  if (!view) return {};
  if (view.error && now >= view.error.at) {
    return {
      phase: 'Progressing',
      state: 'Error',
      message: view.error.message,
      conditions: [
        condition('Progressing', 'False', 'ClusterProgressing', view.error.message, view.error.at, now),
      ],
    };
  }
  if (view.readyAt === undefined || now < view.readyAt) {
    const [since, message] = view.steps.filter(([at]) => at <= now).pop() ?? view.steps[0] ?? [now, ''];
    return {
      phase: 'Progressing',
      state: 'Creating',
      message,
      conditions: [condition('Progressing', 'True', 'ClusterProgressing', message, since, now)],
    };
  }
  // Rook refreshes the CR's Ceph health every healthCheck.daemonHealth.status.interval (default 60s,
  // ROOK Documentation/CRDs/Cluster/ceph-cluster-crd.md): what it shows is as of its last check.
  const every =
    goDurationMs(getString(stored.object, 'spec.healthCheck.daemonHealth.status.interval') ?? '') ?? 60_000;
  const interval = kube.talos.ms(every / 1000);
  const checkedAt = view.readyAt + Math.floor((now - view.readyAt) / interval) * interval;
  const checks = healthChecks(kube, clusterId, stored, view, kube.nodes(clusterId, checkedAt), checkedAt);
  const details = Object.fromEntries(
    Object.entries(checks).map(([code, message]) => [code, { message, severity: 'HEALTH_WARN' }]),
  );
  const created = 'Cluster created successfully';
  const done = view.reconciles.filter((step) => step.readyAt <= now).pop();
  const ready = condition('Ready', 'True', 'ClusterCreated', created, done?.readyAt ?? view.readyAt, now);
  const common = {
    ceph: {
      health: Object.keys(checks).length === 0 ? 'HEALTH_OK' : 'HEALTH_WARN',
      ...(Object.keys(details).length > 0 ? { details } : {}),
      fsid: view.fsid,
      lastChecked: rfc3339(checkedAt),
      versions: versions(view, checkedAt),
    },
    version: { image: CEPH_IMAGE, version: '19.2.3-0' },
    // Rook writes it when a reconcile succeeds: a spec still being reconciled shows the one before.
    observedGeneration: done?.generation ?? view.generation,
  };
  const running = view.reconciles.at(-1);
  if (running && now < running.readyAt) return { ...reconcileStatus(running, ready, now), ...common };
  return { phase: 'Ready', state: 'Created', message: created, conditions: [ready], ...common };
}

/** A reconcile of a later generation in flight: Progressing with its step, or with the error that stopped it. */
function reconcileStatus(running: ReconcileView, ready: Doc, now: number): Doc {
  if (running.error && now >= running.error.at) {
    const { message, at } = running.error;
    return {
      phase: 'Progressing',
      state: 'Error',
      message,
      conditions: [ready, condition('Progressing', 'False', 'ClusterProgressing', message, at, now)],
    };
  }
  const [since, message] = running.steps.filter(([at]) => at <= now).pop() ?? running.steps[0]!;
  return {
    phase: 'Progressing',
    state: 'Creating',
    message,
    conditions: [ready, condition('Progressing', 'True', 'ClusterProgressing', message, since, now)],
  };
}

/** The CephBlockPool `status`: nothing until its CephCluster is created, then Ready, or Failure when refused. */
export function cephBlockPoolStatus(
  kube: KubeClusters,
  clusterId: string,
  stored: StoredObject,
  now: number,
): Doc {
  const cluster = kube.objects(clusterId).list(byKind('CephCluster'), namespaceOf(stored))[0];
  const view = cluster && cephView(kube, clusterId, cluster, now);
  if (!view || view.readyAt === undefined || now < view.readyAt || (view.error && now >= view.error.at))
    return {};
  if (blockPoolRefusal(stored)) return { phase: 'Failure' };
  const spec = stored.object.spec;
  return {
    phase: 'Ready',
    info: {
      failureDomain: getString(spec, 'failureDomain') ?? 'host',
      type: get(spec, 'erasureCoded') === undefined ? 'Replicated' : 'ErasureCoded',
    },
    observedGeneration: stored.generation,
  };
}
