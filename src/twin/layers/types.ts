/**
 * The shape every layer of a twin shares (DESIGN "Converge as reconcilers"): each layer observes what
 * runs, compares it with what the spec wants, and says what changes, in order. `plan` prints the union of
 * the layers' changes; `up` is ready only when every layer, observed again after the run, has none left.
 */

/** The layers of a twin, bottom up. */
export type LayerName = 'vm' | 'talos' | 'kubernetes' | 'release' | 'mesh';

/** One thing a layer would change, in words a plan prints. */
export interface Change {
  layer: LayerName;
  cluster: string;
  /** What changes: a node (VM) name, a helm release name, or the cluster itself. */
  target: string;
  /** e.g. `talos-upgrade`, `kubernetes-upgrade`, `config-apply`, `vm-resize`, `disk-grow`, `helm-upgrade`. */
  kind: string;
  /** Running and wanted, as short texts (`v1.11.6`, `4 cores / 8192 MiB`, `chart 1.19.6`). */
  from: string;
  to: string;
  /** Why, and what it costs: e.g. `needs a reboot: .machine.time changed` or `no reboot`. */
  detail?: string;
  /** Whether the node goes down for it (drained first, one node at a time, health gates after). */
  disruptive: boolean;
}

/** A path the real systems refuse, with the step needed first. */
export interface RefusedChange {
  layer: LayerName;
  cluster: string;
  target: string;
  /** What was asked, e.g. `Kubernetes 1.34.1 -> 1.36.0`. */
  asked: string;
  /** Why the real system refuses it and what to do first, e.g. `Talos v1.11 supports Kubernetes up to 1.34: upgrade Talos to v1.13 first`. */
  reason: string;
}

/** What one layer reports for one twin: running vs wanted, and the ordered path between them. */
export interface LayerDiff {
  layer: LayerName;
  cluster: string;
  /** Running and wanted in one line each (e.g. `Talos v1.11.6 on 6 nodes`), for the plan's table. */
  running: string;
  wanted: string;
  /** In the order they run. */
  changes: Change[];
  refused: RefusedChange[];
  /** The layer could not be observed (no credentials, cluster not up): everything is treated as to do. */
  unobserved?: string;
}

/**
 * A disruptive action on one node. The cluster's rollout runs these one node at a time: drain (when
 * `drain`), `run`, wait for the node to be back and Ready, uncordon, then the health gates (etcd for control
 * planes, Ceph HEALTH_OK, the probe) before the next node.
 */
export interface NodeAction {
  cluster: string;
  node: string;
  role: 'controlplane' | 'worker';
  /** What the action does, for step titles and logs, e.g. `Talos v1.11.6 -> v1.12.11`. */
  describe: string;
  /** Evict the node's pods before `run` (a reboot without Talos' own drain, e.g. a PVE reboot). */
  drain: boolean;
  run(): Promise<void>;
  /**
   * What must hold once the node is back and Ready, awaited like a gate (e.g. the kubelet reports the VM's
   * new cores): true, or why not yet.
   */
  settled?(): Promise<true | string>;
}
