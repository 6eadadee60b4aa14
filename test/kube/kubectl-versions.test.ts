import { describe, expect, it } from 'vitest';
import { Kubectl } from '../../src/kube/kubectl.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';

function kubectl(script?: Script) {
  const { runner, calls } = scriptedRunner(script);
  return { kube: new Kubectl(runner, { kubeconfig: '/s/east/kubeconfig' }), calls };
}

const node = (name: string, ready: string, nodeInfo?: Record<string, string>) => ({
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: ready }], ...(nodeInfo ? { nodeInfo } : {}) },
});

describe('Kubectl versions', () => {
  it('nodes reads each kubelet version and boot id', async () => {
    const list = {
      items: [
        node('cp-1', 'True', { kubeletVersion: 'v1.34.1', bootID: 'b-1', osImage: 'Talos (v1.11.6)' }),
        node('w-1', 'Unknown', { kubeletVersion: 'v1.35.4' }),
        node('joining', 'False'),
      ],
    };
    const { kube, calls } = kubectl(() => ({ stdout: JSON.stringify(list) }));
    const bare = { addresses: [], unschedulable: false, annotations: {}, capacity: {} };
    expect(await kube.nodes()).toEqual([
      { name: 'cp-1', ready: true, kubeletVersion: 'v1.34.1', bootId: 'b-1', ...bare },
      { name: 'w-1', ready: false, kubeletVersion: 'v1.35.4', ...bare },
      { name: 'joining', ready: false, ...bare },
    ]);
    expect(calls.map((c) => c.args)).toEqual([
      ['--kubeconfig', '/s/east/kubeconfig', 'get', 'nodes', '-o', 'json'],
    ]);
  });

  it('apiServerVersion reads gitVersion of /version', async () => {
    const { kube, calls } = kubectl(() => ({ stdout: '{"major":"1","minor":"35","gitVersion":"v1.35.4"}' }));
    expect(await kube.apiServerVersion()).toBe('v1.35.4');
    expect(calls.map((c) => c.args)).toEqual([
      ['--kubeconfig', '/s/east/kubeconfig', 'get', '--raw=/version'],
    ]);
    await expect(kubectl(() => ({ stdout: '{}' })).kube.apiServerVersion()).rejects.toThrow(/no gitVersion/);
  });
});
