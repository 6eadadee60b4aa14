import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFixture } from '../kube/cluster-fixture.js';
import { deploymentYaml, startCluster } from '../kube/cluster-fixture.js';

/**
 * kubectl cordon, uncordon and drain against a started lab cluster (LIFECYCLE G.2), through the lab's
 * kubectl: the drain's evictions honour PodDisruptionBudgets on lab time.
 */

const pdbYaml = (name: string, app: string, spec: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  ${spec}
  selector:
    matchLabels:
      app: ${app}
`;

describe('lab kubectl: cordon, uncordon, drain and PodDisruptionBudgets', () => {
  let c: ClusterFixture;
  let workers: string[];
  const kubectl = (...args: string[]) => c.kubectl(...args);
  const apply = async (file: string, yaml: string) => {
    c.file(file, yaml);
    const applied = await kubectl('apply', '-f', file);
    expect(applied.code, applied.stderr).toBe(0);
  };
  const podsOn = async (node: string, app: string) =>
    (await kubectl('get', 'pods', '-l', `app=${app}`, '-o', 'wide')).stdout
      .split('\n')
      .filter((line) => line.includes(` ${node} `) && !line.includes('Terminating'))
      .map((line) => line.split(/\s+/)[0]!);

  beforeAll(async () => {
    c = await startCluster(2);
    const nodes = (await kubectl('get', 'nodes', '-o', 'name')).stdout.trim().split('\n');
    workers = nodes.map((node) => node.replace('node/', '')).filter((node) => node.includes('-w-'));
    await apply('web.yaml', deploymentYaml({ name: 'web', replicas: 3 }));
    const rolled = await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s');
    expect(rolled.code, rolled.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => c?.stop());

  it("answers kubectl version with the control plane's kube-apiserver; Nodes carry the kubelet and Talos versions", async () => {
    const version = JSON.parse((await kubectl('version', '-o', 'json')).stdout) as Record<string, object>;
    expect(version.serverVersion).toMatchObject({ major: '1', minor: '34', gitVersion: 'v1.34.1' });
    expect((await kubectl('version')).stdout).toBe(
      'Client Version: v1.35.0\nKustomize Version: v5.7.1\nServer Version: v1.34.1\n',
    );
    const nodes = JSON.parse((await kubectl('get', 'nodes', '-o', 'json')).stdout) as {
      items: { status: { nodeInfo: object } }[];
    };
    for (const node of nodes.items)
      expect(node.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.34.1', osImage: 'Talos (v1.11.6)' });
  });

  it('annotates a Node (kept on the Node, --overwrite to change, k- removes)', async () => {
    const [node] = workers;
    const annotations = async () =>
      (
        JSON.parse((await kubectl('get', 'node', node!, '-o', 'json')).stdout) as {
          metadata: { annotations?: Record<string, string> };
        }
      ).metadata.annotations;
    expect((await kubectl('annotate', 'node', node!, 'example.io/by=me')).stdout).toBe(
      `node/${node} annotated\n`,
    );
    expect(await annotations()).toEqual({ 'example.io/by': 'me' });
    expect((await kubectl('annotate', 'node', node!, 'example.io/by=you')).stderr).toMatch(
      /--overwrite is false but found the following declared annotation\(s\): 'example.io\/by' already has a value \(me\)/,
    );
    expect((await kubectl('annotate', 'node', node!, 'example.io/by-')).code).toBe(0);
    expect(await annotations()).toBeUndefined();
  });

  it('cordons and uncordons with kubectl texts; get nodes shows SchedulingDisabled', async () => {
    const [node] = workers;
    expect((await kubectl('cordon', node!)).stdout).toBe(`node/${node} cordoned\n`);
    expect((await kubectl('cordon', node!)).stdout).toBe(`node/${node} already cordoned\n`);
    const listed = (await kubectl('get', 'nodes')).stdout
      .split('\n')
      .find((line) => line.startsWith(`${node} `));
    expect(listed?.split(/\s+/)[1]).toBe('Ready,SchedulingDisabled');
    expect((await kubectl('uncordon', node!)).stdout).toBe(`node/${node} uncordoned\n`);
    expect((await kubectl('uncordon', node!)).stdout).toBe(`node/${node} already uncordoned\n`);
    expect((await kubectl('cordon', 'nowhere')).stderr).toBe(
      'Error from server (NotFound): nodes "nowhere" not found\n',
    );
  });

  it('lists budgets with their status; drain retries a pod the budget protects until its replacement is ready', async () => {
    await apply('pdb.yaml', pdbYaml('web', 'web', 'maxUnavailable: 1'));
    const listed = (await kubectl('get', 'pdb', '-A')).stdout.split('\n');
    expect(listed[0]!.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'MIN AVAILABLE',
      'MAX UNAVAILABLE',
      'ALLOWED DISRUPTIONS',
      'AGE',
    ]);
    expect(listed[1]!.split(/\s+/).slice(0, 5)).toEqual(['default', 'web', 'N/A', '1', '1']);
    const json = JSON.parse((await kubectl('get', 'pdb', 'web', '-o', 'json')).stdout) as { status: object };
    expect(json.status).toMatchObject({
      currentHealthy: 3,
      desiredHealthy: 2,
      disruptionsAllowed: 1,
      expectedPods: 3,
    });

    const node = (
      await Promise.all(workers.map(async (worker) => ({ worker, pods: await podsOn(worker, 'web') })))
    ).find((entry) => entry.pods.length === 2)!;
    const drained = await kubectl(
      'drain',
      node.worker,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--timeout=60s',
    );
    expect(drained.code, drained.stderr).toBe(0);
    const lines = drained.stdout.split('\n');
    expect(lines[0]).toBe(`node/${node.worker} cordoned`);
    expect(lines.at(-2)).toBe(`node/${node.worker} drained`);
    for (const pod of node.pods) {
      expect(lines).toContain(`evicting pod default/${pod}`);
      expect(lines).toContain(`pod/${pod} evicted`);
    }
    const retries = drained.stderr.split('\n').filter((line) => line.startsWith('error when evicting'));
    expect(retries.length).toBeGreaterThan(0);
    const blocked = node.pods.find((pod) => retries[0]!.includes(`"${pod}"`))!;
    expect(retries[0]).toBe(
      `error when evicting pods/"${blocked}" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
    );
    expect(lines.filter((line) => line === `evicting pod default/${blocked}`).length).toBe(
      retries.length + 1,
    );
    expect(drained.stderr).toMatch(/^Warning: ignoring DaemonSet-managed Pods: kube-system\/cilium-/m);
    expect(await podsOn(node.worker, 'web')).toEqual([]);
    expect((await kubectl('uncordon', node.worker)).code).toBe(0);
  });

  it('gives up at the global timeout on a budget that allows nothing; refuses a pod under two budgets', async () => {
    await apply('pdb.yaml', pdbYaml('web', 'web', 'minAvailable: 3'));
    const target = (await Promise.all(workers.map(async (w) => ({ w, pods: await podsOn(w, 'web') })))).find(
      (entry) => entry.pods.length > 0,
    )!;
    const stuck = await kubectl('drain', target.w, '--ignore-daemonsets', '--timeout=1s');
    expect(stuck.code).toBe(1);
    const [pod] = target.pods;
    expect(stuck.stderr).toContain(
      `error when evicting pods/"${pod}" -n "default": global timeout reached: 1s`,
    );
    expect(stuck.stderr).toContain(`error: unable to drain node "${target.w}" due to error: `);
    expect(stuck.stderr).toContain(`There are pending nodes to be drained:\n ${target.w}\n`);

    await apply('pdb-too.yaml', pdbYaml('web-too', 'web', 'maxUnavailable: 1'));
    const twice = await kubectl('drain', target.w, '--ignore-daemonsets', '--timeout=10s');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(
      `error when evicting pods/"${pod}" -n "default": This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.`,
    );
    expect(twice.stderr).not.toContain('will retry');
  });
});
