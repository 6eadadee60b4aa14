import { describe, expect, it } from 'vitest';
import {
  diffKubernetes,
  kubernetesSteps,
  observeKubernetes,
  type KubernetesObservation,
} from '../../src/twin/layers/kubernetes.js';
import { NODES, layerDeps, nodesOutput } from './layers-fakes.js';

const running = (version: string, kubelets: string[] = NODES.map(() => version)): KubernetesObservation => ({
  cluster: 'east',
  apiServer: version,
  kubelets: NODES.map((node, i) => ({ node: node.name, version: kubelets[i] ?? version })),
});
const talosEverywhere = (release: string) => new Map(NODES.map((node) => [node.name, release]));
const hops = (diff: ReturnType<typeof diffKubernetes>) => diff.changes.map((c) => `${c.from}->${c.to}`);

describe('diffKubernetes', () => {
  it('1.34 -> 1.36 is two upgrade-k8s runs, not disruptive, when Talos is planned to v1.13', () => {
    const diff = diffKubernetes(
      running('1.34.1'),
      { version: '1.36.3', talosVersion: 'v1.13.9' },
      talosEverywhere('v1.13.9'),
    );
    expect(hops(diff)).toEqual(['1.34.1->1.35.4', '1.35.4->1.36.3']);
    expect(
      diff.changes.every((c) => c.kind === 'kubernetes-upgrade' && !c.disruptive && c.target === 'east'),
    ).toBe(true);
    expect(diff.refused).toEqual([]);
    expect(diff).toMatchObject({ running: 'Kubernetes 1.34.1', wanted: 'Kubernetes 1.36.3' });
  });

  it('1.34 -> 1.36 is refused while Talos stays v1.11, naming the Talos upgrade needed first', () => {
    const diff = diffKubernetes(
      running('1.34.1'),
      { version: '1.36.3', talosVersion: 'v1.11.6' },
      talosEverywhere('v1.11.6'),
    );
    expect(diff.changes).toEqual([]);
    expect(diff.refused).toEqual([
      {
        layer: 'kubernetes',
        cluster: 'east',
        target: 'east',
        asked: 'Kubernetes 1.34.1 -> 1.36.3',
        reason: 'Kubernetes 1.35 needs Talos v1.12 on every node: set talos.version to v1.12.x first',
      },
    ]);
  });

  it('runs the hops Talos allows and refuses the rest', () => {
    const diff = diffKubernetes(
      running('1.34.1'),
      { version: '1.36.3', talosVersion: 'v1.12.11' },
      talosEverywhere('v1.12.11'),
    );
    expect(hops(diff)).toEqual(['1.34.1->1.35.4']);
    expect(diff.refused[0]?.reason).toBe(
      'Kubernetes 1.36 needs Talos v1.13 on every node: set talos.version to v1.13.x first',
    );
  });

  it('does not ask to set talos.version when the spec already takes Talos there but a node stays behind', () => {
    const planned = talosEverywhere('v1.13.9').set('east-w-1', 'v1.11.6');
    const diff = diffKubernetes(running('1.35.4'), { version: '1.36.3', talosVersion: 'v1.13.9' }, planned);
    expect(diff.refused[0]?.reason).toBe(
      'Kubernetes 1.36 needs Talos v1.13 on every node: east-w-1 stays on v1.11.6 (its Talos upgrade is refused, see the talos layer)',
    );
  });

  it('starts from the lowest version running; a patch-only difference is one run; going back a minor is refused', () => {
    const mixed = running('1.35.4', ['1.35.4', '1.35.4', '1.34.1']);
    expect(
      hops(
        diffKubernetes(mixed, { version: '1.35.4', talosVersion: 'v1.12.11' }, talosEverywhere('v1.12.11')),
      ),
    ).toEqual(['1.34.1->1.35.4']);
    expect(
      hops(
        diffKubernetes(
          running('1.35.4'),
          { version: '1.35.4', talosVersion: 'v1.12.11' },
          talosEverywhere('v1.12.11'),
        ),
      ),
    ).toEqual([]);
    const back = diffKubernetes(
      running('1.35.4'),
      { version: '1.34.1', talosVersion: 'v1.12.11' },
      talosEverywhere('v1.12.11'),
    );
    expect(back.refused[0]?.reason).toMatch(/cannot go back from 1\.35 to 1\.34/);
  });
});

describe('observeKubernetes and its steps', () => {
  it('reads the API server and every kubelet', async () => {
    const { deps } = layerDeps(
      (_, args) => ({
        stdout: args.includes('--raw=/version')
          ? '{"gitVersion":"v1.34.1"}'
          : nodesOutput(NODES.map((node) => ({ name: node.name, ready: true, kubelet: 'v1.34.1' }))),
      }),
      '/tmp',
    );
    expect(await observeKubernetes(deps, 'east')).toEqual(running('1.34.1'));
  });

  it('each run is upgrade-k8s --to the hop through one control plane, then waits until every node reports it', async () => {
    let version = 'v1.34.1';
    let checks = 0;
    const { deps, calls } = layerDeps((tool, args) => {
      if (tool === 'talosctl') version = `v${args[args.indexOf('--to') + 1]}`;
      if (tool !== 'kubectl') return undefined;
      if (args.includes('--raw=/version')) return { stdout: JSON.stringify({ gitVersion: version }) };
      checks += 1;
      const lagging = checks < 3 ? 'v1.34.1' : version; // the worker's kubelet restarts last
      return {
        stdout: nodesOutput(
          NODES.map((node) => ({
            name: node.name,
            ready: true,
            kubelet: node.role === 'worker' ? lagging : version,
          })),
        ),
      };
    }, '/tmp');
    const diff = diffKubernetes(
      running('1.34.1'),
      { version: '1.35.4', talosVersion: 'v1.12.11' },
      talosEverywhere('v1.12.11'),
    );
    const [step] = kubernetesSteps(
      deps,
      { cluster: 'east', talosconfig: '/s/talosconfig', controlPlane: '10.0.0.11' },
      diff,
    );
    if (!step || !('run' in step)) throw new Error('expected a plain run');
    await step.run();
    expect(calls.filter((c) => c.tool === 'talosctl').map((c) => c.args)).toEqual([
      [
        '--talosconfig',
        '/s/talosconfig',
        '--nodes',
        '10.0.0.11',
        '--endpoints',
        '10.0.0.11',
        'upgrade-k8s',
        '--to',
        '1.35.4',
      ],
    ]);
    expect(checks).toBe(3);
  });

  it('names what lags when the cluster does not reach the hop in time', async () => {
    const { deps } = layerDeps(
      (_, args) => ({
        stdout: args.includes('--raw=/version')
          ? '{"gitVersion":"v1.35.4"}'
          : nodesOutput(
              NODES.map((node) => ({
                name: node.name,
                ready: true,
                kubelet: node.role === 'worker' ? 'v1.34.1' : 'v1.35.4',
              })),
            ),
      }),
      '/tmp',
    );
    const diff = diffKubernetes(
      running('1.34.1'),
      { version: '1.35.4', talosVersion: 'v1.12.11' },
      talosEverywhere('v1.12.11'),
    );
    const [step] = kubernetesSteps(
      deps,
      { cluster: 'east', talosconfig: '/s/tc', controlPlane: '10.0.0.11' },
      diff,
    );
    await expect(step && 'run' in step ? step.run() : undefined).rejects.toThrow(
      'east did not reach Kubernetes 1.35.4 within 6 s after upgrade-k8s: the rollout stops here (behind: east-w-1 1.34.1)',
    );
  });
});
