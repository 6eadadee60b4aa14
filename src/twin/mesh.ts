import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { Helm } from '../kube/helm.js';
import { Kubectl } from '../kube/kubectl.js';
import { manifestsYaml } from '../kube/objects.js';
import { waitUntil } from '../kube/readiness.js';
import { clustermeshValues, meshPrerequisiteProblems } from '../mesh/clustermesh.js';
import type { MeshMember } from '../mesh/clustermesh.js';
import {
  MESH_CHECK_NAMESPACE,
  MESH_PROBE_NAME,
  echoServiceName,
  meshCheckManifests,
} from '../mesh/mesh-check.js';
import type { Step } from '../plan/executor.js';
import { canonicalJson, mergeValues } from '../util/values.js';
import type { ClusterWorkContext } from './context.js';
import { runCheck, sampleService } from './curl-check.js';
import type { ClusterOutcome, PlatformOutcome } from './outcome.js';
import type { CheckOutcome, MeshClusterStatus, RemoteClusterStatus } from './platform.js';
import { describeFailedChecks } from './platform.js';
import { runPlatformSteps } from './platform-steps.js';
import { AFTER_BUILD } from './platform-steps.js';
import type { BuildGates, PlatformPart } from './platform-steps.js';

const CILIUM = {
  release: 'cilium',
  chart: 'cilium',
  repo: 'https://helm.cilium.io',
  namespace: 'kube-system',
};
const CHECK_REQUESTS = 10;

/**
 * Joins the twin's clusters into one Cilium Cluster Mesh: checks every requirement before touching
 * anything, adds the clustermesh-apiserver and the same peer list to each cluster's Cilium release (only
 * when it differs, so a re-run changes nothing), waits until every cluster reports every other connected
 * and synced, then proves it: a global Service whose only backends live in another cluster answers.
 */
export async function meshTwin(
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
): Promise<PlatformOutcome> {
  await refuseUnmeshable(ctx, clusters);
  const part = meshSteps(ctx, clusters, AFTER_BUILD);
  return { ...(await runPlatformSteps(ctx, part.steps)), report: part.report() };
}

/**
 * The mesh's steps. Joined to the build steps (`gates`), they start once every node of every cluster is
 * Ready, after a step that makes meshTwin's requirement check; alone, meshTwin has made it before.
 */
export function meshSteps(
  ctx: ClusterWorkContext,
  clusters: ClusterOutcome[],
  gates: BuildGates,
): PlatformPart {
  const tools = (cluster: ClusterOutcome) => ({
    helm: new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm }),
    kubectl: new Kubectl(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.kubectl }),
  });
  const mesh = clustermeshValues(
    clusters.map((cluster) => ({
      name: cluster.name,
      id: cluster.id,
      addresses: cluster.nodes.map((node) => node.address),
    })),
  );
  const statuses = new Map<string, MeshClusterStatus>();
  const checks: CheckOutcome[] = [];
  const names = clusters.map((cluster) => cluster.name);
  const preflight: Step[] = gates.meshRequirementsStep
    ? [
        {
          id: 'mesh-requirements',
          title: 'every cluster meets the mesh requirements',
          doing: 'checking the clusters can form one mesh',
          stage: 'mesh',
          needs: names.flatMap((name) => gates.ready(name)),
          run: () => refuseUnmeshable(ctx, clusters),
        },
      ]
    : [];
  const steps: Step[] = clusters.flatMap((cluster): Step[] => {
    const { helm, kubectl } = tools(cluster);
    return [
      {
        id: `clustermesh:${cluster.name}`,
        title: `${cluster.name}: clustermesh-apiserver and peers`,
        doing: `deploying the clustermesh-apiserver of ${cluster.name} and telling it its peers`,
        stage: 'mesh',
        needs: preflight.map((step) => step.id),
        run: async () => {
          const current = (await releaseValues(helm)).values;
          const wanted = mergeValues(current ?? {}, mesh as unknown as Record<string, unknown>);
          if (canonicalJson(wanted) === canonicalJson(current)) {
            ctx.log(`${cluster.name}: Cilium already meshed with the same peers; unchanged`);
          } else {
            const valuesFile = await ctx.store.write(
              { twin: ctx.twin.twin, cluster: cluster.name, name: 'cilium-values.yaml' },
              stringify(wanted, { lineWidth: 0 }),
            );
            await helm.upgradeInstall({ ...CILIUM, version: ctx.twin.spec.cilium.version, valuesFile });
          }
          const timeoutSec = ctx.pace.rolloutTimeoutSec;
          await kubectl.rolloutStatus('deployment', 'clustermesh-apiserver', 'kube-system', timeoutSec);
          await kubectl.rolloutStatus('daemonset', 'cilium', 'kube-system', ctx.pace.rolloutTimeoutSec);
        },
      },
      {
        id: `mesh-connected:${cluster.name}`,
        title: `${cluster.name}: every remote cluster connected and synced`,
        doing: `waiting for ${cluster.name} to connect to and sync with its peers`,
        stage: 'mesh',
        needs: names.map((name) => `clustermesh:${name}`),
        run: async () => {
          const expected = names.filter((name) => name !== cluster.name);
          let last: RemoteClusterStatus[] = [];
          try {
            await waitUntil(
              async () => {
                last = await remoteClusters(kubectl);
                const missing = expected.filter(
                  (name) => !last.some((remote) => remote.name === name && remote.ready && remote.synced),
                );
                return { ready: missing.length === 0, detail: describeRemotes(expected, last) };
              },
              {
                timeoutMs: ctx.pace.meshTimeoutMs,
                intervalMs: ctx.pace.pollMs,
                describe: `${cluster.name} to see ${expected.join(', ')} connected`,
              },
            );
          } finally {
            statuses.set(cluster.name, { cluster: cluster.name, remotes: last });
          }
        },
      },
      {
        id: `mesh-check-deploy:${cluster.name}`,
        title: `${cluster.name}: cross-cluster check workloads`,
        doing: `deploying the cross-cluster check workloads on ${cluster.name}`,
        stage: 'mesh-check',
        needs: gates.ready(cluster.name),
        run: async () => {
          const file = join(ctx.workDir, `${cluster.name}-mesh-check.yaml`);
          await writeFile(file, manifestsYaml(meshCheckManifests(cluster.name, names)), { mode: 0o600 });
          await kubectl.apply(file);
          const timeoutSec = ctx.pace.rolloutTimeoutSec;
          await kubectl.rolloutStatus('deployment', MESH_PROBE_NAME, MESH_CHECK_NAMESPACE, timeoutSec);
          await kubectl.rolloutStatus(
            'deployment',
            echoServiceName(cluster.name),
            MESH_CHECK_NAMESPACE,
            timeoutSec,
          );
        },
      },
      {
        id: `mesh-check:${cluster.name}`,
        title: `${cluster.name}: global services answered from the other clusters`,
        doing: `calling the other clusters' global services from ${cluster.name}`,
        stage: 'mesh-check',
        needs: names.flatMap((name) => [`mesh-connected:${name}`, `mesh-check-deploy:${name}`]),
        run: async () => {
          for (const remote of names.filter((name) => name !== cluster.name)) {
            const outcome = await runCheck(ctx, {
              id: `mesh-reach:${cluster.name}->${remote}`,
              title: `from ${cluster.name}, ${echoServiceName(remote)} (backends only in ${remote}) answers through the mesh`,
              cluster: cluster.name,
              take: () =>
                sampleService({
                  kubectl,
                  namespace: MESH_CHECK_NAMESPACE,
                  client: `deploy/${MESH_PROBE_NAME}`,
                  container: 'probe',
                  host: echoServiceName(remote),
                  requests: CHECK_REQUESTS,
                }),
              judge: (sample) =>
                sample.byCluster[remote] === sample.requests
                  ? undefined
                  : `expected all ${sample.requests} answers from ${remote}`,
            });
            checks.push(outcome);
            const failure = describeFailedChecks([outcome]);
            if (failure) throw new Error(failure);
          }
        },
      },
    ];
  });
  return {
    steps: [...preflight, ...steps],
    report: () => ({
      mesh: names.map((name) => statuses.get(name) ?? { cluster: name, remotes: [] }),
      ceph: [],
      checks,
    }),
  };
}

async function releaseValues(helm: Helm): Promise<{ deployed: boolean; values?: Record<string, unknown> }> {
  const status = await helm.status(CILIUM.release, CILIUM.namespace);
  if (!status) return { deployed: false };
  const values = await helm.userValues(CILIUM.release, CILIUM.namespace);
  return { deployed: status.status === 'deployed', ...(values ? { values } : {}) };
}

/** Refuses, before anything changes, a mesh the clusters' Cilium releases cannot form (C.2). */
async function refuseUnmeshable(ctx: ClusterWorkContext, clusters: ClusterOutcome[]): Promise<void> {
  if (clusters.length < 2) {
    throw new ConfigurationError(
      `twin ${ctx.twin.twin} has ${clusters.length} cluster(s): a mesh needs at least two (add a cluster to twin.yaml)`,
    );
  }
  const current = await Promise.all(
    clusters.map((cluster) =>
      releaseValues(new Helm(ctx.runner, { kubeconfig: cluster.kubeconfig, path: ctx.tools.helm })),
    ),
  );
  const members: MeshMember[] = clusters.map((cluster, index) => ({
    cluster: cluster.name,
    podCidr: cluster.pods,
    ciliumDeployed: current[index]?.deployed ?? false,
    ...(current[index]?.values ? { values: current[index].values } : {}),
  }));
  const problems = meshPrerequisiteProblems(members);
  if (problems.length > 0) {
    throw new ConfigurationError(
      `the mesh cannot be built; nothing was changed:\n  ${problems.join('\n  ')}`,
    );
  }
}

/** What the cluster's Cilium agents say of the remote clusters (`cilium-dbg status -o json`). */
export async function remoteClusters(kubectl: Kubectl): Promise<RemoteClusterStatus[]> {
  const result = await kubectl.exec('kube-system', 'ds/cilium', 'cilium-agent', [
    'cilium-dbg',
    'status',
    '-o',
    'json',
  ]);
  if (result.exitCode !== 0) throw new Error(`cilium-dbg status failed: ${result.stderr.trim()}`);
  const status = JSON.parse(result.stdout) as { 'cluster-mesh'?: { clusters?: unknown[] } };
  return (status['cluster-mesh']?.clusters ?? []).map((entry) => {
    const remote = entry as {
      name?: string;
      connected?: boolean;
      ready?: boolean;
      status?: string;
      synced?: Record<string, unknown>;
    };
    const unsynced = unsyncedFlags(remote.synced);
    const status = String(remote.status ?? '');
    return {
      name: String(remote.name ?? ''),
      connected: remote.connected === true,
      ready: remote.ready === true,
      synced: unsynced.length === 0,
      detail: unsynced.length === 0 ? status : `${status}; not synced: ${unsynced.join(', ')}`,
    };
  });
}

/**
 * The agent's JSON leaves false flags out (go-swagger omitempty, LIFECYCLE I.4), so every flag the mesh needs
 * must be present and true. `service-exports` is a pointer: absent means MCS-API is off, an explicit false
 * means its sync is still pending.
 */
const REQUIRED_SYNC_FLAGS = ['nodes', 'services', 'endpoints', 'identities'] as const;

export function unsyncedFlags(synced: Record<string, unknown> | undefined): string[] {
  const flags = synced ?? {};
  return [
    ...REQUIRED_SYNC_FLAGS.filter((flag) => flags[flag] !== true),
    ...(flags['service-exports'] === false ? ['service-exports'] : []),
  ];
}

function describeRemotes(expected: string[], remotes: RemoteClusterStatus[]): string {
  return expected
    .map((name) => {
      const remote = remotes.find((candidate) => candidate.name === name);
      if (!remote) return `${name}: not configured on this cluster`;
      if (remote.ready && remote.synced) return `${name}: ready`;
      const state = !remote.connected ? 'not connected' : remote.ready ? 'ready' : 'connected, not ready';
      return `${name}: ${state} (${remote.detail})`;
    })
    .join('; ');
}
