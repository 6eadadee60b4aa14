import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dhcpAddress } from '../../../src/lab/pve/handlers/agent.js';
import { talosCreateParams } from '../pve/helpers.js';
import type { ToolLab } from './helpers.js';
import { ciliumInstallArgs, eventually, startToolLab } from './helpers.js';
import { bootstrapCluster, generateConfigs, EAST, provision } from './cluster-flow.js';

const TALOS_VALUES = {
  ipam: { mode: 'kubernetes' },
  kubeProxyReplacement: true,
  cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' },
  k8sServiceHost: 'localhost',
  k8sServicePort: 7445,
  cluster: { name: 'east', id: 1 },
};

const helmInstall = (valuesFile: string) => [...ciliumInstallArgs(valuesFile), '--kubeconfig', 'kubeconfig'];

describe('lab tools: what the real tools refuse', () => {
  let t: ToolLab;
  beforeAll(async () => {
    t = await startToolLab();
    await generateConfigs(t, EAST);
  }, 30_000);
  afterAll(async () => t?.stop());

  it('a VM without a cloud-init drive is not at its intended address, only at a DHCP lease', async () => {
    const params = talosCreateParams(150, {
      name: 'no-cloudinit',
      ipconfig0: 'ip=192.168.10.50/24,gw=192.168.10.1',
      scsi1: 'local-lvm:10',
    });
    delete params.ide2;
    await t.root.run('POST', '/nodes/pve1/qemu', params);
    await t.root.run('POST', '/nodes/pve1/qemu/150/status/start');
    const lease = dhcpAddress(150, 0).ip;
    await eventually(
      async () => (await t.run('talosctl', ['get', 'disks', '--insecure', '--nodes', lease])).code === 0,
    );
    const intended = await t.run('talosctl', ['get', 'disks', '--insecure', '--nodes', '192.168.10.50']);
    expect(intended.code).toBe(1);
    expect(intended.stderr).toBe(
      'error getting resource: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 192.168.10.50:50000: connect: no route to host"\n',
    );
    const disks = await t.run('talosctl', ['get', 'disks', '--insecure', '--nodes', lease]);
    expect(disks.stdout).toMatch(/runtime\s+Disk\s+sda\s+1\s+[\d.]+ GB/);
    expect(disks.stdout).toMatch(/runtime\s+Disk\s+sdb\s+1\s+11 GB/);
    const agent = await t.root.get('/nodes/pve1/qemu/150/agent/network-get-interfaces');
    expect([agent.status, agent.statusMessage]).toEqual([500, 'QEMU guest agent is not running']);
  });

  it('refuses a config failing the schema, naming the field, and a VIP on a worker', async () => {
    await t.startVm(160, {
      name: 'w-160',
      ipconfig0: 'ip=192.168.10.60/24,gw=192.168.10.1',
      scsi1: 'local-lvm:10',
    });
    await eventually(
      async () =>
        (await t.run('talosctl', ['get', 'disks', '--insecure', '--nodes', '192.168.10.60'])).code === 0,
    );
    const worker = parse(readFileSync(join(t.work, 'out/worker.yaml'), 'utf8')) as {
      machine: Record<string, unknown>;
    };
    t.file('bad-type.yaml', stringify({ ...worker, machine: { ...worker.machine, install: { disk: 42 } } }));
    const badType = await t.run('talosctl', [
      'apply-config',
      '--insecure',
      '--nodes',
      '192.168.10.60',
      '--file',
      'bad-type.yaml',
    ]);
    expect(badType.code).toBe(1);
    expect(badType.stderr).toMatch(
      /^error applying new configuration: rpc error: code = InvalidArgument desc = failed to decode config: 1 error occurred:\n\t\* machine\.install\.disk: must be string/,
    );
    const vip = {
      interfaces: [{ interface: 'eth0', addresses: ['192.168.10.60/24'], vip: { ip: '192.168.10.10' } }],
    };
    t.file('vip-worker.yaml', stringify({ ...worker, machine: { ...worker.machine, network: vip } }));
    const vipRefused = await t.run('talosctl', [
      'apply-config',
      '--insecure',
      '--nodes',
      '192.168.10.60',
      '--file',
      'vip-worker.yaml',
    ]);
    expect(vipRefused.stderr).toBe(
      'error applying new configuration: rpc error: code = InvalidArgument desc = configuration validation failed: 1 error occurred:\n\t* v1alpha1.Config: 1 error occurred:\n\t* virtual (shared) IP is not allowed on non-controlplane nodes\n',
    );
    const mode = await t.run('talosctl', [
      'apply-config',
      '--insecure',
      '--nodes',
      '192.168.10.60',
      '--file',
      'out/worker.yaml',
      '--mode',
      'no-reboot',
    ]);
    expect(mode.stderr).toBe(
      'error applying new configuration: rpc error: code = Unimplemented desc = apply configuration in "NO_REBOOT" mode is not supported in maintenance mode\n',
    );
  });

  it('answers unknown commands and flags as talosctl, kubectl and helm do', async () => {
    expect((await t.run('talosctl', ['bootstarp'])).stderr).toBe(
      'unknown command "bootstarp" for "talosctl"\nRun \'talosctl --help\' for usage.\n',
    );
    expect((await t.run('talosctl', ['get', 'disks', '--insecure', '--node', '1.2.3.4'])).stderr).toBe(
      'unknown flag: --node\n',
    );
    expect((await t.run('kubectl', ['get', 'nodes', '--bogus'])).stderr).toBe(
      "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n",
    );
    expect((await t.run('helm', ['upgrade', '--instal'])).stderr).toBe('Error: unknown flag: --instal\n');
  });
});

describe('lab tools: Cilium on Talos', () => {
  let t: ToolLab;
  beforeAll(async () => {
    t = await startToolLab();
    await bootstrapCluster(t, await provision(t, 1, 0));
  }, 60_000);
  afterAll(async () => t?.stop());

  it('refuses values of the wrong type with the chart schema, and installs nothing', async () => {
    t.file('wrong-type.yaml', stringify({ ...TALOS_VALUES, cluster: { name: 'east', id: 'one' } }));
    const refused = await t.run('helm', helmInstall('wrong-type.yaml'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "Error: values don't meet the specifications of the schema(s) in the following chart(s):\ncilium:\n- cluster.id: Invalid type. Expected: integer, given: string\n",
    );
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
    expect(status.stderr).toBe('Error: release: not found\n');
  });

  it('with the chart default capabilities (SYS_MODULE) the agents never run and nodes stay NotReady', async () => {
    t.file('default-caps.yaml', stringify(TALOS_VALUES)); // no securityContext: the chart's default capabilities
    expect((await t.run('helm', helmInstall('default-caps.yaml'))).code).toBe(0);
    const rollout = await t.run('kubectl', [
      '--kubeconfig',
      'kubeconfig',
      '-n',
      'kube-system',
      'rollout',
      'status',
      'daemonset/cilium',
      '--timeout=2s',
    ]);
    expect(rollout.code).toBe(1);
    expect(rollout.stdout).toBe(
      'Waiting for daemon set "cilium" rollout to finish: 0 of 1 updated pods are available...\n',
    );
    expect(rollout.stderr).toMatch(
      /^error: timed out waiting for the condition\n.*Init:CrashLoopBackOff: clean-cilium-state: .*unable to apply caps: operation not permitted/,
    );
    const pods = await t.run('kubectl', ['--kubeconfig', 'kubeconfig', '-n', 'kube-system', 'get', 'pods']);
    expect(pods.stdout).toMatch(/cilium-\w{5}\s+0\/1\s+Init:CrashLoopBackOff/);
    const nodes = await t.run('kubectl', ['--kubeconfig', 'kubeconfig', 'get', 'nodes']);
    expect(nodes.stdout).toMatch(/east-cp-1\s+NotReady\s+control-plane/);
  });
});
