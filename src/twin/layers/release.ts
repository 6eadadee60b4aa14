import { isDeepStrictEqual } from 'node:util';
import type { HelmRelease, HelmReleaseStatus } from '../../kube/helm.js';
import type { RolloutKind } from '../../kube/kubectl.js';
import { waitUntil } from '../../kube/readiness.js';
import type { Step } from '../../plan/executor.js';
import type { Change, LayerDiff, RefusedChange } from './types.js';

/**
 * The release layer: each helm release's chart version, user values and state against what the spec
 * wants. Cilium across a minor follows LIFECYCLE I.1 (pre-flight image pull, full values, never
 * --reuse-values, upgradeCompatibility); Rook's operator chart goes before its cluster chart (H.3).
 */

export interface WantedRelease {
  release: string;
  chart: string;
  repo: string;
  version: string;
  namespace: string;
  /** The full values (cilium-values.ts, rook.ts); they may hold keys, so they are compared, never printed. */
  values: Record<string, unknown>;
  createNamespace?: boolean;
}

export interface ObservedRelease {
  wanted: WantedRelease;
  /** Undefined when not installed. */
  status?: HelmReleaseStatus;
  values?: Record<string, unknown>;
}

/** The helm calls of the layer (Helm has them all). */
export interface ReleaseHelm {
  status(release: string, namespace: string): Promise<HelmReleaseStatus | undefined>;
  userValues(release: string, namespace: string): Promise<Record<string, unknown> | undefined>;
  upgradeInstall(release: HelmRelease): Promise<void>;
  uninstall(release: string, namespace: string): Promise<'uninstalled' | 'absent'>;
}

export const CILIUM_RELEASE = 'cilium';
export const CILIUM_PREFLIGHT_RELEASE = 'cilium-preflight';
/** The pre-flight chart's DaemonSet and Deployment (I.1). */
export const CILIUM_PREFLIGHT_CHECK = 'cilium-pre-flight-check';
const ROOK_OPERATOR = 'rook-ceph';
const ROOK_CLUSTER = 'rook-ceph-cluster';

export async function observeReleases(
  helm: ReleaseHelm,
  wanted: WantedRelease[],
): Promise<ObservedRelease[]> {
  return Promise.all(
    wanted.map(async (release) => {
      const status = await helm.status(release.release, release.namespace);
      const values = status ? await helm.userValues(release.release, release.namespace) : undefined;
      return { wanted: release, ...(status ? { status } : {}), ...(values ? { values } : {}) };
    }),
  );
}

/** `1.19.6` -> `1.19`. */
export function minorOf(version: string): string {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) throw new RangeError(`"${version}" is not a chart version like 1.19.6`);
  return `${match[1]}.${match[2]}`;
}

const minorNumber = (version: string) => Number(minorOf(version).split('.')[1]);

function isCilium(release: ObservedRelease): boolean {
  return release.wanted.release === CILIUM_RELEASE && release.wanted.chart === 'cilium';
}

/** A Cilium upgrade into a newer minor (I.1: pre-flight first, upgradeCompatibility). */
export function crossesCiliumMinor(release: ObservedRelease): boolean {
  const running = release.status?.chartVersion;
  return (
    isCilium(release) && running !== undefined && minorNumber(release.wanted.version) > minorNumber(running)
  );
}

/**
 * The values to install: the wanted ones plus, for Cilium, `upgradeCompatibility`: kept once set (it names
 * the minor first installed, I.1), else set to the running minor at the first upgrade across a minor. For
 * 1.19 -> 1.20 this keeps Envoy's legacy `split` xDS mode: unset, the 1.20 chart switches it to `ads`
 * (facts-13 section 4, chart 1.20.1 `_helpers.tpl` l.186-197 `envoyXdsMode`).
 */
export function effectiveValues(release: ObservedRelease): Record<string, unknown> {
  if (!isCilium(release)) return release.wanted.values;
  const kept = release.values?.upgradeCompatibility;
  if (typeof kept === 'string' && kept !== '')
    return { ...release.wanted.values, upgradeCompatibility: kept };
  if (crossesCiliumMinor(release))
    return { ...release.wanted.values, upgradeCompatibility: minorOf(release.status!.chartVersion!) };
  return release.wanted.values;
}

/** Dotted paths where two values trees differ: names only, never the values (keys may be secrets). */
export function differingPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const isTree = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isTree(a) || !isTree(b)) return isDeepStrictEqual(a, b) ? [] : [prefix || '(all)'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => differingPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
}

/** Why a release's version change is refused, if it is (I.1: consecutive minors only, no downgrade across one). */
function refusal(release: ObservedRelease): string | undefined {
  const running = release.status?.chartVersion;
  if (!isCilium(release) || running === undefined) return undefined;
  const step = minorNumber(release.wanted.version) - minorNumber(running);
  if (step > 1)
    return `Cilium upgrades only between consecutive minors (I.1): upgrade to the latest ${nextMinor(running)} patch first`;
  if (step < 0)
    return `Cilium does not go back a minor by upgrade: use helm rollback cilium <revision> (I.1)`;
  return undefined;
}

function nextMinor(version: string): string {
  const [major] = minorOf(version).split('.');
  return `${major}.${minorNumber(version) + 1}`;
}

/** What changes for one release, in words; undefined when nothing does. */
function changeOf(cluster: string, release: ObservedRelease): Change | undefined {
  const { wanted, status } = release;
  const base = { layer: 'release' as const, cluster, target: wanted.release, disruptive: false };
  if (!status) return { ...base, kind: 'helm-install', from: 'not installed', to: `chart ${wanted.version}` };
  const from = `chart ${status.chartVersion ?? '?'}`;
  const to = `chart ${wanted.version}`;
  const paths = differingPaths(release.values ?? {}, effectiveValues(release));
  const reasons = [
    ...(status.status !== 'deployed' ? [`release is ${status.status}`] : []),
    ...(paths.length > 0 ? [`values differ at ${paths.join(', ')}`] : []),
    ...(crossesCiliumMinor(release)
      ? [
          `across a minor: pre-flight image pull first, upgradeCompatibility ${String(effectiveValues(release).upgradeCompatibility)}`,
        ]
      : []),
  ];
  if (status.chartVersion === wanted.version && reasons.length === 0) return undefined;
  return {
    ...base,
    kind: status.chartVersion === wanted.version ? 'helm-values' : 'helm-upgrade',
    from,
    to,
    ...(reasons.length > 0 ? { detail: reasons.join('; ') } : {}),
  };
}

export function diffReleases(cluster: string, observed: ObservedRelease[]): LayerDiff {
  const changes: Change[] = [];
  const refused: RefusedChange[] = [];
  for (const release of orderReleases(observed)) {
    const reason = refusal(release);
    if (reason) {
      refused.push({
        layer: 'release',
        cluster,
        target: release.wanted.release,
        asked: `${release.wanted.release} chart ${release.status?.chartVersion} -> ${release.wanted.version}`,
        reason,
      });
      continue;
    }
    const change = changeOf(cluster, release);
    if (change) changes.push(change);
  }
  const line = (describe: (release: ObservedRelease) => string) =>
    observed.map(describe).join(', ') || 'no releases';
  return {
    layer: 'release',
    cluster,
    running: line((r) => `${r.wanted.release} ${r.status?.chartVersion ?? 'absent'}`),
    wanted: line((r) => `${r.wanted.release} ${r.wanted.version}`),
    changes,
    refused,
  };
}

/** Rook's operator chart before its cluster chart (H.3); otherwise in the order given. */
function orderReleases(observed: ObservedRelease[]): ObservedRelease[] {
  const rank = (release: ObservedRelease) => (release.wanted.release === ROOK_CLUSTER ? 1 : 0);
  return [...observed].sort((a, b) => rank(a) - rank(b));
}

/** The kubectl calls of the layer (Kubectl has them). */
export interface ReleaseKube {
  getObject(kind: string, name: string, namespace: string): Promise<Record<string, unknown> | undefined>;
  rolloutStatus(kind: RolloutKind, name: string, namespace: string, timeoutSec: number): Promise<void>;
}

export interface ReleaseDeps {
  cluster: string;
  helm: ReleaseHelm;
  kube: ReleaseKube;
  /** Writes a values file (0600, it may hold keys) and returns its path. */
  writeValues(name: string, values: Record<string, unknown>): Promise<string>;
  rolloutTimeoutSec: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The workloads whose rollout proves a release's upgrade took, by release name. */
const AWAITED: Record<string, [RolloutKind, string][]> = {
  [CILIUM_RELEASE]: [
    ['daemonset', 'cilium'],
    ['deployment', 'cilium-operator'],
  ],
  [ROOK_OPERATOR]: [['deployment', 'rook-ceph-operator']],
};

/**
 * The steps of one cluster's release changes: Cilium's pre-flight before an upgrade across a minor, Rook's
 * cluster chart after its operator chart; refused releases get none (the plan says why).
 */
export function releaseSteps(deps: ReleaseDeps, observed: ObservedRelease[], needs: string[] = []): Step[] {
  const steps: Step[] = [];
  const id = (name: string) => `release:${deps.cluster}:${name}`;
  for (const release of orderReleases(observed)) {
    const change = refusal(release) ? undefined : changeOf(deps.cluster, release);
    if (!change) continue;
    const name = release.wanted.release;
    let after = [...needs];
    if (name === ROOK_CLUSTER && steps.some((step) => step.id === id(ROOK_OPERATOR)))
      after.push(id(ROOK_OPERATOR));
    if (crossesCiliumMinor(release)) {
      steps.push({
        id: id(CILIUM_PREFLIGHT_RELEASE),
        title: `${deps.cluster}: Cilium ${release.wanted.version} pre-flight (pulls the new images on every node)`,
        doing: `pulling Cilium ${release.wanted.version}'s images on every node of ${deps.cluster} (pre-flight)`,
        stage: 'release',
        needs: after,
        run: () => ciliumPreflight(deps, release.wanted),
      });
      after = [id(CILIUM_PREFLIGHT_RELEASE)];
    }
    steps.push({
      id: id(name),
      title: `${deps.cluster}: ${name} ${change.from} -> ${change.to}`,
      doing: `upgrading ${name} on ${deps.cluster} to ${change.to}`,
      stage: 'release',
      needs: after,
      run: () => upgradeRelease(deps, release),
    });
  }
  return steps;
}

/** helm upgrade with the full values file (the wrapper never passes --reuse-values, I.1), then the rollout. */
export async function upgradeRelease(deps: ReleaseDeps, release: ObservedRelease): Promise<void> {
  const { wanted } = release;
  const valuesFile = await deps.writeValues(`${wanted.release}-values.yaml`, effectiveValues(release));
  await deps.helm.upgradeInstall({
    release: wanted.release,
    chart: wanted.chart,
    repo: wanted.repo,
    version: wanted.version,
    namespace: wanted.namespace,
    valuesFile,
    ...(wanted.createNamespace ? { createNamespace: true } : {}),
  });
  for (const [kind, name] of AWAITED[wanted.release] ?? [])
    await deps.kube.rolloutStatus(kind, name, wanted.namespace, deps.rolloutTimeoutSec);
}

/**
 * I.1's pre-flight: the new version's agent image pulled on every node by a DaemonSet that does nothing
 * else, with the API server reached the way the product's Cilium reaches it (KubePrism on Talos). Done when
 * its DaemonSet is as ready as Cilium's and its Deployment is 1/1; then removed. The procedure is the same
 * for 1.20 (facts-13 section 4: only `preflight.tofqdnsPreCache` went). `upgrade --install`, so a
 * run killed half-way installs it again instead of failing on a name in use.
 */
export async function ciliumPreflight(deps: ReleaseDeps, wanted: WantedRelease): Promise<void> {
  const set: [string, string][] = [
    ['preflight.enabled', 'true'],
    ['agent', 'false'],
    ['operator.enabled', 'false'],
  ];
  for (const key of ['k8sServiceHost', 'k8sServicePort']) {
    const value = wanted.values[key];
    if (value !== undefined) set.push([key, String(value)]);
  }
  await deps.helm.upgradeInstall({
    release: CILIUM_PREFLIGHT_RELEASE,
    chart: wanted.chart,
    repo: wanted.repo,
    version: wanted.version,
    namespace: wanted.namespace,
    set,
  });
  await waitUntil(() => preflightReady(deps.kube, wanted.namespace), {
    timeoutMs: deps.rolloutTimeoutSec * 1000,
    intervalMs: deps.pollMs,
    describe: `${deps.cluster}: Cilium ${wanted.version} pre-flight check ready on every node`,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  await deps.helm.uninstall(CILIUM_PREFLIGHT_RELEASE, wanted.namespace);
}

async function preflightReady(kube: ReleaseKube, namespace: string) {
  const count = (object: Record<string, unknown> | undefined, key: string) =>
    Number((object?.status as Record<string, unknown> | undefined)?.[key] ?? 0);
  const [check, agent, deployment] = await Promise.all([
    kube.getObject('daemonset', CILIUM_PREFLIGHT_CHECK, namespace),
    kube.getObject('daemonset', 'cilium', namespace),
    kube.getObject('deployment', CILIUM_PREFLIGHT_CHECK, namespace),
  ]);
  const ready = count(check, 'numberReady');
  const wantedReady = count(agent, 'numberReady');
  const deploymentReady = count(deployment, 'readyReplicas');
  return {
    ready: check !== undefined && ready > 0 && ready === wantedReady && deploymentReady === 1,
    detail: `pre-flight DaemonSet ${ready}/${wantedReady} ready, Deployment ${deploymentReady}/1`,
  };
}
