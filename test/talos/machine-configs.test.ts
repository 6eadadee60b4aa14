import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_CONTRACT,
  clusterInputFor,
  configContract,
  generateClusterConfigs,
  generateNodeConfig,
  type ClusterBase,
} from '../../src/talos/machine-configs.js';
import { Talosctl } from '../../src/talos/talosctl.js';
import { scriptedRunner } from '../exec/scripted-runner.js';

const base: ClusterBase = {
  name: 'east',
  vip: '192.168.15.10',
  pods: '10.245.0.0/16',
  services: '10.97.0.0/16',
  workers: 1,
};
const releases = { talosVersion: 'v1.12.11', kubernetesVersion: 'v1.34.1', schematic: 'abc' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'machine-configs-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('machine configs', () => {
  it('keeps the v1.11 contract for every release (no HostnameConfig beside machine.network.hostname)', () => {
    expect(configContract('v1.11.6')).toBe('v1.11');
    expect(configContract('v1.12.11')).toBe(CONFIG_CONTRACT);
    expect(configContract('v1.13.9')).toBe('v1.11');
    expect(configContract('v1.10.7')).toBe('v1.10');
  });

  it('generates for the releases given: their Kubernetes and nocloud installer, the product’s contract', async () => {
    const input = clusterInputFor(base, releases);
    expect(input).toMatchObject({
      talosVersion: 'v1.12.11',
      kubernetesVersion: '1.34.1',
      installImage: 'factory.talos.dev/nocloud-installer/abc:v1.12.11',
    });
    const { runner, calls } = scriptedRunner();
    const talosctl = new Talosctl(runner);
    const out = join(dir, 'east');
    const configs = await generateClusterConfigs(talosctl, {
      cluster: input,
      secretsFile: '/s/secrets.yaml',
      dir: out,
    });
    const args = calls[0]?.args ?? [];
    expect(args.slice(args.indexOf('--kubernetes-version'), args.indexOf('--install-image') + 2)).toEqual([
      '--kubernetes-version',
      '1.34.1',
      '--talos-version',
      'v1.11',
      '--install-image',
      'factory.talos.dev/nocloud-installer/abc:v1.12.11',
    ]);
    expect(await readFile(join(out, 'common.patch.yaml'), 'utf8')).toContain(
      'nocloud-installer/abc:v1.12.11',
    );
    expect((await stat(join(out, 'common.patch.yaml'))).mode & 0o777).toBe(0o600);

    const file = await generateNodeConfig(talosctl, {
      configs,
      node: {
        name: 'east-w-1',
        role: 'worker',
        address: '192.168.15.21',
        prefixLength: 24,
        gateway: '192.168.15.1',
        dns: ['192.168.15.1'],
      },
      dir: out,
    });
    expect(file).toBe(join(out, 'east-w-1.yaml'));
    expect(calls[1]?.args).toEqual([
      'machineconfig',
      'patch',
      join(out, 'worker.yaml'),
      '-p',
      `@${join(out, 'east-w-1.patch.yaml')}`,
      '-o',
      file,
    ]);
    expect(await readFile(join(out, 'east-w-1.patch.yaml'), 'utf8')).toContain('hostname: east-w-1');
  });
});
