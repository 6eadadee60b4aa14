import { parse } from 'yaml';
import type { LabChart } from '../kube/charts.js';
import { findChart, pickVersion, servesRepo } from '../kube/charts.js';
import { coalesce } from '../kube/cilium-chart.js';
import { byKind } from '../kube/kinds.js';
import type { Doc } from '../talos/yaml-docs.js';
import { isMap } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { UsageError, boolFlag, listFlag, parseDurationSeconds, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import { connectKube, kubeconfigPath } from './kube-access.js';
import { refusal, resourceRequest } from './kube-authz.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';
import { repositoryUrl } from './helm-repo.js';

/** What helm's commands share: the cluster they reach, the chart a reference names, the values given. */

/** helm's default --timeout. */
const DEFAULT_TIMEOUT_SECONDS = 300;

export async function connect(
  call: ToolCall,
  args: ParsedArgs,
): Promise<{ target: KubeTarget; namespace: string }> {
  const flag = stringFlag(args, 'kubeconfig');
  const context = stringFlag(args, 'kube-context');
  const target = await connectKube(call, {
    kubeconfig: kubeconfigPath(call, flag),
    explicit: flag !== undefined,
    ...(context === undefined ? {} : { context }),
  });
  const namespace = stringFlag(args, 'namespace') ?? target.namespace;
  // Every helm command first reads the release records, Secrets labelled owner=helm (its storage driver).
  const scope = boolFlag(args, 'all-namespaces') ? undefined : namespace;
  const refused = refusal(call, target, resourceRequest(byKind('Secret'), 'list', scope));
  if (refused) throw new ToolFailure(`query: failed to query with labels: ${refused}`);
  return { target, namespace };
}
/** The chart a reference names: `<name>` with `--repo <url>`; `<repo>/<name>` needs a `helm repo add`. */
export function resolveChart(
  call: ToolCall,
  reference: string,
  repo: string | undefined,
  version: string | undefined,
): { chart: LabChart; version: string } {
  if (repo === undefined) return namedRepoChart(call, reference, version);
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

/** `<repo>/<chart>` through a repository `helm repo add` named (helm's repo index errors otherwise). */
function namedRepoChart(
  call: ToolCall,
  reference: string,
  version: string | undefined,
): { chart: LabChart; version: string } {
  const [repoName = '', chartName = ''] = reference.split('/');
  if (!reference.includes('/'))
    throw new ToolFailure(
      `non-absolute URLs should be in form of repo_name/path_to_chart, got: ${reference}`,
    );
  const url = repositoryUrl(call, repoName);
  if (url === undefined) throw new ToolFailure(`repo ${repoName} not found`);
  const chart = findChart(url, chartName);
  const wanted = version ?? '';
  const picked = chart && pickVersion(chart, version);
  if (!chart || picked === undefined) {
    const why = chart ? `no chart version found for ${chartName}-${wanted}` : 'no chart name found';
    throw new ToolFailure(
      `chart "${chartName}" matching ${wanted} not found in ${repoName} index. (try 'helm repo update'): ${why}`,
    );
  }
  return { chart, version: picked };
}

/** `-f` files merged in order, then `--set a.b=c` (true/false and integers typed as helm does). */
export function userValues(call: ToolCall, args: ParsedArgs): Doc {
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
export function timeoutMs(args: ParsedArgs): number {
  const raw = stringFlag(args, 'timeout');
  if (raw === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = /^\d+$/.test(raw) && raw !== '0' ? undefined : parseDurationSeconds(raw);
  if (seconds === undefined) {
    const why = /^\d+$/.test(raw) ? `missing unit in duration "${raw}"` : `invalid duration "${raw}"`;
    throw new UsageError(`invalid argument "${raw}" for "--timeout" flag: time: ${why}`);
  }
  return seconds * 1000;
}
