import { TIME_PROFILES } from '../src/lab/profile.js';
import type { LabHandle } from '../src/lab/lab.js';

/**
 * A lower bound, in seconds of lab time, on bringing up twins against the simulated lab (src/lab, profile
 * `realistic`, unscaled): the WHAT is the product's pipeline (src/twin/apply.ts, mesh.ts, day2.ts), the HOW
 * LONG only the lab's own durations and serialisation rules, for an ideal orchestrator (every action starts
 * the instant its inputs are ready, polls cost nothing, a tool call costs only the pause the lab's tool
 * models for it: helm's helmInstall, kubectl exec's execSetup; apply, scale and talosctl cost nothing).
 *
 * The work is a graph of events, each at the latest of its inputs (or, for a choice the orchestrator makes,
 * the earliest: which control plane to bootstrap, which node takes the first pods), each input plus a wait.
 * The one resource shared inside a PVE node is the storage lock of the disk storage (see `lockSpan`); its
 * users are ordered per node by Jackson's rule, which is optimal for one machine with equal release times
 * (every create on a node waits for the same image download). The earliest-of choices are enumerated where
 * few; else (many twins) a relaxation that stays a lower bound is used (see `solve`).
 *
 * Where the product waits for more than the lab needs, the lab's (weaker) dependency is used: e.g. Cilium is
 * installed with its clustermesh values at once (the product upgrades the release for the mesh later: the
 * agents restart; sent within kubeletRegister of the API, no node would wait for it), Rook and the demo start
 * once the API answers, the disk is grown after the VM started. Durations left out because they need not
 * apply: the workerStart of qmstart/resize (the request can be queued on the VM's config lock before the
 * create ends), the failover check's exec setup (opened before the scale-down lands), meshPropagate
 * (traffic.ts: an endpoint ready after the sync is seen meshPropagate later, one ready before at the sync:
 * at least max(ready, sync)), the Star Wars failovers' wait for each other (they can run together while each
 * cluster still sees the other's endpoints as of meshPropagate ago).
 */

export interface BoundVm {
  name: string;
  cluster: string;
  role: 'controlplane' | 'worker';
  pveNode: string;
  bootDiskGiB: number;
  extraDisks: number;
}

export interface BoundTwin {
  name: string;
  vms: BoundVm[];
  mesh: boolean;
  rook: boolean;
  starwars: boolean;
}

export interface CriticalPath {
  seconds: number;
  /** the chain of named events on the longest path, each with its lab time in seconds */
  path: { event: string; at: number }[];
  /**
   * When each stage ends in the bound's schedule (the latest twin's): all nodes Ready, mesh synced and
   * checked, day 2 (Ceph HEALTH_OK, demo checked). With many twins (the relaxation) each is a lower bound of
   * its own.
   */
  stages: { provision: number; mesh?: number; day2?: number };
}

const PROFILE = TIME_PROFILES.realistic;
const T = PROFILE.seconds;
/** The product puts boot disk, extra disks and cloud-init drive on local-lvm: lvmthin in the lab. */
const ALLOCATE = T.allocate.lvmthin;
/** import-from: qemu-img convert of the downloaded image (disks.ts planImport), without the storage lock. */
const IMPORT_COPY = PROFILE.downloadedImageBytes / PROFILE.rates.import;
/** storage.ts download-url: worker start, wget setup, the bytes at rates.download (no checksum is asked). */
const DOWNLOAD = T.workerStart + T.downloadSetup + PROFILE.downloadedImageBytes / PROFILE.rates.download;
const GIB = 1024 ** 3;
/** Enumerating the earliest-of choices up to this many combinations; beyond, the relaxation. */
const MAX_CHOICES = 2_000;

// ---- the event graph --------------------------------------------------------------------------------

type Input = number | [event: number, wait: number];

interface GraphEvent {
  name: string;
  /** max: all inputs needed; min: the orchestrator picks the input that comes first. */
  kind: 'max' | 'min';
  inputs: { from: number; wait: number }[];
}

class Graph {
  readonly events: GraphEvent[] = [];

  add(name: string, inputs: Input[], kind: GraphEvent['kind'] = 'max'): number {
    const edges = inputs.map((input) =>
      typeof input === 'number' ? { from: input, wait: 0 } : { from: input[0], wait: input[1] },
    );
    return this.events.push({ name, kind, inputs: edges }) - 1;
  }

  /** Latest of the inputs: drops undefined ones (a step the twin does not have). */
  join(name: string, inputs: (number | undefined)[]): number {
    return this.add(
      name,
      inputs.filter((input): input is number => input !== undefined),
    );
  }
}

/** One create's use of its node's storage lock: [start, end] is exclusive (see lockSpan). */
interface LockJob {
  pveNode: string;
  start: number;
  end: number;
  span: number;
}

// ---- PVE and Talos: one VM ----------------------------------------------------------------------------

/**
 * How long a create keeps its node's storage lock to itself. create_disks works through the drive keys in
 * sorted order: ide2 (cloud-init) and scsi0 are allocated under the lock (allocate.lvmthin each), scsi0's
 * import is then copied without it, then the extra disks scsi1.. are allocated. The lab plans a worker's lock
 * reservations when it forks, and a later request waits for every reservation ending after it (locks.ts
 * freeAt: no back-filling), so a create with extra disks blocks the lock across its copy too. Any fork order
 * thus gives disjoint, ordered spans; the 10 s lock timeout only tells when to send the next create.
 */
function lockSpan(extraDisks: number): number {
  return extraDisks > 0 ? 2 * ALLOCATE + IMPORT_COPY + extraDisks * ALLOCATE : 2 * ALLOCATE;
}

/** From the lock's release to the create task's end: the copy (when outside the span), the config write. */
function afterLock(extraDisks: number): number {
  return (extraDisks > 0 ? 0 : IMPORT_COPY) + T.configUpdate;
}

interface VmEvents {
  configured: number;
  resized?: number;
}

function addVm(g: Graph, vm: BoundVm, image: number, jobs: LockJob[]): VmEvents {
  const span = lockSpan(vm.extraDisks);
  // The create needs the image on the node (planImport stats it on the request), then its worker starts.
  const start = g.add(`${vm.name}: create takes the storage lock`, [[image, T.workerStart]]);
  const end = g.add(`${vm.name}: create's last allocation`, [[start, span]]);
  jobs.push({ pveNode: vm.pveNode, start, end, span });
  const created = g.add(`${vm.name}: VM created`, [[end, afterLock(vm.extraDisks)]]);
  // qmstart waits for the create's config lock; the VM runs from the task's end (power.ts powerOn).
  const running = g.add(`${vm.name}: VM running`, [[created, T.vmStart]]);
  const maintenance = g.add(`${vm.name}: Talos maintenance API`, [[running, T.talosBoot]]);
  const configured = g.add(`${vm.name}: Talos configured`, [[maintenance, T.talosApplyReboot]]);
  // Growing the disk needs the config lock qmstart holds, and nothing needs it grown: after the start.
  const grow = vm.bootDiskGiB * GIB > PROFILE.downloadedImageBytes;
  return {
    configured,
    ...(grow ? { resized: g.add(`${vm.name}: boot disk grown`, [[running, T.resize]]) } : {}),
  };
}

// ---- Kubernetes: one cluster ----------------------------------------------------------------------------

interface ClusterEvents {
  name: string;
  api: number;
  /** The cilium release deployed (with the clustermesh values when the twin is meshed). */
  cilium: number;
  /** The first node pods without tolerations fit on: workers (Talos taints control planes when there are). */
  firstReady: number;
  /** Every node such pods fit on, Ready. */
  schedulableReady: number[];
  /** Workers with extra disks: the OSD hosts. */
  osdHostsReady: number[];
  provisioned: number;
}

interface PodEvents {
  running: number;
  ready: number;
}

/** A Deployment's pod (workloads.ts podTimes): placed once a node fits, image pulled, then ready. */
function addPod(g: Graph, name: string, created: number, firstReady: number): PodEvents {
  const placed = g.add(`${name} placed`, [created, firstReady]);
  const running = g.add(`${name} running`, [[placed, T.imagePull]]);
  return { running, ready: g.add(`${name} ready`, [[running, T.podStart]]) };
}

/** clusters.ts nodes(): registered kubeletRegister after the node and the API; Ready once its agent runs. */
function addNodeReady(g: Graph, name: string, configured: number, api: number, cilium: number): number {
  const registered = g.add(`${name}: kubelet registered`, [
    [configured, T.kubeletRegister],
    [api, T.kubeletRegister],
  ]);
  const agent = T.ciliumAgentStart + T.nodeReadyAfterCni;
  return g.add(`${name}: node Ready`, [
    [registered, agent],
    [cilium, agent],
  ]);
}

function addCluster(
  g: Graph,
  name: string,
  vms: BoundVm[],
  imageOn: ImageOn,
  jobs: LockJob[],
): ClusterEvents {
  const nodes = vms.map((vm) => ({ vm, ...addVm(g, vm, imageOn(vm.pveNode), jobs) }));
  const controlPlanes = nodes.filter((node) => node.vm.role === 'controlplane');
  if (controlPlanes.length === 0) throw new RangeError(`cluster ${name} has no control plane`);
  // talosctl bootstrap on any configured control plane once its CRI runs and its time is in sync
  // (LIFECYCLE F.4, F.6); kube-apiserver answers kubernetesApi later.
  const bootstrapReady = Math.max(T.talosCriStart, T.timeSync);
  const bootstrap = g.add(
    `${name}: etcd bootstrapped`,
    controlPlanes.map((node): [number, number] => [node.configured, bootstrapReady]),
    'min',
  );
  const api = g.add(`${name}: Kubernetes API answers`, [[bootstrap, T.kubernetesApi]]);
  const cilium = g.add(`${name}: cilium release deployed`, [[api, T.helmInstall]]);
  const ready = nodes.map(({ vm, configured }) => addNodeReady(g, vm.name, configured, api, cilium));
  const workers = nodes.flatMap((node, i) => (node.vm.role === 'worker' ? [i] : []));
  const schedulable = workers.length > 0 ? workers : nodes.map((_, i) => i);
  const firstReady = g.add(
    `${name}: first schedulable node Ready`,
    schedulable.map((i) => ready[i]!),
    'min',
  );
  const operator = g.add(`${name}: cilium-operator available`, [[cilium, T.ciliumOperatorStart]]);
  const provisioned = g.join(`${name}: all nodes Ready`, [
    ...ready,
    operator,
    ...nodes.map((node) => node.resized),
  ]);
  const osdHostsReady = workers.filter((i) => nodes[i]!.vm.extraDisks > 0).map((i) => ready[i]!);
  const schedulableReady = schedulable.map((i) => ready[i]!);
  return { name, api, cilium, firstReady, schedulableReady, osdHostsReady, provisioned };
}

// ---- Cluster Mesh ---------------------------------------------------------------------------------------

type Synced = (a: string, b: string) => number | undefined;

interface MeshEvents {
  synced: Synced;
  done: number;
}

/**
 * kube/mesh.ts: each side's clustermesh-apiserver counts from its Deployment's creation plus
 * clustermeshApiserverStart, and only while its pod is ready; connected meshConnect after both, synced
 * meshSync later. The check (mesh.ts): each cluster's probe reaches the echo Service only the other cluster
 * backs.
 */
function addMesh(g: Graph, twin: string, clusters: ClusterEvents[]): MeshEvents {
  const up = clusters.map((c) =>
    g.add(`${c.name}: clustermesh-apiserver started`, [[c.cilium, T.clustermeshApiserverStart]]),
  );
  const pods = clusters.map((c) => addPod(g, `${c.name}: clustermesh-apiserver pod`, c.cilium, c.firstReady));
  const pairs = new Map<string, number>();
  const wait = T.meshConnect + T.meshSync;
  clusters.forEach((a, i) =>
    clusters.slice(i + 1).forEach((b, k) => {
      const j = i + 1 + k;
      pairs.set(
        pairKey(a.name, b.name),
        g.add(`${a.name} <-> ${b.name}: mesh connected and synced`, [
          [up[i]!, wait],
          [up[j]!, wait],
          pods[i]!.ready,
          pods[j]!.ready,
        ]),
      );
    }),
  );
  const synced: Synced = (a, b) => pairs.get(pairKey(a, b));
  const probes = clusters.map((c) => addPod(g, `${c.name}: mesh-probe`, c.api, c.firstReady));
  const echoes = clusters.map((c) => addPod(g, `${c.name}: echo`, c.api, c.firstReady));
  const checks = clusters.flatMap((from, i) =>
    clusters.flatMap((to, j) =>
      i === j
        ? []
        : [
            g.add(`${from.name} -> ${to.name}: mesh check answered`, [
              [probes[i]!.running, T.execSetup],
              echoes[j]!.ready,
              synced(from.name, to.name)!,
            ]),
          ],
    ),
  );
  return { synced, done: g.join(`${twin}: mesh done`, [...pairs.values(), ...checks]) };
}

function pairKey(a: string, b: string): string {
  return [a, b].sort().join(' ');
}

// ---- day 2 ----------------------------------------------------------------------------------------------

/**
 * kube/ceph.ts: the operator reconciles rookOperatorStart after its pod started (and not before the
 * CephCluster exists: the rook-ceph-cluster chart, which needs the operator chart's CRDs), then the
 * detect-version job, the mons one after another once all their pods are bound, the mgr, the OSD prepare,
 * the OSDs, the PGs. An OSD whose host is not Ready when its pod is created starts once the pod is bound
 * there, and the PGs settle after the last OSD (ceph-health.ts). Rook also needs every mon's pod bound
 * within its canary wait (ceph-pods.ts monsPlaced), which an orchestrator meets by applying the CephCluster
 * late enough.
 */
function addCeph(g: Graph, c: ClusterEvents): number | undefined {
  if (c.osdHostsReady.length === 0) return undefined; // the product refuses Rook without an OSD disk
  const monCount = c.osdHostsReady.length < 3 ? 1 : 3; // addons/rook.ts: a small cluster runs one mon
  const operatorChart = g.add(`${c.name}: rook-ceph release deployed`, [[c.api, T.helmInstall]]);
  const clusterChart = g.add(`${c.name}: rook-ceph-cluster release deployed`, [
    [operatorChart, T.helmInstall],
  ]);
  const operator = addPod(g, `${c.name}: rook-ceph-operator`, operatorChart, c.firstReady);
  const reconcile = g.add(`${c.name}: Rook reconciles the CephCluster`, [
    clusterChart,
    [operator.running, T.rookOperatorStart],
  ]);
  // The mons start one after another once every mon's pod is bound, one node each (ceph-plan.ts): with as
  // many such nodes as mons, the last of them; else at least the first.
  const monNodes = monCount === c.schedulableReady.length ? c.schedulableReady : [c.firstReady];
  const monsStart = g.add(`${c.name}: every mon's pod bound`, [
    [reconcile, T.imagePull + T.podStart],
    ...monNodes,
  ]);
  const osdsCreated = g.add(`${c.name}: OSD prepare jobs done`, [
    [monsStart, monCount * T.cephMonStart + T.cephMgrStart + T.cephOsdPrepare],
  ]);
  // Each OSD's pod is pinned to its host: up osdStart after it is bound there (ceph.ts bound), the PGs
  // settle after the last one. (A host that fits only after the prepare jobs waits for its own, once the
  // cluster is Ready: later still, so this stays a lower bound.)
  return g.add(`${c.name}: Ceph HEALTH_OK`, [
    [osdsCreated, T.cephOsdStart + T.cephPgSettle],
    ...c.osdHostsReady.map((ready): Input => [ready, T.cephOsdStart + T.cephPgSettle]),
  ]);
}

/**
 * day2.ts starwarsChecks: from each cluster's x-wing, rebel-base answers from every cluster (traffic.ts:
 * local ready pods, remote ones once the mesh synced); then rebel-base scaled to zero there (its pods stop
 * being ready at once), the failover check, and scaled back: the new pods are placed and become ready.
 */
function addStarwars(g: Graph, clusters: ClusterEvents[], synced: Synced | undefined): number[] {
  const rebels = clusters.map((c) => addPod(g, `${c.name}: rebel-base`, c.api, c.firstReady));
  const xwings = clusters.map((c) => addPod(g, `${c.name}: x-wing`, c.api, c.firstReady));
  return clusters.map((c, i) => {
    const remote = synced
      ? clusters.flatMap((other, j) => (i === j ? [] : [rebels[j]!.ready, synced(c.name, other.name)!]))
      : [];
    const reach = g.add(`${c.name}: rebel-base answers from every cluster`, [
      [xwings[i]!.running, T.execSetup],
      rebels[i]!.ready,
      ...remote,
    ]);
    return g.add(`${c.name}: failover checked, rebel-base back`, [[reach, T.imagePull + T.podStart]]);
  });
}

// ---- twins ---------------------------------------------------------------------------------------------

type ImageOn = (pveNode: string) => number;

interface TwinEvents {
  end: number;
  provision: number;
  mesh?: number;
  day2?: number;
}

function addTwin(g: Graph, twin: BoundTwin, imageOn: ImageOn, jobs: LockJob[]): TwinEvents {
  const names = [...new Set(twin.vms.map((vm) => vm.cluster))];
  const clusters = names.map((name) =>
    addCluster(
      g,
      name,
      twin.vms.filter((vm) => vm.cluster === name),
      imageOn,
      jobs,
    ),
  );
  const provision = g.add(
    `${twin.name}: provisioned`,
    clusters.map((c) => c.provisioned),
  );
  const mesh = twin.mesh && clusters.length > 1 ? addMesh(g, twin.name, clusters) : undefined;
  const ceph = twin.rook ? clusters.map((c) => addCeph(g, c)) : [];
  const demo = twin.starwars ? addStarwars(g, clusters, mesh?.synced) : [];
  const day2 =
    ceph.length + demo.length > 0 ? g.join(`${twin.name}: day 2 done`, [...ceph, ...demo]) : undefined;
  const end = g.join(`${twin.name}: twin up`, [provision, mesh?.done, day2]);
  return { end, provision, ...(mesh ? { mesh: mesh.done } : {}), ...(day2 === undefined ? {} : { day2 }) };
}

interface Model {
  graph: Graph;
  jobs: LockJob[];
  twins: TwinEvents[];
  end: number;
}

/** One download per PVE node serves every twin (a second download-url of the same file is refused). */
function buildModel(twins: BoundTwin[], present: Set<string>): Model {
  const graph = new Graph();
  const origin = graph.add('start', []);
  const images = new Map<string, number>();
  const imageOn: ImageOn = (pveNode) => {
    if (!images.has(pveNode)) {
      const inputs: Input[] = present.has(pveNode) ? [origin] : [[origin, DOWNLOAD]];
      images.set(pveNode, graph.add(`${pveNode}: Talos image on local`, inputs));
    }
    return images.get(pveNode)!;
  };
  const jobs: LockJob[] = [];
  const events = twins.map((twin) => addTwin(graph, twin, imageOn, jobs));
  const end =
    events.length === 1
      ? events[0]!.end
      : graph.add(
          'every twin up',
          events.map((twin) => twin.end),
        );
  return { graph, jobs, twins: events, end };
}

// ---- times ---------------------------------------------------------------------------------------------

interface Timeline {
  at: number[];
  /** The input that set each event's time. */
  via: (number | undefined)[];
  /** Events whose time (and `via`) comes from `base`. */
  pinned: Set<number>;
  base?: Timeline;
}

function evaluate(g: Graph, pin?: { events: number[]; base: Timeline }): Timeline {
  const at: number[] = [];
  const via: (number | undefined)[] = [];
  const pinned = new Set(pin?.events ?? []);
  const time = (id: number): number => {
    if (at[id] !== undefined) return at[id];
    if (pinned.has(id)) {
      via[id] = pin!.base.via[id];
      return (at[id] = pin!.base.at[id]!);
    }
    const { inputs, kind } = g.events[id]!;
    let best: number | undefined;
    for (const { from, wait } of inputs) {
      const t = time(from) + wait;
      if (best === undefined || (kind === 'max' ? t > best : t < best)) [best, via[id]] = [t, from];
    }
    return (at[id] = best ?? 0);
  };
  g.events.forEach((_, id) => time(id));
  return { at, via, pinned, ...(pin ? { base: pin.base } : {}) };
}

/**
 * Longest path from each event to `end`. An earliest-of event continues only from its `chosen` input; with
 * none chosen it is cut (no path runs through it).
 */
function tails(g: Graph, end: number, chosen: Map<number, number>): number[] {
  const next: { to: number; wait: number }[][] = g.events.map(() => []);
  g.events.forEach((event, to) =>
    event.inputs.forEach(({ from, wait }) => {
      if (event.kind === 'max' || chosen.get(to) === from) next[from]!.push({ to, wait });
    }),
  );
  const memo: number[] = [];
  const tail = (id: number): number => {
    if (memo[id] !== undefined) return memo[id];
    if (id === end) return (memo[id] = 0);
    return (memo[id] = Math.max(-Infinity, ...next[id]!.map(({ to, wait }) => wait + tail(to))));
  };
  return g.events.map((_, id) => tail(id));
}

interface Sequence {
  makespan: number;
  orders: LockJob[][];
}

/**
 * Jackson's rule per node: the lock's users by descending tail. All of a node's creates are released at the
 * same moment (its image), so this order minimises max(lock end + tail), which is the twins' end.
 */
function jackson(jobs: LockJob[], release: number[], tail: number[]): Sequence {
  const nodes = [...new Set(jobs.map((job) => job.pveNode))];
  let makespan = -Infinity;
  const orders = nodes.map((pveNode) => {
    const order = jobs.filter((job) => job.pveNode === pveNode).sort((a, b) => tail[b.end]! - tail[a.end]!);
    let free = -Infinity;
    for (const job of order) {
      free = Math.max(free, release[job.start]!) + job.span;
      makespan = Math.max(makespan, free + tail[job.end]!);
    }
    return order;
  });
  return { makespan, orders };
}

/** Every way to pick one input of each earliest-of event. */
function* choices(g: Graph, events: number[]): Generator<Map<number, number>> {
  const index = events.map(() => 0);
  const size = (i: number) => g.events[events[i]!]!.inputs.length;
  for (;;) {
    yield new Map(events.map((id, i) => [id, g.events[id]!.inputs[index[i]!]!.from]));
    let i = 0;
    for (; i < events.length; i++) {
      index[i] = (index[i]! + 1) % size(i);
      if (index[i] !== 0) break;
    }
    if (i === events.length) return;
  }
}

function lockOrder(g: Graph, orders: LockJob[][]): void {
  for (const order of orders) {
    order.slice(1).forEach((job, i) => g.events[job.start]!.inputs.push({ from: order[i]!.end, wait: 0 }));
  }
}

/**
 * The fewest seconds over lock orders and earliest-of choices. With the choices fixed the graph is max-plus,
 * so the end is max(lock end + tail) over the lock's users and Jackson's rule per node is optimal; the
 * choices are enumerated when few. Else (many twins) a relaxation: every earliest-of event at its time
 * without lock contention, and the lock ordered by tails that do not run through those events. Both parts
 * are at most the true optimum, so their maximum is too.
 */
function solve(twins: BoundTwin[], present: Set<string>): CriticalPath {
  const model = buildModel(twins, present);
  const g = model.graph;
  const free = evaluate(g);
  const release = free.at;
  const earliest = g.events.flatMap((event, id) => (event.kind === 'min' ? [id] : []));
  const count = earliest.reduce((n, id) => n * g.events[id]!.inputs.length, 1);
  if (count <= MAX_CHOICES) {
    let best: Sequence | undefined;
    for (const chosen of choices(g, earliest)) {
      const sequence = jackson(model.jobs, release, tails(g, model.end, chosen));
      if (!best || sequence.makespan < best.makespan) best = sequence;
    }
    lockOrder(g, best!.orders);
    return report(model, evaluate(g));
  }
  lockOrder(g, jackson(model.jobs, release, tails(g, model.end, new Map())).orders);
  return report(model, evaluate(g, { events: earliest, base: free }));
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}

function trace(g: Graph, timeline: Timeline, end: number): CriticalPath['path'] {
  const path: CriticalPath['path'] = [];
  let current = timeline;
  for (let id: number | undefined = end; id !== undefined;) {
    path.push({ event: g.events[id]!.name, at: round(current.at[id]!) });
    const next: number | undefined = current.via[id];
    if (current.pinned.has(id) && current.base) current = current.base;
    id = next;
  }
  return path.reverse();
}

function report(model: Model, timeline: Timeline): CriticalPath {
  const latest = (pick: (twin: TwinEvents) => number | undefined) => {
    const times = model.twins.flatMap((twin) => {
      const id = pick(twin);
      return id === undefined ? [] : [timeline.at[id]!];
    });
    return times.length > 0 ? round(Math.max(...times)) : undefined;
  };
  const mesh = latest((twin) => twin.mesh);
  const day2 = latest((twin) => twin.day2);
  return {
    seconds: timeline.at[model.end]!,
    path: trace(model.graph, timeline, model.end),
    stages: {
      provision: latest((twin) => twin.provision)!,
      ...(mesh === undefined ? {} : { mesh }),
      ...(day2 === undefined ? {} : { day2 }),
    },
  };
}

/**
 * The lower bound for `twins` brought up together from time 0 in one lab. For several twins, each twin alone
 * is a lower bound too (fewer users of the locks), so the result is the largest of those and the joint one.
 */
export function criticalPath(twins: BoundTwin[], opts: { imagesPresent?: string[] } = {}): CriticalPath {
  if (twins.length === 0) throw new RangeError('criticalPath needs at least one twin');
  const present = new Set(opts.imagesPresent ?? []);
  const results = [
    solve(twins, present),
    ...(twins.length > 1 ? twins.map((twin) => solve([twin], present)) : []),
  ];
  return results.reduce((best, result) => (result.seconds > best.seconds ? result : best));
}

/** A twin as the lab holds it after `twin up`: cluster and role from the ownership tags, disks from the config. */
export function boundTwinInLab(lab: LabHandle, name: string): BoundTwin {
  const vms = Object.values(lab.state.data.vms)
    .filter((record) => record.config.name?.startsWith(`${name}-`))
    .map((record): BoundVm => {
      const tags = (record.config.tags ?? '').split(/[;,\s]+/);
      const tag = (prefix: string) => tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? '';
      return {
        name: record.config.name!,
        cluster: tag('cluster-'),
        role: tag('role-') === 'controlplane' ? 'controlplane' : 'worker',
        pveNode: record.node,
        bootDiskGiB: Number(/(?:^|,)size=(\d+)G/.exec(record.config.scsi0 ?? '')?.[1] ?? 0),
        extraDisks: Object.keys(record.config).filter((key) => /^scsi[1-9]\d*$/.test(key)).length,
      };
    });
  return { name, vms, mesh: true, rook: true, starwars: true };
}
