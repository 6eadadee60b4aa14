import type { PodView } from '../kube/pods.js';
import type { ToolCall } from './runtime.js';

/** One `kubectl exec` into a running container: the program is argv[0]. */
export interface PodExec {
  call: ToolCall;
  clusterId: string;
  pod: PodView;
  container: { name: string; image: string };
  argv: string[];
}

export interface ProgramResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type PodProgram = (exec: PodExec) => Promise<ProgramResult>;
