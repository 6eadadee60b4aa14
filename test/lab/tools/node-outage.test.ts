import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFixture } from '../kube/cluster-fixture.js';
import { deploymentYaml, startCluster } from '../kube/cluster-fixture.js';
import { eventually } from './helpers.js';

/**
 * A worker upgraded with the lab's talosctl, watched through the lab's kubectl: Talos cordons and drains
 * it through the eviction API (a PDB slows the drain, F.1), the Node is NotReady while it is down (G.4),
 * its pods move, and it comes back Ready running the new release.
 */

const SCHEMATIC = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
const installer = (version: string) => `factory.talos.dev/nocloud-installer/${SCHEMATIC}:${version}`;
const WORKER = 'east-w-1';
const WORKER_IP = '192.168.10.12';

const PDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: web
`;

describe('lab: a worker upgraded by talosctl, seen by kubectl', () => {
  let c: ClusterFixture;
  const kubectl = (...args: string[]) => c.kubectl(...args);
  const statusOf = async (node: string) =>
    (await kubectl('get', 'nodes')).stdout
      .split('\n')
      .find((line) => line.startsWith(`${node} `))
      ?.split(/\s+/)[1];
  const webNodes = async () =>
    (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'wide')).stdout
      .split('\n')
      .slice(1)
      .filter((line) => line.includes(' Running '))
      .map((line) => line.split(/\s+/)[6])
      .sort();

  beforeAll(async () => {
    // Slow enough for kubectl to see the outage (about 3 s).
    c = await startCluster(2, { timeScale: 0.04 });
    c.file('web.yaml', `${deploymentYaml({ name: 'web', replicas: 3 })}---\n${PDB}`);
    expect((await kubectl('apply', '-f', 'web.yaml')).code).toBe(0);
    const rolled = await kubectl('rollout', 'status', 'deployment/web', '--timeout=30s');
    expect(rolled.code, rolled.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => c?.stop());

  it('is cordoned and NotReady while it upgrades, its pods move, and it is back Ready on the new release', async () => {
    expect(await webNodes()).toEqual([WORKER, WORKER, 'east-w-2']);
    const seen = new Set<string>();
    let upgrading = true;
    const watching = (async () => {
      while (upgrading) {
        const status = await statusOf(WORKER);
        if (status) seen.add(status);
        await new Promise((done) => setTimeout(done, 20));
      }
    })();
    const upgraded = await c.lab.run('talosctl', [
      '--talosconfig',
      c.files.talosconfig,
      '--nodes',
      WORKER_IP,
      '--endpoints',
      WORKER_IP,
      'upgrade',
      '--image',
      installer('v1.12.11'),
    ]);
    upgrading = false;
    await watching;
    expect(upgraded.code, upgraded.stderr).toBe(0);
    // Talos cordoned it before its drain and uncordons once it is back (F.1); NotReady while down (G.4).
    expect(seen).toContain('NotReady,SchedulingDisabled');
    await eventually(async () => (await statusOf(WORKER)) === 'Ready');
    const nodes = JSON.parse((await kubectl('get', 'node', WORKER, '-o', 'json')).stdout) as {
      status: { nodeInfo: { osImage: string } };
    };
    expect(nodes.status.nodeInfo.osImage).toBe('Talos (v1.12.11)');
    await eventually(async () => (await webNodes()).join() === ['east-w-2', 'east-w-2', 'east-w-2'].join());
  }, 60_000);
});
