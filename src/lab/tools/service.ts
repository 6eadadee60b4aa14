import type { Clock } from '../clock.js';
import type { LabLogWriter } from '../lab-log.js';
import type { LabContext } from '../pve/handlers/context.js';
import { KubeClusters } from '../kube/clusters.js';
import { TalosNodes } from '../talos/nodes.js';
import type { LabTimeNetwork } from '../talos/time-sync.js';
import { runHelm } from './helm.js';
import { runKubectl } from './kubectl.js';
import { redactArgs } from './redact-args.js';
import type { ExecRequest, ExecResult } from './runtime.js';
import { ToolCall } from './runtime.js';
import { runTalosctl } from './talosctl.js';

const TOOLS: Record<string, (call: ToolCall) => Promise<ExecResult>> = {
  talosctl: runTalosctl,
  kubectl: runKubectl,
  helm: runHelm,
};

/** Thrown for a request the lab API does not know; the server answers 404/400 with it. */
export class LabApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The lab's own API (/lab/v1/...): the Talos nodes and Kubernetes clusters behind the lab's
 * talosctl, kubectl and helm executables, which forward each call to POST /lab/v1/exec.
 */
export class LabToolService {
  readonly talos: TalosNodes;
  readonly kube: KubeClusters;

  private readonly clock: Clock;

  /** `log`: the lab log, which gets a line per call (the one place every call of every tool passes). */
  constructor(
    lab: LabContext,
    dir: string | undefined,
    network?: LabTimeNetwork,
    private readonly log?: LabLogWriter,
  ) {
    this.talos = TalosNodes.open(lab, dir, network);
    this.kube = KubeClusters.open(this.talos, dir);
    this.clock = lab.clock;
  }

  async handle(method: string, path: string, body: unknown): Promise<unknown> {
    if (method !== 'POST' || path !== '/exec')
      throw new LabApiError(404, `no lab API ${method} /lab/v1${path}`);
    const request = parseRequest(body);
    const run = TOOLS[request.tool];
    if (!run)
      throw new LabApiError(400, `the lab has no tool '${request.tool}': use talosctl, kubectl or helm`);
    this.talos.sync();
    return this.logged(request, () => run(new ToolCall(request, this.talos, this.kube)));
  }

  /** Runs a call and logs it like a request: the tool, its argv redacted, exit code (null: the lab failed), time. */
  private async logged(request: ExecRequest, call: () => Promise<ExecResult>): Promise<ExecResult> {
    const started = this.clock.now();
    let exitCode: number | null = null;
    try {
      const result = await call();
      exitCode = result.exitCode;
      return result;
    } finally {
      this.log?.({
        tool: request.tool,
        args: redactArgs(request.args),
        exitCode,
        durationMs: this.clock.now() - started,
      });
    }
  }

  close(): void {
    this.talos.close();
    this.talos.save();
    this.kube.save();
  }
}

function parseRequest(body: unknown): ExecRequest {
  const value = body as Partial<ExecRequest> | null;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (!value || typeof value.tool !== 'string' || !strings(value.args) || typeof value.cwd !== 'string') {
    throw new LabApiError(400, 'exec needs {tool, args: string[], cwd, env}');
  }
  const env = Object.fromEntries(
    Object.entries(value.env ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return {
    tool: value.tool,
    args: value.args as string[],
    cwd: value.cwd,
    env,
    ...(typeof value.stdin === 'string' ? { stdin: value.stdin } : {}),
  };
}
