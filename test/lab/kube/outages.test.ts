import { beforeEach, describe, expect, it } from 'vitest';
import { serviceBackends } from '../../../src/lab/kube/traffic.js';
import { CLUSTER, FixedNodes, S, placement, workload } from './fixed-nodes.js';

/** A worker that goes down (a Talos reboot) and comes back: LIFECYCLE G.4 as the cluster sweep replays it. */
describe('lab kube: a node going down and coming back', () => {
  let lab: FixedNodes;
  beforeEach(() => {
    lab = new FixedNodes(2);
    lab.at(100).apply(workload('Deployment', 'web'));
    lab.apply(workload('DaemonSet', 'agent'));
  });

  it('is NotReady during the outage and Ready again once its kubelet is back', () => {
    lab.outage('east-w-1', 200, 260);
    expect(lab.node('east-w-1', 199)).toMatchObject({ ready: true, registeredAt: 90_000 });
    expect(lab.node('east-w-1', 200)).toMatchObject({ ready: false, registeredAt: 90_000 });
    expect(lab.node('east-w-1', 259)?.ready).toBe(false);
    expect(lab.node('east-w-1', 260)?.ready).toBe(true);
  });

  it("stops the node's pods at once; the Deployment's move, the DaemonSet's come back with the node", () => {
    expect(placement(lab.pods(190).filter((pod) => pod.owner.name === 'web'))).toEqual([
      'Running east-w-1',
      'Running east-w-2',
    ]);
    lab.outage('east-w-1', 200, 260);
    const web = (at: number) => placement(lab.pods(at).filter((pod) => pod.owner.name === 'web'));
    const agent = (at: number) => placement(lab.pods(at).filter((pod) => pod.owner.name === 'agent'));
    expect(web(201)).toEqual(['ContainerCreating east-w-2', 'Running east-w-2', 'Terminating east-w-1']);
    expect(agent(201)).toEqual(['Running east-w-2', 'Terminating east-w-1']);
    expect(web(230)).toEqual(['Running east-w-2', 'Running east-w-2']);
    expect(agent(230)).toEqual(['Running east-w-2']);
    // Back: the DaemonSet's pod is created and started again; the moved pods stay where they are.
    expect(agent(261)).toEqual(['ContainerCreating east-w-1', 'Running east-w-2']);
    expect(agent(280)).toEqual(['Running east-w-1', 'Running east-w-2']);
    expect(web(280)).toEqual(['Running east-w-2', 'Running east-w-2']);
  });

  it('keeps a pod pinned to the node Pending until the node is back', () => {
    lab.apply(
      workload('Deployment', 'pinned', {
        replicas: 1,
        pod: { nodeSelector: { 'kubernetes.io/hostname': 'east-w-1' } },
      }),
    );
    lab.outage('east-w-1', 200, 260);
    const pinned = (at: number) => lab.pods(at).filter((pod) => pod.owner.name === 'pinned');
    expect(placement(pinned(230))).toEqual(['Pending -']);
    expect(pinned(230)[0]?.reason).toMatch(/^0\/3 nodes are available: /);
    expect(pinned(230)[0]?.reason).toContain('node.kubernetes.io/unreachable');
    expect(placement(pinned(290))).toEqual(['Running east-w-1']);
  });

  it('leaves pods in place for a power loss shorter than the grace period and toleration', () => {
    lab.outage('east-w-1', 200, 230, 'power');
    expect(placement(lab.pods(240).filter((pod) => pod.owner.name === 'web'))).toEqual([
      'Running east-w-1',
      'Running east-w-2',
    ]);
  });

  it('evicts the pods of a node powered off for longer (unreachable for 40 s + 300 s)', () => {
    lab.outage('east-w-1', 200, 1000, 'power');
    const web = (at: number) => placement(lab.pods(at).filter((pod) => pod.owner.name === 'web'));
    expect(lab.node('east-w-1', 239)?.ready).toBe(true);
    expect(lab.node('east-w-1', 240)?.ready).toBe(false);
    const stranded = lab.pods(240).find((pod) => pod.owner.name === 'web' && pod.nodeName === 'east-w-1');
    expect(stranded).toMatchObject({ status: 'Running', ready: false });
    expect(web(539)).toEqual(['Running east-w-1', 'Running east-w-2']);
    expect(web(541)).toEqual(['ContainerCreating east-w-2', 'Running east-w-2', 'Terminating east-w-1']);
  });
});

describe("lab kube: a Service's endpoints follow a node going down", () => {
  it('the global Service loses the backends on the down node and regains as many once replacements are ready', () => {
    const lab = new FixedNodes(2);
    lab.at(100).apply(workload('Deployment', 'deathstar', { labels: { class: 'deathstar', org: 'empire' } }));
    lab.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'deathstar', annotations: { 'service.cilium.io/global': 'true' } },
      spec: { selector: { class: 'deathstar', org: 'empire' }, ports: [{ port: 80 }] },
    });
    const service = lab.stored('Service', 'deathstar')!;
    const backends = (at: number) =>
      serviceBackends(lab.kube, CLUSTER, service, at * S)
        .map((backend) => backend.pod.nodeName)
        .sort();
    expect(backends(190)).toEqual(['east-w-1', 'east-w-2']);
    lab.outage('east-w-1', 200, 260);
    expect(backends(201)).toEqual(['east-w-2']);
    expect(backends(230)).toEqual(['east-w-2', 'east-w-2']);
    expect(backends(300)).toEqual(['east-w-2', 'east-w-2']);
  });
});
