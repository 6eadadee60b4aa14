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
import { THROWAWAY_CA_DAYS } from '../mesh/ca.js';
import { clustermeshValues } from '../mesh/clustermesh.js';
import { ciliumValues } from '../mesh/cilium-values.js';
import { meshCheckManifests } from '../mesh/mesh-check.js';
import { resolveTwin } from '../spec/environment.js';
import type { TwinSpec } from '../spec/schema.js';
import type { CertificateAndKey } from '../util/x509.js';
import { mergeValues } from '../util/values.js';
import type { TwinPlan } from './plan.js';
import type { RenderedFile } from './render.js';

/** Heads the Cilium values: the CA in them is the render's own, not the twin's (which is never written out). */
const THROWAWAY_CA_NOTE = [
  `# tls.ca: a throw-away CA made for this render only (its CN says so; it expires in ${THROWAWAY_CA_DAYS} days), so that helm`,
  "# accepts these values as they stand; every cluster of this render has the same one, as a twin's clusters share",
  "# theirs. It is not the twin's mesh CA: that one stays in the state store, and twin up / action-provision install it.",
  '',
].join('\n');

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
 * `throwawayCa` goes where the twin's mesh CA goes (mesh/ca.ts createThrowawayCa), one for all clusters.
 */
export function renderPlatform(
  plan: TwinPlan,
  spec: TwinSpec,
  throwawayCa: CertificateAndKey,
): RenderedFile[] {
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
    const release = (
      entry: Omit<RenderedRelease, 'valuesFile'>,
      values?: Record<string, unknown>,
      note = '',
    ) => {
      const valuesFile = values === undefined ? undefined : join('helm', `${entry.release}.values.yaml`);
      if (valuesFile)
        files.push({ path: join(base, valuesFile), content: note + stringify(values, { lineWidth: 0 }) });
      releases.push({ ...entry, ...(valuesFile ? { valuesFile } : {}) });
    };
    const manifests = (set: string, objects: KubeObject[]) =>
      files.push({ path: join(base, 'manifests', `${set}.yaml`), content: manifestsYaml(objects) });

    const cilium = ciliumValues({
      clusterName: cluster.name,
      clusterId: cluster.id,
      ca: throwawayCa,
      nodeCount: members.length,
    });
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
      THROWAWAY_CA_NOTE,
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
