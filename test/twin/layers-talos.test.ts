import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  diffTalos,
  observeTalos,
  plannedTalosReleases,
  talosSteps,
  type TalosLayerCluster,
  type TalosObservation,
} from '../../src/twin/layers/talos.js';
import type { NodeAction } from '../../src/twin/layers/types.js';
import { NODES, addressOf, layerDeps, nameOf, nodesOutput, versionOutput } from './layers-fakes.js';

const cluster: TalosLayerCluster = {
  cluster: 'east',
  base: { name: 'east', vip: '10.0.0.10', pods: '10.245.0.0/16', services: '10.97.0.0/16', workers: 1 },
  nodes: NODES,
  schematic: 'abc',
  talosconfig: '/s/talosconfig',
  secretsFile: '/s/secrets.yaml',
};

const observed = (release: string, kubelet = '1.34.1'): TalosObservation => ({
  cluster: 'east',
  nodes: NODES.map((node) => ({ node, release, kubelet })),
});

const dryRun = (mode: string, diff: string) =>
  `Dry run summary:\n${mode} (skipped in dry-run).\n\nConfig diff:\n\n${diff}\n`;
const diffOf = (...changed: string[]) =>
  ['--- a', '+++ b', '@@ -1,4 +1,4 @@', ' machine:', ...changed].join('\n');

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'talos-layer-'));
});
afterEach(async () => rm(work, { recursive: true, force: true }));

describe('diffTalos', () => {
  it('v1.11.6 -> v1.13.9: every node to v1.12.11 (control planes first), then every node to v1.13.9', () => {
    const diff = diffTalos(observed('v1.11.6'), { version: 'v1.13.9' });
    expect(diff.changes.map((c) => `${c.target} ${c.from}->${c.to}`)).toEqual([
      'east-cp-1 v1.11.6->v1.12.11',
      'east-cp-2 v1.11.6->v1.12.11',
      'east-w-1 v1.11.6->v1.12.11',
      'east-cp-1 v1.12.11->v1.13.9',
      'east-cp-2 v1.12.11->v1.13.9',
      'east-w-1 v1.12.11->v1.13.9',
    ]);
    expect(diff.changes.every((c) => c.kind === 'talos-upgrade' && c.disruptive)).toBe(true);
    expect(diff).toMatchObject({
      running: 'Talos v1.11.6 on 3 nodes',
      wanted: 'Talos v1.13.9 on 3 nodes',
      refused: [],
    });
    expect(plannedTalosReleases(observed('v1.11.6'), diff).get('east-w-1')).toBe('v1.13.9');
  });

  it('nothing to do when every node runs the wanted release without drift', () => {
    expect(diffTalos(observed('v1.12.11'), { version: 'v1.12.11' }).changes).toEqual([]);
  });

  it('refuses a hop whose Talos does not run the cluster’s Kubernetes, naming the step first', () => {
    const diff = diffTalos(observed('v1.11.6', '1.29.3'), { version: 'v1.12.11' });
    expect(diff.changes).toEqual([]);
    expect(diff.refused[0]).toEqual({
      layer: 'talos',
      cluster: 'east',
      target: 'east-cp-1',
      asked: 'Talos v1.11.6 -> v1.12.11',
      reason:
        'Talos v1.12 runs Kubernetes 1.30 to 1.35, and the cluster runs 1.29.3: upgrade Kubernetes to 1.30 first',
    });
  });

  it('does not refuse it when the spec takes Kubernetes into the hop’s range (Kubernetes moves up in between)', () => {
    const diff = diffTalos(observed('v1.11.6', '1.29.3'), {
      version: 'v1.12.11',
      kubernetesVersion: '1.30.4',
    });
    expect(diff.refused).toEqual([]);
    expect(diff.changes.map((c) => c.to)).toEqual(['v1.12.11', 'v1.12.11', 'v1.12.11']);
    const stillBelow = diffTalos(observed('v1.11.6', '1.29.3'), {
      version: 'v1.12.11',
      kubernetesVersion: '1.29.9',
    });
    expect(stillBelow.refused).toHaveLength(3);
  });

  it('refuses a downgrade the installer refuses, naming the release to go to first', () => {
    const diff = diffTalos(observed('v1.13.9', '1.34.1'), { version: 'v1.11.6' });
    expect(diff.refused.map((r) => r.reason)).toEqual(
      Array(3).fill(expect.stringMatching(/go to v1\.12\.11 first$/)),
    );
  });

  it('config applies come first: without a reboot, then with one (disruptive)', () => {
    const observation = observed('v1.12.11');
    observation.nodes[0]!.drift = { reboot: true, keys: ['machine.type'], file: '/w/cp-1.yaml' };
    observation.nodes[2]!.drift = { reboot: false, keys: ['machine.time.servers'], file: '/w/w-1.yaml' };
    const diff = diffTalos(observation, { version: 'v1.13.9' });
    expect(diff.changes.slice(0, 3).map((c) => [c.target, c.kind, c.disruptive, c.detail])).toEqual([
      ['east-w-1', 'config-apply', false, 'no reboot: machine.time.servers changed'],
      ['east-cp-1', 'config-apply', true, 'needs a reboot: machine.type changed'],
      ['east-cp-1', 'talos-upgrade', true, 'reboots; Talos cordons and drains the node itself'],
    ]);
  });
});

describe('observeTalos', () => {
  it('compares each node with a config generated for its own release and Kubernetes; image-only diffs are not drift', async () => {
    const kubeletImage = diffOf(
      '-    image: ghcr.io/siderolabs/kubelet:v1.34.1',
      '+    image: ghcr.io/siderolabs/kubelet:v1.35.4',
    );
    const timeDiff = diffOf(
      '    time:',
      '        servers:',
      '-            - time.cloudflare.com',
      '+            - ntp.lab',
    );
    const { deps, calls } = layerDeps((tool, args) => {
      if (tool === 'kubectl' && args.includes('nodes')) {
        return {
          stdout: nodesOutput(
            NODES.map((node) => ({
              name: node.name,
              ready: true,
              kubelet: node.role === 'worker' ? 'v1.34.1' : 'v1.35.4',
            })),
          ),
        };
      }
      if (tool === 'kubectl') return { stdout: '{"gitVersion":"v1.35.4"}' };
      if (args.includes('version'))
        return {
          stdout: versionOutput({ '10.0.0.11': 'v1.12.11', '10.0.0.12': 'v1.12.11', '10.0.0.21': 'v1.11.6' }),
        };
      if (args.includes('--dry-run')) {
        const node = args[args.indexOf('--nodes') + 1];
        if (node === '10.0.0.11')
          return { stderr: dryRun('Applied configuration without a reboot', kubeletImage) };
        if (node === '10.0.0.12')
          return { stderr: dryRun('Applied configuration without a reboot', 'No changes.') };
        return { stderr: dryRun('Applied configuration with a reboot', timeDiff) };
      }
      return undefined;
    }, work);
    const observation = await observeTalos(deps, cluster);
    expect(
      observation.nodes.map((n) => [n.node.name, n.release, n.kubelet, n.drift?.keys, n.drift?.reboot]),
    ).toEqual([
      ['east-cp-1', 'v1.12.11', '1.35.4', undefined, undefined],
      ['east-cp-2', 'v1.12.11', '1.35.4', undefined, undefined],
      ['east-w-1', 'v1.11.6', '1.34.1', ['machine.time.servers'], true],
    ]);
    const genConfigs = calls
      .filter((c) => c.args[0] === 'gen')
      .map((c) => {
        const at = (flag: string) => c.args[c.args.indexOf(flag) + 1];
        return [at('--talos-version'), at('--kubernetes-version'), at('--install-image')];
      });
    expect(genConfigs).toEqual([
      ['v1.11', '1.35.4', 'factory.talos.dev/nocloud-installer/abc:v1.12.11'],
      ['v1.11', '1.34.1', 'factory.talos.dev/nocloud-installer/abc:v1.11.6'],
    ]);
    expect(calls.find((c) => c.args.includes('version'))?.args).toEqual([
      '--talosconfig',
      '/s/talosconfig',
      '--nodes',
      '10.0.0.11,10.0.0.12,10.0.0.21',
      'version',
    ]);
  });

  it('a node that does not answer is unobserved and gets no change', async () => {
    const { deps } = layerDeps((tool, args) => {
      if (tool === 'kubectl')
        return { exitCode: 1, stderr: 'The connection to the server 10.0.0.10:6443 was refused' };
      if (args.includes('version')) {
        return {
          exitCode: 1,
          stdout: versionOutput({ '10.0.0.11': 'v1.11.6', '10.0.0.12': 'v1.11.6' }),
          stderr:
            '1 error occurred:\n\t* 10.0.0.21: rpc error: code = Unavailable desc = connection refused\n',
        };
      }
      return undefined;
    }, work);
    const observation = await observeTalos(deps, cluster);
    const diff = diffTalos(observation, { version: 'v1.11.6' });
    expect(diff.unobserved).toMatch(/east-w-1: Talos did not answer: rpc error: code = Unavailable/);
    expect(diff.unobserved).toMatch(
      /east-cp-1: config not compared: the Kubernetes API did not tell its versions/,
    );
    expect(diff.changes).toEqual([]);
  });

  /** talosctl version where east-w-1 answers from the `answersAt` fake-clock instant on. */
  const rebootingWorker = (answersAt: number) => {
    const env = layerDeps((tool, args) => {
      if (tool === 'kubectl') return { exitCode: 1, stderr: 'connection refused' };
      if (!args.includes('version')) return undefined;
      const asked = args[args.indexOf('--nodes') + 1]!.split(',');
      const up = env.clock.now >= answersAt;
      const releases = Object.fromEntries(
        asked.filter((node) => node !== '10.0.0.21' || up).map((node) => [node, 'v1.12.11']),
      );
      return up
        ? { stdout: versionOutput(releases) }
        : {
            exitCode: 1,
            stdout: versionOutput(releases),
            stderr:
              '1 error occurred:\n\t* 10.0.0.21: rpc error: code = Unavailable desc = connection refused\n',
          };
    }, work);
    return env;
  };
  const versionCalls = (calls: { args: string[] }[]) =>
    calls.filter((c) => c.args.includes('version')).map((c) => c.args[c.args.indexOf('--nodes') + 1]);

  it('a node whose VM runs but whose Talos is silent (rebooting) is awaited, asking only it again', async () => {
    const env = rebootingWorker(3_000);
    const running = new Set(NODES.map((node) => node.name));
    const observation = await observeTalos(env.deps, { ...cluster, running });
    expect(observation.nodes.map((n) => n.release)).toEqual(['v1.12.11', 'v1.12.11', 'v1.12.11']);
    const calls = versionCalls(env.calls);
    expect(calls[0]).toBe('10.0.0.11,10.0.0.12,10.0.0.21');
    expect(calls.slice(1).every((nodes) => nodes === '10.0.0.21')).toBe(true);
    expect(calls.length).toBeGreaterThan(2);
    expect(env.clock.now).toBeGreaterThanOrEqual(3_000);
    expect(env.logs.join('\n')).toMatch(
      /east-w-1: the VM runs but Talos does not answer yet \(rebooting\?\)/,
    );
  });

  it('a silent node is given up on at the boot timeout, and a stopped VM is not waited for at all', async () => {
    const never = rebootingWorker(Number.POSITIVE_INFINITY);
    const running = new Set(NODES.map((node) => node.name));
    const late = await observeTalos(never.deps, { ...cluster, running });
    expect(never.clock.now).toBe(never.deps.pace.bootTimeoutMs);
    expect(late.nodes[2]?.unobserved).toMatch(
      /Talos did not answer: rpc error.*\(its VM runs; awaited \d+ s\)/,
    );

    const stopped = rebootingWorker(Number.POSITIVE_INFINITY);
    const observation = await observeTalos(stopped.deps, {
      ...cluster,
      running: new Set(['east-cp-1', 'east-cp-2']),
    });
    expect(stopped.clock.now).toBe(0);
    expect(versionCalls(stopped.calls)).toHaveLength(1);
    expect(observation.nodes[2]?.unobserved).toMatch(/Talos did not answer: rpc error/);
  });
});

describe('talosSteps', () => {
  /**
   * A node that takes the upgrade: it answers the old release for `slowPolls` checks, then boots again
   * (a new boot id) on `comesBackOn`, Ready.
   */
  function upgradingNode(slowPolls: number, comesBackOn = 'v1.12.11') {
    let upgrades = 0;
    let polls = 0;
    const back = () => upgrades > 0 && polls > slowPolls;
    return layerDeps((tool, args) => {
      if (tool === 'kubectl') {
        return {
          stdout: nodesOutput(NODES.map((node) => ({ name: node.name, ready: true, kubelet: 'v1.34.1' }))),
        };
      }
      if (args.includes('upgrade')) [upgrades, polls] = [upgrades + 1, 0];
      // Each upgrade's reboot is a boot of its own, once the node is back from it.
      if (args.includes('read')) return { stdout: `boot-${back() ? upgrades : Math.max(upgrades - 1, 0)}\n` };
      if (args.includes('version')) {
        polls += upgrades > 0 ? 1 : 0;
        const node = args[args.indexOf('--nodes') + 1] ?? '';
        return { stdout: versionOutput({ [node]: back() ? comesBackOn : 'v1.11.6' }) };
      }
      return undefined;
    }, work);
  }

  const upgradeOf = (deps: ReturnType<typeof layerDeps>['deps']): NodeAction => {
    const observation = observed('v1.11.6');
    const diff = diffTalos(observation, { version: 'v1.12.11' });
    const step = talosSteps(deps, cluster, observation, diff).find((s) => s.change.target === 'east-w-1');
    if (!step || !('action' in step)) throw new Error('no node action for east-w-1');
    return step.action;
  };

  it('an upgrade hop asks for the nocloud installer without waiting, then waits for the release and Ready', async () => {
    const { deps, calls } = upgradingNode(3);
    const action = upgradeOf(deps);
    expect(action).toMatchObject({
      node: 'east-w-1',
      role: 'worker',
      drain: false,
      describe: 'Talos v1.11.6 -> v1.12.11',
    });
    await action.run();
    expect(calls.find((c) => c.args.includes('upgrade'))?.args).toEqual([
      '--talosconfig',
      '/s/talosconfig',
      '--nodes',
      '10.0.0.21',
      '--endpoints',
      '10.0.0.21',
      'upgrade',
      '--image',
      'factory.talos.dev/nocloud-installer/abc:v1.12.11',
      '--wait=false',
    ]);
    expect(calls.filter((c) => c.args.includes('version')).length).toBe(4);
    expect(calls.find((c) => c.args.includes('read'))?.args.slice(-2)).toEqual([
      'read',
      '/proc/sys/kernel/random/boot_id',
    ]);
  });

  it('a node that boots again on its old release is asked once more, then the rollout stops', async () => {
    const { deps, clock, calls, logs } = upgradingNode(2, 'v1.11.6');
    await expect(upgradeOf(deps).run()).rejects.toThrow(
      'east-w-1 booted again still on v1.11.6: the upgrade to v1.12.11 did not take (see talosctl dmesg and events on it): the rollout stops here',
    );
    expect(calls.filter((c) => c.args.includes('upgrade'))).toHaveLength(2);
    expect(logs.join('\n')).toMatch(
      /east-w-1: booted again on v1\.11\.6 before the upgrade took; asking once more/,
    );
    expect(clock.now).toBeLessThan(1_000);
  });

  it('a node on 1.13 is drained by the rollout and talosctl’s own drain is off (LifecycleService upgrade)', async () => {
    const { deps, calls } = layerDeps((tool, args) => {
      if (tool === 'kubectl')
        return { stdout: nodesOutput([{ name: 'east-w-1', ready: true, kubelet: 'v1.36.3' }]) };
      const upgraded = calls.some((c) => c.args.includes('upgrade'));
      if (args.includes('read')) return { stdout: upgraded ? 'b2' : 'b1' };
      if (args.includes('version'))
        return { stdout: versionOutput({ '10.0.0.21': upgraded ? 'v1.13.9' : 'v1.13.2' }) };
      return undefined;
    }, work);
    const observation = observed('v1.13.2', '1.36.3');
    const diff = diffTalos(observation, { version: 'v1.13.9' });
    expect(diff.changes[2]?.detail).toBe(
      'reboots; drained first (the 1.13 upgrade API does not drain in the node)',
    );
    const step = talosSteps(deps, cluster, observation, diff)[2];
    if (!step || !('action' in step)) throw new Error('expected a node action');
    expect(step.action.drain).toBe(true);
    await step.action.run();
    expect(calls.find((c) => c.args.includes('upgrade'))?.args.slice(-4)).toEqual([
      '--image',
      'factory.talos.dev/nocloud-installer/abc:v1.13.9',
      '--wait=false',
      '--drain=false',
    ]);
  });

  it('names the node and the release when it does not come back in time', async () => {
    const { deps, clock } = upgradingNode(Infinity);
    await expect(upgradeOf(deps).run()).rejects.toThrow(
      /^node east-w-1 did not come back from the upgrade to v1\.12\.11 within 12 s: the rollout stops here \(last seen: Talos still runs v1\.11\.6\)$/,
    );
    expect(clock.now).toBeGreaterThanOrEqual(12_000);
  });

  it('asks again while etcd refuses for now, and stops on a refusal that cannot pass', async () => {
    const refusals = [
      'etcd member 0a is not healthy; all members must be healthy to perform an upgrade: timeout',
    ];
    const { deps, calls } = layerDeps((tool, args) => {
      if (args.includes('upgrade')) {
        const desc =
          refusals.shift() ?? 'etcd member count(2) is insufficient to maintain quorum if upgrade commences';
        return {
          exitCode: 1,
          stderr: `error performing upgrade: rpc error: code = Unknown desc = error validating etcd for upgrade: ${desc}`,
        };
      }
      return tool === 'kubectl' ? { stdout: nodesOutput([]) } : undefined;
    }, work);
    await expect(upgradeOf(deps).run()).rejects.toThrow(
      'east-w-1 refused the upgrade: etcd member count(2) is insufficient to maintain quorum if upgrade commences: the rollout stops here',
    );
    expect(calls.filter((c) => c.args.includes('upgrade')).length).toBe(2);
  });

  it('a config without a reboot is a plain run in mode no-reboot; with one, a drained action in mode reboot', async () => {
    const observation = observed('v1.11.6');
    observation.nodes[0]!.drift = { reboot: false, keys: ['time.servers'], file: '/w/cp-1.yaml' };
    observation.nodes[2]!.drift = { reboot: true, keys: ['machine.type'], file: '/w/w-1.yaml' };
    let rebooted = false;
    const { deps, calls } = layerDeps((tool, args) => {
      if (args.includes('reboot')) rebooted = true;
      if (tool === 'kubectl')
        return { stdout: nodesOutput([{ name: 'east-w-1', ready: true, kubelet: 'v1.34.1' }]) };
      if (args.includes('read')) return { stdout: rebooted ? 'b2' : 'b1' };
      if (args.includes('version'))
        return { stdout: versionOutput({ [args[args.indexOf('--nodes') + 1] ?? '']: 'v1.11.6' }) };
      return undefined;
    }, work);
    const steps = talosSteps(deps, cluster, observation, diffTalos(observation, { version: 'v1.11.6' }));
    expect(steps.map((s) => ('action' in s ? `action drain=${s.action.drain}` : 'run'))).toEqual([
      'run',
      'action drain=true',
    ]);
    for (const step of steps) await ('action' in step ? step.action.run() : step.run());
    const applies = calls
      .filter((c) => c.args.includes('apply-config'))
      .map((c) => c.args.slice(4).join(' '));
    expect(applies).toEqual([
      `--endpoints ${addressOf('east-cp-1')} apply-config --file /w/cp-1.yaml --mode no-reboot`,
      `--endpoints ${addressOf('east-w-1')} apply-config --file /w/w-1.yaml --mode reboot`,
    ]);
    expect(nameOf('10.0.0.21')).toBe('east-w-1');
  });
});
