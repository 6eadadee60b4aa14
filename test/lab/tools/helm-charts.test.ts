import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { clusterDefaults } from '../../../src/lab/kube/rook-charts.js';
import { ciliumValues, valuesYaml } from '../../../src/mesh/cilium-values.js';
import { createCertificateAuthority } from '../../../src/util/x509.js';
import type { ToolLab } from './helpers.js';
import { startToolLab } from './helpers.js';
import { bootstrapCluster, provision } from './cluster-flow.js';

const ROOK = ['--repo', 'https://charts.rook.io/release', '--version', 'v1.18.8'];

interface StoredState {
  clusters: Record<string, { objects: Record<string, { object: unknown }> }>;
}

describe('lab helm: the chart catalogue through the real executable', () => {
  let t: ToolLab;
  const helm = (...args: string[]) => t.run('helm', [...args, '--kubeconfig', 'kubeconfig']);
  const rook = (release: string, chart: string, ...extra: string[]) =>
    helm('upgrade', '--install', release, chart, ...ROOK, '--namespace', 'rook-ceph', ...extra);
  /** The objects the lab's API server holds, read from its saved state. */
  const objectIds = () => {
    const state = JSON.parse(readFileSync(join(t.dir, 'kube-state.json'), 'utf8')) as StoredState;
    return Object.values(state.clusters).flatMap((cluster) => Object.keys(cluster.objects));
  };
  const storedObject = <T>(id: string): T => {
    const state = JSON.parse(readFileSync(join(t.dir, 'kube-state.json'), 'utf8')) as StoredState;
    return Object.values(state.clusters).find((cluster) => cluster.objects[id])?.objects[id]?.object as T;
  };

  beforeAll(async () => {
    t = await startToolLab();
    await bootstrapCluster(t, await provision(t, 1, 3));
    const ca = await createCertificateAuthority('east-west mesh CA');
    t.file('cilium.yaml', valuesYaml(ciliumValues({ clusterName: 'east', clusterId: 1, ca, nodeCount: 4 })));
  }, 60_000);
  afterAll(async () => t?.stop());

  it('renders the clustermesh-apiserver Deployment and its NodePort Service when useAPIServer is set', async () => {
    const args = [
      'upgrade',
      '--install',
      'cilium',
      'cilium',
      '--repo',
      'https://helm.cilium.io',
      '--version',
      '1.19.6',
    ];
    const installed = await helm(
      ...args,
      '-n',
      'kube-system',
      '-f',
      'cilium.yaml',
      '--set',
      'clustermesh.useAPIServer=true',
    );
    expect(installed.code, installed.stderr).toBe(0);
    const podSpec = storedObject<{
      spec: { template: { spec: { containers: { name: string; image: string }[] } } };
    }>('deployments.apps/kube-system/clustermesh-apiserver').spec.template.spec;
    expect(podSpec.containers.map((container) => container.name)).toEqual([
      'etcd',
      'apiserver',
      'kvstoremesh',
    ]);
    expect(podSpec.containers[0]!.image).toBe('quay.io/cilium/clustermesh-apiserver:v1.19.6');
    const service = storedObject<{ spec: unknown }>('services./kube-system/clustermesh-apiserver');
    expect(service.spec).toMatchObject({ type: 'NodePort', ports: [{ port: 2379, nodePort: 32379 }] });
    const again = await helm(...args, '-n', 'kube-system', '-f', 'cilium.yaml');
    expect(again.code, again.stderr).toBe(0);
    expect(objectIds().filter((id) => id.includes('clustermesh-apiserver'))).toEqual([]);
  });

  it('refuses the cluster chart before the operator chart put its CRDs in, and records no release', async () => {
    const refused = await rook('rook-ceph-cluster', 'rook-ceph-cluster', '--create-namespace');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'Error: unable to build kubernetes objects from release manifest: resource mapping not found for name: "rook-ceph" namespace: "rook-ceph" from "": no matches for kind "CephCluster" in version "ceph.rook.io/v1"\nensure CRDs are installed first\n',
    );
    const status = await helm('status', 'rook-ceph-cluster', '-n', 'rook-ceph');
    expect(status.stderr).toBe('Error: release: not found\n');
  });

  it("needs the release's namespace unless --create-namespace", async () => {
    const refused = await rook('rook-ceph', 'rook-ceph');
    expect(refused.stderr).toBe('Error: create: failed to create: namespaces "rook-ceph" not found\n');
  });

  it('--wait holds until the workloads are ready, and fails the release when their pods are refused', async () => {
    const tetragon = (namespace: string) =>
      helm(
        'upgrade',
        '--install',
        'tetragon',
        'tetragon',
        '--repo',
        'https://helm.cilium.io',
        '-n',
        namespace,
        '--create-namespace',
        '--wait',
        '--timeout',
        '30s',
      );
    const exempt = await tetragon('kube-system'); // Talos exempts kube-system from Pod Security admission
    expect(exempt.code, exempt.stderr).toBe(0);
    expect(exempt.stdout).toContain('STATUS: deployed');
    const refused = await helm(
      'upgrade',
      '--install',
      'tetragon',
      'tetragon',
      '--repo',
      'https://helm.cilium.io',
      '-n',
      'tracing',
      '--create-namespace',
      '--wait',
      '--timeout',
      '2s',
    );
    expect(refused.stderr).toBe('Error: context deadline exceeded\n');
    const status = JSON.parse((await helm('status', 'tetragon', '-n', 'tracing', '-o', 'json')).stdout) as {
      info: { status: string; description: string };
    };
    expect(status.info).toEqual(
      expect.objectContaining({
        status: 'failed',
        description: 'Release "tetragon" failed: context deadline exceeded',
      }),
    );
    const upgrade = await helm(
      'upgrade',
      'tetragon',
      'tetragon',
      '--repo',
      'https://helm.cilium.io',
      '-n',
      'tracing',
      '--wait',
      '--timeout',
      '1s',
    );
    expect(upgrade.stderr).toBe('Error: UPGRADE FAILED: context deadline exceeded\n');
  });

  it('installs the operator chart into the namespace --create-namespace makes', async () => {
    const operator = await rook('rook-ceph', 'rook-ceph', '--create-namespace');
    expect(operator.code, operator.stderr).toBe(0);
    expect(operator.stdout).toContain('The Rook Operator has been installed.');
  });

  it('lists releases and reads back the user-supplied values (null when none)', async () => {
    t.file('cluster.yaml', stringify({ cephClusterSpec: { mon: { count: 3 } } }));
    const cluster = await rook('rook-ceph-cluster', 'rook-ceph-cluster', '-f', 'cluster.yaml');
    expect(cluster.code, cluster.stderr).toBe(0);
    expect(cluster.stdout).toContain('kubectl --namespace rook-ceph get cephcluster');
    const values = await helm('get', 'values', 'rook-ceph-cluster', '-n', 'rook-ceph', '-o', 'json');
    expect(JSON.parse(values.stdout)).toEqual({ cephClusterSpec: { mon: { count: 3 } } });
    expect((await helm('get', 'values', 'rook-ceph', '-n', 'rook-ceph', '-o', 'json')).stdout).toBe('null\n');
    const listed = JSON.parse((await helm('list', '-n', 'rook-ceph', '-o', 'json')).stdout) as Record<
      string,
      string
    >[];
    expect(listed.map((release) => [release.name, release.revision, release.status, release.chart])).toEqual([
      ['rook-ceph', '1', 'deployed', 'rook-ceph-v1.18.8'],
      ['rook-ceph-cluster', '1', 'deployed', 'rook-ceph-cluster-v1.18.8'],
    ]);
    const pool = storedObject<{ metadata: { annotations: Record<string, string> }; provisioner: string }>(
      'storageclasses.storage.k8s.io//ceph-block',
    );
    expect(pool.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(pool.provisioner).toBe('rook-ceph.rbd.csi.ceph.com');
  });

  it('upgrades both Rook charts in place, and refuses a StorageClass parameter change (LIFECYCLE H.3)', async () => {
    const operator = await rook('rook-ceph', 'rook-ceph', '--set', 'csi.provisionerReplicas=1');
    expect(operator.code, operator.stderr).toBe(0);
    expect(operator.stdout).toMatch(
      /^Release "rook-ceph" has been upgraded\. Happy Helming!\n[\s\S]*REVISION: 2\n/,
    );
    t.file('cluster.yaml', stringify({ cephClusterSpec: { mon: { count: 3 }, mgr: { count: 1 } } }));
    const cluster = await rook('rook-ceph-cluster', 'rook-ceph-cluster', '-f', 'cluster.yaml');
    expect(cluster.code, cluster.stderr).toBe(0);
    const spec = storedObject<{ spec: { mgr: { count: number } } }>(
      'cephclusters.ceph.rook.io/rook-ceph/rook-ceph',
    );
    expect(spec.spec.mgr.count).toBe(1);
    // v1.18's new publish-secret parameters, as an upgrade from v1.17 adds them: StorageClasses are immutable.
    const pools = structuredClone(clusterDefaults().cephBlockPools) as {
      storageClass: { parameters: object };
    }[];
    pools[0]!.storageClass.parameters = {
      ...pools[0]!.storageClass.parameters,
      'csi.storage.k8s.io/controller-publish-secret-name': 'rook-csi-rbd-provisioner',
    };
    t.file('pools.yaml', stringify({ cephBlockPools: pools }));
    const refused = await rook('rook-ceph-cluster', 'rook-ceph-cluster', '-f', 'pools.yaml');
    expect(refused.stderr).toBe(
      'Error: UPGRADE FAILED: cannot patch "ceph-block" with kind StorageClass: StorageClass.storage.k8s.io "ceph-block" ' +
        'is invalid: parameters: Forbidden: updates to parameters are forbidden.\n',
    );
    const history = await helm('history', 'rook-ceph-cluster', '-n', 'rook-ceph', '-o', 'json');
    // A failed upgrade leaves the revision before it deployed (pkg/action/upgrade.go failRelease).
    expect((JSON.parse(history.stdout) as { status: string }[]).map((row) => row.status)).toEqual([
      'superseded',
      'deployed',
      'failed',
    ]);
  });

  it("uninstalls a release's objects and keeps the CRDs the chart marks keep", async () => {
    expect((await helm('uninstall', 'rook-ceph-cluster', '-n', 'rook-ceph')).stdout).toBe(
      'release "rook-ceph-cluster" uninstalled\n',
    );
    expect(objectIds().filter((id) => id.startsWith('cephclusters.'))).toEqual([]);
    const operator = await helm('uninstall', 'rook-ceph', '-n', 'rook-ceph');
    expect(operator.stdout).toMatch(
      /^These resources were kept due to the resource policy:\n\[CustomResourceDefinition\] cephclusters\.ceph\.rook\.io\n[\s\S]*\nrelease "rook-ceph" uninstalled\n$/,
    );
    expect(objectIds().filter((id) => id.includes('rook-ceph-operator'))).toEqual([]);
    expect((await helm('uninstall', 'rook-ceph', '-n', 'rook-ceph')).stderr).toBe(
      'Error: uninstall: Release not loaded: rook-ceph: release: not found\n',
    );
  });
});
