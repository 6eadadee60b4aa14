import { describe, expect, it } from 'vitest';
import { Helm } from '../../../src/kube/helm.js';
import { runGraph } from '../../../src/plan/executor.js';
import {
  diffReleases,
  observeReleases,
  releaseSteps,
  type ReleaseDeps,
  type WantedRelease,
} from '../../../src/twin/layers/release.js';
import { scriptedRunner } from '../../exec/scripted-runner.js';

const CILIUM_VALUES = {
  k8sServiceHost: 'localhost',
  k8sServicePort: 7445,
  cluster: { name: 'east', id: 1 },
  tls: { ca: { cert: 'LS0t', key: 'c2VjcmV0' } },
};

const cilium = (version: string, values: Record<string, unknown> = CILIUM_VALUES): WantedRelease => ({
  release: 'cilium',
  chart: 'cilium',
  repo: 'https://helm.cilium.io',
  version,
  namespace: 'kube-system',
  values,
});

const rook = (release: string, values: Record<string, unknown>): WantedRelease => ({
  release,
  chart: release,
  repo: 'https://charts.rook.io/release',
  version: 'v1.18.8',
  namespace: 'rook-ceph',
  values,
});

interface Installed {
  chart: string;
  values: Record<string, unknown>;
}

/** helm over a scripted runner that knows the installed releases; kubectl answers from fixed objects. */
function cluster(installed: Record<string, Installed>) {
  const { runner, calls } = scriptedRunner((_tool, args) => {
    const name = (args[0] === 'get' ? args[2] : args[1]) ?? '';
    const release = installed[name];
    if (args[0] === 'status')
      return release
        ? {
            stdout: JSON.stringify({
              name,
              namespace: 'x',
              version: 1,
              info: { status: 'deployed' },
              chart: { metadata: { version: release.chart } },
            }),
          }
        : { exitCode: 1, stderr: 'Error: release: not found' };
    if (args[0] === 'get') return { stdout: JSON.stringify(release?.values ?? null) };
    return undefined;
  });
  const helm = new Helm(runner, { kubeconfig: '/s/east/kubeconfig' });
  const kubeCalls: string[] = [];
  const written: Record<string, Record<string, unknown>> = {};
  const deps: ReleaseDeps = {
    cluster: 'east',
    helm,
    kube: {
      getObject: async (kind, name) => {
        kubeCalls.push(`get ${kind} ${name}`);
        if (kind === 'deployment') return { status: { readyReplicas: 1 } };
        return { status: { numberReady: 3 } };
      },
      rolloutStatus: async (kind, name, namespace, timeoutSec) =>
        void kubeCalls.push(`rollout ${namespace} ${kind}/${name} ${timeoutSec}s`),
    },
    writeValues: async (name, values) => {
      written[name] = values;
      return `/s/east/${name}`;
    },
    rolloutTimeoutSec: 300,
    pollMs: 10,
  };
  const helmArgv = () =>
    calls.map((c) => c.args.join(' ')).filter((argv) => !/^(status|get values) /.test(argv));
  return { helm, deps, kubeCalls, written, helmArgv };
}

describe('release layer', () => {
  it('upgrades Cilium across a minor: pre-flight, its removal, then the full values with upgradeCompatibility', async () => {
    const east = cluster({ cilium: { chart: '1.19.6', values: CILIUM_VALUES } });
    const observed = await observeReleases(east.helm, [cilium('1.20.0')]);
    const diff = diffReleases('east', observed);
    expect(diff.changes).toEqual([
      {
        layer: 'release',
        cluster: 'east',
        target: 'cilium',
        kind: 'helm-upgrade',
        from: 'chart 1.19.6',
        to: 'chart 1.20.0',
        detail:
          'values differ at upgradeCompatibility; across a minor: pre-flight image pull first, upgradeCompatibility 1.19',
        disruptive: false,
      },
    ]);
    const steps = releaseSteps(east.deps, observed, ['talos:east']);
    expect(steps.map((s) => [s.id, s.title, s.needs])).toEqual([
      [
        'release:east:cilium-preflight',
        'east: Cilium 1.20.0 pre-flight (pulls the new images on every node)',
        ['talos:east'],
      ],
      ['release:east:cilium', 'east: cilium chart 1.19.6 -> chart 1.20.0', ['release:east:cilium-preflight']],
    ]);
    const talos = {
      id: 'talos:east',
      title: 'east: Talos',
      doing: 'upgrading Talos',
      stage: 'talos',
      needs: [],
      run: async () => {},
    };
    expect((await runGraph([talos, ...steps])).failed).toEqual([]);
    expect(east.helmArgv()).toEqual([
      'upgrade --install cilium-preflight cilium --repo https://helm.cilium.io --version 1.20.0 --namespace kube-system ' +
        '--set preflight.enabled=true --set agent=false --set operator.enabled=false ' +
        '--set k8sServiceHost=localhost --set k8sServicePort=7445 --kubeconfig /s/east/kubeconfig',
      'uninstall cilium-preflight --namespace kube-system --kubeconfig /s/east/kubeconfig',
      'upgrade --install cilium cilium --repo https://helm.cilium.io --version 1.20.0 --namespace kube-system ' +
        '--values /s/east/cilium-values.yaml --kubeconfig /s/east/kubeconfig',
    ]);
    expect(east.written['cilium-values.yaml']).toEqual({ ...CILIUM_VALUES, upgradeCompatibility: '1.19' });
    expect(east.kubeCalls).toEqual([
      'get daemonset cilium-pre-flight-check',
      'get daemonset cilium',
      'get deployment cilium-pre-flight-check',
      'rollout kube-system daemonset/cilium 300s',
      'rollout kube-system deployment/cilium-operator 300s',
    ]);
  });

  it('keeps an upgradeCompatibility once set, and a patch upgrade needs no pre-flight', async () => {
    const east = cluster({
      cilium: { chart: '1.20.0', values: { ...CILIUM_VALUES, upgradeCompatibility: '1.18' } },
    });
    const observed = await observeReleases(east.helm, [cilium('1.20.1')]);
    expect(diffReleases('east', observed).changes.map((c) => [c.kind, c.detail])).toEqual([
      ['helm-upgrade', undefined],
    ]);
    const steps = releaseSteps(east.deps, observed);
    expect(steps.map((s) => s.id)).toEqual(['release:east:cilium']);
    await steps[0]!.run();
    expect(east.written['cilium-values.yaml']).toMatchObject({ upgradeCompatibility: '1.18' });
  });

  it('has nothing to do when chart and values match, and names changed value paths, never values', async () => {
    const east = cluster({ cilium: { chart: '1.19.6', values: CILIUM_VALUES } });
    expect(diffReleases('east', await observeReleases(east.helm, [cilium('1.19.6')])).changes).toEqual([]);
    const rotated = { ...CILIUM_VALUES, tls: { ca: { cert: 'LS0t', key: 'bmV3' } } };
    const diff = diffReleases('east', await observeReleases(east.helm, [cilium('1.19.6', rotated)]));
    expect(diff.changes.map((c) => [c.kind, c.detail])).toEqual([
      ['helm-values', 'values differ at tls.ca.key'],
    ]);
    expect(JSON.stringify(diff)).not.toContain('bmV3');
  });

  it('refuses Cilium skipping a minor or going back one', async () => {
    const east = cluster({ cilium: { chart: '1.18.4', values: CILIUM_VALUES } });
    const skip = diffReleases('east', await observeReleases(east.helm, [cilium('1.20.0')]));
    expect(skip.changes).toEqual([]);
    expect(skip.refused.map((r) => `${r.asked}: ${r.reason}`)).toEqual([
      'cilium chart 1.18.4 -> 1.20.0: Cilium upgrades only between consecutive minors (I.1): upgrade to the latest 1.19 patch first',
    ]);
    const back = diffReleases('east', await observeReleases(east.helm, [cilium('1.17.9')]));
    expect(back.refused[0]?.reason).toMatch(/helm rollback cilium/);
  });

  it("upgrades Rook's operator chart before its cluster chart", async () => {
    const east = cluster({
      'rook-ceph': { chart: 'v1.18.8', values: { csi: {} } },
      'rook-ceph-cluster': { chart: 'v1.18.8', values: { cephClusterSpec: { mon: { count: 1 } } } },
    });
    const observed = await observeReleases(east.helm, [
      rook('rook-ceph-cluster', { cephClusterSpec: { mon: { count: 3 } } }),
      rook('rook-ceph', { csi: { enableRbdDriver: true } }),
    ]);
    expect(diffReleases('east', observed).changes.map((c) => [c.target, c.detail])).toEqual([
      ['rook-ceph', 'values differ at csi.enableRbdDriver'],
      ['rook-ceph-cluster', 'values differ at cephClusterSpec.mon.count'],
    ]);
    const steps = releaseSteps(east.deps, observed);
    expect(steps.map((s) => [s.id, s.needs])).toEqual([
      ['release:east:rook-ceph', []],
      ['release:east:rook-ceph-cluster', ['release:east:rook-ceph']],
    ]);
    await runGraph(steps);
    expect(east.helmArgv().map((argv) => argv.split(' ')[2])).toEqual(['rook-ceph', 'rook-ceph-cluster']);
    expect(east.kubeCalls).toEqual(['rollout rook-ceph deployment/rook-ceph-operator 300s']);
  });
});
