import type { ChartRelease, LabChart } from '../kube/charts.js';
import { CILIUM_RELEASE, coalesce } from '../kube/cilium-chart.js';
import type { ReleaseRecord, ReleaseRevision } from '../kube/clusters.js';
import { ApiRejection } from '../kube/objects.js';
import type { Doc } from '../talos/yaml-docs.js';
import type { CommandNode, FlagSpec, ParsedArgs } from './flags.js';
import { UsageError, boolFlag, findCommand, parseFlags, stringFlag } from './flags.js';
import { connect, resolveChart, timeoutMs, userValues } from './helm-common.js';
import { applyManifest, buildError, createNamespace, withReleaseMetadata } from './helm-manifest.js';
import { getValues, history, list, status, statusText, uninstall } from './helm-releases.js';
import { repoAdd, repoUpdate } from './helm-repo.js';
import { notePulledImages, waitReady } from './helm-wait.js';
import { ApiConnectError, helmConnectMessage } from './kube-access.js';
import type { ExecResult, ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * The lab's helm (v3.19): `install`, `upgrade --install`, `status`, `get values`, `list`, `history` and
 * `uninstall` of the charts the lab serves (charts.ts). Values are checked by the schema of the chart
 * version installed, the rendered objects go through the cluster's API server (its validation, its CRDs),
 * every revision is recorded in the lab's cluster, and `--wait` holds on lab time until the release's
 * workloads are ready.
 */

type Run = (call: ToolCall, args: ParsedArgs) => Promise<void>;

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string' },
  { name: 'namespace', short: 'n', kind: 'string' },
  { name: 'kube-context', kind: 'string' },
  { name: 'debug', kind: 'bool' },
];

const OUTPUT: FlagSpec = { name: 'output', short: 'o', kind: 'string' };

const INSTALL_FLAGS: FlagSpec[] = [
  { name: 'repo', kind: 'string' },
  { name: 'version', kind: 'string' },
  { name: 'values', short: 'f', kind: 'stringArray' },
  { name: 'set', kind: 'stringArray' },
  { name: 'create-namespace', kind: 'bool' },
  { name: 'wait', kind: 'bool' },
  { name: 'timeout', kind: 'string' },
];

const ROOT: CommandNode<Run> = {
  name: 'helm',
  children: [
    {
      name: 'upgrade',
      flags: [
        ...INSTALL_FLAGS,
        { name: 'install', short: 'i', kind: 'bool' },
        { name: 'reuse-values', kind: 'bool' },
        { name: 'reset-values', kind: 'bool' },
      ],
      run: upgrade,
    },
    { name: 'install', flags: INSTALL_FLAGS, run: install },
    { name: 'status', flags: [OUTPUT], run: status },
    { name: 'get', children: [{ name: 'values', flags: [OUTPUT], run: getValues }] },
    { name: 'list', flags: [OUTPUT, { name: 'all-namespaces', short: 'A', kind: 'bool' }], run: list },
    { name: 'history', flags: [OUTPUT], run: history },
    {
      name: 'repo',
      children: [
        { name: 'add', flags: [{ name: 'force-update', kind: 'bool' }], run: repoAdd },
        { name: 'update', run: repoUpdate },
      ],
    },
    // `helm delete` is an alias of uninstall (cmd/helm/uninstall.go: Aliases "del", "delete", "un").
    ...['uninstall', 'delete', 'del', 'un'].map((name) => ({ name, run: uninstall })),
    { name: 'version', flags: [{ name: 'short', kind: 'bool' }], run: version },
  ],
};

/** The helm the lab stands in for: the version runner-setup/tools.json pins on a lab runner. */
const HELM_VERSION = 'v3.19.0';
/** helm's --history-max default: older revisions are pruned. */
const HISTORY_MAX = 10;

/** `helm version`: the short form is "<version>+g<commit>", the long one Go's BuildInfo struct. */
async function version(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (boolFlag(args, 'short')) return call.out(`${HELM_VERSION}+g3d8990f\n`);
  call.out(
    `version.BuildInfo{Version:"${HELM_VERSION}", GitCommit:"3d8990f0836691f0229297773f3524598f46bda6", ` +
      'GitTreeState:"clean", GoVersion:"go1.24.7"}\n',
  );
}

export async function runHelm(call: ToolCall): Promise<ExecResult> {
  try {
    const found = findCommand(ROOT, call.request.args, GLOBAL_FLAGS);
    if (found.unknown !== undefined || !found.node.run) {
      throw new ToolFailure(
        found.unknown === undefined
          ? `"helm ${found.path.join(' ')}" requires a subcommand`
          : `unknown command "${found.unknown}" for "helm${found.path.map((word) => ` ${word}`).join('')}"\nRun 'helm${found.path.map((word) => ` ${word}`).join('')} --help' for usage.`,
      );
    }
    const args = parseFlags(found.rest, [...GLOBAL_FLAGS, ...(found.node.flags ?? [])]);
    await found.node.run(call, args);
    return call.result(0);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ToolFailure) {
      call.err(`Error: ${error.message}\n`);
      return call.result(1);
    }
    if (error instanceof ApiConnectError) {
      call.err(`${helmConnectMessage(error)}\n`);
      return call.result(1);
    }
    throw error;
  }
}

async function upgrade(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length !== 2) {
    throw new ToolFailure(
      `"helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]`,
    );
  }
  await deploy(call, args, boolFlag(args, 'install') ? 'upgrade --install' : 'upgrade');
}

async function install(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length !== 2) {
    throw new ToolFailure(
      `"helm install" requires at least 1 argument\n\nUsage:  helm install [NAME] [CHART] [flags]`,
    );
  }
  try {
    await deploy(call, args, 'install');
  } catch (error) {
    // cmd/helm/install.go wraps every error of an install.
    if (error instanceof ToolFailure) throw new ToolFailure(`INSTALLATION FAILED: ${error.message}`);
    throw error;
  }
}

/** The values an upgrade renders with: the user's, over the chart's defaults (or, reusing, the old ones). */
function valuesFor(
  call: ToolCall,
  args: ParsedArgs,
  chart: LabChart,
  version: string,
  existing: ReleaseRecord | undefined,
): { config: Doc; merged: Doc; defaultsVersion?: string } {
  const given = userValues(call, args);
  if (!existing || boolFlag(args, 'reset-values')) {
    return { config: given, merged: coalesce(chart.defaults(version), given) as Doc };
  }
  if (boolFlag(args, 'reuse-values')) {
    // pkg/action/upgrade.go reuseValues: the new chart's values.yaml is replaced by the OLD chart's
    // coalesced values, and the old config goes under the new one. Across chart versions the new
    // defaults (image tags included) are then never seen: why LIFECYCLE I.1 says not to use it.
    const defaultsVersion = existing.defaultsVersion ?? existing.chartVersion;
    const old = coalesce(chart.defaults(defaultsVersion), existing.values);
    const config = coalesce(existing.values, given) as Doc;
    return { config, merged: coalesce(old, config) as Doc, defaultsVersion };
  }
  // No values given at all: helm copies the current release's config to the new revision.
  const config = Object.keys(given).length === 0 ? existing.values : given;
  return { config, merged: coalesce(chart.defaults(version), config) as Doc };
}

type Mode = 'install' | 'upgrade' | 'upgrade --install';

async function deploy(call: ToolCall, args: ParsedArgs, mode: Mode): Promise<void> {
  const [releaseName = '', reference = ''] = args.positionals;
  const waitMs = boolFlag(args, 'wait') ? timeoutMs(args) : undefined;
  const { target, namespace } = await connect(call, args);
  const found = call.kube.release(target.clusterId, namespace, releaseName);
  if (found && mode === 'install') throw new ToolFailure('cannot re-use a name that is still in use');
  const existing = mode === 'install' ? undefined : found;
  if (!existing && mode === 'upgrade')
    throw new ToolFailure(`UPGRADE FAILED: "${releaseName}" has no deployed releases`);
  // An upgrade's errors carry helm's prefix; an install started by `upgrade --install` returns them bare.
  const prefix = existing ? 'UPGRADE FAILED: ' : '';
  const failure = (message: string) => new ToolFailure(`${prefix}${message}`);
  if (!existing && mode !== 'install')
    call.out(`Release "${releaseName}" does not exist. Installing it now.\n`);
  const { chart, version } = resolveChart(
    call,
    reference,
    stringFlag(args, 'repo'),
    stringFlag(args, 'version'),
  );
  const { config, merged, defaultsVersion } = valuesFor(call, args, chart, version, existing);
  const problem = chart.check?.(merged, version);
  if (problem) throw failure(problem);
  const release: ChartRelease = { name: releaseName, namespace, chartVersion: version };
  const store = call.kube.objects(target.clusterId);
  const manifest = chart.render(merged, release).map((doc) => withReleaseMetadata(doc, release));
  const unmapped = manifest.find((doc) => !store.served(String(doc.apiVersion), String(doc.kind)));
  if (unmapped) throw failure(buildError(unmapped, namespace, existing !== undefined));
  if (!existing) createNamespace(store, namespace, boolFlag(args, 'create-namespace'));
  await call.pause(call.talos.seconds.helmInstall);
  notePulledImages(call, target.clusterId);
  const pullDelay = call.talos.faults.releasePullDelay(releaseName);
  const record = (state: ReleaseRecord['status'], description: string): ReleaseRecord => {
    const now = call.now();
    const written: ReleaseRecord = {
      name: releaseName,
      namespace,
      chart: chart.name,
      chartVersion: version,
      appVersion: version,
      revision: (existing?.revision ?? 0) + 1,
      status: state,
      values: config,
      firstDeployedAt: existing?.firstDeployedAt ?? now,
      deployedAt: now,
      description,
      ...(pullDelay > 0 ? { imagePullDelaySeconds: pullDelay } : {}),
      ...(defaultsVersion && defaultsVersion !== version ? { defaultsVersion } : {}),
      ...(existing ? { history: historyAfter(existing, state === 'deployed') } : {}),
    };
    call.kube.putRelease(target.clusterId, written);
    return written;
  };
  const failed = (message: string) => {
    const what = existing ? `Upgrade "${releaseName}"` : `Release "${releaseName}"`;
    record('failed', `${what} failed: ${message}`);
    return failure(message);
  };
  try {
    applyManifest(store, manifest, release, existing !== undefined);
  } catch (error) {
    if (error instanceof ApiRejection) throw failed(error.message);
    throw error;
  }
  const deployed = record('deployed', existing ? 'Upgrade complete' : 'Install complete');
  const modelsCilium =
    chart.name === 'cilium' && releaseName === CILIUM_RELEASE && namespace === 'kube-system';
  const waitFor = { manifest, release, modelsCilium };
  if (waitMs !== undefined && !(await waitReady(call, target.clusterId, waitFor, waitMs))) {
    throw failed('context deadline exceeded');
  }
  if (existing) call.out(`Release "${releaseName}" has been upgraded. Happy Helming!\n`);
  call.out(statusText(deployed));
}

/**
 * The revisions kept once `existing` has a successor: pkg/action/upgrade.go marks the deployed one
 * `superseded` only when the upgrade succeeds (a failed one leaves it `deployed`); at most HISTORY_MAX.
 */
function historyAfter(existing: ReleaseRecord, succeeded: boolean): ReleaseRevision[] {
  const {
    history: earlier = [],
    name: _name,
    namespace: _ns,
    chart: _chart,
    firstDeployedAt: _first,
    ...current
  } = existing;
  // After a failed upgrade the deployed revision is an earlier one: success supersedes it too.
  const supersede = (revision: ReleaseRevision): ReleaseRevision =>
    succeeded && revision.status === 'deployed' ? { ...revision, status: 'superseded' } : revision;
  return [...earlier, current].map(supersede).slice(-(HISTORY_MAX - 1));
}
