import { parse, stringify } from 'yaml';
import { sleep } from '../clock.js';
import type { ChartRelease, LabChart } from '../kube/charts.js';
import { CHARTS, findChart, pickVersion, servesRepo } from '../kube/charts.js';
import { coalesce } from '../kube/cilium-chart.js';
import type { ReleaseRecord } from '../kube/clusters.js';
import type { KindInfo } from '../kube/kinds.js';
import { byKind } from '../kube/kinds.js';
import type { ObjectStore, StoredObject } from '../kube/objects.js';
import { ApiRejection, annotationsOf, labelsOf } from '../kube/objects.js';
import { workloadStatus } from '../kube/workloads.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { CommandNode, FlagSpec, ParsedArgs } from './flags.js';
import {
  UsageError,
  boolFlag,
  findCommand,
  listFlag,
  parseDurationSeconds,
  parseFlags,
  stringFlag,
} from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { ApiConnectError, connectKube, helmConnectMessage, kubeconfigPath } from './kube-access.js';
import type { ExecResult, ToolCall } from './runtime.js';
import { ToolFailure, ansiDate } from './runtime.js';

/**
 * The lab's helm (v3.19): `upgrade --install`, `status`, `get values`, `list` and `uninstall` of the
 * charts the lab serves (charts.ts). Values are checked by the chart, the rendered objects go through the
 * cluster's API server (its validation, its CRDs), releases are recorded in the lab's cluster, and
 * `--wait` holds on lab time until the release's workloads are ready.
 */

type Run = (call: ToolCall, args: ParsedArgs) => Promise<void>;

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string' },
  { name: 'namespace', short: 'n', kind: 'string' },
  { name: 'kube-context', kind: 'string' },
  { name: 'debug', kind: 'bool' },
];

const OUTPUT: FlagSpec = { name: 'output', short: 'o', kind: 'string' };

const ROOT: CommandNode<Run> = {
  name: 'helm',
  children: [
    {
      name: 'upgrade',
      flags: [
        { name: 'install', short: 'i', kind: 'bool' },
        { name: 'repo', kind: 'string' },
        { name: 'version', kind: 'string' },
        { name: 'values', short: 'f', kind: 'stringArray' },
        { name: 'set', kind: 'stringArray' },
        { name: 'create-namespace', kind: 'bool' },
        { name: 'wait', kind: 'bool' },
        { name: 'timeout', kind: 'string' },
      ],
      run: upgrade,
    },
    { name: 'status', flags: [OUTPUT], run: status },
    { name: 'get', children: [{ name: 'values', flags: [OUTPUT], run: getValues }] },
    { name: 'list', flags: [OUTPUT, { name: 'all-namespaces', short: 'A', kind: 'bool' }], run: list },
    { name: 'uninstall', run: uninstall },
    { name: 'version', flags: [{ name: 'short', kind: 'bool' }], run: version },
  ],
};

/** The helm the lab stands in for: the version runner-setup/tools.json pins on a lab runner. */
const HELM_VERSION = 'v3.19.0';

/** `helm version`: the short form is "<version>+g<commit>", the long one Go's BuildInfo struct. */
async function version(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (boolFlag(args, 'short')) return call.out(`${HELM_VERSION}+g3d8990f\n`);
  call.out(
    `version.BuildInfo{Version:"${HELM_VERSION}", GitCommit:"3d8990f0836691f0229297773f3524598f46bda6", ` +
      'GitTreeState:"clean", GoVersion:"go1.24.7"}\n',
  );
}

/** helm's default --timeout. */
const DEFAULT_TIMEOUT_SECONDS = 300;
/** How often helm's waiter looks at the resources. */
const WAIT_POLL_SECONDS = 2;
const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);
/** The cilium chart's `updateStrategy.rollingUpdate.maxUnavailable`. */
const CILIUM_AGENT_MAX_UNAVAILABLE = 2;

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

async function connect(call: ToolCall, args: ParsedArgs): Promise<{ target: KubeTarget; namespace: string }> {
  const flag = stringFlag(args, 'kubeconfig');
  const context = stringFlag(args, 'kube-context');
  const target = await connectKube(call, {
    kubeconfig: kubeconfigPath(call, flag),
    explicit: flag !== undefined,
    ...(context === undefined ? {} : { context }),
  });
  return { target, namespace: stringFlag(args, 'namespace') ?? target.namespace };
}

/** The chart a reference names: `<name>` with `--repo <url>`; `<repo>/<name>` needs a `helm repo add`. */
function resolveChart(
  reference: string,
  repo: string | undefined,
  version: string | undefined,
): { chart: LabChart; version: string } {
  if (repo === undefined) {
    throw new ToolFailure(
      reference.includes('/')
        ? `repo ${reference.split('/')[0]} not found`
        : `non-absolute URLs should be in form of repo_name/path_to_chart, got: ${reference}`,
    );
  }
  const url = repo.replace(/\/+$/, '');
  if (!servesRepo(url)) {
    throw new ToolFailure(
      `looks like "${repo}" is not a valid chart repository or cannot be reached: failed to fetch ${url}/index.yaml : 404 Not Found`,
    );
  }
  const chart = findChart(url, reference);
  if (!chart) throw new ToolFailure(`chart "${reference}" not found in ${repo} repository`);
  const picked = pickVersion(chart, version);
  if (picked === undefined)
    throw new ToolFailure(`chart "${reference}" version "${version}" not found in ${repo} repository`);
  return { chart, version: picked };
}

/** `-f` files merged in order, then `--set a.b=c` (true/false and integers typed as helm does). */
function userValues(call: ToolCall, args: ParsedArgs): Doc {
  let values: unknown = {};
  for (const file of listFlag(args, 'values')) {
    let parsed: unknown;
    try {
      parsed = parse(call.read(file)) ?? {};
    } catch (error) {
      if (error instanceof ToolFailure) throw error;
      throw new ToolFailure(
        `failed to parse ${file}: error converting YAML to JSON: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    if (!isMap(parsed))
      throw new ToolFailure(
        `failed to parse ${file}: error unmarshaling JSON: json: cannot unmarshal array into Go value of type map[string]interface {}`,
      );
    values = coalesce(values, parsed);
  }
  for (const assignment of listFlag(args, 'set')) {
    const [path = '', raw = ''] = assignment.split(/=(.*)/s);
    const typed = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
    const patch = path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), typed);
    values = coalesce(values, patch);
  }
  return values as Doc;
}

/** --timeout is a Go duration; a bare number has no unit and pflag refuses it. */
function timeoutMs(args: ParsedArgs): number {
  const raw = stringFlag(args, 'timeout');
  if (raw === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = /^\d+$/.test(raw) && raw !== '0' ? undefined : parseDurationSeconds(raw);
  if (seconds === undefined) {
    const why = /^\d+$/.test(raw) ? `missing unit in duration "${raw}"` : `invalid duration "${raw}"`;
    throw new UsageError(`invalid argument "${raw}" for "--timeout" flag: time: ${why}`);
  }
  return seconds * 1000;
}

async function upgrade(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length !== 2) {
    throw new ToolFailure(
      `"helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]`,
    );
  }
  const [releaseName = '', reference = ''] = args.positionals;
  const waitMs = boolFlag(args, 'wait') ? timeoutMs(args) : undefined;
  const { target, namespace } = await connect(call, args);
  const existing = call.kube.release(target.clusterId, namespace, releaseName);
  if (!existing && !boolFlag(args, 'install'))
    throw new ToolFailure(`UPGRADE FAILED: "${releaseName}" has no deployed releases`);
  // An upgrade's errors carry helm's prefix; an install started by `upgrade --install` returns them bare.
  const failure = (message: string) => new ToolFailure(existing ? `UPGRADE FAILED: ${message}` : message);
  if (!existing) call.out(`Release "${releaseName}" does not exist. Installing it now.\n`);
  const { chart, version } = resolveChart(reference, stringFlag(args, 'repo'), stringFlag(args, 'version'));
  const values = userValues(call, args);
  const merged = coalesce(chart.defaults(), values) as Doc;
  const problem = chart.check?.(merged);
  if (problem) throw failure(problem);
  const release: ChartRelease = { name: releaseName, namespace, chartVersion: version };
  const store = call.kube.objects(target.clusterId);
  const manifest = chart.render(merged, release).map((doc) => withReleaseMetadata(doc, release));
  const unmapped = manifest.find((doc) => !store.served(String(doc.apiVersion), String(doc.kind)));
  if (unmapped) throw failure(buildError(unmapped, namespace, existing !== undefined));
  if (!existing) createNamespace(store, namespace, boolFlag(args, 'create-namespace'));
  await call.pause(call.talos.seconds.helmInstall);
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
      values,
      firstDeployedAt: existing?.firstDeployedAt ?? now,
      deployedAt: now,
      description,
      ...(pullDelay > 0 ? { imagePullDelaySeconds: pullDelay } : {}),
    };
    call.kube.putRelease(target.clusterId, written);
    return written;
  };
  const failed = (message: string) => {
    const prefix = existing ? `Upgrade "${releaseName}"` : `Release "${releaseName}"`;
    record('failed', `${prefix} failed: ${message}`);
    return failure(message);
  };
  try {
    applyManifest(store, manifest, release, existing !== undefined);
  } catch (error) {
    if (error instanceof ApiRejection) throw failed(error.message);
    throw error;
  }
  const deployed = record('deployed', existing ? 'Upgrade complete' : 'Install complete');
  const waitFor = { manifest, release, modelsCilium: chart.name === 'cilium' };
  if (waitMs !== undefined && !(await waitReady(call, target.clusterId, waitFor, waitMs))) {
    throw failed('context deadline exceeded');
  }
  if (existing) call.out(`Release "${releaseName}" has been upgraded. Happy Helming!\n`);
  call.out(statusText(deployed));
}

/** helm labels and annotates what it manages, and finds its objects again by these. */
function withReleaseMetadata(doc: Doc, release: ChartRelease): Doc {
  const metadata = isMap(doc.metadata) ? doc.metadata : {};
  return {
    ...doc,
    metadata: {
      ...metadata,
      labels: { ...labelsOf(doc), 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        ...annotationsOf(doc),
        'meta.helm.sh/release-name': release.name,
        'meta.helm.sh/release-namespace': release.namespace,
      },
    },
  };
}

/** The error of kube.Client.Build: a kind the API server does not serve (its CRD is missing). */
function buildError(doc: Doc, namespace: string, upgrading: boolean): string {
  const metadata = isMap(doc.metadata) ? doc.metadata : {};
  const objectNamespace = String(metadata.namespace ?? namespace);
  return (
    `unable to build kubernetes objects from ${upgrading ? 'new ' : ''}release manifest: ` +
    `resource mapping not found for name: "${String(metadata.name)}" namespace: "${objectNamespace}" from "": ` +
    `no matches for kind "${String(doc.kind)}" in version "${String(doc.apiVersion)}"\nensure CRDs are installed first`
  );
}

/** The release's namespace: created with --create-namespace, else it must exist (the release is stored there). */
function createNamespace(store: ObjectStore, namespace: string, create: boolean): void {
  if (store.namespaceExists(namespace)) return;
  if (!create) throw new ToolFailure(`create: failed to create: namespaces "${namespace}" not found`);
  store.apply(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { name: namespace } } },
    { defaultNamespace: namespace },
  );
}

/**
 * Creates or updates every rendered object, refusing objects another owner holds, then deletes the
 * release's objects the chart no longer renders (unless the chart keeps them).
 */
function applyManifest(store: ObjectStore, manifest: Doc[], release: ChartRelease, upgrading: boolean): void {
  const owner = `${release.namespace}/${release.name}`;
  for (const doc of manifest) {
    const info = byKind(String(doc.kind));
    const found = store.get(info, objectNamespace(info, doc, release), String(get(doc, 'metadata.name')));
    if (found && found.owner !== owner) ownershipCheck(info, found, release, upgrading);
  }
  const applied = new Set<string>();
  for (const doc of manifest) {
    try {
      const { stored } = store.apply(doc, { defaultNamespace: release.namespace, owner });
      applied.add(stored.uid);
    } catch (error) {
      if (error instanceof ApiRejection)
        throw new ApiRejection(helmApiMessage(error.message, doc, store, release, upgrading));
      throw error;
    }
  }
  for (const { id, stored } of store.ownedBy(owner)) {
    if (!applied.has(stored.uid) && !kept(stored)) store.deleteById(id);
  }
}

function objectNamespace(info: KindInfo, doc: Doc, release: ChartRelease): string | undefined {
  return info.namespaced ? String(get(doc, 'metadata.namespace') ?? release.namespace) : undefined;
}

/** helm's existingResourceConflict: an object it did not create must carry this release's metadata. */
function ownershipCheck(
  info: KindInfo,
  found: StoredObject,
  release: ChartRelease,
  upgrading: boolean,
): void {
  const labels = labelsOf(found.object);
  const annotations = annotationsOf(found.object);
  const expect = (kind: 'label' | 'annotation', key: string, value: string, actual: string | undefined) =>
    actual === undefined
      ? `${kind} validation error: missing key "${key}": must be set to "${value}"`
      : actual !== value
        ? `${kind} validation error: key "${key}" must equal "${value}": current value is "${actual}"`
        : undefined;
  const problems = [
    expect('label', 'app.kubernetes.io/managed-by', 'Helm', labels['app.kubernetes.io/managed-by']),
    expect('annotation', 'meta.helm.sh/release-name', release.name, annotations['meta.helm.sh/release-name']),
    expect(
      'annotation',
      'meta.helm.sh/release-namespace',
      release.namespace,
      annotations['meta.helm.sh/release-namespace'],
    ),
  ].filter((problem) => problem !== undefined);
  if (problems.length === 0) return;
  const name = String(get(found.object, 'metadata.name'));
  const namespace = info.namespaced ? String(get(found.object, 'metadata.namespace')) : '';
  throw new ToolFailure(
    `${upgrading ? 'UPGRADE FAILED: ' : ''}rendered manifests contain a resource that already exists. ` +
      `Unable to continue with ${upgrading ? 'update' : 'install'}: ${info.kind} "${name}" in namespace "${namespace}" ` +
      `exists and cannot be imported into the current release: invalid ownership metadata; ${problems.join('; ')}`,
  );
}

/**
 * The API server's refusal as helm shows it: the Status message (`Deployment.apps "x" is invalid: ...`,
 * not kubectl's `The Deployment "x" ...`), wrapped the way an upgrade's create or patch wraps it.
 */
function helmApiMessage(
  message: string,
  doc: Doc,
  store: ObjectStore,
  release: ChartRelease,
  upgrading: boolean,
): string {
  const status = message
    .replace(/^Error from server \([A-Za-z]+\): /, '')
    .replace(/^The ([A-Za-z]+) "([^"]*)" is invalid: /, (_, kind: string, name: string) => {
      const group = byKind(kind).group;
      return `${kind}${group ? `.${group}` : ''} "${name}" is invalid: `;
    });
  if (!upgrading) return status;
  const info = byKind(String(doc.kind));
  const name = String(get(doc, 'metadata.name'));
  return store.get(info, objectNamespace(info, doc, release), name)
    ? `cannot patch "${name}" with kind ${info.kind}: ${status}`
    : `failed to create resource: ${status}`;
}

/** `helm.sh/resource-policy: keep` objects outlive their release. */
function kept(stored: StoredObject): boolean {
  return annotationsOf(stored.object)['helm.sh/resource-policy'] === 'keep';
}

/** helm's ready checker over the release's workloads, polled until ready or the deadline (lab time). */
async function waitReady(
  call: ToolCall,
  clusterId: string,
  rendered: { manifest: Doc[]; release: ChartRelease; modelsCilium: boolean },
  waitMs: number,
): Promise<boolean> {
  const { manifest, release } = rendered;
  const store = call.kube.objects(clusterId);
  const deadline = call.now() + waitMs;
  const workloads = manifest.filter((doc) => WORKLOAD_KINDS.has(String(doc.kind)));
  for (;;) {
    const now = call.now();
    const ready =
      (!rendered.modelsCilium || ciliumReady(call, clusterId, now)) &&
      workloads.every((doc) => {
        const info = byKind(String(doc.kind));
        const stored = store.get(
          info,
          objectNamespace(info, doc, release),
          String(get(doc, 'metadata.name')),
        );
        return (
          stored !== undefined &&
          workloadReady(info, stored, workloadStatus(call.kube, clusterId, info, stored, now))
        );
      });
    if (ready) return true;
    if (now >= deadline) return false;
    await sleep(Math.min(call.talos.ms(WAIT_POLL_SECONDS), deadline - now));
  }
}

/**
 * The cilium chart's agent DaemonSet and operator Deployment, which the lab models apart from the objects it
 * stores, by the same rules as other workloads (the chart's DaemonSet allows 2 unavailable).
 */
function ciliumReady(call: ToolCall, clusterId: string, now: number): boolean {
  const agents = call.kube.ciliumDaemonSet(clusterId, now);
  const operator = call.kube.ciliumOperator(clusterId, now);
  if (!agents || !operator) return false;
  return (
    agents.ready >= agents.desired - CILIUM_AGENT_MAX_UNAVAILABLE &&
    operator.ready >= operator.desired - Math.floor(operator.desired / 4)
  );
}

/** pkg/kube/ready.go: Deployments and StatefulSets need their replicas ready, DaemonSets their pods updated and ready. */
function workloadReady(info: KindInfo, stored: StoredObject, status: Doc): boolean {
  const count = (key: string) => Number(status[key] ?? 0);
  const replicas = Number(get(stored.object, 'spec.replicas') ?? 1);
  if (info.kind === 'DaemonSet') {
    const desired = count('desiredNumberScheduled');
    const maxUnavailable = Number(
      get(stored.object, 'spec.updateStrategy.rollingUpdate.maxUnavailable') ?? 1,
    );
    return count('updatedNumberScheduled') === desired && count('numberReady') >= desired - maxUnavailable;
  }
  if (info.kind === 'Deployment') {
    // maxUnavailable defaults to 25% of the replicas, rounded down.
    return count('readyReplicas') >= replicas - Math.floor(replicas / 4);
  }
  return count('readyReplicas') >= replicas;
}

function chartOf(release: ReleaseRecord): LabChart {
  const chart = CHARTS.find((candidate) => candidate.name === release.chart);
  if (!chart) throw new Error(`the lab serves no chart ${release.chart}`);
  return chart;
}

function notes(release: ReleaseRecord): string {
  return chartOf(release).notes({
    name: release.name,
    namespace: release.namespace,
    chartVersion: release.chartVersion,
  });
}

function statusText(release: ReleaseRecord): string {
  return [
    `NAME: ${release.name}`,
    `LAST DEPLOYED: ${ansiDate(release.deployedAt)}`,
    `NAMESPACE: ${release.namespace}`,
    `STATUS: ${release.status}`,
    `REVISION: ${release.revision}`,
    'TEST SUITE: None',
    'NOTES:',
    notes(release),
  ].join('\n');
}

/** Release config is stored with omitempty: no user values reads back as null. */
function storedConfig(release: ReleaseRecord): Doc | null {
  return Object.keys(release.values).length === 0 ? null : release.values;
}

async function findRelease(call: ToolCall, args: ParsedArgs, usage: string): Promise<ReleaseRecord> {
  const [name] = args.positionals;
  if (name === undefined || args.positionals.length !== 1) {
    throw new ToolFailure(
      `"helm ${usage.split(' ')[0]}" requires 1 argument\n\nUsage:  helm ${usage} [flags]`,
    );
  }
  const { target, namespace } = await connect(call, args);
  const release = call.kube.release(target.clusterId, namespace, name);
  if (!release) throw new ToolFailure('release: not found');
  return release;
}

function outputFormat(args: ParsedArgs): 'table' | 'json' | 'yaml' {
  const output = stringFlag(args, 'output') ?? 'table';
  if (output !== 'table' && output !== 'json' && output !== 'yaml')
    throw new ToolFailure(`invalid format type "${output}"`);
  return output;
}

async function status(call: ToolCall, args: ParsedArgs): Promise<void> {
  const release = await findRelease(call, args, 'status RELEASE_NAME');
  const output = outputFormat(args);
  if (output === 'table') return call.out(statusText(release));
  const chart = chartOf(release);
  const iso = (ms: number) => new Date(ms).toISOString();
  const config = storedConfig(release);
  const body = {
    name: release.name,
    info: {
      first_deployed: iso(release.firstDeployedAt),
      last_deployed: iso(release.deployedAt),
      deleted: '',
      description: release.description,
      status: release.status,
      notes: notes(release),
    },
    chart: {
      metadata: {
        name: release.chart,
        home: chart.home,
        version: release.chartVersion,
        description: chart.description,
        apiVersion: 'v2',
        appVersion: release.appVersion,
        ...(chart.kubeVersion ? { kubeVersion: chart.kubeVersion } : {}),
      },
    },
    ...(config ? { config } : {}),
    version: release.revision,
    namespace: release.namespace,
  };
  call.out(output === 'json' ? `${JSON.stringify(body)}\n` : stringify(body));
}

async function getValues(call: ToolCall, args: ParsedArgs): Promise<void> {
  const release = await findRelease(call, args, 'get values RELEASE_NAME');
  const output = outputFormat(args);
  const config = storedConfig(release);
  if (output === 'json') return call.out(`${JSON.stringify(config)}\n`);
  call.out(`${output === 'table' ? 'USER-SUPPLIED VALUES:\n' : ''}${stringify(config)}`);
}

/** Go's time.Format("2006-01-02 15:04:05.999999999 -0700 MST") in UTC: trailing zeros of the fraction dropped. */
function listTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

async function list(call: ToolCall, args: ParsedArgs): Promise<void> {
  const output = outputFormat(args);
  const { target, namespace } = await connect(call, args);
  const releases = call.kube
    .releases(target.clusterId)
    .filter((release) => boolFlag(args, 'all-namespaces') || release.namespace === namespace)
    .sort((a, b) => a.name.localeCompare(b.name)); // helm list sorts by name
  const rows = releases.map((release) => ({
    name: release.name,
    namespace: release.namespace,
    revision: String(release.revision),
    updated: listTime(release.deployedAt),
    status: release.status,
    chart: `${release.chart}-${release.chartVersion}`,
    app_version: release.appVersion,
  }));
  if (output === 'json') return call.out(`${JSON.stringify(rows)}\n`);
  if (output === 'yaml') return call.out(stringify(rows));
  const cells = [
    ['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'],
    ...rows.map((row) => Object.values(row)),
  ];
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  call.out(
    `${cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('\t')).join('\n')}\n`,
  );
}

async function uninstall(call: ToolCall, args: ParsedArgs): Promise<void> {
  const [name] = args.positionals;
  if (name === undefined) {
    throw new ToolFailure(
      `"helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]`,
    );
  }
  const { target, namespace } = await connect(call, args);
  if (!call.kube.release(target.clusterId, namespace, name))
    throw new ToolFailure(`uninstall: Release not loaded: ${name}: release: not found`);
  const store = call.kube.objects(target.clusterId);
  const keptLines: string[] = [];
  for (const { id, stored } of store.ownedBy(`${namespace}/${name}`)) {
    if (kept(stored))
      keptLines.push(`[${String(stored.object.kind)}] ${String(get(stored.object, 'metadata.name'))}`);
    else store.deleteById(id);
  }
  call.kube.deleteRelease(target.clusterId, namespace, name);
  if (keptLines.length > 0)
    call.out(
      `These resources were kept due to the resource policy:\n${keptLines.map((line) => `${line}\n`).join('')}\n`,
    );
  call.out(`release "${name}" uninstalled\n`);
}
