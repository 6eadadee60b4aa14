import { join } from 'node:path';
import { CommandError, type CommandRunner } from '../exec/runner.js';
import { clusterEndpoint, type TalosClusterInput } from './config.js';

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
      talosContract(cluster.talosVersion),
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

  /** Starts etcd on the first control plane. Safe to repeat: a cluster bootstrapped before says so. */
  async bootstrap(opts: { talosconfig: string; node: string }): Promise<BootstrapOutcome> {
    try {
      await this.talosctl(['--talosconfig', opts.talosconfig, ...this.target(opts.node), 'bootstrap']);
      return 'bootstrapped';
    } catch (error) {
      if (error instanceof CommandError && ALREADY_BOOTSTRAPPED.test(error.stderrTail)) {
        return 'already-bootstrapped';
      }
      throw error;
    }
  }

  /** Writes the cluster's admin kubeconfig to `outputFile` (replacing it, never merging into another). */
  async kubeconfig(opts: { talosconfig: string; node: string; outputFile: string }): Promise<void> {
    await this.talosctl([
      '--talosconfig',
      opts.talosconfig,
      ...this.target(opts.node),
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
    const result = await this.talosctl(
      ['--talosconfig', opts.talosconfig, ...this.target(opts.node), 'version'],
      true,
    );
    return result.exitCode === 0;
  }

  /** Talks to `node` directly: before the VIP exists it is the only way in. */
  private target(node: string): string[] {
    return ['--nodes', node, '--endpoints', node];
  }

  private talosctl(args: string[], allowFailure = false) {
    return this.runner.run(this.tool, args, { allowFailure });
  }
}

function requireSome(values: string[], what: string): void {
  if (values.length === 0) throw new RangeError(`talosctl needs at least one of ${what}`);
}
