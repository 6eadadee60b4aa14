import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clusterInputFor,
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
  it('generates for the releases given: their contract, Kubernetes and nocloud installer', async () => {
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
      'v1.12',
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
