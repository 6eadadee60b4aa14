import { z } from 'zod';
import { parseJsonOutput } from '../exec/output.js';
import { CommandError, type CommandRunner } from '../exec/runner.js';

export interface HelmOptions {
  kubeconfig: string;
  /** The executable; found on PATH by default, as on a lab runner. */
  path?: string;
}

export interface HelmRelease {
  release: string;
  /** Chart name as the release's repository serves it, e.g. cilium. */
  chart: string;
  /** Repository URL, so no `helm repo add` state is needed on the runner. */
  repo: string;
  version: string;
  namespace: string;
  /** A values file; it may hold keys, so it lives in the state store (0600), never in the repository. */
  valuesFile?: string;
  /** Single values (`--set key=value`), after the file; for releases without secrets (Cilium's pre-flight). */
  set?: [string, string][];
  /** Wait for the release's workloads to be ready, at most this long (helm --wait --timeout). */
  waitSeconds?: number;
  createNamespace?: boolean;
}

export interface HelmReleaseStatus {
  name: string;
  namespace: string;
  revision: number;
  /** deployed, failed, pending-install, pending-upgrade, ... */
  status: string;
  chartVersion?: string;
}

/**
 * The fields of `helm status -o json` we read. The output also carries the release's values (the mesh CA
 * key among them): they are never kept or printed.
 */
const ReleaseSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  version: z.number(),
  info: z.object({ status: z.string() }),
  chart: z.object({ metadata: z.object({ version: z.string().optional() }).optional() }).optional(),
});

const RELEASE_NOT_FOUND = /release: not found/;

/** helm against one cluster, one method per command the product uses. */
export class Helm {
  private readonly tool: string;
  private readonly kubeconfig: string;

  constructor(
    private readonly runner: CommandRunner,
    opts: HelmOptions,
  ) {
    this.tool = opts.path ?? 'helm';
    this.kubeconfig = opts.kubeconfig;
  }

  /** Installs the release, or upgrades it in place when it exists. */
  async upgradeInstall(release: HelmRelease): Promise<void> {
    await this.runner.run(this.tool, [
      'upgrade',
      '--install',
      release.release,
      release.chart,
      '--repo',
      release.repo,
      '--version',
      release.version,
      '--namespace',
      release.namespace,
      ...(release.valuesFile === undefined ? [] : ['--values', release.valuesFile]),
      ...(release.set ?? []).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
      ...(release.createNamespace ? ['--create-namespace'] : []),
      ...(release.waitSeconds === undefined ? [] : ['--wait', '--timeout', `${release.waitSeconds}s`]),
      '--kubeconfig',
      this.kubeconfig,
    ]);
  }

  /** Removes the release; one that is not installed is already gone. */
  async uninstall(release: string, namespace: string): Promise<'uninstalled' | 'absent'> {
    try {
      await this.runner.run(this.tool, [
        'uninstall',
        release,
        '--namespace',
        namespace,
        '--kubeconfig',
        this.kubeconfig,
      ]);
      return 'uninstalled';
    } catch (error) {
      if (error instanceof CommandError && RELEASE_NOT_FOUND.test(error.stderrTail)) return 'absent';
      throw error;
    }
  }

  /**
   * The values the release was installed with (what `--values` gave), or undefined when it is not
   * installed. They may hold keys: callers compare them and never print them.
   */
  async userValues(release: string, namespace: string): Promise<Record<string, unknown> | undefined> {
    const parsed = await this.releaseJson(['get', 'values', release], namespace);
    if (parsed === undefined) return undefined;
    if (parsed === null) return {}; // installed without values
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`helm get values ${release} did not return an object`);
    }
    return parsed as Record<string, unknown>;
  }

  /** The release's state, or undefined when it is not installed. */
  async status(release: string, namespace: string): Promise<HelmReleaseStatus | undefined> {
    const output = await this.releaseJson(['status', release], namespace);
    if (output === undefined) return undefined;
    const parsed = ReleaseSchema.safeParse(output);
    if (!parsed.success) {
      throw new Error(`helm status ${release} gave an unexpected shape: ${parsed.error.issues[0]?.message}`);
    }
    const { name, namespace: releaseNamespace, version, info, chart } = parsed.data;
    const chartVersion = chart?.metadata?.version;
    return {
      name,
      namespace: releaseNamespace,
      revision: version,
      status: info.status,
      ...(chartVersion === undefined ? {} : { chartVersion }),
    };
  }

  /** A release command's JSON output (`-o json`), or undefined when the release is not installed. */
  private async releaseJson(command: string[], namespace: string): Promise<unknown> {
    const args = [...command, '--namespace', namespace, '--kubeconfig', this.kubeconfig, '-o', 'json'];
    let stdout: string;
    try {
      ({ stdout } = await this.runner.run(this.tool, args));
    } catch (error) {
      if (error instanceof CommandError && RELEASE_NOT_FOUND.test(error.stderrTail)) return undefined;
      throw error;
    }
    return parseJsonOutput(`helm ${command.join(' ')}`, stdout);
  }
}
