import type { VmRecord } from '../pve/state.js';
import type { Outage, Transition } from './lifecycle.js';
import type { Doc } from './yaml-docs.js';

/** A lab Talos node as the tools and the kube lab see it (TalosNodes.view). */

export type NodePhase = 'off' | 'booting' | 'maintenance' | 'rebooting' | 'running';

export interface TalosNode {
  vm: VmRecord;
  phase: NodePhase;
  /** When its API answered (or will answer) on :50000 in the current phase. */
  upAt: number;
  /** Where it answers (once up): the configured static addresses, else the platform's. */
  addresses: string[];
  /** The applied config (running and rebooting nodes). */
  docs?: Doc[];
  config?: Doc;
  role?: 'controlplane' | 'worker';
  clusterId?: string;
  /** The configured hostname, else the VM name nocloud hands over. */
  hostname: string;
  /** net0's MAC: which machine (and disk) this is. */
  identity: string;
  /** When the current boot began (what machine.time.bootTimeout counts from). */
  bootAt: number;
  /** When its CRI runs: bootstrap is "not available yet" before (Infinity: not configured). */
  criUpAt: number;
  /** When its time is in sync (Infinity: never, e.g. no reachable time server). */
  timeSyncedAt: number;
  /** The time servers its config names (Talos' default when none). */
  timeServers: string[];
  /** When etcd (with data) and the kubelet start: CRI up and time in sync, both wait for it (F.6). */
  servicesStartAt: number;
  /** The Talos release it runs, e.g. 'v1.12.11': its boot image's, then what an upgrade installed. */
  release: string;
  /** Changes with every boot (Talos' boot id; `talosctl upgrade --wait` waits for a new one). */
  bootId: string;
  /** Versions (no leading v) from the running config's images; undefined on a node with no config. */
  kubernetes?: NodeKubernetes;
  /**
   * The windows in which its kubelet does not run, oldest first (lab ms, as clock.now()): upgrades and
   * reboots asked for through talosctl, and a PVE start of a configured node ('power', from that start:
   * the lab does not record when the VM went down). The kube lab makes the Node NotReady and stops and
   * restarts its pods from these. An upgrade's `drainFrom` is when the Talos controller cordoned the
   * node (spec.unschedulable + annotation talos.dev/cordoned=true, removed at `until` only if that
   * annotation is still there, F.1) and the in-node drain began (see setDrainHook).
   */
  outages: Outage[];
  /** The reboot under way or coming (its sequence started, its boot not yet up). */
  transition?: Transition;
}

export interface NodeKubernetes {
  kubelet: string;
  apiServer?: string;
  controllerManager?: string;
  scheduler?: string;
}

/**
 * The in-node drain of an upgrade (LIFECYCLE F.1): given the node and when the drain starts (lab ms), the
 * profile seconds it takes (evictions in parallel, a PDB's 429 retried every 5 s; the lab caps it at
 * DrainTimeout, 300 s). The kube lab implements it (it knows the pods and PDBs) and wires it with
 * TalosNodes.setDrainHook; the call is also the moment the Talos controller cordons the node.
 */
export type DrainHook = (node: TalosNode, at: number) => number;
