import type { CommandRunner } from '../exec/runner.js';
import type { ToolPaths } from '../twin/context.js';
import type { NodeOutcome } from '../twin/outcome.js';

/** What the collectors of one cluster share. */

/** A cluster as the twin's record names it: where its credentials are, and its nodes. */
export interface DiagnosticCluster {
  name: string;
  kubeconfig: string;
  talosconfig: string;
  nodes: Pick<NodeOutcome, 'name' | 'role' | 'address'>[];
}

export interface ClusterProbe {
  /** Every call bounded (withDeadline), so a dead cluster answers with errors, quickly. */
  runner: CommandRunner;
  tools: ToolPaths;
  timeoutMs: number;
  /** Rook is enabled in the spec: Ceph's status is worth asking for. */
  ceph: boolean;
}
