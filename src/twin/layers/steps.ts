import type { CommandRunner } from '../../exec/runner.js';
import { Kubectl } from '../../kube/kubectl.js';
import { Talosctl } from '../../talos/talosctl.js';
import type { Pace, ToolPaths } from '../context.js';
import type { Change, NodeAction } from './types.js';

/**
 * One planned change and how to carry it out: a NodeAction for the cluster's rollout (one node at a time,
 * drained when it says so, health gates after), or a plain `run` for a change that takes no node down.
 */
export type LayerStep = { change: Change; action: NodeAction } | { change: Change; run(): Promise<void> };

/** What the Talos and Kubernetes layers of one cluster need: its tools, the pace, and a scratch folder. */
export interface ClusterLayerDeps {
  talosctl: Talosctl;
  /** kubectl with this cluster's kubeconfig. */
  kubectl: Kubectl;
  pace: Pace;
  /** Private scratch folder for generated configs (the operation's workDir or a folder in it). */
  workDir: string;
  log(line: string): void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The deps from an operation's context and the cluster's kubeconfig. */
export function clusterLayerDeps(
  ctx: { runner: CommandRunner; tools: ToolPaths; pace: Pace; workDir: string; log(line: string): void },
  kubeconfig: string,
): ClusterLayerDeps {
  return {
    talosctl: new Talosctl(ctx.runner, { path: ctx.tools.talosctl }),
    kubectl: new Kubectl(ctx.runner, { kubeconfig, path: ctx.tools.kubectl }),
    pace: ctx.pace,
    workDir: ctx.workDir,
    log: (line) => ctx.log(line),
  };
}
