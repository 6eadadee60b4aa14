import { expect } from 'vitest';
import { commonPatch, controlPlanePatch, nodePatch, workerPatch } from '../../../src/talos/config.js';
import type { TalosClusterInput } from '../../../src/talos/config.js';
import type { ClusterFiles, ToolLab } from './helpers.js';
import { eventually, layout, vmParams } from './helpers.js';

export const EAST: TalosClusterInput = {
  name: 'east',
  vip: '192.168.10.10',
  pods: '10.244.0.0/16',
  services: '10.96.0.0/12',
  installImage:
    'factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.6',
  kubernetesVersion: '1.34.1',
  talosVersion: 'v1.11.6',
  workers: 1,
};

/** gen secrets + gen config with the product's patches, exactly as src/talos/talosctl.ts runs them. */
export async function generateConfigs(t: ToolLab, cluster: TalosClusterInput): Promise<void> {
  const ok = async (args: string[]) => expect((await t.run('talosctl', args)).stderr).not.toMatch(/error/i);
  await ok(['gen', 'secrets', '-o', 'secrets.yaml', '--talos-version', cluster.talosVersion]);
  t.file('common.patch.yaml', commonPatch(cluster));
  t.file('cp.patch.yaml', controlPlanePatch(cluster));
  t.file('worker.patch.yaml', workerPatch(cluster));
  const generated = await t.run('talosctl', [
    'gen',
    'config',
    cluster.name,
    `https://${cluster.vip}:6443`,
    '--with-secrets',
    'secrets.yaml',
    '--config-patch',
    '@common.patch.yaml',
    '--config-patch-control-plane',
    '@cp.patch.yaml',
    '--config-patch-worker',
    '@worker.patch.yaml',
    '--kubernetes-version',
    cluster.kubernetesVersion,
    '--talos-version',
    'v1.11',
    '--install-image',
    cluster.installImage,
    '--with-docs=false',
    '--with-examples=false',
    '--output-types',
    'controlplane,worker,talosconfig',
    '-o',
    'out',
    '--force',
  ]);
  expect(generated.code, generated.stderr).toBe(0);
}

/** VMs up, configs applied over the maintenance service, every node answering over mTLS. */
export async function provision(t: ToolLab, controlPlanes: number, workers: number): Promise<ClusterFiles> {
  const cluster = { ...EAST, workers };
  await generateConfigs(t, cluster);
  const nodes = layout(controlPlanes, workers);
  const cps = nodes.filter((node) => node.role === 'controlplane');
  const endpoint = await t.run('talosctl', [
    '--talosconfig',
    'out/talosconfig',
    'config',
    'endpoint',
    ...cps.map((n) => n.address),
  ]);
  expect(endpoint.code, endpoint.stderr).toBe(0);
  for (const node of nodes) await t.startVm(node.vmid, vmParams(node)); // one storage lock: PVE serializes creates
  for (const node of nodes) {
    await eventually(
      async () =>
        (await t.run('talosctl', ['get', 'disks', '--insecure', '--nodes', node.address])).code === 0,
    );
    t.file(
      `${node.name}.patch.yaml`,
      nodePatch({
        name: node.name,
        role: node.role,
        address: node.address,
        prefixLength: 24,
        gateway: '192.168.10.1',
        dns: ['192.168.10.1'],
        ...(node.role === 'controlplane' ? { vip: cluster.vip } : {}),
      }),
    );
    const base = node.role === 'controlplane' ? 'out/controlplane.yaml' : 'out/worker.yaml';
    const patched = await t.run('talosctl', [
      'machineconfig',
      'patch',
      base,
      '-p',
      `@${node.name}.patch.yaml`,
      '-o',
      `${node.name}.yaml`,
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    const applied = await t.run('talosctl', [
      'apply-config',
      '--insecure',
      '--nodes',
      node.address,
      '--file',
      `${node.name}.yaml`,
    ]);
    expect(applied.code, applied.stderr).toBe(0);
  }
  for (const node of nodes) {
    await eventually(async () => {
      const version = await t.run('talosctl', [
        '--talosconfig',
        'out/talosconfig',
        '--nodes',
        node.address,
        '--endpoints',
        cps.map((n) => n.address).join(','),
        'version',
      ]);
      return version.code === 0;
    });
  }
  return { dir: t.work, talosconfig: 'out/talosconfig', kubeconfig: 'kubeconfig', controlPlanes: cps, nodes };
}

/** bootstrap on the first control plane, its kubeconfig, and the API answering /readyz. */
export async function bootstrapCluster(t: ToolLab, files: ClusterFiles): Promise<void> {
  const cp1 = files.controlPlanes[0]!.address;
  const target = ['--talosconfig', files.talosconfig, '--nodes', cp1, '--endpoints', cp1];
  // A node answers before its CRI runs: bootstrap says "not available yet" until then (LIFECYCLE F.4).
  let bootstrap = await t.run('talosctl', [...target, 'bootstrap']);
  await eventually(async () => {
    if (!/bootstrap is not available yet/.test(bootstrap.stderr)) return true;
    bootstrap = await t.run('talosctl', [...target, 'bootstrap']);
    return false;
  });
  expect(bootstrap.code, bootstrap.stderr).toBe(0);
  const kubeconfig = await t.run('talosctl', [
    ...target,
    'kubeconfig',
    files.kubeconfig,
    '--merge=false',
    '--force',
  ]);
  expect(kubeconfig.code, kubeconfig.stderr).toBe(0);
  await eventually(
    async () =>
      (await t.run('kubectl', ['--kubeconfig', files.kubeconfig, 'get', '--raw=/readyz'])).stdout === 'ok',
  );
}
