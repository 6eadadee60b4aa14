import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  ROOK_NAMESPACE,
  ROOK_REPO,
  rookClusterValues,
  rookNamespaceManifest,
  rookOperatorValues,
} from '../addons/rook.js';
import { starwarsManifests } from '../addons/starwars.js';
import type { KubeObject } from '../kube/objects.js';
import { manifestsYaml } from '../kube/objects.js';
import { clustermeshValues } from '../mesh/clustermesh.js';
import { ciliumValues } from '../mesh/cilium-values.js';
import { meshCheckManifests } from '../mesh/mesh-check.js';
import { resolveTwin } from '../spec/environment.js';
import type { TwinSpec } from '../spec/schema.js';
import { mergeValues } from '../util/values.js';
import type { TwinPlan } from './plan.js';
import type { RenderedFile } from './render.js';

/** Stands where the mesh CA goes: the CA lives in the state store only and is never written out. */
const CA_PLACEHOLDER = 'kept-in-the-state-store-never-rendered';

export interface RenderedRelease {
  release: string;
  chart: string;
  repo: string;
  version: string;
  namespace: string;
  /** Relative to the cluster's folder; absent for releases whose values the spec keeps in a file of its own. */
  valuesFile?: string;
}

/**
 * Every helm release and manifest the twin gets on each cluster, exactly as action-provision, action-mesh
 * and action-day2 will apply them: `<twin>/<cluster>/helm/<release>.values.yaml`,
 * `<twin>/<cluster>/manifests/<set>.yaml` and `<twin>/<cluster>/releases.json` (the order of installation).
 */
export function renderPlatform(plan: TwinPlan, spec: TwinSpec): RenderedFile[] {
  const wanted = plan.vms.filter(
    (vm) => vm.definition && vm.action !== 'destroy' && vm.action !== 'conflict',
  );
  const peers = plan.clusters.map((cluster) => ({
    name: cluster.name,
    id: cluster.id,
    addresses: wanted.filter((vm) => vm.cluster === cluster.name).map((vm) => vm.address!),
  }));
  const names = plan.clusters.map((cluster) => cluster.name);
  const resolved = resolveTwin(spec, plan.twin).clusters;
  return plan.clusters.flatMap((cluster) => {
    const members = wanted.filter((vm) => vm.cluster === cluster.name);
    const files: RenderedFile[] = [];
    const releases: RenderedRelease[] = [];
    const base = join(plan.twin, cluster.name);
    const release = (entry: Omit<RenderedRelease, 'valuesFile'>, values?: Record<string, unknown>) => {
      const valuesFile = values === undefined ? undefined : join('helm', `${entry.release}.values.yaml`);
      if (valuesFile)
        files.push({ path: join(base, valuesFile), content: stringify(values, { lineWidth: 0 }) });
      releases.push({ ...entry, ...(valuesFile ? { valuesFile } : {}) });
    };
    const manifests = (set: string, objects: KubeObject[]) =>
      files.push({ path: join(base, 'manifests', `${set}.yaml`), content: manifestsYaml(objects) });

    const cilium = ciliumValues({
      clusterName: cluster.name,
      clusterId: cluster.id,
      ca: { certPem: '', keyPem: '' },
      nodeCount: members.length,
    });
    cilium.tls.ca = { cert: CA_PLACEHOLDER, key: CA_PLACEHOLDER };
    const meshed =
      plan.clusters.length > 1
        ? mergeValues(
            cilium as unknown as Record<string, unknown>,
            clustermeshValues(peers) as unknown as Record<string, unknown>,
          )
        : (cilium as unknown as Record<string, unknown>);
    release(
      {
        release: 'cilium',
        chart: 'cilium',
        repo: 'https://helm.cilium.io',
        version: spec.cilium.version,
        namespace: 'kube-system',
      },
      meshed,
    );
    if (plan.clusters.length > 1) manifests('mesh-check', meshCheckManifests(cluster.name, names));
    if (spec.addons.rook.enabled) {
      const workers = members
        .filter((vm) => vm.role === 'worker')
        .map((vm) => ({ name: vm.name, extraDisks: vm.definition!.extraDisksGiB.length }));
      const { cores, memoryMiB } = resolved.find((candidate) => candidate.name === cluster.name)!.workers;
      const workerVm = { cores, memoryMiB };
      manifests('rook-namespace', [rookNamespaceManifest()]);
      const rook = {
        chart: 'rook-ceph',
        repo: ROOK_REPO,
        version: spec.addons.rook.version,
        namespace: ROOK_NAMESPACE,
      };
      release({ ...rook, release: 'rook-ceph' }, rookOperatorValues(workerVm));
      release(
        { ...rook, release: 'rook-ceph-cluster', chart: 'rook-ceph-cluster' },
        rookClusterValues({ cluster: cluster.name, workers, workerVm }),
      );
    }
    if (spec.addons.starwars.enabled) manifests('starwars', starwarsManifests(cluster.name));
    if (spec.addons.tetragon?.enabled) {
      release(
        {
          release: 'tetragon',
          chart: 'tetragon',
          repo: 'https://helm.cilium.io',
          version: spec.addons.tetragon.version,
          namespace: 'kube-system',
        },
        {},
      );
    }
    for (const extra of spec.addons.extras.releases) {
      const entry = {
        release: extra.name,
        chart: extra.chart,
        repo: extra.repo,
        version: extra.version,
        namespace: extra.namespace,
      };
      if (extra.values) releases.push({ ...entry, valuesFile: extra.values });
      else release(entry, {});
    }
    files.push({ path: join(base, 'releases.json'), content: `${JSON.stringify(releases, null, 2)}\n` });
    return files;
  });
}
