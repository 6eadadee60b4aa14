import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../../src/util/x509.js';
import { ciliumValues, valuesYaml } from '../../../src/mesh/cilium-values.js';
import type { ClusterFiles, ToolLab } from './helpers.js';
import { ciliumInstallArgs, startToolLab } from './helpers.js';
import { bootstrapCluster, provision } from './cluster-flow.js';

interface NodeJson {
  metadata: { name: string };
  status: { conditions: { type: string; status: string }[] };
}

describe('lab tools: 3 control planes and 1 worker to Ready', () => {
  let t: ToolLab;
  let files: ClusterFiles;
  const kubectl = (...args: string[]) => t.run('kubectl', ['--kubeconfig', 'kubeconfig', ...args]);
  const readyNodes = async () => {
    const listed = JSON.parse((await kubectl('get', 'nodes', '-o', 'json')).stdout) as { items: NodeJson[] };
    return listed.items.map((item) => ({
      name: item.metadata.name,
      ready: item.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    }));
  };

  beforeAll(async () => {
    t = await startToolLab();
    files = await provision(t, 3, 1);
  }, 60_000);
  afterAll(async () => t?.stop());

  it('runs the qemu guest agent only once a node is configured', async () => {
    const agent = await t.root.get('/nodes/pve1/qemu/101/agent/network-get-interfaces');
    expect(agent.status).toBe(200);
    const addresses = JSON.stringify(agent.body.data.result);
    expect(addresses).toContain('192.168.10.11');
  });

  it('refuses --insecure once the node runs its config, as the mTLS apid does', async () => {
    const again = await t.run('talosctl', [
      'apply-config',
      '--insecure',
      '--nodes',
      '192.168.10.11',
      '--file',
      'east-cp-1.yaml',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'error applying new configuration: rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: remote error: tls: certificate required"\n',
    );
  });

  it('bootstraps once; a second bootstrap gets AlreadyExists', async () => {
    await bootstrapCluster(t, files);
    const second = await t.run('talosctl', [
      '--talosconfig',
      files.talosconfig,
      '--nodes',
      '192.168.10.12',
      '--endpoints',
      '192.168.10.12',
      'bootstrap',
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      'error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n',
    );
  });

  it('serves the API at the VIP once bootstrapped, and nodes stay NotReady without a CNI', async () => {
    const kubeconfigText = (
      await t.run('talosctl', [
        '--talosconfig',
        files.talosconfig,
        '--nodes',
        '192.168.10.11',
        '--endpoints',
        '192.168.10.11',
        'kubeconfig',
        '-',
        '--merge=false',
      ])
    ).stdout;
    expect(kubeconfigText).toContain('server: https://192.168.10.10:6443');
    const refused = await t.run('talosctl', [
      '--talosconfig',
      files.talosconfig,
      '--nodes',
      '192.168.10.11',
      '--endpoints',
      '192.168.10.11',
      'kubeconfig',
      'kubeconfig',
      '--merge=false',
    ]);
    expect(refused.stderr).toMatch(/^kubeconfig file already exists, use --force to overwrite: /);
    let nodes: { name: string; ready: boolean }[] = [];
    for (let i = 0; i < 200 && nodes.length < 4; i++) {
      nodes = await readyNodes();
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(nodes.map((node) => node.name)).toEqual(['east-cp-1', 'east-cp-2', 'east-cp-3', 'east-w-1']);
    expect(nodes.every((node) => !node.ready)).toBe(true);
    const waited = await kubectl('wait', '--for=condition=Ready', 'node', '--all', '--timeout=1s');
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/^error: timed out waiting for the condition on nodes\/east-cp-1\n$/);
  });

  it('installs Cilium with the Talos values: rollouts finish and every node turns Ready', async () => {
    const ca = await createCertificateAuthority('east-west mesh CA');
    t.file(
      'cilium-values.yaml',
      valuesYaml(ciliumValues({ clusterName: 'east', clusterId: 1, ca, nodeCount: 4 })),
    );
    const install = await t.run('helm', [
      ...ciliumInstallArgs('cilium-values.yaml'),
      '--kubeconfig',
      'kubeconfig',
    ]);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/^Release "cilium" does not exist\. Installing it now\.\nNAME: cilium\n/);
    const status = await t.run('helm', [
      'status',
      'cilium',
      '--namespace',
      'kube-system',
      '--kubeconfig',
      'kubeconfig',
      '-o',
      'json',
    ]);
    const release = JSON.parse(status.stdout) as {
      version: number;
      info: { status: string };
      chart: { metadata: { version: string } };
    };
    expect([release.version, release.info.status, release.chart.metadata.version]).toEqual([
      1,
      'deployed',
      '1.19.6',
    ]);

    const agents = await kubectl(
      '-n',
      'kube-system',
      'rollout',
      'status',
      'daemonset/cilium',
      '--timeout=30s',
    );
    expect(agents.code, agents.stderr).toBe(0);
    expect(agents.stdout).toMatch(/daemon set "cilium" successfully rolled out\n$/);
    const operator = await kubectl(
      '-n',
      'kube-system',
      'rollout',
      'status',
      'deployment/cilium-operator',
      '--timeout=30s',
    );
    expect(operator.stdout).toMatch(/deployment "cilium-operator" successfully rolled out\n$/);
    const waited = await kubectl('wait', '--for=condition=Ready', 'node', '--all', '--timeout=30s');
    expect(waited.code, waited.stderr).toBe(0);
    expect((await readyNodes()).every((node) => node.ready)).toBe(true);

    const upgrade = await t.run('helm', [
      'upgrade',
      '--install',
      'cilium',
      'cilium',
      '--repo',
      'https://helm.cilium.io',
      '--version',
      '1.19.6',
      '--namespace',
      'kube-system',
      '--values',
      'cilium-values.yaml',
      '--kubeconfig',
      'kubeconfig',
    ]);
    expect(upgrade.stdout).toMatch(
      /^Release "cilium" has been upgraded\. Happy Helming!\n[\s\S]*REVISION: 2\n/,
    );
  });

  it('drains and deletes a worker; both are idempotent the way kubectl is', async () => {
    const drained = await kubectl(
      'drain',
      'east-w-1',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=30s',
    );
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toBe('node/east-w-1 cordoned\nnode/east-w-1 drained\n');
    expect((await kubectl('delete', 'node', 'east-w-1', '--ignore-not-found')).stdout).toBe(
      'node "east-w-1" deleted\n',
    );
    expect((await kubectl('delete', 'node', 'east-w-1', '--ignore-not-found')).code).toBe(0);
    const gone = await kubectl(
      'drain',
      'east-w-1',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=5s',
    );
    expect(gone.stderr).toContain('nodes "east-w-1" not found');
    expect((await readyNodes()).map((node) => node.name)).toEqual(['east-cp-1', 'east-cp-2', 'east-cp-3']);
  });
});
