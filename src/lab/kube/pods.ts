import type { Doc } from '../talos/yaml-docs.js';

/** A pod of a workload, as computed from its owner, the nodes and the time (the lab keeps no pod records). */
export interface PodView {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  owner: { kind: 'Deployment' | 'DaemonSet' | 'StatefulSet'; name: string };
  /** Unset while Pending (no node fits). */
  nodeName?: string;
  phase: 'Pending' | 'Running' | 'Terminating';
  /** Every container ready (readiness probes passing). */
  ready: boolean;
  /** What kubectl's STATUS column shows: Running, ContainerCreating, ErrImagePull, Pending, ... */
  status: string;
  /** Why it is not running, in Kubernetes' words (events), when it is not. */
  reason?: string;
  containers: { name: string; image: string }[];
  /** The owner's pod template spec (containers with volumeMounts, volumes). */
  spec: Doc;
  /** From its node's podCIDR, once it runs. */
  ip?: string;
  startedAt?: number;
  /** When its controller created it (AGE, creationTimestamp). */
  createdAt: number;
  /** When it was deleted (it shows Terminating until it is gone). */
  deletedAt?: number;
}
