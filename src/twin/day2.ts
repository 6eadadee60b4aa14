import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  ROOK_NAMESPACE,
  ROOK_REPO,
  rookClusterValues,
  rookNamespaceManifest,
  rookOperatorValues,
} from '../addons/rook.js';
import {
  REBEL_BASE,
  STARWARS_NAMESPACE,
  X_WING,
  X_WING_CONTAINER,
  starwarsManifests,
} from '../addons/starwars.js';
import { Helm } from '../kube/helm.js';
import { Kubectl } from '../kube/kubectl.js';
import type { KubeObject } from '../kube/objects.js';
import { manifestsYaml } from '../kube/objects.js';
import type { Step } from '../plan/executor.js';
import { checkNamedFile } from '../spec/files.js';
import type { SpecFolder } from '../spec/files.js';
import { waitForCeph } from './ceph-wait.js';
import type { ClusterWorkContext } from './context.js';
import { runCheck, sampleService } from './curl-check.js';
import type { CheckSpec, Sample } from './curl-check.js';
import type { ClusterOutcome, PlatformOutcome } from './outcome.js';
import type { CephClusterStatus, CheckOutcome } from './platform.js';
import { describeFailedChecks } from './platform.js';
import { runPlatformSteps } from './platform-steps.js';
import { AFTER_BUILD } from './platform-steps.js';
import type { BuildGates, PlatformPart } from './platform-steps.js';

const DEMO_REQUESTS = 20;
const DEMO_REPLICAS = 2;
const CILIUM_REPO = 'https://helm.cilium.io';

/**
 * Day-2 platform on every cluster of a meshed twin: Rook Ceph up to HEALTH_OK, the Star Wars demo with its
 * cross-cluster checks (reach, failover, optional shared/affinity), then the spec's extras (Tetragon, helm
 * releases, manifest folders) once storage is there.
 */
export async function day2Twin(
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
  folder: SpecFolder,
): Promise<PlatformOutcome> {
  const part = day2Steps(ctx, clusters, folder, AFTER_BUILD);
  return { ...(await runPlatformSteps(ctx, part.steps)), report: part.report() };
}

/**
 * Day 2's steps. Joined to the build steps (`gates`), Rook's operator chart goes in once the cluster's API
 * answers (its pod starts on the first Ready node); the CephCluster, the demo and the extras wait for every
 * node to be Ready (Rook places its mons at once, and pods' rollouts count from their start), and the demo's
 * checks for the mesh.
 */
export function day2Steps(
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
  folder: SpecFolder,
  gates: BuildGates,
): PlatformPart {
  const { addons } = ctx.twin.spec;
  const ceph = new Map<string, CephClusterStatus>();
  const checks: CheckOutcome[] = [];
  const kubectlOf = (cluster: ClusterOutcome) =>
    new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl });
  const helmOf = (cluster: ClusterOutcome) =>
    new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm });

  const steps: Step[] = [];
  for (const cluster of clusters) {
    const kubectl = kubectlOf(cluster);
    const helm = helmOf(cluster);
    const apply = async (label: string, objects: KubeObject[]) => {
      const file = join(ctx.workDir, `${cluster.name}-${label}.yaml`);
      await writeFile(file, manifestsYaml(objects), { mode: 0o600 });
      await kubectl.apply(file);
    };
    const valuesFile = async (label: string, values: Record<string, unknown>) => {
      const file = join(ctx.workDir, `${cluster.name}-${label}-values.yaml`);
      await writeFile(file, stringify(values, { lineWidth: 0 }), { mode: 0o600 });
      return file;
    };
    if (addons.rook.enabled) {
      const { cores, memoryMiB } = ctx.twin.clusters.find((spec) => spec.name === cluster.name)!.workers;
      const workerVm = { cores, memoryMiB };
      steps.push(
        {
          id: `rook-operator:${cluster.name}`,
          title: `${cluster.name}: Rook operator`,
          doing: `installing the Rook operator on ${cluster.name}`,
          stage: 'storage',
          needs: gates.api(cluster.name),
          run: async () => {
            await apply('rook-namespace', [rookNamespaceManifest()]); // privileged before any Rook pod asks for it
            await helm.upgradeInstall({
              release: 'rook-ceph',
              chart: 'rook-ceph',
              repo: ROOK_REPO,
              version: addons.rook.version,
              namespace: ROOK_NAMESPACE,
              valuesFile: await valuesFile('rook-operator', rookOperatorValues(workerVm)),
            });
          },
        },
        {
          id: `ceph:${cluster.name}`,
          title: `${cluster.name}: Ceph HEALTH_OK`,
          doing: `creating the Ceph cluster of ${cluster.name} and waiting for HEALTH_OK`,
          stage: 'storage',
          needs: [`rook-operator:${cluster.name}`, ...gates.ready(cluster.name)],
          run: async () => {
            const workers = cluster.nodes
              .filter((node) => node.role === 'worker')
              .map((node) => ({ name: node.name, extraDisks: node.extraDisks }));
            await helm.upgradeInstall({
              release: 'rook-ceph-cluster',
              chart: 'rook-ceph-cluster',
              repo: ROOK_REPO,
              version: addons.rook.version,
              namespace: ROOK_NAMESPACE,
              valuesFile: await valuesFile(
                'rook-cluster',
                rookClusterValues({ cluster: cluster.name, workers, workerVm }),
              ),
            });
            // The chart needs only the operator's CRDs: its pod starts meanwhile, then reconciles the cluster.
            await kubectl.rolloutStatus(
              'deployment',
              'rook-ceph-operator',
              ROOK_NAMESPACE,
              ctx.pace.rolloutTimeoutSec,
            );
            await waitForCeph(ctx.pace, kubectl, cluster.name, (status) => ceph.set(cluster.name, status));
          },
        },
      );
    }
    if (addons.starwars.enabled) {
      steps.push({
        id: `starwars:${cluster.name}`,
        title: `${cluster.name}: Star Wars demo deployed`,
        doing: `deploying the Star Wars demo on ${cluster.name}`,
        stage: 'demo',
        needs: gates.ready(cluster.name),
        run: async () => {
          await apply('starwars', starwarsManifests(cluster.name));
          for (const name of [REBEL_BASE, X_WING])
            await kubectl.rolloutStatus('deployment', name, STARWARS_NAMESPACE, ctx.pace.rolloutTimeoutSec);
        },
      });
    }
    const afterStorage = [
      ...(addons.rook.enabled ? [`ceph:${cluster.name}`] : []),
      ...gates.ready(cluster.name),
    ];
    if (addons.tetragon?.enabled) {
      const version = addons.tetragon.version;
      steps.push({
        id: `tetragon:${cluster.name}`,
        title: `${cluster.name}: Tetragon`,
        doing: `installing Tetragon on ${cluster.name}`,
        stage: 'extras',
        needs: afterStorage,
        run: async () => {
          await helm.upgradeInstall({
            release: 'tetragon',
            chart: 'tetragon',
            repo: CILIUM_REPO,
            version,
            namespace: 'kube-system',
            valuesFile: await valuesFile('tetragon', {}),
            waitSeconds: ctx.pace.rolloutTimeoutSec,
          });
        },
      });
    }
    const { releases, manifests } = addons.extras;
    if (releases.length > 0 || manifests.length > 0) {
      steps.push({
        id: `extras:${cluster.name}`,
        title: `${cluster.name}: the repository's releases and manifests`,
        doing: `installing the repository's releases and manifests on ${cluster.name}`,
        stage: 'extras',
        needs: afterStorage,
        run: async () => {
          for (const [index, release] of releases.entries()) {
            await helm.upgradeInstall({
              release: release.name,
              chart: release.chart,
              repo: release.repo,
              version: release.version,
              namespace: release.namespace,
              createNamespace: true,
              valuesFile: release.values
                ? checkNamedFile(folder, release.values, `addons.extras.releases[${index}].values`, 'file')
                : await valuesFile(`release-${release.name}`, {}),
              waitSeconds: ctx.pace.rolloutTimeoutSec,
            });
          }
          for (const [index, path] of manifests.entries()) {
            const field = `addons.extras.manifests[${index}]`;
            const lines = await kubectl.apply(checkNamedFile(folder, path, field, 'file or folder'));
            ctx.log(`${cluster.name}: ${path}: ${lines.join('; ')}`);
          }
        },
      });
    }
  }
  if (addons.starwars.enabled) {
    steps.push({
      id: 'starwars-checks',
      title: 'Star Wars demo answered across the mesh',
      doing: 'asking the Star Wars demo across the mesh',
      stage: 'checks',
      needs: [...clusters.map((cluster) => `starwars:${cluster.name}`), ...gates.meshed],
      run: async () => {
        const names = clusters.map((cluster) => cluster.name);
        const results = await starwarsChecks(
          ctx,
          clusters.map((cluster) => ({ name: cluster.name, kubectl: kubectlOf(cluster) })),
          names,
        );
        checks.push(...results);
        const failure = describeFailedChecks(results);
        if (failure) throw new Error(failure);
      },
    });
  }
  return {
    steps,
    report: () => ({
      mesh: [],
      ceph: clusters.filter((cluster) => ceph.has(cluster.name)).map((cluster) => ceph.get(cluster.name)!),
      checks,
    }),
  };
}

interface DemoCluster {
  name: string;
  kubectl: Kubectl;
}

/**
 * The demo's checks (CONTRACTS E): from x-wing in each cluster, rebel-base answers from every cluster; with
 * rebel-base scaled to zero in one cluster, requests from there are still answered by the others (then it is
 * restored); optionally shared=false and affinity=local. Each check keeps its evidence.
 */
export async function starwarsChecks(
  ctx: ClusterWorkContext,
  clusters: DemoCluster[],
  names: string[],
): Promise<CheckOutcome[]> {
  const sample = (from: DemoCluster) => () =>
    sampleService({
      kubectl: from.kubectl,
      namespace: STARWARS_NAMESPACE,
      client: `deploy/${X_WING}`,
      container: X_WING_CONTAINER,
      host: REBEL_BASE,
      requests: DEMO_REQUESTS,
    });
  const check = (from: DemoCluster, id: string, title: string, judge: CheckSpec['judge']) =>
    runCheck(ctx, { id: `${id}:${from.name}`, title, cluster: from.name, take: sample(from), judge });
  const outcomes: CheckOutcome[] = [];
  for (const from of clusters) {
    outcomes.push(
      await check(
        from,
        'starwars-reach',
        `from ${from.name}, rebel-base answers from every cluster`,
        (s) => allAnswered(s) ?? missingClusters(s, names),
      ),
    );
  }
  if (clusters.length < 2) return outcomes;
  for (const down of clusters) {
    await down.kubectl.scale(REBEL_BASE, STARWARS_NAMESPACE, 0);
    try {
      outcomes.push(
        await check(
          down,
          'starwars-failover',
          `with rebel-base scaled to zero in ${down.name}, requests from ${down.name} are answered by the others`,
          (s) =>
            allAnswered(s) ?? ((s.byCluster[down.name] ?? 0) > 0 ? `${down.name} still answered` : undefined),
        ),
      );
    } finally {
      await down.kubectl.scale(REBEL_BASE, STARWARS_NAMESPACE, DEMO_REPLICAS);
      await down.kubectl.rolloutStatus(
        'deployment',
        REBEL_BASE,
        STARWARS_NAMESPACE,
        ctx.pace.rolloutTimeoutSec,
      );
    }
  }
  const extra = ctx.twin.spec.addons.starwars.extraChecks;
  const [first, ...others] = clusters;
  if (first && extra.includes('shared')) outcomes.push(...(await sharedChecks(first, others, names, check)));
  if (first && extra.includes('affinity')) {
    await withAnnotation(first, 'service.cilium.io/affinity', 'local', async () => {
      outcomes.push(
        await check(
          first,
          'starwars-affinity',
          `with affinity=local in ${first.name}, only ${first.name} answers there`,
          (s) =>
            allAnswered(s) ??
            (s.byCluster[first.name] === s.requests ? undefined : `answers came from other clusters too`),
        ),
      );
    });
  }
  return outcomes;
}

type CheckRunner = (
  from: DemoCluster,
  id: string,
  title: string,
  judge: CheckSpec['judge'],
) => Promise<CheckOutcome>;

/** shared=false in one cluster: it still sees every cluster, the others no longer see its backends. */
async function sharedChecks(
  first: DemoCluster,
  others: DemoCluster[],
  names: string[],
  check: CheckRunner,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  await withAnnotation(first, 'service.cilium.io/shared', 'false', async () => {
    outcomes.push(
      await check(
        first,
        'starwars-shared',
        `with shared=false in ${first.name}, ${first.name} still sees every cluster`,
        (s) => allAnswered(s) ?? missingClusters(s, names),
      ),
    );
    for (const other of others) {
      outcomes.push(
        await check(
          other,
          'starwars-shared',
          `with shared=false in ${first.name}, ${other.name} no longer reaches it`,
          (s) =>
            allAnswered(s) ??
            ((s.byCluster[first.name] ?? 0) > 0 ? `${first.name} still answered` : undefined),
        ),
      );
    }
  });
  return outcomes;
}

async function withAnnotation(
  cluster: DemoCluster,
  key: string,
  value: string,
  body: () => Promise<void>,
): Promise<void> {
  await cluster.kubectl.annotate('service', REBEL_BASE, STARWARS_NAMESPACE, { [key]: value });
  try {
    await body();
  } finally {
    await cluster.kubectl.annotate('service', REBEL_BASE, STARWARS_NAMESPACE, { [key]: null });
  }
}

function allAnswered(sample: Sample): string | undefined {
  return sample.answered === sample.requests
    ? undefined
    : `${sample.requests - sample.answered} of ${sample.requests} requests got no answer`;
}

function missingClusters(sample: Sample, names: string[]): string | undefined {
  const missing = names.filter((name) => (sample.byCluster[name] ?? 0) === 0);
  return missing.length === 0 ? undefined : `no answer from ${missing.join(', ')}`;
}
