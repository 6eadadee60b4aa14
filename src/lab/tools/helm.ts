import { parse, stringify } from 'yaml';
import {
  CILIUM_CHART_VERSIONS,
  CILIUM_REPO,
  chartDefaults,
  coalesce,
  validateTemplateError,
  valuesSchemaError,
} from '../kube/cilium-chart.js';
import type { ReleaseRecord } from '../kube/clusters.js';
import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import type { CommandNode, FlagSpec, ParsedArgs } from './flags.js';
import { UsageError, boolFlag, findCommand, listFlag, parseFlags, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { ApiConnectError, connectKube, helmConnectMessage, kubeconfigPath } from './kube-access.js';
import type { ExecResult, ToolCall } from './runtime.js';
import { ToolFailure, ansiDate } from './runtime.js';

/**
 * The lab's helm (v3): `upgrade --install` and `status` of the charts the lab serves (Cilium from
 * https://helm.cilium.io), values checked by the chart's schema and validate.yaml, releases recorded
 * in the lab's cluster.
 */

type Run = (call: ToolCall, args: ParsedArgs) => Promise<void>;

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', kind: 'string' },
  { name: 'namespace', short: 'n', kind: 'string' },
  { name: 'kube-context', kind: 'string' },
  { name: 'debug', kind: 'bool' },
];

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
      ],
      run: upgrade,
    },
    { name: 'status', flags: [{ name: 'output', short: 'o', kind: 'string' }], run: status },
  ],
};

export async function runHelm(call: ToolCall): Promise<ExecResult> {
  try {
    const found = findCommand(ROOT, call.request.args, GLOBAL_FLAGS);
    if (found.unknown !== undefined || !found.node.run) {
      throw new ToolFailure(
        found.unknown === undefined
          ? `"helm ${found.path.join(' ')}" requires a subcommand`
          : `unknown command "${found.unknown}" for "helm"\nRun 'helm --help' for usage.`,
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

function connect(call: ToolCall, args: ParsedArgs): Promise<KubeTarget> {
  const flag = stringFlag(args, 'kubeconfig');
  const context = stringFlag(args, 'kube-context');
  return connectKube(call, {
    kubeconfig: kubeconfigPath(call, flag),
    explicit: flag !== undefined,
    ...(context === undefined ? {} : { context }),
  });
}

/** The chart a reference names: `cilium` with `--repo https://helm.cilium.io`, or `<repo>/cilium`. */
function resolveChart(chart: string, repo: string | undefined, version: string | undefined): string {
  if (repo === undefined) {
    throw new ToolFailure(
      chart.includes('/')
        ? `repo ${chart.split('/')[0]} not found`
        : `non-absolute URLs should be in form of repo_name/path_to_chart, got: ${chart}`,
    );
  }
  if (repo.replace(/\/+$/, '') !== CILIUM_REPO) {
    throw new ToolFailure(
      `looks like "${repo}" is not a valid chart repository or cannot be reached: failed to fetch ${repo.replace(/\/+$/, '')}/index.yaml : 404 Not Found`,
    );
  }
  if (chart !== 'cilium') throw new ToolFailure(`chart "${chart}" not found in ${repo} repository`);
  const wanted = version ?? CILIUM_CHART_VERSIONS[CILIUM_CHART_VERSIONS.length - 1] ?? '';
  if (!CILIUM_CHART_VERSIONS.includes(wanted.replace(/^v/, ''))) {
    throw new ToolFailure(`chart "${chart}" version "${wanted}" not found in ${repo} repository`);
  }
  return wanted.replace(/^v/, '');
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

async function upgrade(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length !== 2) {
    throw new ToolFailure(
      `"helm upgrade" requires 2 arguments\n\nUsage:  helm upgrade [RELEASE] [CHART] [flags]`,
    );
  }
  const [releaseName = '', chart = ''] = args.positionals;
  const namespace = stringFlag(args, 'namespace') ?? 'default';
  const target = await connect(call, args);
  const existing = call.kube.release(target.clusterId, namespace, releaseName);
  if (!existing && !boolFlag(args, 'install'))
    throw new ToolFailure(`UPGRADE FAILED: "${releaseName}" has no deployed releases`);
  const version = resolveChart(chart, stringFlag(args, 'repo'), stringFlag(args, 'version'));
  const values = userValues(call, args);
  const prefix = existing ? 'UPGRADE FAILED: ' : '';
  const merged = coalesce(chartDefaults(), values) as Doc;
  const problem = valuesSchemaError(structuredClone(merged)) ?? validateTemplateError(merged);
  if (problem) throw new ToolFailure(`${prefix}${problem}`);
  if (!existing) call.out(`Release "${releaseName}" does not exist. Installing it now.\n`);
  await call.pause(call.talos.seconds.helmInstall);
  const now = call.now();
  const release: ReleaseRecord = {
    name: releaseName,
    namespace,
    chart,
    chartVersion: version,
    appVersion: version,
    revision: (existing?.revision ?? 0) + 1,
    status: 'deployed',
    values,
    firstDeployedAt: existing?.firstDeployedAt ?? now,
    deployedAt: now,
    description: existing ? 'Upgrade complete' : 'Install complete',
  };
  call.kube.putRelease(target.clusterId, release);
  if (existing) call.out(`Release "${releaseName}" has been upgraded. Happy Helming!\n`);
  call.out(statusText(release));
}

function notes(release: ReleaseRecord): string {
  const minor = release.chartVersion.split('.').slice(0, 2).join('.');
  return `You have successfully installed Cilium with Hubble Relay and Hubble UI.\n\nYour release version is ${release.chartVersion}.\n\nFor any further help, visit https://docs.cilium.io/en/v${minor}/gettinghelp\n`;
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

async function status(call: ToolCall, args: ParsedArgs): Promise<void> {
  const [name] = args.positionals;
  if (name === undefined || args.positionals.length !== 1) {
    throw new ToolFailure(`"helm status" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]`);
  }
  const target = await connect(call, args);
  const release = call.kube.release(target.clusterId, stringFlag(args, 'namespace') ?? 'default', name);
  if (!release) throw new ToolFailure('release: not found');
  const output = stringFlag(args, 'output') ?? 'table';
  if (output === 'table') return call.out(statusText(release));
  if (output !== 'json' && output !== 'yaml') throw new ToolFailure(`invalid format type "${output}"`);
  const iso = (ms: number) => new Date(ms).toISOString();
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
        home: 'https://cilium.io/',
        version: release.chartVersion,
        description: 'eBPF-based Networking, Security, and Observability',
        apiVersion: 'v2',
        appVersion: release.appVersion,
        kubeVersion: '>= 1.21.0-0',
      },
    },
    config: release.values,
    version: release.revision,
    namespace: release.namespace,
  };
  call.out(output === 'json' ? `${JSON.stringify(body)}\n` : stringify(body));
}
