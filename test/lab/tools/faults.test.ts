import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../../src/util/x509.js';
import { ciliumValues, valuesYaml } from '../../../src/mesh/cilium-values.js';
import { bootstrapCluster, provision } from './cluster-flow.js';
import type { ToolLab } from './helpers.js';
import { startTestLab } from '../pve/helpers.js';
import { ciliumInstallArgs, eventually, layout, startToolLab, vmParams } from './helpers.js';

/**
 * The lab's faults beyond the PVE API: a boot that hangs until the VM is power-cycled, an apply-config
 * whose answer the node's reboot cuts off, a helm release whose images pull slowly.
 */
let t: ToolLab | undefined;
afterEach(async () => {
  await t?.stop();
  if (t) rmSync(t.work, { recursive: true, force: true });
  t = undefined;
});

const disks = (lab: ToolLab, address: string) =>
  lab.run('talosctl', ['get', 'disks', '--insecure', '--nodes', address]);

describe('lab faults around Talos and helm', { timeout: 60_000 }, () => {
  it('a hung boot answers nothing, survives a lab restart and ends with a power cycle', async () => {
    t = await startToolLab(undefined, { faults: { bootHangs: [{ rate: 1 }] } });
    const [node] = layout(1, 0);
    await t.startVm(node!.vmid, vmParams(node!));
    await new Promise((done) => setTimeout(done, 300)); // several boot times at the test scale
    const hung = await disks(t, node!.address);
    expect(hung.code).toBe(1);
    expect(hung.stderr).toMatch(/connect: no route to host/);

    // The hang is the VM's, not the lab's: a lab restarted without faults finds the VM still hung.
    await t.lab.close();
    const again = await startTestLab({}, t.dir);
    const run = t.rebind(again.lab.binDir);
    t = { ...t, stop: again.stop };
    const disksAgain = () => run('talosctl', ['get', 'disks', '--insecure', '--nodes', node!.address]);
    expect((await disksAgain()).code).toBe(1);

    for (const action of ['stop', 'start']) {
      const task = await again.root.run('POST', `/nodes/pve1/qemu/${node!.vmid}/status/${action}`);
      expect(task.exitstatus).toBe('OK');
    }
    await eventually(async () => (await disksAgain()).code === 0);
  });

  it('an apply-config cut off by the reboot fails for the client, yet the node runs the config', async () => {
    t = await startToolLab(undefined, { faults: { talosResets: [{ rate: 1 }] } });
    await expect(provision(t, 1, 0)).rejects.toThrow(/connection reset by peer/);
    // The config went through: the node comes up over mTLS with the cluster's credentials.
    const [node] = layout(1, 0);
    await eventually(
      async () =>
        (
          await t!.run('talosctl', [
            '--talosconfig',
            'out/talosconfig',
            '--nodes',
            node!.address,
            '--endpoints',
            node!.address,
            'version',
          ])
        ).code === 0,
    );
  });

  it('a release with slow images misses helm --wait, is marked failed, and its workloads come up later', async () => {
    t = await startToolLab(undefined, {
      faults: { slowReleases: [{ release: 'cilium', rate: 1, seconds: 900 }] },
    });
    const files = await provision(t, 1, 0);
    await bootstrapCluster(t, files);
    const ca = await createCertificateAuthority('mesh CA');
    t.file('values.yaml', valuesYaml(ciliumValues({ clusterName: 'east', clusterId: 1, ca, nodeCount: 1 })));
    const helm = (...args: string[]) => t!.run('helm', [...args, '--kubeconfig', 'kubeconfig']);
    // tools' timeouts are wall time; 900 s of lab time at the test scale is 4.5 s
    const install = await helm(...ciliumInstallArgs('values.yaml'), '--wait', '--timeout', '1s');
    expect(install.code, install.stdout + install.stderr).toBe(1);
    expect(install.stderr).toBe('Error: context deadline exceeded\n');
    const status = await helm('status', 'cilium', '--namespace', 'kube-system', '-o', 'json');
    expect((JSON.parse(status.stdout) as { info: { status: string } }).info.status).toBe('failed');
    // The images arrive after all: the agents finish their rollout without another install.
    const rollout = await t.run('kubectl', [
      '--kubeconfig',
      'kubeconfig',
      '-n',
      'kube-system',
      'rollout',
      'status',
      'daemonset/cilium',
      '--timeout=30s',
    ]);
    expect(rollout.code, rollout.stderr).toBe(0);
  });
});
