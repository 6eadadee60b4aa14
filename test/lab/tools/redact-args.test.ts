import { describe, expect, it } from 'vitest';
import { redactArgs } from '../../../src/lab/tools/redact-args.js';

describe("the lab log's argv", () => {
  it('keeps commands, names, versions and file paths as the product passes them', () => {
    const args = [
      '--talosconfig',
      '/tmp/lab-x/state/pr-7/work/east/talosconfig',
      'gen',
      'config',
      'east',
      'https://192.168.15.10:6443',
      '--with-secrets',
      '/tmp/lab-x/state/pr-7/east/secrets.yaml',
      '--config-patch',
      '@/tmp/lab-x/state/pr-7/work/east/common.yaml',
      '--kubernetes-version',
      '1.34.1',
      '--set',
      'cluster.id=1',
    ];
    expect(redactArgs(args)).toEqual(args);
  });

  it('redacts secret-named option values, key=value secrets, PEM blocks and random-looking strings', () => {
    const token = 'twin@pve!gha=5f0c2a4e-9b1d-4c3e-8a7f-1e2d3c4b5a69';
    expect(
      redactArgs([
        '--token',
        'abc',
        '--client-key=c2VjcmV0LWtleS1ieXRlcy0xMjM0NTY3ODkw',
        '--from-literal=password=hunter2',
        '--set',
        'auth.apiKey=x',
        '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
        `Authorization: PVEAPIToken=${token}`,
        'factory.talos.dev/installer/ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515:v1.11.6',
      ]),
    ).toEqual([
      '--token',
      '***',
      '--client-key=***',
      '--from-literal=password=***',
      '--set',
      'auth.apiKey=***',
      '***',
      'Authorization: PVEAPIToken=twin@pve!***', // the token id is no secret
      'factory.talos.dev/installer/***:v1.11.6',
    ]);
  });
});
