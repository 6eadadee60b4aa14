import { TIME_PROFILES } from '../src/lab/profile.js';
import { Events } from './event-chain.js';
import type { UpgradeNode, UpgradeWork } from './upgrade-work.js';

/**
 * A lower bound, in seconds of lab time (profile `realistic`, unscaled), on converging a running twin to
 * newer releases by rolling upgrades: the README's path (`twin up` at last year's releases, then
 * `twin up examples/twin.yaml`). The WHAT is the product's (upgrade-work.ts): Talos hops, PVE reboots for new
 * cores or memory, upgrade-k8s runs, Cilium's upgrade, the Star Wars checks `up` ends with. The HOW LONG is
 * the lab's own durations, for an ideal orchestrator (tool calls and polls cost nothing) under the
 * constraints that keep the twin available, which the lab enforces:
 * - etcd quorum: one control plane at a time; the next one's upgrade is accepted only once every member's
 *   etcd runs again (talosctl-upgrade.ts validateEtcd, `ValidateForUpgrade`; etcd.ts upAt: with the kubelet);
 * - Ceph: one OSD host down at a time, the next only once Ceph is HEALTH_OK again: while a drained host's OSD
 *   is down and until its PGs are clean, Rook's PDBs refuse evicting any other OSD (rook-disruption.ts), and
 *   Talos' drain and kubectl drain retry until then (`up` has no Ceph gate of its own: it converges with
 *   scope rook false, src/twin/apply.ts). Talos' drain gives up after 5 minutes (talos-drain.ts): not used;
 * - one action at a time per node: the next starts once the node is back (its kubelet runs);
 * - `upgrade-k8s` to a minor once every node runs a Talos that takes it (talosctl-k8s.ts
 *   verifyCompatibility), after the minor before; the Kubernetes minor the running Cilium is not tested with
 *   after Cilium's upgrade (the product's order, sequence.ts rule 5);
 * - the checks after the last change (a node back, upgrade-k8s); Ceph's last recovery may end after them.
 * Everything else may overlap: the clusters (nothing is shared but the PVE nodes, whose reboots take no
 * lock of each other), the control planes with the OSD hosts, upgrade-k8s with node reboots (it only patches
 * configs, talosctl-k8s.ts), Cilium's upgrade with all of it (nodes stay Ready while agents are replaced,
 * clusters.ts). An OSD host may keep Ceph's outage open across several of its actions (drained once,
 * uncordoned after the last): which actions share one outage, and the order of the outages, is searched.
 *
 * Relaxed, so the bound stays below what the lab allows: a node's next action starts the instant it is back
 * (a Talos upgrade would also wait for apid and the installer pull: 4 s more); control planes drain nothing;
 * upgrade-k8s waits only for every node's apid on the new release, and skips its image pre-pull
 * (`--pre-pull-images=false`); the kubelet waits only for the CRI (time may sync sooner); Cilium starts at 0;
 * an OSD's new pod binds the instant its host is back. Not counted, though `up` does it: observing the
 * layers, the new release's boot image (only new VMs boot it), the mesh and day-2 stages but for the Star
 * Wars failover. Not allowed, though the lab would take it: a PVE reboot that overtakes a Talos upgrade once
 * its installer ran (the node boots the new release with the new memory: lifecycle.ts installedRelease), one
 * hop v1.11 -> v1.13 (the lab's pre-flight takes it, releases.ts; the product goes one minor at a time).
 */

const T = TIME_PROFILES.realistic.seconds;
/** talosctl-upgrade.ts upgradeRequest: the node pulls the installer before it answers; the first one waits. */
const PULL = T.talosInstallerPull;
/** lifecycle.ts planUpgrade, after the drain: StopAllPods and stop phases, installer, kexec, boot to apid. */
const TALOS_APID = T.talosStopPods + T.talosInstall + T.talosKexecReboot + T.talosBoot;
/**
 * power.ts rebootVm: the qmreboot worker, the guest's ACPI power-off, qmeventd's qmstart worker and the QEMU
 * start (which applies the pending memory), then Talos boots (nodes.ts: a power boot takes talosBoot).
 */
const PVE_APID = 2 * T.workerStart + T.guestShutdown + T.vmStart + T.talosBoot;
/** node-boots.ts startup: the kubelet starts with the CRI and time sync; CRI alone (time may sync sooner). */
const KUBELET = T.talosCriStart;
/** talos-drain.ts, kubectl-drain.ts: evicted pods terminate before the node goes down. */
const DRAIN = T.podTerminate;
/** Node back to Ceph clean: the OSD's new pod binds, pulls and starts (pod-start.ts), then recovery. */
const OSD_RETURN = T.imagePull + T.podStart + T.cephRecovery;
/** day2.ts Star Wars failover (as critical-path.ts): an exec, then rebel-base's new pods ready. */
const CHECKS = T.execSetup + T.imagePull + T.podStart;
/** Enumerated OSD orders are pruned; past this many hosts per cluster the search is refused. */
const MAX_OSD_HOSTS = 4;

export interface UpgradeBound {
  seconds: number;
  /** The chain of events that sets the bound, lab seconds. */
  path: { event: string; at: number }[];
  /** When each part of the slowest cluster ends; `osdOutages`: its OSD hosts' outages in order. */
  parts: Record<string, number>;
  osdOutages: string[];
}

// ---- one node's actions -----------------------------------------------------------------------------------

/** A Talos hop (its index), or the PVE reboot (-1). */
type Action = number;
const PVE = -1;
const apidAfter = (action: Action) => (action === PVE ? PVE_APID : TALOS_APID);
const backAfter = (action: Action) => apidAfter(action) + KUBELET;

function actionName(work: UpgradeWork, action: Action): string {
  return action === PVE ? 'PVE reboot (cores/memory)' : `Talos ${work.talosHops[action]}`;
}

/** A node's actions: its hops in order, with its PVE reboot (if any) at `pveAt`. */
function actionsOf(node: UpgradeNode, hops: number, pveAt: number): Action[] {
  const actions = Array.from({ length: hops }, (_, hop) => hop);
  if (node.resize) actions.splice(pveAt, 0, PVE);
  return actions;
}

/**
 * Actions back to back from `start` (the first one's drain included when `drained`): when each one's node
 * answers Talos again (apid) and when it is back (its kubelet runs).
 */
function runActions(actions: Action[], start: number, drained: boolean) {
  let at = start + (drained ? DRAIN : 0);
  return actions.map((action) => {
    const apid = at + apidAfter(action);
    at += backAfter(action);
    return { action, apid, back: at };
  });
}

/** The first action waits for its installer pull unless it is a PVE reboot. */
const firstStart = (actions: Action[]) => (actions[0] === PVE ? 0 : PULL);

// ---- the chains of events ---------------------------------------------------------------------------------

/** What later steps wait for: each Talos hop's apid events, and the last event of each chain. */
interface Marks {
  hops: number[][];
  ends: number[];
}

/** Runs `actions` of `node` from the event `after` (or `start`): records apid and back events. */
function record(
  ev: Events,
  work: UpgradeWork,
  marks: Marks,
  item: { node: string; actions: Action[]; after: number | undefined; start: number; drained: boolean },
): number {
  let via = item.after;
  for (const run of runActions(item.actions, item.start, item.drained)) {
    const what = actionName(work, run.action);
    if (run.action !== PVE)
      marks.hops[run.action]!.push(ev.add(`${item.node}: ${what} answers`, run.apid, via));
    via = ev.add(`${item.node}: back from ${what}`, run.back, via);
  }
  return via!;
}

/**
 * The control planes, one at a time (etcd): every hop on each in turn, then the PVE reboots (which leaves each
 * hop done as early as can be; the chain's length is the same in any order). The first installer pull is not
 * counted when a control plane reboots through PVE (that reboot could go first).
 */
function controlPlanes(ev: Events, work: UpgradeWork, nodes: UpgradeNode[], marks: Marks): void {
  const order = [
    ...work.talosHops.flatMap((_, hop) => nodes.map((node) => ({ node, action: hop }))),
    ...nodes.filter((node) => node.resize).map((node) => ({ node, action: PVE })),
  ];
  const start = nodes.some((node) => node.resize) ? 0 : firstStart([order[0]?.action ?? PVE]);
  let last: number | undefined;
  for (const { node, action } of order) {
    last = record(ev, work, marks, {
      node: node.name,
      actions: [action],
      after: last,
      start: last === undefined ? start : ev.at(last),
      drained: false,
    });
  }
  if (last !== undefined) marks.ends.push(last);
}

/** A worker without an OSD: nothing waits for it but its own actions, the first from the start. */
function freeWorker(ev: Events, work: UpgradeWork, node: UpgradeNode, marks: Marks): void {
  const actions = actionsOf(node, work.talosHops.length, 0);
  if (actions.length === 0) return;
  const start = firstStart(actions);
  marks.ends.push(
    record(ev, work, marks, { node: node.name, actions, after: undefined, start, drained: false }),
  );
}

/**
 * Cilium from the start: pre-flight (helm, then its pods pull the new image and start, pod-start.ts), the
 * upgrade (helm), its agents replaced two nodes at a time (cilium-rollout.ts maxUnavailable 2), each starting
 * without the image pull the pre-flight did; the operator's two replicas one at a time.
 */
function ciliumSeconds(work: UpgradeWork, nodes: number): number | undefined {
  if (!work.cilium) return undefined;
  const preflight = work.cilium.preflight ? T.helmInstall + T.imagePull + T.podStart : 0;
  const agent = T.ciliumAgentStart - (work.cilium.preflight ? T.ciliumImagePull : 0);
  const rollout = Math.max(Math.ceil(nodes / 2) * agent, Math.min(2, nodes) * T.ciliumOperatorStart);
  return preflight + T.helmInstall + rollout;
}

/** talosctl-k8s.ts without the optional image pre-pull: each static pod on each control plane, each kubelet. */
function kubernetesSeconds(nodes: UpgradeNode[]): number {
  const controlPlanes = nodes.filter((node) => node.role === 'controlplane').length;
  return 3 * controlPlanes * T.kubeStaticPodUpdate + nodes.length * T.kubeletRestart + T.kubeManifestsSync;
}

// ---- the OSD hosts: which actions share an outage, and the outages' order -------------------------------

/** One Ceph outage: host `host`'s next actions up to (not including) index `to`. */
interface Outage {
  host: number;
  to: number;
}

/** The OSD hosts' Ceph outages back to back: each action's apid and back, each outage's end (Ceph clean). */
function runOutages(hosts: Action[][], outages: Outage[], visit?: (o: Outage, start: number) => void) {
  const progress = hosts.map(() => 0);
  const hopDone: number[] = [];
  let clean = 0;
  outages.forEach((outage, index) => {
    const actions = hosts[outage.host]!.slice(progress[outage.host], outage.to);
    const start = index === 0 ? firstStart(actions) : clean;
    visit?.(outage, start);
    const runs = runActions(actions, start, true);
    for (const run of runs.filter((r) => r.action !== PVE))
      hopDone[run.action] = Math.max(hopDone[run.action] ?? 0, run.apid);
    clean = runs.at(-1)!.back + OSD_RETURN;
    progress[outage.host] = outage.to;
  });
  return { hopDone, clean };
}

/** Plans compared: the earlier end, then (on a tie, as when upgrade-k8s sets it) the earlier Ceph clean. */
const better = (a: { end: number; clean: number }, b: { end: number; clean: number }) =>
  a.end < b.end - 1e-9 || (a.end < b.end + 1e-9 && a.clean < b.clean - 1e-9);

/** Every way to split each host's actions into outages and to order them; the best for `finish`. */
function searchOutages(hosts: Action[][], finish: (hopDone: number[], osdEnd: number) => number) {
  let best = { end: Infinity, clean: Infinity, outages: [] as Outage[] };
  const progress = hosts.map(() => 0);
  const outages: Outage[] = [];
  const left = () =>
    hosts.reduce((sum, actions, i) => {
      const rest = actions.slice(progress[i]);
      return rest.length === 0 ? sum : sum + DRAIN + OSD_RETURN + rest.reduce((s, a) => s + backAfter(a), 0);
    }, 0);
  const same = (a: Action[], b: Action[]) => a.join() === b.join();
  const visit = (clean: number) => {
    if (progress.every((p, i) => p === hosts[i]!.length)) {
      const end = finish(runOutages(hosts, outages).hopDone, clean);
      if (better({ end, clean }, best)) best = { end, clean, outages: [...outages] };
      return;
    }
    if (clean + left() >= best.end) return;
    hosts.forEach((actions, i) => {
      const from = progress[i]!;
      // Hosts with the same actions at the same point are interchangeable: try the first only.
      if (hosts.some((other, j) => j < i && progress[j] === from && same(other, actions))) return;
      for (let to = from + 1; to <= actions.length; to++) {
        progress[i] = to;
        outages.push({ host: i, to });
        visit(runOutages(hosts, outages).clean);
        outages.pop();
        progress[i] = from;
      }
    });
  };
  visit(0);
  return best;
}

/** Where each host's PVE reboot goes among its hops: every choice, identical hosts in non-decreasing order. */
function pvePlacements(hosts: UpgradeNode[], hops: number): number[][] {
  const choices: number[][] = [[]];
  hosts.forEach((host, i) => {
    const options = host.resize ? Array.from({ length: hops + 1 }, (_, at) => at) : [0];
    const next = choices.flatMap((chosen) =>
      options
        .filter((at) => i === 0 || hosts[i - 1]!.resize !== host.resize || at >= chosen[i - 1]!)
        .map((at) => [...chosen, at]),
    );
    choices.splice(0, choices.length, ...next);
  });
  return choices;
}

/** The OSD hosts' best plan for `finish`: their actions (PVE reboot placed) and their outages in order. */
function osdPlan(work: UpgradeWork, hosts: UpgradeNode[], finish: (done: number[], end: number) => number) {
  if (hosts.length > MAX_OSD_HOSTS)
    throw new RangeError(`upgradeBound searches at most ${MAX_OSD_HOSTS} OSD hosts per cluster`);
  const ordered = [...hosts].sort((a, b) => Number(a.resize) - Number(b.resize));
  const plans = pvePlacements(ordered, work.talosHops.length).map((placement) => {
    const actions = ordered.map((host, i) => actionsOf(host, work.talosHops.length, placement[i]!));
    return { actions, ...searchOutages(actions, finish) };
  });
  const best = plans.reduce((a, b) => (better(b, a) ? b : a));
  return { ...best, hosts: ordered };
}

// ---- one cluster, the twin --------------------------------------------------------------------------------

/** The control planes, the workers without an OSD and Cilium: what the OSD hosts' plan does not change. */
function fixedParts(ev: Events, work: UpgradeWork, cluster: Cluster, marks: Marks) {
  const cps = cluster.nodes.filter((node) => node.role === 'controlplane');
  if (cps.some((node) => node.osd)) throw new RangeError(`${cluster.name}: an OSD on a control plane`);
  controlPlanes(ev, work, cps, marks);
  const cpEnd = ev.at(ev.latest(marks.ends));
  for (const node of cluster.nodes.filter((n) => n.role === 'worker' && !n.osd))
    freeWorker(ev, work, node, marks);
  const seconds = ciliumSeconds(work, cluster.nodes.length);
  const cilium = seconds === undefined ? undefined : ev.add(`${cluster.name}: Cilium upgraded`, seconds);
  return { cpEnd, cilium, k8s: kubernetesSeconds(cluster.nodes) };
}

/**
 * The cluster's end for an OSD plan that has each hop booted on the OSD hosts at `done` and Ceph clean at
 * `osdEnd`: the checks after the last change (upgrade-k8s, a node back), Ceph's recovery beside them.
 */
function finisher(ev: Events, work: UpgradeWork, marks: Marks, fixed: ReturnType<typeof fixedParts>) {
  const hops = marks.hops.map((ids) => ev.at(ev.latest(ids)));
  const others = ev.at(ev.latest([...marks.ends, fixed.cilium]));
  const cilium = ev.at(fixed.cilium);
  const checks = work.checks ? CHECKS : 0;
  return (done: number[], osdEnd: number) => {
    let at = 0;
    for (const { afterTalosHop: hop, afterCilium } of work.kubernetesHops) {
      const talos = hop < 0 ? 0 : Math.max(hops[hop]!, done[hop] ?? 0);
      at = Math.max(at, talos, afterCilium ? cilium : 0) + fixed.k8s;
    }
    return Math.max(Math.max(at, others, osdEnd - OSD_RETURN) + checks, osdEnd);
  };
}

type Cluster = UpgradeWork['clusters'][number];

/** One cluster's bound: its fixed parts, the best OSD plan for them, the upgrade-k8s runs after. */
function clusterBound(work: UpgradeWork, cluster: Cluster) {
  const ev = new Events();
  const marks: Marks = { hops: work.talosHops.map(() => []), ends: [] };
  const fixed = fixedParts(ev, work, cluster, marks);
  const hosts = cluster.nodes.filter((node) => node.osd);
  const osd = osdPlan(work, hosts, finisher(ev, work, marks, fixed));
  const outages = recordOutages(ev, work, osd, marks);
  const kubernetes = recordKubernetes(ev, work, { name: cluster.name, ...fixed }, marks);
  const last = ev.latest([...marks.ends, fixed.cilium]);
  const end = ev.add(`${cluster.name}: converged`, ev.at(last), last);
  const parts: Record<string, number> = {
    'control planes': fixed.cpEnd,
    'OSD hosts (Ceph clean)': ev.at(outages.clean),
  };
  kubernetes.forEach((id, i) => (parts[`upgrade-k8s ${work.kubernetesHops[i]!.to}`] = ev.at(id)));
  if (fixed.cilium !== undefined) parts.Cilium = ev.at(fixed.cilium);
  return { ev, end, clean: outages.clean, parts, outages: outages.words };
}

/** The OSD plan's events (the last host back ends a chain); returns Ceph's last clean, each outage in words. */
function recordOutages(ev: Events, work: UpgradeWork, osd: ReturnType<typeof osdPlan>, marks: Marks) {
  const progress = osd.actions.map(() => 0);
  const words: string[] = [];
  let clean: number | undefined;
  let last: number | undefined;
  runOutages(osd.actions, osd.outages, (outage, start) => {
    const node = osd.hosts[outage.host]!.name;
    const actions = osd.actions[outage.host]!.slice(progress[outage.host], outage.to);
    words.push(`${node}: ${actions.map((a) => actionName(work, a)).join(', ')}`);
    const out = ev.add(`${node}: drained, its OSD out`, start, clean);
    const back = record(ev, work, marks, { node, actions, after: out, start, drained: true });
    clean = ev.add(`${node}: OSD back, Ceph clean`, ev.at(back) + OSD_RETURN, back);
    last = back;
    progress[outage.host] = outage.to;
  });
  if (last !== undefined) marks.ends.push(last);
  return { clean, words };
}

function recordKubernetes(
  ev: Events,
  work: UpgradeWork,
  cluster: { name: string; k8s: number; cilium: number | undefined },
  marks: Marks,
): number[] {
  const ids: number[] = [];
  for (const hop of work.kubernetesHops) {
    const talos = hop.afterTalosHop < 0 ? [] : marks.hops[hop.afterTalosHop]!;
    const after = ev.latest([ids.at(-1), ...talos, hop.afterCilium ? cluster.cilium : undefined]);
    const start = ev.add(`${cluster.name}: upgrade-k8s ${hop.to} starts`, ev.at(after), after);
    ids.push(ev.add(`${cluster.name}: upgrade-k8s ${hop.to} done`, ev.at(start) + cluster.k8s, start));
  }
  marks.ends.push(...ids.slice(-1));
  return ids;
}

/**
 * The bound: the clusters side by side; the Star Wars checks once every change is done, Ceph's recovery from
 * the last OSD outage beside them (`up` waits for HEALTH_OK in day 2, not before the checks).
 */
export function upgradeBound(work: UpgradeWork): UpgradeBound {
  if (work.clusters.length === 0) throw new RangeError('upgradeBound needs at least one cluster');
  const clusters = work.clusters.map((cluster) => clusterBound(work, cluster));
  type Result = (typeof clusters)[number];
  const latest = (at: (c: Result) => number) => clusters.reduce((a, b) => (at(b) > at(a) ? b : a));
  const changed = latest((c) => c.ev.at(c.end));
  const { ev } = changed;
  const checks = work.checks
    ? ev.add('Star Wars failover checked from every cluster', ev.at(changed.end) + CHECKS, changed.end)
    : changed.end;
  const ceph = latest((c) => c.ev.at(c.clean));
  const [slowest, end] =
    ceph.clean !== undefined && ceph.ev.at(ceph.clean) > ev.at(checks)
      ? [ceph, ceph.clean]
      : [changed, checks];
  const { parts, outages } = slowest;
  return { seconds: slowest.ev.at(end), path: slowest.ev.trace(end), parts, osdOutages: outages };
}
