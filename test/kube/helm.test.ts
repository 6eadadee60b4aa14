import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/exec/runner.js';
import { Helm } from '../../src/kube/helm.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';

function helm(script?: Script) {
  const { runner, calls } = scriptedRunner(script);
  return { helm: new Helm(runner, { kubeconfig: '/s/east/kubeconfig' }), calls };
}

const CA_KEY_BASE64 = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJNR0J5cUdTTTQ5';

/** helm status -o json prints the whole release, the values (with the CA key) included. */
const releaseJson = JSON.stringify({
  name: 'cilium',
  info: { first_deployed: '2026-05-01T10:00:00Z', status: 'deployed', description: 'Install complete' },
  chart: { metadata: { name: 'cilium', version: '1.19.6', appVersion: '1.19.6' } },
  config: { tls: { ca: { cert: 'LS0t', key: CA_KEY_BASE64 } } },
  manifest: '---\n# Source: cilium/templates/...',
  version: 3,
  namespace: 'kube-system',
});

describe('Helm', () => {
  it('upgrade --install with the exact argv', async () => {
    const { helm: h, calls } = helm();
    await h.upgradeInstall({
      release: 'cilium',
      chart: 'cilium',
      repo: 'https://helm.cilium.io',
      version: '1.19.6',
      namespace: 'kube-system',
      valuesFile: '/s/east/cilium-values.yaml',
    });
    expect(calls.map((c) => [c.tool, ...c.args].join(' '))).toEqual([
      'helm upgrade --install cilium cilium --repo https://helm.cilium.io --version 1.19.6 --namespace kube-system --values /s/east/cilium-values.yaml --kubeconfig /s/east/kubeconfig',
    ]);
  });

  it('status reads name, revision, state and chart version, and keeps nothing else', async () => {
    const { helm: h, calls } = helm(() => ({ stdout: releaseJson }));
    const status = await h.status('cilium', 'kube-system');
    expect(status).toEqual({
      name: 'cilium',
      namespace: 'kube-system',
      revision: 3,
      status: 'deployed',
      chartVersion: '1.19.6',
    });
    expect(JSON.stringify(status)).not.toContain(CA_KEY_BASE64);
    expect(calls[0]?.args).toEqual([
      'status',
      'cilium',
      '--namespace',
      'kube-system',
      '--kubeconfig',
      '/s/east/kubeconfig',
      '-o',
      'json',
    ]);
  });

  it('status of a release that is not installed is undefined', async () => {
    const { helm: h } = helm(() => ({ exitCode: 1, stderr: 'Error: release: not found\n' }));
    expect(await h.status('cilium', 'kube-system')).toBeUndefined();
  });

  it('status fails on other errors and on output it cannot read, without quoting the output', async () => {
    const unreachable = helm(() => ({
      exitCode: 1,
      stderr: 'Error: Kubernetes cluster unreachable: connection refused',
    }));
    await expect(unreachable.helm.status('cilium', 'kube-system')).rejects.toBeInstanceOf(CommandError);
    const truncated = helm(() => ({ stdout: releaseJson.slice(0, 200) }));
    const error = await truncated.helm.status('cilium', 'kube-system').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/helm status cilium printed something that is not JSON/);
    expect((error as Error).message).not.toContain(CA_KEY_BASE64.slice(0, 20));
  });

  it('upgrade --install with single values and no file, and uninstall (absent is done)', async () => {
    const { helm: h, calls } = helm((_tool, args) =>
      args[0] === 'uninstall' && args[1] === 'gone'
        ? { exitCode: 1, stderr: 'Error: uninstall: Release not loaded: gone: release: not found' }
        : undefined,
    );
    await h.upgradeInstall({
      release: 'cilium-preflight',
      chart: 'cilium',
      repo: 'https://helm.cilium.io',
      version: '1.20.0',
      namespace: 'kube-system',
      set: [
        ['preflight.enabled', 'true'],
        ['agent', 'false'],
      ],
    });
    expect(await h.uninstall('cilium-preflight', 'kube-system')).toBe('uninstalled');
    expect(await h.uninstall('gone', 'kube-system')).toBe('absent');
    expect(calls.map((c) => [c.tool, ...c.args].join(' ')).slice(0, 2)).toEqual([
      'helm upgrade --install cilium-preflight cilium --repo https://helm.cilium.io --version 1.20.0 --namespace kube-system --set preflight.enabled=true --set agent=false --kubeconfig /s/east/kubeconfig',
      'helm uninstall cilium-preflight --namespace kube-system --kubeconfig /s/east/kubeconfig',
    ]);
  });
});
