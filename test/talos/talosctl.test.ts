import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/exec/runner.js';
import type { TalosClusterInput } from '../../src/talos/config.js';
import { BootstrapNotReadyError, Talosctl, talosContract } from '../../src/talos/talosctl.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';

const cluster: TalosClusterInput = {
  name: 'east',
  vip: '192.168.15.10',
  pods: '10.245.0.0/16',
  services: '10.97.0.0/16',
  installImage:
    'factory.talos.dev/installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.11.6',
  kubernetesVersion: '1.34.1',
  talosVersion: 'v1.11.6',
  workers: 2,
};

function talosctl(script?: Script, path?: string) {
  const { runner, calls } = scriptedRunner(script);
  return { talos: new Talosctl(runner, path === undefined ? {} : { path }), calls };
}

describe('Talosctl argv', () => {
  it('gen secrets', async () => {
    const { talos, calls } = talosctl();
    await talos.genSecrets({ outputFile: '/s/secrets.yaml', talosVersion: 'v1.11.6' });
    expect(calls.map((c) => [c.tool, c.args])).toEqual([
      ['talosctl', ['gen', 'secrets', '-o', '/s/secrets.yaml', '--talos-version', 'v1.11.6']],
    ]);
  });

  it('gen config, returning the files it writes', async () => {
    const { talos, calls } = talosctl();
    const files = await talos.genConfig({
      cluster,
      secretsFile: '/s/secrets.yaml',
      patches: { common: '/w/common.yaml', controlPlane: '/w/cp.yaml', worker: '/w/worker.yaml' },
      outputDir: '/w/out',
    });
    expect(calls[0]?.args).toEqual([
      'gen',
      'config',
      'east',
      'https://192.168.15.10:6443',
      '--with-secrets',
      '/s/secrets.yaml',
      '--config-patch',
      '@/w/common.yaml',
      '--config-patch-control-plane',
      '@/w/cp.yaml',
      '--config-patch-worker',
      '@/w/worker.yaml',
      '--kubernetes-version',
      '1.34.1',
      '--talos-version',
      'v1.11',
      '--install-image',
      cluster.installImage,
      '--with-docs=false',
      '--with-examples=false',
      '--output-types',
      'controlplane,worker,talosconfig',
      '-o',
      '/w/out',
      '--force',
    ]);
    expect(files).toEqual({
      controlPlane: '/w/out/controlplane.yaml',
      worker: '/w/out/worker.yaml',
      talosconfig: '/w/out/talosconfig',
    });
  });

  it('machineconfig patch, config endpoint, config node, apply-config, kubeconfig', async () => {
    const { talos, calls } = talosctl(undefined, '/opt/bin/talosctl');
    await talos.patchMachineConfig({
      baseFile: '/w/out/controlplane.yaml',
      patchFile: '/w/cp-1.patch.yaml',
      outputFile: '/w/cp-1.yaml',
    });
    await talos.setEndpoints('/s/talosconfig', ['192.168.15.11', '192.168.15.12']);
    await talos.setNodes('/s/talosconfig', ['192.168.15.11']);
    await talos.applyInsecure('192.168.15.11', '/w/cp-1.yaml');
    await talos.kubeconfig({
      talosconfig: '/s/talosconfig',
      node: '192.168.15.11',
      outputFile: '/s/kubeconfig',
    });
    expect(calls.map((c) => [c.tool, ...c.args].join(' '))).toEqual([
      '/opt/bin/talosctl machineconfig patch /w/out/controlplane.yaml -p @/w/cp-1.patch.yaml -o /w/cp-1.yaml',
      '/opt/bin/talosctl --talosconfig /s/talosconfig config endpoint 192.168.15.11 192.168.15.12',
      '/opt/bin/talosctl --talosconfig /s/talosconfig config node 192.168.15.11',
      '/opt/bin/talosctl apply-config --insecure --nodes 192.168.15.11 --file /w/cp-1.yaml',
      '/opt/bin/talosctl --talosconfig /s/talosconfig --nodes 192.168.15.11 --endpoints 192.168.15.11 kubeconfig /s/kubeconfig --merge=false --force',
    ]);
  });

  it('refuses an empty endpoint list instead of running talosctl without one', async () => {
    const { talos, calls } = talosctl();
    await expect(talos.setEndpoints('/s/talosconfig', [])).rejects.toThrow(RangeError);
    expect(calls).toEqual([]);
  });
});

describe('Talosctl probes', () => {
  it('maintenanceProbe runs get disks --insecure and tells maintenance, a configured apid and silence apart', async () => {
    let answer: { exitCode: number; stderr: string } | undefined = {
      exitCode: 1,
      stderr: 'rpc error: code = Unavailable desc = connection refused',
    };
    const { talos, calls } = talosctl(() => answer);
    expect(await talos.maintenanceProbe('192.168.15.11')).toBe('no-answer');
    answer = {
      exitCode: 1,
      stderr:
        'rpc error: code = Unavailable desc = connection error: desc = "error reading server preface: remote error: tls: certificate required"',
    };
    expect(await talos.maintenanceProbe('192.168.15.11')).toBe('runs-config');
    answer = undefined;
    expect(await talos.maintenanceProbe('192.168.15.11')).toBe('maintenance');
    expect(calls[0]?.args).toEqual(['get', 'disks', '--insecure', '--nodes', '192.168.15.11']);
  });

  it('configuredReady asks the node itself over mTLS, so a worker does not wait on a control plane', async () => {
    const { talos, calls } = talosctl(() => ({ exitCode: 1, stderr: 'tls: certificate required' }));
    const ready = await talos.configuredReady({ talosconfig: '/s/talosconfig', node: '192.168.15.14' });
    expect(ready).toBe(false);
    expect(calls[0]?.args).toEqual([
      '--talosconfig',
      '/s/talosconfig',
      '--nodes',
      '192.168.15.14',
      '--endpoints',
      '192.168.15.14',
      'version',
    ]);
  });
});

describe('Talosctl bootstrap', () => {
  const args = [
    '--talosconfig',
    '/s/talosconfig',
    '--nodes',
    '192.168.15.11',
    '--endpoints',
    '192.168.15.11',
    'bootstrap',
  ];

  it('bootstraps once', async () => {
    const { talos, calls } = talosctl();
    expect(await talos.bootstrap({ talosconfig: '/s/talosconfig', node: '192.168.15.11' })).toBe(
      'bootstrapped',
    );
    expect(calls[0]?.args).toEqual(args);
  });

  it('treats AlreadyExists "etcd data directory is not empty" as done, and says so', async () => {
    const { talos } = talosctl(() => ({
      exitCode: 1,
      stderr:
        'error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty\n',
    }));
    expect(await talos.bootstrap({ talosconfig: '/s/talosconfig', node: '192.168.15.11' })).toBe(
      'already-bootstrapped',
    );
  });

  it.each([
    ['bootstrap is not available yet', 'not-available-yet'],
    ['time is not in sync yet', 'time-not-in-sync'],
  ])('"%s" is a node not ready yet (%s), to retry', async (desc, reason) => {
    const { talos } = talosctl(() => ({
      exitCode: 1,
      stderr: `error executing bootstrap: rpc error: code = FailedPrecondition desc = ${desc}\n`,
    }));
    const error = await talos
      .bootstrap({ talosconfig: '/s/talosconfig', node: '192.168.15.11' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BootstrapNotReadyError);
    expect((error as BootstrapNotReadyError).reason).toBe(reason);
  });

  it('a worker refusing (control plane only) is not "not ready": it fails', async () => {
    const { talos } = talosctl(() => ({
      exitCode: 1,
      stderr:
        'error executing bootstrap: rpc error: code = FailedPrecondition desc = bootstrap can only be performed on a control plane node\n',
    }));
    const error = await talos
      .bootstrap({ talosconfig: '/s/talosconfig', node: '192.168.15.14' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
  });

  it('fails on any other error', async () => {
    const { talos } = talosctl(() => ({
      exitCode: 1,
      stderr: 'rpc error: code = Unavailable desc = connection refused',
    }));
    const error = await talos
      .bootstrap({ talosconfig: '/s/talosconfig', node: '192.168.15.11' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).message).toContain(
      'talosctl --talosconfig /s/talosconfig --nodes 192.168.15.11',
    );
    expect((error as CommandError).stderrTail).toContain('connection refused');
  });
});

describe('Talosctl etcd members', () => {
  it('asks the node itself and reads the table talosctl prints', async () => {
    const stdout =
      'NODE            ID                 HOSTNAME    PEER URLS                    CLIENT URLS                  LEARNER\n' +
      '192.168.15.12   4f2a9c0d11e3b7a5   east-cp-1   https://192.168.15.11:2380   https://192.168.15.11:2379   false\n' +
      '192.168.15.12   0b7d3e2f9a8c6154   east-cp-2   https://192.168.15.12:2380   https://192.168.15.12:2379   false\n';
    const { talos, calls } = talosctl(() => ({ stdout }));
    expect(await talos.etcdMembers({ talosconfig: '/s/talosconfig', node: '192.168.15.12' })).toEqual({
      members: [
        { id: '4f2a9c0d11e3b7a5', hostname: 'east-cp-1', peerUrls: ['https://192.168.15.11:2380'] },
        { id: '0b7d3e2f9a8c6154', hostname: 'east-cp-2', peerUrls: ['https://192.168.15.12:2380'] },
      ],
    });
    expect(calls[0]?.args).toEqual([
      '--talosconfig',
      '/s/talosconfig',
      '--nodes',
      '192.168.15.12',
      '--endpoints',
      '192.168.15.12',
      'etcd',
      'members',
    ]);
  });

  it('a node whose etcd does not run cannot tell', async () => {
    const { talos } = talosctl(() => ({
      exitCode: 1,
      stderr:
        'error getting members: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:2379: connect: connection refused"\n',
    }));
    const answer = await talos.etcdMembers({ talosconfig: '/s/talosconfig', node: '192.168.15.12' });
    expect(answer).toEqual({ unknown: expect.stringContaining('connection refused') });
  });
});

describe('talosContract', () => {
  it('keeps major.minor', () => {
    expect(talosContract('v1.11.6')).toBe('v1.11');
    expect(talosContract('v1.11')).toBe('v1.11');
    expect(() => talosContract('1.11.6')).toThrow(/not a Talos version like v1.11.6/);
  });

  it('services and logs of one node, through that node as endpoint', async () => {
    const { talos, calls } = talosctl((_tool, args) => ({ stdout: `${args.at(-1)}\n` }));
    expect(await talos.services('/s/talosconfig', '192.168.15.21')).toBe('services\n');
    expect(await talos.logs('/s/talosconfig', '192.168.15.21', 'kubelet', 200)).toBe('200\n');
    const onNode = [
      '--talosconfig',
      '/s/talosconfig',
      '--nodes',
      '192.168.15.21',
      '--endpoints',
      '192.168.15.21',
    ];
    expect(calls.map((call) => call.args)).toEqual([
      [...onNode, 'services'],
      [...onNode, 'logs', 'kubelet', '--tail', '200'],
    ]);
  });
});
