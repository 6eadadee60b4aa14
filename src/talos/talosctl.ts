import { join } from 'node:path';
import { CommandError, type CommandRunner } from '../exec/runner.js';
import { clusterEndpoint, type TalosClusterInput } from './config.js';
import {
  type EtcdMember,
  parseDryRun,
  parseEtcdMembers,
  parseNodeErrors,
  parseServerVersions,
  parseUpgradeRefusal,
  type DryRunResult,
} from './lifecycle-output.js';

export interface TalosctlOptions {
  /** The executable; found on PATH by default, as on a lab runner. */
  path?: string;
}

/** The files `gen config` writes into its output folder. */
export interface GeneratedConfigs {
  controlPlane: string;
  worker: string;
  talosconfig: string;
}

/** Patch files (YAML from config.ts) that `gen config` lays over its output. */
export interface ConfigPatchFiles {
  common: string;
  controlPlane: string;
  worker: string;
}

export type BootstrapOutcome = 'bootstrapped' | 'already-bootstrapped';

/** A repeated bootstrap is refused with gRPC AlreadyExists "etcd data directory is not empty" (CONTRACTS B.5). */
const ALREADY_BOOTSTRAPPED = /AlreadyExists/;

/**
 * The node cannot take a bootstrap yet, and will once it is ready (LIFECYCLE F.4): its CRI does not run yet
 * ("bootstrap is not available yet"), or its time is not in sync ("time is not in sync yet"). Retry.
 */
export type NotReadyReason = 'not-available-yet' | 'time-not-in-sync';

const NOT_READY: [RegExp, NotReadyReason][] = [
  [/FailedPrecondition desc = bootstrap is not available yet/, 'not-available-yet'],
  [/FailedPrecondition desc = time is not in sync yet/, 'time-not-in-sync'],
];

export class BootstrapNotReadyError extends Error {
  override name = 'BootstrapNotReadyError';
  constructor(
    readonly reason: NotReadyReason,
    override readonly cause: CommandError,
  ) {
    super(cause.message);
  }
}

export type { EtcdMember } from './lifecycle-output.js';

/** What a node said when asked for its etcd members: the list, or why it could not tell. */
export type EtcdMembersAnswer = { members: EtcdMember[] } | { unknown: string };

/** A node's release as `talosctl version` gave it, or why it could not tell. */
export type NodeVersion = { node: string; release: string } | { node: string; unknown: string };

/** `apply-config --mode` values the product uses (LIFECYCLE F.3). */
export type ApplyMode = 'auto' | 'no-reboot' | 'reboot' | 'staged';

/** The node refused `talosctl upgrade` before starting it (etcd checks, a lock, the installer image). */
export class UpgradeRefusedError extends Error {
  override name = 'UpgradeRefusedError';
  constructor(
    readonly node: string,
    /** The node's own words. */
    readonly reason: string,
    /** Asking again later can succeed (a lock, etcd getting healthy); else something must change first. */
    readonly retryable: boolean,
    override readonly cause: CommandError,
  ) {
    super(`${node} refused the upgrade (${retryable ? 'retryable' : 'not retryable'}): ${reason}`);
  }
}

export type MaintenanceProbe = 'maintenance' | 'runs-config' | 'no-answer';

/** A configured node's apid asks for a client certificate, which an --insecure call does not have (B.6). */
const CERTIFICATE_REQUIRED = /tls: certificate required/;

/** gRPC Unavailable while reading the reply: the request went out, the connection died after it. */
const ANSWER_LOST = /code = Unavailable desc = error reading from server: (?:EOF|.*connection reset by peer)/;

/** The version contract `gen config` targets: v1.11.6 -> v1.11. */
export function talosContract(version: string): string {
  const match = /^(v\d+\.\d+)(?:\.\d+)?$/.exec(version);
  if (!match?.[1]) throw new RangeError(`"${version}" is not a Talos version like v1.11.6`);
  return match[1];
}

/** talosctl, one method per command the product uses (CONTRACTS B.5), with the argv exactly as documented. */
export class Talosctl {
  private readonly tool: string;

  constructor(
    private readonly runner: CommandRunner,
    opts: TalosctlOptions = {},
  ) {
    this.tool = opts.path ?? 'talosctl';
  }

  /** The cluster's CAs, keys and tokens: the one secret everything else is derived from. */
  async genSecrets(opts: { outputFile: string; talosVersion: string }): Promise<void> {
    await this.talosctl(['gen', 'secrets', '-o', opts.outputFile, '--talos-version', opts.talosVersion]);
  }

  /** The control-plane and worker configs and the talosconfig, written into `outputDir` (overwritten). */
  async genConfig(opts: {
    cluster: TalosClusterInput;
    secretsFile: string;
    patches: ConfigPatchFiles;
    outputDir: string;
  }): Promise<GeneratedConfigs> {
    const { cluster, patches, outputDir } = opts;
    await this.talosctl([
      'gen',
      'config',
      cluster.name,
      clusterEndpoint(cluster),
      '--with-secrets',
      opts.secretsFile,
      '--config-patch',
      `@${patches.common}`,
      '--config-patch-control-plane',
      `@${patches.controlPlane}`,
      '--config-patch-worker',
      `@${patches.worker}`,
      '--kubernetes-version',
      cluster.kubernetesVersion,
      '--talos-version',
      cluster.versionContract ?? talosContract(cluster.talosVersion),
      '--install-image',
      cluster.installImage,
      '--with-docs=false',
      '--with-examples=false',
      '--output-types',
      'controlplane,worker,talosconfig',
      '-o',
      outputDir,
      '--force',
    ]);
    return {
      controlPlane: join(outputDir, 'controlplane.yaml'),
      worker: join(outputDir, 'worker.yaml'),
      talosconfig: join(outputDir, 'talosconfig'),
    };
  }

  /** A node's own config: the role's config with the node patch (hostname, address, VIP) laid over it. */
  async patchMachineConfig(opts: { baseFile: string; patchFile: string; outputFile: string }): Promise<void> {
    await this.talosctl([
      'machineconfig',
      'patch',
      opts.baseFile,
      '-p',
      `@${opts.patchFile}`,
      '-o',
      opts.outputFile,
    ]);
  }

  /** The talosconfig's endpoints: the control planes' own addresses, never the VIP (B.2). */
  async setEndpoints(talosconfig: string, endpoints: string[]): Promise<void> {
    requireSome(endpoints, 'endpoints');
    await this.talosctl(['--talosconfig', talosconfig, 'config', 'endpoint', ...endpoints]);
  }

  /** The talosconfig's default nodes, used when a command names none. */
  async setNodes(talosconfig: string, nodes: string[]): Promise<void> {
    requireSome(nodes, 'nodes');
    await this.talosctl(['--talosconfig', talosconfig, 'config', 'node', ...nodes]);
  }

  /**
   * What answers on the node's :50000 without credentials: the maintenance service (before a config is
   * applied), an apid that wants a client certificate (the node runs a config), or nothing yet.
   */
  async maintenanceProbe(ip: string): Promise<MaintenanceProbe> {
    const result = await this.talosctl(['get', 'disks', '--insecure', '--nodes', ip], true);
    if (result.exitCode === 0) return 'maintenance';
    return CERTIFICATE_REQUIRED.test(result.stderr) ? 'runs-config' : 'no-answer';
  }

  /**
   * Sends a node its config over the maintenance service; the node installs and reboots into it. The reboot
   * can cut the connection before the answer arrives: then the config was sent and may well be applied.
   */
  async applyInsecure(ip: string, configFile: string): Promise<'applied' | 'answer-lost'> {
    try {
      await this.talosctl(['apply-config', '--insecure', '--nodes', ip, '--file', configFile]);
      return 'applied';
    } catch (error) {
      if (error instanceof CommandError && ANSWER_LOST.test(error.stderrTail)) return 'answer-lost';
      throw error;
    }
  }

  /**
   * Starts etcd on one control plane. The node's own data directory decides AlreadyExists, which means done
   * on this node; a node not ready yet throws BootstrapNotReadyError (retry it, never another node).
   */
  async bootstrap(opts: { talosconfig: string; node: string }): Promise<BootstrapOutcome> {
    try {
      await this.talosctl([...this.onNode(opts.talosconfig, opts.node), 'bootstrap']);
      return 'bootstrapped';
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      if (ALREADY_BOOTSTRAPPED.test(error.stderrTail)) return 'already-bootstrapped';
      const notReady = NOT_READY.find(([pattern]) => pattern.test(error.stderrTail));
      if (notReady) throw new BootstrapNotReadyError(notReady[1], error);
      throw error;
    }
  }

  /**
   * The etcd members as `node` itself sees them (its local etcd). A node whose etcd does not run, or that
   * does not answer, cannot tell: `unknown` with talosctl's reason.
   */
  async etcdMembers(opts: { talosconfig: string; node: string }): Promise<EtcdMembersAnswer> {
    const result = await this.talosctl(
      [...this.onNode(opts.talosconfig, opts.node), 'etcd', 'members'],
      true,
    );
    if (result.exitCode !== 0) return { unknown: lastLine(result.stderr) };
    return { members: parseEtcdMembers(result.stdout) };
  }

  /** Writes the cluster's admin kubeconfig to `outputFile` (replacing it, never merging into another). */
  async kubeconfig(opts: { talosconfig: string; node: string; outputFile: string }): Promise<void> {
    await this.talosctl([
      ...this.onNode(opts.talosconfig, opts.node),
      'kubeconfig',
      opts.outputFile,
      '--merge=false',
      '--force',
    ]);
  }

  /**
   * True once the node answers over mTLS with the cluster's credentials, i.e. it runs its config. Asked of the
   * node itself (every node's apid answers for itself), so a worker's answer does not wait on a control plane.
   */
  async configuredReady(opts: { talosconfig: string; node: string }): Promise<boolean> {
    const result = await this.talosctl([...this.onNode(opts.talosconfig, opts.node), 'version'], true);
    return result.exitCode === 0;
  }

  /**
   * The release each node runs, asked of all of them at once through the talosconfig's endpoints. A node
   * that does not answer (rebooting, down) gets `unknown` with talosctl's reason; the others still count.
   */
  async versions(talosconfig: string, nodes: string[]): Promise<NodeVersion[]> {
    requireSome(nodes, 'nodes');
    const result = await this.talosctl(
      ['--talosconfig', talosconfig, '--nodes', nodes.join(','), 'version'],
      true,
    );
    const releases = parseServerVersions(result.stdout, nodes);
    const errors = result.exitCode === 0 ? new Map<string, string>() : parseNodeErrors(result.stderr, nodes);
    return nodes.map((node) => {
      const answer = releases.find((release) => release.node === node);
      if (answer) return answer;
      return { node, unknown: errors.get(node) ?? 'no Server block in talosctl version' };
    });
  }

  /**
   * Starts an upgrade to `image` and returns once the node accepted it (`--wait=false`): the caller gates on
   * the node coming back itself. A node that refuses before starting (etcd checks, the upgrade lock, the
   * installer image; F.1, F.9) throws UpgradeRefusedError saying whether to ask again.
   *
   * `clientDrain: false` adds `--drain=false`, for nodes on Talos 1.13+: talosctl 1.13 upgrades them through
   * the LifecycleService, where talosctl itself drains (default true) and that forces `--wait` (facts-13 §2,
   * upgrade.go l.70-76, l.368); the caller drains instead. Older nodes take the legacy API and drain
   * themselves (F.1), and talosctl before 1.13 has no `--drain` flag, so it is left out for them.
   */
  async upgrade(
    talosconfig: string,
    node: string,
    image: string,
    opts: { clientDrain?: false } = {},
  ): Promise<void> {
    try {
      await this.talosctl([
        ...this.onNode(talosconfig, node),
        'upgrade',
        '--image',
        image,
        '--wait=false',
        ...(opts.clientDrain === false ? ['--drain=false'] : []),
      ]);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      const refusal = parseUpgradeRefusal(error.stderrTail);
      if (refusal) throw new UpgradeRefusedError(node, refusal.reason, refusal.retryable, error);
      throw error;
    }
  }

  /**
   * Applies `file` as the node's config in `mode` (F.3) and returns talosctl's mode details (stderr). In
   * mode reboot the node can go down before its answer arrives: the config was taken (as applyInsecure).
   */
  async applyConfig(talosconfig: string, node: string, file: string, mode: ApplyMode): Promise<string> {
    const args = [...this.onNode(talosconfig, node), 'apply-config', '--file', file, '--mode', mode];
    try {
      const result = await this.talosctl(args);
      return `${result.stderr}${result.stdout}`.trim();
    } catch (error) {
      if (mode === 'reboot' && error instanceof CommandError && ANSWER_LOST.test(error.stderrTail)) {
        return 'answer lost: the node went down to reboot';
      }
      throw error;
    }
  }

  /** What applying `file` in mode auto would do: reboot or not, and the diff against the node's config (F.3). */
  async applyConfigDryRun(talosconfig: string, node: string, file: string): Promise<DryRunResult> {
    const result = await this.talosctl([
      ...this.onNode(talosconfig, node),
      'apply-config',
      '--file',
      file,
      '--mode',
      'auto',
      '--dry-run',
    ]);
    return parseDryRun(`${result.stderr}\n${result.stdout}`);
  }

  /**
   * Moves the cluster's Kubernetes to `to` (one minor at most, F.2) through one control plane: control-plane
   * components one node at a time, then each kubelet in place (no drain, no reboot). Long-running.
   */
  async upgradeK8s(talosconfig: string, controlPlane: string, to: string): Promise<void> {
    await this.talosctl([...this.onNode(talosconfig, controlPlane), 'upgrade-k8s', '--to', to]);
  }

  /** One node's system services as `talosctl services` prints them (state, health, last event). */
  async services(talosconfig: string, node: string): Promise<string> {
    return (await this.talosctl([...this.onNode(talosconfig, node), 'services'])).stdout;
  }

  /** The last `tail` lines of a system service's log on one node (`talosctl logs`), each `<node>: <line>`. */
  async logs(talosconfig: string, node: string, service: string, tail: number): Promise<string> {
    const args = [...this.onNode(talosconfig, node), 'logs', service, '--tail', String(tail)];
    return (await this.talosctl(args)).stdout;
  }

  /** Reboots the node and returns once it accepted (`--wait=false`); the Reboot sequence does not drain (F.5). */
  async reboot(talosconfig: string, node: string): Promise<void> {
    await this.talosctl([...this.onNode(talosconfig, node), 'reboot', '--wait=false']);
  }

  /**
   * The node's boot id (`/proc/sys/kernel/random/boot_id`, what talosctl's own upgrade tracker compares,
   * LIFECYCLE F.1 `BootIDChangedPostCheckFn`); undefined while the node does not answer.
   */
  async bootId(talosconfig: string, node: string): Promise<string | undefined> {
    const result = await this.talosctl(
      [...this.onNode(talosconfig, node), 'read', '/proc/sys/kernel/random/boot_id'],
      true,
    );
    const id = result.stdout.trim();
    return result.exitCode === 0 && id !== '' ? id : undefined;
  }

  /** The client config and the one node it talks to, as endpoint too (each command goes to that node). */
  private onNode(talosconfig: string, node: string): string[] {
    return ['--talosconfig', talosconfig, '--nodes', node, '--endpoints', node];
  }

  private talosctl(args: string[], allowFailure = false) {
    return this.runner.run(this.tool, args, { allowFailure });
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

function requireSome(values: string[], what: string): void {
  if (values.length === 0) throw new RangeError(`talosctl needs at least one of ${what}`);
}
