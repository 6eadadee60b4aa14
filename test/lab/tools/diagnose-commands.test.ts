import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tabwriter } from '../../../src/lab/tools/kubectl-describe.js';
import { goDuration } from '../../../src/lab/tools/talosctl-services.js';
import type { ClusterFixture } from '../kube/cluster-fixture.js';
import { deploymentYaml, startCluster } from '../kube/cluster-fixture.js';
import { bootstrapCluster, provision } from './cluster-flow.js';
import type { ClusterFiles, ToolLab } from './helpers.js';
import { eventually, startToolLab } from './helpers.js';

/**
 * What a diagnostics bundle reads from a cluster: `talosctl services` and `talosctl logs` of a node
 * before and after its etcd has data, and `kubectl describe pod` of a pod no node can hold.
 */

describe('talosctl services and logs', { timeout: 60_000 }, () => {
  let t: ToolLab;
  let files: ClusterFiles;
  const onNode = (address: string, ...args: string[]) =>
    t.run('talosctl', [
      '--talosconfig',
      files.talosconfig,
      '--nodes',
      address,
      '--endpoints',
      address,
      ...args,
    ]);

  beforeAll(async () => {
    t = await startToolLab();
    files = await provision(t, 1, 1);
  });
  afterAll(async () => {
    await t?.stop();
    if (t) rmSync(t.work, { recursive: true, force: true });
  });

  it('before the bootstrap: etcd waits in its pre state, the kubelet runs; a worker has no etcd', async () => {
    const cp = files.controlPlanes[0]!.address;
    const worker = files.nodes.find((node) => node.role === 'worker')!.address;
    let listed = '';
    await eventually(async () => {
      listed = (await onNode(cp, 'services')).stdout;
      return /kubelet +Running/.test(listed);
    });
    const [header, ...rows] = listed.trimEnd().split('\n');
    expect(header).toMatch(/^NODE +SERVICE +STATE +HEALTH +LAST CHANGE +LAST EVENT$/);
    expect(rows.map((row) => row.split(/ {3,}/)[1])).toEqual([
      'apid',
      'containerd',
      'cri',
      'etcd',
      'kubelet',
      'machined',
      'trustd',
      'udevd',
    ]);
    expect(rows.find((row) => row.includes(' etcd ')))!.toMatch(
      new RegExp(`^${cp.replaceAll('.', '\\.')} +etcd +Preparing +\\? +\\d+s ago +Running pre state$`),
    );
    expect((await onNode(cp, 'logs', 'etcd')).stdout).toBe('');
    const workerEtcd = await onNode(worker, 'service', 'etcd');
    expect(workerEtcd.code).toBe(1);
    expect(workerEtcd.stderr).toContain('service "etcd" is not registered on any nodes');
    const workerLogs = await onNode(worker, 'logs', 'etcd');
    expect(workerLogs.code).toBe(1);
    expect(workerLogs.stderr).toMatch(/error getting logs: .*log "etcd" was not registered/);
  });

  it('after it: etcd runs and logs that it serves clients; kubelet logs are JSON lines after the node', async () => {
    await bootstrapCluster(t, files);
    const cp = files.controlPlanes[0]!.address;
    await eventually(async () => /etcd +Running +OK/.test((await onNode(cp, 'services')).stdout));
    const info = (await onNode(cp, 'service', 'etcd')).stdout.split('\n');
    expect(info.slice(0, 4)).toEqual([`NODE     ${cp}`, 'ID       etcd', 'STATE    Running', 'HEALTH   OK']);
    expect(info[4]).toMatch(/^EVENTS {3}\[Running\]: Health check successful \(\d+s ago\)$/);
    const etcdLog = (await onNode(cp, 'logs', 'etcd')).stdout.trimEnd().split('\n');
    expect(etcdLog.at(-1)).toMatch(
      new RegExp(`^${cp.replaceAll('.', '\\.')}: \\{.*"msg":"ready to serve client requests"`),
    );
    const kubelet = (await onNode(cp, 'logs', 'kubelet', '--tail', '1')).stdout.trimEnd().split('\n');
    expect(kubelet).toHaveLength(1);
    const line = JSON.parse(kubelet[0]!.slice(`${cp}: `.length)) as { msg: string };
    expect(line.msg).toMatch(/Successfully registered node|Container runtime network not ready/);
  });

  it('a node that does not answer: the dial error, named', async () => {
    const gone = await onNode('192.168.10.99', 'services');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error listing services: rpc error: code = Unavailable .*no route to host/);
  });
});

describe('kubectl describe pod', { timeout: 60_000 }, () => {
  let c: ClusterFixture;
  beforeAll(async () => {
    c = await startCluster(1);
  });
  afterAll(async () => c?.stop());

  it("a pod no node can hold: Pending, no node, its container's image and the scheduler's event", async () => {
    c.file(
      'greedy.yaml',
      deploymentYaml({
        name: 'greedy',
        replicas: 1,
        pod: '    resources:\n      requests:\n        cpu: "64"',
      }),
    );
    expect((await c.kubectl('apply', '-f', 'greedy.yaml')).code).toBe(0);
    let name = '';
    await eventually(async () => {
      name = (await c.kubectl('get', 'pods', '-l', 'app=greedy', '-o', 'name')).stdout
        .trim()
        .replace('pod/', '');
      return name !== '';
    });
    let text = '';
    await eventually(async () => {
      text = (await c.kubectl('describe', 'pod', name)).stdout;
      return /FailedScheduling/.test(text);
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Name:             ${name}`);
    expect(lines).toContain('Namespace:        default');
    expect(lines).toContain('Node:             <none>');
    expect(lines).toContain('Status:           Pending');
    expect(lines).toContain('    Image:          docker.io/library/nginx:1.27.1');
    expect(lines).toContain('  PodScheduled   False ');
    expect(text).toMatch(/\n {2}Type {5}Reason {12}Age +From {15}Message\n/);
    expect(text).toMatch(
      /\n {2}Warning +FailedScheduling +\S+ +default-scheduler +0\/2 nodes are available: .*Insufficient cpu/,
    );
    const missing = await c.kubectl('describe', 'pod', 'nowhere');
    expect(missing.stderr).toBe('Error from server (NotFound): pods "nowhere" not found\n');
  });
});

describe('the text layout of these tools', () => {
  it('aligns key/value blocks as tabwriter does, a block ending at a line without a tab', () => {
    expect(
      tabwriter(['Name:\tx', 'Service Account:\tdefault', 'Containers:', '  web:', '    Image:\tnginx']),
    ).toBe('Name:             x\nService Account:  default\nContainers:\n  web:\n    Image:  nginx\n');
  });

  it('prints durations as Go does after rounding to the second', () => {
    expect([0, 1_400, 65_000, 3_725_000].map(goDuration)).toEqual(['0s', '1s', '1m5s', '1h2m5s']);
  });
});
