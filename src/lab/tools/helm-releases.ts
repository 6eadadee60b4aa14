import { stringify } from 'yaml';
import type { LabChart } from '../kube/charts.js';
import { CHARTS } from '../kube/charts.js';
import type { ReleaseRecord, ReleaseRevision } from '../kube/clusters.js';
import type { Doc } from '../talos/yaml-docs.js';
import { get } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { boolFlag, stringFlag } from './flags.js';
import { connect } from './helm-common.js';
import { kept } from './helm-manifest.js';
import { notePulledImages } from './helm-wait.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure, ansiDate } from './runtime.js';

/** helm's read-only commands over the releases the lab's clusters record, and `uninstall`. */

export function chartOf(release: ReleaseRecord): LabChart {
  const chart = CHARTS.find((candidate) => candidate.name === release.chart);
  if (!chart) throw new Error(`the lab serves no chart ${release.chart}`);
  return chart;
}

export function notes(release: ReleaseRecord): string {
  return chartOf(release).notes({
    name: release.name,
    namespace: release.namespace,
    chartVersion: release.chartVersion,
  });
}

export function statusText(release: ReleaseRecord): string {
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
export function storedConfig(release: ReleaseRecord): Doc | null {
  return Object.keys(release.values).length === 0 ? null : release.values;
}

export async function findRelease(call: ToolCall, args: ParsedArgs, usage: string): Promise<ReleaseRecord> {
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

export function outputFormat(args: ParsedArgs): 'table' | 'json' | 'yaml' {
  const output = stringFlag(args, 'output') ?? 'table';
  if (output !== 'table' && output !== 'json' && output !== 'yaml')
    throw new ToolFailure(`invalid format type "${output}"`);
  return output;
}

export async function status(call: ToolCall, args: ParsedArgs): Promise<void> {
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

export async function getValues(call: ToolCall, args: ParsedArgs): Promise<void> {
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

export async function list(call: ToolCall, args: ParsedArgs): Promise<void> {
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
  call.out(table(['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'], rows));
}

export async function uninstall(call: ToolCall, args: ParsedArgs): Promise<void> {
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
  notePulledImages(call, target.clusterId);
  call.kube.deleteRelease(target.clusterId, namespace, name);
  if (keptLines.length > 0)
    call.out(
      `These resources were kept due to the resource policy:\n${keptLines.map((line) => `${line}\n`).join('')}\n`,
    );
  call.out(`release "${name}" uninstalled\n`);
}

/** helm's uitable: columns padded to their widest cell, separated by a tab. */
function table(header: string[], rows: Record<string, string>[]): string {
  const cells = [header, ...rows.map((row) => Object.values(row))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return `${cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('\t')).join('\n')}\n`;
}

/** Every stored revision, oldest first: the superseded and failed ones, then the current one. */
export function revisionsOf(release: ReleaseRecord): ReleaseRevision[] {
  const { history = [], ...current } = release;
  return [...history, current];
}

/** `helm history RELEASE`: one row per stored revision (helm keeps --history-max, 10 by default). */
export async function history(call: ToolCall, args: ParsedArgs): Promise<void> {
  const release = await findRelease(call, args, 'history RELEASE_NAME');
  const output = outputFormat(args);
  const rows = revisionsOf(release).map((revision) => ({
    revision: String(revision.revision),
    updated: output === 'table' ? ansiDate(revision.deployedAt) : new Date(revision.deployedAt).toISOString(),
    status: revision.status,
    chart: `${release.chart}-${revision.chartVersion}`,
    app_version: revision.appVersion,
    description: revision.description,
  }));
  if (output === 'table')
    return call.out(table(['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'], rows));
  const typed = rows.map((row) => ({ ...row, revision: Number(row.revision) }));
  call.out(output === 'json' ? `${JSON.stringify(typed)}\n` : stringify(typed));
}
