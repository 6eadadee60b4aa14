import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TalosNode, TalosNodes } from '../talos/nodes.js';
import { vipOf } from '../talos/nodes.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, getString } from '../talos/yaml-docs.js';
import type { PodFailure, TalosFacts } from './cilium-chart.js';
import { CILIUM_RELEASE, agentFailure, chartDefaults, coalesce, operatorFailure } from './cilium-chart.js';
import type { AgentInput, CiliumRevision, PodState } from './cilium-rollout.js';
import { agentPods, agentServingSince, agentsServingFrom, operatorPods } from './cilium-rollout.js';
import type { RemovedObject, StoredObject } from './objects.js';
import { ObjectStore } from './objects.js';
import type { Interval, NodeOutage } from './node-state.js';
import {
  NODE_MONITOR_GRACE_SECONDS,
  cordonWindows,
  downAt,
  firstRegistration,
  notReadyWindow,
  within,
} from './node-state.js';

export type { Interval, NodeOutage } from './node-state.js';

/** One revision of a helm release (helm keeps each in a Secret; `helm history` lists them). */
export interface ReleaseRevision {
  chartVersion: string;
  appVersion: string;
  revision: number;
  /** An earlier revision that deployed is `superseded` once a later one is written. */
  status: 'deployed' | 'failed' | 'superseded';
  /** The user-supplied values (helm's `config`). */
  values: Doc;
  deployedAt: number;
  description: string;
  /** An injected fault: this revision's images pull this much longer (profile seconds). */
  imagePullDelaySeconds?: number;
  /**
   * With `--reuse-values`: the chart version whose values.yaml this revision was rendered over (helm
   * replaces the new chart's defaults by the old release's), when not its own.
   */
  defaultsVersion?: string;
}

/** A helm release: its current revision, and the earlier ones oldest first (helm's --history-max 10). */
export interface ReleaseRecord extends ReleaseRevision {
  name: string;
  namespace: string;
  chart: string;
  firstDeployedAt: number;
  history?: ReleaseRevision[];
}

interface KubeClusterRecord {
  /** Node name -> when `kubectl delete node` removed it; its kubelet registers again only after a reboot. */
  deleted: Record<string, number>;
  /** Node name -> since when it is cordoned (kubectl cordon, drain); closed ones move to `cordons`. */
  cordoned: Record<string, number>;
  /** Node name -> its earlier cordons, [from, until) (kubectl uncordon ended them). */
  cordons?: Record<string, [number, number][]>;
  /** Node name -> when Talos' cordon controller cordoned it for an upgrade (until the node boots, F.1). */
  talosCordons?: Record<string, number[]>;
  /** `<namespace>/<pod>` -> when the eviction API deleted it (kubectl drain, Talos' drain). */
  evictions?: Record<string, number>;
  /** Node name -> when its kubelet first registered the Node (it stays registered through reboots). */
  registered?: Record<string, number>;
  /** Node name -> the annotations written with `kubectl annotate node` (kept through reboots, gone with the Node). */
  nodeAnnotations?: Record<string, Record<string, string>>;
  releases: Record<string, ReleaseRecord>;
  /** The API objects applied to the cluster (kubectl apply, helm), by kind/namespace/name. */
  objects: Record<string, StoredObject>;
  /** Workloads deleted while their pods still terminate. */
  removed: Record<string, RemovedObject>;
  /** Node -> image -> when a pod there had pulled it: containerd keeps images after their pods go. */
  pulledImages?: Record<string, Record<string, number>>;
}

/** A disk an OSD took: the Ceph cluster's fsid stays on it (its bluestore label) until the disk is gone. */
export interface CephDiskClaim {
  fsid: string;
  osdId: number;
  osdUuid: string;
}

interface KubeData {
  version: 1;
  clusters: Record<string, KubeClusterRecord>;
  /** By `<VM smbios uuid>/<volume id>`: a VM created again has a new uuid, so its disks start blank. */
  cephDisks?: Record<string, CephDiskClaim>;
  /**
   * `<fsid>/<when its mons were created>` -> whether every mon of that Rook reconcile was bound within the
   * canary wait: decided once at its deadline, so later replays of history (a Node deleted) cannot undo it.
   */
  monVerdicts?: Record<string, boolean>;
  /** By CephCluster uid: Rook's creation moments once they passed, kept for the same reason. */
  cephCreations?: Record<string, CephCreation>;
}

/** When Rook's creation of a CephCluster started (its accepted try) and when all its mons' canaries were bound. */
export interface CephCreation {
  startedAt: number;
  monsBoundAt?: number;
}

export interface KubeNode {
  name: string;
  talos: TalosNode;
  registeredAt: number;
  /** When it first turned Ready (a CNI runs on it). */
  readyAt: number;
  /** Ready now: past readyAt and not in an outage. */
  ready: boolean;
  /** Cordoned now (spec.unschedulable). */
  unschedulable: boolean;
  /** When it was (or is) cordoned: kubectl cordon/drain, and Talos' cordon during an upgrade (F.1). */
  cordons: Interval[];
  /** When its kubelet is down (LIFECYCLE G.4): its pods stopped. */
  outages: NodeOutage[];
  /** When the node lifecycle controller has it NotReady for an outage (G.4). */
  notReady: Interval[];
  /** Why the node's Cilium agent pod does not run, when it does not. */
  ciliumFailure?: PodFailure;
}

export type ApiAnswer = { kind: 'api'; clusterId: string } | { kind: 'refused' } | { kind: 'unreachable' };

export interface WorkloadStatus {
  desired: number;
  ready: number;
  /** Pods made from the current template (a rollout in progress has fewer than desired). */
  updated?: number;
  failure?: PodFailure;
}

const STATE_FILE = 'kube-state.json';
export const API_PORT = 6443;

/**
 * The Kubernetes clusters the lab's Talos control planes run once bootstrapped: the API server on
 * the control planes' addresses and the VIP, Nodes registered by the configured kubelets, and the
 * releases helm installed; everything timed from the profile, the state kept in DIR.
 */
export class KubeClusters {
  private constructor(
    readonly talos: TalosNodes,
    private readonly file: string | undefined,
    private readonly data: KubeData,
  ) {}

  static open(talos: TalosNodes, dir: string | undefined): KubeClusters {
    const file = dir === undefined ? undefined : join(dir, STATE_FILE);
    const data: KubeData =
      file && existsSync(file)
        ? (JSON.parse(readFileSync(file, 'utf8')) as KubeData)
        : { version: 1, clusters: {} };
    return new KubeClusters(talos, file, data);
  }

  /** Bumped on every change of the state, so that what is computed from it can be reused until then. */
  revision = 0;

  save(): void {
    this.revision++;
    if (!this.file) return;
    const temp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(temp, this.file);
  }

  private record(clusterId: string): KubeClusterRecord {
    const record = (this.data.clusters[clusterId] ??= {
      deleted: {},
      cordoned: {},
      releases: {},
      objects: {},
      removed: {},
    });
    record.objects ??= {}; // state written before objects existed
    record.removed ??= {};
    return record;
  }

  /** When the kubelet first registered the Node: kept, so that a reboot does not make a new Node. */
  private registration(
    record: KubeClusterRecord,
    name: string,
    computed: number,
    outages: NodeOutage[],
    now: number,
  ): number {
    const first = firstRegistration(computed, outages);
    const known = record.registered?.[name];
    if (known !== undefined && known <= first) return known;
    if (now >= first) {
      (record.registered ??= {})[name] = first;
      this.save();
    }
    return first;
  }

  /** When the cluster's API server answers, or Infinity before a bootstrap. */
  apiUpAt(clusterId: string): number {
    const bootstrap = this.talos.cluster(clusterId);
    return bootstrap ? bootstrap.bootstrappedAt + this.talos.ms(this.talos.seconds.kubernetesApi) : Infinity;
  }

  /** Control planes whose kube-apiserver answers now. */
  private apiServers(clusterId: string, now: number): TalosNode[] {
    if (now < this.apiUpAt(clusterId)) return [];
    return this.talos
      .all(now)
      .filter(
        (node) => node.phase === 'running' && node.role === 'controlplane' && node.clusterId === clusterId,
      );
  }

  /** What a TCP connection to host:port meets. The VIP lives only while the cluster's API is up. */
  answerAt(host: string, port: number, now = this.talos.now()): ApiAnswer {
    const nodes = this.talos.all(now).filter((node) => node.phase !== 'off');
    for (const node of nodes.filter((candidate) => candidate.phase === 'running' && candidate.clusterId)) {
      const servers = this.apiServers(node.clusterId ?? '', now);
      const vipHeld =
        servers.length > 0 && servers.some((server) => server.config && vipOf(server.config) === host);
      const own = servers.some((server) => server.addresses.includes(host));
      if ((vipHeld || own) && port === API_PORT) return { kind: 'api', clusterId: node.clusterId ?? '' };
    }
    return nodes.some((node) => node.addresses.includes(host))
      ? { kind: 'refused' }
      : { kind: 'unreachable' };
  }

  /** Facts about the cluster's Talos configs that decide whether Cilium can run there. */
  talosFacts(clusterId: string, now = this.talos.now()): TalosFacts {
    const members = this.talos.all(now).filter((node) => node.clusterId === clusterId && node.config);
    const config = (members.find((node) => node.role === 'controlplane') ?? members[0])?.config ?? {};
    const endpoint = getString(config, 'cluster.controlPlane.endpoint');
    const endpointUrl = endpoint && URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    const controlPlanes = members
      .filter((node) => node.role === 'controlplane')
      .flatMap((node) => node.addresses);
    return {
      kubeProxyDisabled: get(config, 'cluster.proxy.disabled') === true,
      kubePrismPort:
        get(config, 'machine.features.kubePrism.enabled') === false
          ? undefined
          : Number(get(config, 'machine.features.kubePrism.port') ?? 7445),
      apiEndpoints: [
        ...(endpointUrl ? [`${endpointUrl.hostname}:${endpointUrl.port || '443'}`] : []),
        ...controlPlanes.map((address) => `${address}:${API_PORT}`),
      ],
    };
  }

  /** The cluster's API objects; changes are saved with the lab's state. */
  objects(clusterId: string): ObjectStore {
    const record = this.record(clusterId);
    return new ObjectStore(
      record.objects,
      () => this.talos.now(),
      () => this.save(),
      record.removed,
    );
  }

  /** Every cluster the lab's API servers have state for. */
  clusterIds(): string[] {
    return Object.keys(this.data.clusters);
  }

  release(clusterId: string, namespace: string, name: string): ReleaseRecord | undefined {
    return this.record(clusterId).releases[`${namespace}/${name}`];
  }

  putRelease(clusterId: string, release: ReleaseRecord): void {
    this.record(clusterId).releases[`${release.namespace}/${release.name}`] = release;
    this.save();
  }

  /** Every release of the cluster, by namespace then name. */
  releases(clusterId: string): ReleaseRecord[] {
    return Object.values(this.record(clusterId).releases).sort((a, b) =>
      `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`),
    );
  }

  deleteRelease(clusterId: string, namespace: string, name: string): void {
    delete this.record(clusterId).releases[`${namespace}/${name}`];
    this.save();
  }

  /** Records images pods pulled on nodes (the earliest time each was seen there). */
  notePulledImages(clusterId: string, pulls: { node: string; image: string; at: number }[]): void {
    const record = (this.record(clusterId).pulledImages ??= {});
    let changed = false;
    for (const { node, image, at } of pulls) {
      const images = (record[node] ??= {});
      if (images[image] !== undefined && images[image] <= at) continue;
      images[image] = at;
      changed = true;
    }
    if (changed) this.save();
  }

  /** When `image` was seen pulled on `node`, if it was. */
  imagePulledOn(clusterId: string, node: string, image: string): number | undefined {
    return this.record(clusterId).pulledImages?.[node]?.[image];
  }

  cephDisk(key: string): CephDiskClaim | undefined {
    return this.data.cephDisks?.[key];
  }

  claimCephDisk(key: string, claim: CephDiskClaim): void {
    (this.data.cephDisks ??= {})[key] = claim;
    this.save();
  }

  monVerdict(key: string): boolean | undefined {
    return this.data.monVerdicts?.[key];
  }

  recordMonVerdict(key: string, placed: boolean): void {
    if (this.data.monVerdicts?.[key] === placed) return;
    (this.data.monVerdicts ??= {})[key] = placed;
    this.save();
  }

  cephCreation(uid: string): CephCreation | undefined {
    return this.data.cephCreations?.[uid];
  }

  recordCephCreation(uid: string, creation: CephCreation): void {
    (this.data.cephCreations ??= {})[uid] = creation;
    this.save();
  }

  /**
   * The Cilium release's values over the chart defaults. A release helm marked failed (a `--wait` that
   * timed out) had its objects applied all the same, so its agents run with those values, as real ones do.
   */
  ciliumValues(clusterId: string): { values: Doc; pulledAt: number } | undefined {
    const release = this.release(clusterId, 'kube-system', 'cilium');
    if (!release) return undefined;
    return {
      values: coalesce(chartDefaults(release.defaultsVersion ?? release.chartVersion), release.values) as Doc,
      pulledAt: this.imagesPulledAt(release),
    };
  }

  /** When a release's images are there to start from: when it was deployed, later for a slow pull. */
  imagesPulledAt(release: ReleaseRecord): number {
    return release.deployedAt + this.talos.ms(release.imagePullDelaySeconds ?? 0);
  }

  /** The cluster's Nodes now: registered kubelets, Ready once a CNI runs on them. */
  nodes(clusterId: string, now = this.talos.now()): KubeNode[] {
    const apiUpAt = this.apiUpAt(clusterId);
    if (now < apiUpAt) return [];
    const record = this.record(clusterId);
    const cilium = this.ciliumValues(clusterId);
    const failure = cilium ? agentFailure(cilium.values, this.talosFacts(clusterId, now)) : undefined;
    const servingFrom =
      cilium && !failure ? agentsServingFrom(this.agentInput(clusterId, [], now)) : Infinity;
    const seconds = this.talos.seconds;
    return this.talos
      .all(now)
      .filter(
        (node) =>
          (node.phase === 'running' || within(node.outages ?? [], now)) && node.clusterId === clusterId,
      )
      .map((node): KubeNode => {
        // The kubelet waits for time sync (LIFECYCLE F.6): a node that never syncs never registers.
        const outages = node.outages ?? [];
        const registeredAt = this.registration(
          record,
          node.hostname,
          Math.max(node.servicesStartAt, apiUpAt) + this.talos.ms(seconds.kubeletRegister),
          outages,
          now,
        );
        const cordons = cordonWindows(
          record.cordons?.[node.hostname] ?? [],
          record.cordoned[node.hostname],
          record.talosCordons?.[node.hostname] ?? [],
          outages,
        );
        const grace = this.talos.ms(NODE_MONITOR_GRACE_SECONDS);
        const notReady = outages.map((outage) => notReadyWindow(outage, grace));
        const cni = getString(node.config, 'cluster.network.cni.name') ?? 'flannel';
        let readyAt = Infinity;
        if (cni !== 'none') readyAt = registeredAt + this.talos.ms(seconds.nodeReadyAfterCni);
        else if (cilium && !failure) {
          // The node stays Ready while its agent is replaced: the CNI config stays on the host (I.2).
          readyAt =
            agentServingSince(servingFrom, registeredAt, this.talos) +
            this.talos.ms(seconds.nodeReadyAfterCni);
        }
        return {
          name: node.hostname,
          talos: node,
          registeredAt,
          readyAt,
          ready: now >= readyAt && !within(notReady, now),
          unschedulable: within(cordons, now),
          cordons,
          outages,
          notReady,
          ...(cni === 'none' && cilium && failure ? { ciliumFailure: failure } : {}),
        };
      })
      .filter((node) => now >= node.registeredAt)
      .filter((node) => {
        const deletedAt = record.deleted[node.name];
        return deletedAt === undefined || node.talos.upAt > deletedAt;
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The cilium release's revisions, oldest first, each with its values and whether its agents can run. */
  private ciliumRevisions(clusterId: string, now: number): CiliumRevision[] {
    const release = this.release(clusterId, 'kube-system', CILIUM_RELEASE);
    if (!release) return [];
    const facts = this.talosFacts(clusterId, now);
    const { history = [], ...current } = release;
    return [...history, current].map((revision) => {
      const defaults = chartDefaults(revision.defaultsVersion ?? revision.chartVersion);
      const values = coalesce(defaults, revision.values) as Doc;
      return { revision, values, healthy: agentFailure(values, facts) === undefined };
    });
  }

  private agentInput(clusterId: string, nodes: KubeNode[], now: number): AgentInput {
    return {
      revisions: this.ciliumRevisions(clusterId, now),
      nodes,
      now,
      timing: this.talos,
      pulledOn: (node, image) => this.imagePulledOn(clusterId, node, image),
    };
  }

  /** The cilium agent pod on each Node (cilium-rollout.ts), not ready on a node where it fails. */
  ciliumAgentPods(clusterId: string, now = this.talos.now()): (PodState & { node: KubeNode })[] {
    if (!this.ciliumValues(clusterId)) return [];
    const nodes = this.nodes(clusterId, now);
    const byName = new Map(nodes.map((node) => [node.name, node]));
    return agentPods(this.agentInput(clusterId, nodes, now)).map((pod) => {
      const node = byName.get(pod.slot)!;
      // An agent on a node that is down (an outage, lab-kube) does not answer its readiness probe.
      return { ...pod, node, ready: pod.ready && !node.ciliumFailure && !downAt(node, now) };
    });
  }

  /** The cilium DaemonSet: one agent per Node, ready once it started without failing. */
  ciliumDaemonSet(clusterId: string, now = this.talos.now()): WorkloadStatus | undefined {
    if (!this.ciliumValues(clusterId)) return undefined;
    const pods = this.ciliumAgentPods(clusterId, now);
    const failure = pods.find((pod) => pod.node.ciliumFailure)?.node.ciliumFailure;
    return {
      desired: pods.length,
      ready: pods.filter((pod) => pod.ready).length,
      updated: pods.filter((pod) => pod.updated).length,
      ...(failure ? { failure } : {}),
    };
  }

  /** The cilium-operator replicas; they need distinct nodes (the chart's anti-affinity). */
  ciliumOperatorPods(clusterId: string, now = this.talos.now()): PodState[] {
    const cilium = this.ciliumValues(clusterId);
    if (!cilium) return [];
    const desired = Number(get(cilium.values, 'operator.replicas') ?? 2);
    const nodes = this.nodes(clusterId, now).length;
    const failed = operatorFailure(cilium.values, this.talosFacts(clusterId, now)) !== undefined;
    return operatorPods(this.ciliumRevisions(clusterId, now), desired, now, this.talos).map((pod, index) => ({
      ...pod,
      ready: pod.ready && !failed && index < nodes,
    }));
  }

  /** The cilium-operator Deployment. */
  ciliumOperator(clusterId: string, now = this.talos.now()): WorkloadStatus | undefined {
    const cilium = this.ciliumValues(clusterId);
    if (!cilium) return undefined;
    const pods = this.ciliumOperatorPods(clusterId, now);
    const failure = operatorFailure(cilium.values, this.talosFacts(clusterId, now));
    return {
      desired: pods.length,
      ready: pods.filter((pod) => pod.ready).length,
      updated: pods.filter((pod) => pod.updated).length,
      ...(failure ? { failure } : {}),
    };
  }

  /** `kubectl cordon`: false when it already was. */
  cordon(clusterId: string, name: string, at = this.talos.now()): boolean {
    const record = this.record(clusterId);
    if (record.cordoned[name] !== undefined) return false;
    record.cordoned[name] = at;
    this.save();
    return true;
  }

  /** `kubectl uncordon`: false when it was not cordoned by kubectl. */
  uncordon(clusterId: string, name: string, at = this.talos.now()): boolean {
    const record = this.record(clusterId);
    const from = record.cordoned[name];
    if (from === undefined) return false;
    delete record.cordoned[name];
    ((record.cordons ??= {})[name] ??= []).push([from, at]);
    this.save();
    return true;
  }

  /** Talos' cordon controller cordons the node for an upgrade; it uncordons when the node boots (F.1). */
  talosCordon(clusterId: string, name: string, at: number): void {
    const record = this.record(clusterId);
    const cordons = ((record.talosCordons ??= {})[name] ??= []);
    if (!cordons.includes(at)) cordons.push(at);
    this.save();
  }

  /** The eviction API deleted the pod at `at` (its controller replaces it). */
  evict(clusterId: string, namespace: string, pod: string, at = this.talos.now()): void {
    (this.record(clusterId).evictions ??= {})[`${namespace}/${pod}`] = at;
    this.save();
  }

  /** `<namespace>/<pod>` -> when it was evicted. */
  evictions(clusterId: string): Record<string, number> {
    return this.record(clusterId).evictions ?? {};
  }

  /** The annotations `kubectl annotate` wrote on a Node. */
  nodeAnnotations(clusterId: string, name: string): Record<string, string> {
    return { ...(this.record(clusterId).nodeAnnotations?.[name] ?? {}) };
  }

  setNodeAnnotations(clusterId: string, name: string, annotations: Record<string, string>): void {
    const record = this.record(clusterId);
    const all = (record.nodeAnnotations ??= {});
    if (Object.keys(annotations).length === 0) delete all[name];
    else all[name] = { ...annotations };
    this.save();
  }

  deleteNode(clusterId: string, name: string): void {
    const record = this.record(clusterId);
    record.deleted[name] = this.talos.now();
    delete record.cordoned[name];
    delete record.registered?.[name];
    delete record.nodeAnnotations?.[name]; // a Node registered again is a new object
    this.save();
  }
}
