import { beforeEach, describe, expect, it } from 'vitest';
import { serviceClusterIps } from '../../../src/lab/kube/addresses.js';
import { KubeClusters } from '../../../src/lab/kube/clusters.js';
import { resolveImage } from '../../../src/lab/kube/images.js';
import { byKind } from '../../../src/lab/kube/kinds.js';
import { namespacePolicy, warning } from '../../../src/lab/kube/pod-security.js';
import type { PodView } from '../../../src/lab/kube/pods.js';
import { podsOf, workloadStatus } from '../../../src/lab/kube/workloads.js';
import { TIME_PROFILES } from '../../../src/lab/profile.js';
import type { TalosNode, TalosNodes } from '../../../src/lab/talos/nodes.js';
import type { Doc } from '../../../src/lab/talos/yaml-docs.js';

/**
 * The workloads model at chosen moments: a real KubeClusters and object store over Talos nodes held
 * fixed (one control plane, two workers, flannel as CNI), with the realistic profile at time scale 1.
 * Nodes register at 90 s (API at 75 s + 15 s) and turn Ready at 95 s. A pod then takes imagePull (12 s)
 * and podStart (6 s) to be ready; a deleted pod terminates for 4 s.
 */

const CLUSTER = 'c1';
const S = 1000;
const SECONDS = TIME_PROFILES.realistic.seconds;

const ADMISSION = [
  {
    name: 'PodSecurity',
    configuration: {
      apiVersion: 'pod-security.admission.config.k8s.io/v1alpha1',
      kind: 'PodSecurityConfiguration',
      defaults: {
        enforce: 'baseline',
        'enforce-version': 'latest',
        warn: 'restricted',
        'warn-version': 'latest',
      },
      exemptions: { namespaces: ['kube-system'], runtimeClasses: [], usernames: [] },
    },
  },
];

function talosNode(hostname: string, role: 'controlplane' | 'worker', address: string): TalosNode {
  return {
    // 2 vCPU / 4 GiB control plane, 4 vCPU / 8 GiB workers: room for these small pods.
    vm: {
      config: role === 'controlplane' ? { cores: '2', memory: '4096' } : { cores: '4', memory: '8192' },
    } as unknown as TalosNode['vm'],
    phase: 'running',
    upAt: 0,
    addresses: [address],
    role,
    clusterId: CLUSTER,
    hostname,
    identity: address,
    bootAt: 0,
    criUpAt: 0,
    timeSyncedAt: 0,
    timeServers: ['time.cloudflare.com'],
    servicesStartAt: 0,
    release: 'v1.11.6',
    bootId: 'boot-0',
    outages: [],
    config: {
      machine: { type: role },
      cluster: {
        network: { podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] },
        ...(role === 'controlplane' ? { apiServer: { admissionControl: ADMISSION } } : {}),
      },
    },
  };
}

class Lab {
  now = 0;
  readonly nodes = [
    talosNode('east-cp-1', 'controlplane', '192.168.10.11'),
    talosNode('east-w-1', 'worker', '192.168.10.12'),
    talosNode('east-w-2', 'worker', '192.168.10.13'),
  ];
  readonly talos = {
    now: () => this.now,
    ms: (seconds: number) => seconds * S,
    seconds: SECONDS,
    all: () => this.nodes,
    cluster: () => ({ id: CLUSTER, name: 'east', bootstrappedAt: 0, bootstrapVmid: 101 }),
  };
  readonly kube = KubeClusters.open(this.talos as unknown as TalosNodes, undefined);

  at(seconds: number): this {
    this.now = seconds * S;
    return this;
  }

  apply(manifest: Doc): void {
    this.kube.objects(CLUSTER).apply(manifest, { defaultNamespace: 'default' });
  }

  /** `kubectl scale`: the store's update, as the lab's kubectl does it. */
  scale(name: string, replicas: number): void {
    const store = this.kube.objects(CLUSTER);
    const stored = store.get(byKind('Deployment'), 'default', name)!;
    store.update(byKind('Deployment'), stored, (object) => {
      (object.spec as Doc).replicas = replicas;
    });
  }

  /** The pods of the workloads under test (Talos' own CoreDNS left out; the scheduling tests count it). */
  pods(seconds: number): PodView[] {
    return podsOf(this.kube, CLUSTER, seconds * S).filter((pod) => !isCoreDns(pod));
  }

  status(
    kind: 'Deployment' | 'DaemonSet' | 'StatefulSet',
    name: string,
    seconds: number,
    namespace = 'default',
  ): Doc {
    const stored = this.kube.objects(CLUSTER).get(byKind(kind), namespace, name)!;
    return workloadStatus(this.kube, CLUSTER, byKind(kind), stored, seconds * S);
  }
}

function workload(
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet',
  name: string,
  opts: { replicas?: number; image?: string; pod?: Doc; namespace?: string } = {},
): Doc {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, ...(opts.namespace ? { namespace: opts.namespace } : {}) },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas: opts.replicas ?? 2 }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: opts.image ?? 'nginx:1.27.1' }], ...opts.pod },
      },
    },
  };
}

const isCoreDns = (pod: PodView) => pod.namespace === 'kube-system' && pod.owner.name === 'coredns';

const summary = (pods: PodView[]) =>
  pods.map((pod) => `${pod.name} ${pod.status} ${pod.ready} ${pod.nodeName ?? '-'}`);
const statuses = (pods: PodView[]) => pods.map((pod) => pod.status).sort();

describe('lab workloads: pods computed from Deployments, DaemonSets and StatefulSets', () => {
  let lab: Lab;
  beforeEach(() => {
    lab = new Lab();
  });

  it("creates a Deployment's pods on the workers: ContainerCreating while pulling, then Running, ready after start", () => {
    lab.at(100).apply(workload('Deployment', 'web'));
    const creating = lab.pods(101);
    expect(creating).toHaveLength(2);
    expect(creating.map((pod) => pod.name)).toEqual(
      creating.map(() =>
        expect.stringMatching(/^web-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/),
      ),
    );
    expect(creating.map((pod) => pod.nodeName).sort()).toEqual(['east-w-1', 'east-w-2']);
    expect(statuses(creating)).toEqual(['ContainerCreating', 'ContainerCreating']);
    expect(statuses(lab.pods(113))).toEqual(['Running', 'Running']);
    expect(lab.pods(113).every((pod) => !pod.ready)).toBe(true);
    expect(lab.pods(118).every((pod) => pod.ready && pod.startedAt === 112 * S)).toBe(true);
    expect(lab.status('Deployment', 'web', 118)).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
  });

  it("gives pod addresses from the node podCIDRs with ipam.mode kubernetes, else from Cilium's pool", () => {
    lab.at(100).apply(workload('Deployment', 'web'));
    const pooled = lab.pods(118);
    expect(pooled.every((pod) => /^10\.0\.[12]\.\d+$/.test(pod.ip ?? ''))).toBe(true);
    lab.kube.putRelease(CLUSTER, {
      name: 'cilium',
      namespace: 'kube-system',
      chart: 'cilium',
      chartVersion: '1.19.6',
      appVersion: '1.19.6',
      revision: 1,
      status: 'deployed',
      values: { ipam: { mode: 'kubernetes' } },
      firstDeployedAt: 0,
      deployedAt: 0,
      description: 'Install complete',
    });
    const ips = Object.fromEntries(lab.pods(118).map((pod) => [pod.nodeName, pod.ip]));
    expect(ips['east-w-1']).toMatch(/^10\.244\.1\.\d+$/);
    expect(ips['east-w-2']).toMatch(/^10\.244\.2\.\d+$/);
  });

  it("keeps pods Pending with the scheduler's reason until a node fits", () => {
    lab.at(80).apply(workload('Deployment', 'early', { replicas: 1 }));
    expect(lab.pods(85)[0]).toMatchObject({
      status: 'Pending',
      reason: 'no nodes available to schedule pods',
    });
    expect(lab.pods(92)[0]?.reason).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(lab.pods(96)[0]?.status).toBe('ContainerCreating');
    expect(lab.pods(95 + 18)[0]?.ready).toBe(true);
    lab
      .at(120)
      .apply(workload('Deployment', 'picky', { replicas: 1, pod: { nodeSelector: { disk: 'ssd' } } }));
    expect(lab.pods(200).find((pod) => pod.name.startsWith('picky'))?.reason).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it('scales to 0: the pods terminate for podTerminate seconds, then they are gone', () => {
    lab.at(100).apply(workload('Deployment', 'web'));
    lab.at(200).scale('web', 0);
    expect(statuses(lab.pods(201))).toEqual(['Terminating', 'Terminating']);
    expect(lab.pods(201).every((pod) => pod.deletedAt === 200 * S)).toBe(true);
    expect(lab.pods(204.5)).toEqual([]);
    expect(lab.status('Deployment', 'web', 201)).not.toHaveProperty('replicas');
  });

  it('deleting a Deployment leaves its pods terminating', () => {
    lab.at(100).apply(workload('Deployment', 'web'));
    lab.at(200);
    lab.kube.objects(CLUSTER).delete(byKind('Deployment'), 'default', 'web');
    expect(statuses(lab.pods(201))).toEqual(['Terminating', 'Terminating']);
    expect(lab.pods(205)).toEqual([]);
  });

  it('rolls a template change with 25% surge and unavailability: new pods ready before the old go', () => {
    lab.at(100).apply(workload('Deployment', 'web', { replicas: 4 }));
    lab
      .at(200)
      .apply(workload('Deployment', 'web', { replicas: 4, image: 'docker.io/library/nginx:1.27.1' }));
    const early = lab.pods(201);
    const newHash = early.find((pod) => pod.status === 'ContainerCreating')?.labels['pod-template-hash'];
    expect(early.filter((pod) => pod.labels['pod-template-hash'] === newHash)).toHaveLength(2);
    expect(statuses(early)).toEqual([
      'ContainerCreating',
      'ContainerCreating',
      'Running',
      'Running',
      'Running',
      'Terminating',
    ]);
    expect(lab.status('Deployment', 'web', 201)).toMatchObject({
      replicas: 5,
      updatedReplicas: 2,
      readyReplicas: 3,
      conditions: [
        expect.objectContaining({ type: 'Available', status: 'True' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }),
      ],
    });
    expect(lab.pods(219).filter((pod) => pod.status === 'Terminating')).toHaveLength(2);
    const done = lab.pods(237);
    expect(
      done
        .filter((pod) => pod.phase !== 'Terminating')
        .every((pod) => pod.labels['pod-template-hash'] === newHash && pod.ready),
    ).toBe(true);
    expect(lab.status('Deployment', 'web', 237)).toMatchObject({
      replicas: 4,
      updatedReplicas: 4,
      conditions: [
        expect.objectContaining({ type: 'Available', status: 'True' }),
        expect.objectContaining({
          type: 'Progressing',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "web-${newHash}" has successfully progressed.`,
        }),
      ],
    });
  });

  it('stalls a rollout to an image the registry lacks: ErrImagePull, then ImagePullBackOff; the old pods keep serving', () => {
    lab.at(100).apply(workload('Deployment', 'web'));
    const digest = `sha256:${'0'.repeat(64)}`;
    lab.at(200).apply(workload('Deployment', 'web', { image: `nginx@${digest}` }));
    const failing = (at: number) => lab.pods(at).find((pod) => !pod.ready && pod.phase !== 'Terminating');
    const reference = `docker.io/library/nginx@${digest}`;
    expect(failing(213)).toMatchObject({
      status: 'ErrImagePull',
      reason: `Failed to pull image "nginx@${digest}": rpc error: code = NotFound desc = failed to pull and unpack image "${reference}": failed to resolve reference "${reference}": ${reference}: not found`,
    });
    expect(failing(223)).toMatchObject({
      status: 'ImagePullBackOff',
      reason: `Back-off pulling image "nginx@${digest}"`,
    });
    expect(lab.pods(900).filter((pod) => pod.ready)).toHaveLength(2);
    expect(lab.status('Deployment', 'web', 900)).toMatchObject({
      conditions: [
        expect.objectContaining({ type: 'Available', status: 'True' }),
        expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }),
      ],
    });
  });

  it('keeps pods ContainerCreating while a ConfigMap volume is missing, and starts them once it exists', () => {
    const volume = {
      volumes: [{ name: 'html', configMap: { name: 'html' } }],
    };
    lab.at(100).apply(workload('Deployment', 'web', { replicas: 1, pod: volume }));
    expect(lab.pods(150)[0]).toMatchObject({
      status: 'ContainerCreating',
      reason: 'MountVolume.SetUp failed for volume "html" : configmap "html" not found',
    });
    expect(lab.pods(150)[0]).not.toHaveProperty('ip');
    lab
      .at(160)
      .apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'html' }, data: { index: 'hi' } });
    expect(lab.pods(161)[0]).toMatchObject({ status: 'ContainerCreating' });
    expect(lab.pods(161)[0]).not.toHaveProperty('reason');
    expect(lab.pods(178)[0]?.ready).toBe(true);
  });

  it('refuses privileged pods under the baseline level (ReplicaFailure), admits them once the namespace is privileged', () => {
    lab.at(100).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rebels' } });
    const privileged = {
      containers: [{ name: 'web', image: 'nginx:1.27.1', securityContext: { privileged: true } }],
    };
    lab.at(101).apply(workload('Deployment', 'priv', { namespace: 'rebels', pod: privileged }));
    expect(lab.pods(150)).toEqual([]);
    const status = lab.status('Deployment', 'priv', 150, 'rebels');
    const failure = (status.conditions as Doc[]).find((condition) => condition.type === 'ReplicaFailure');
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(failure?.message).toMatch(
      /^pods "priv-\w{10}-\w{5}" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "web" must not set securityContext\.privileged=true\)$/,
    );
    const store = lab.kube.objects(CLUSTER);
    lab.at(160);
    store.update(byKind('Namespace'), store.get(byKind('Namespace'), undefined, 'rebels')!, (object) => {
      (object.metadata as Doc).labels = { 'pod-security.kubernetes.io/enforce': 'privileged' };
    });
    expect(lab.pods(161).map((pod) => pod.createdAt)).toEqual([160 * S, 160 * S]);
    expect(lab.status('Deployment', 'priv', 161, 'rebels').conditions).not.toContainEqual(
      expect.objectContaining({ type: 'ReplicaFailure' }),
    );
    lab.at(170).apply(
      workload('Deployment', 'sys', {
        namespace: 'kube-system',
        pod: { hostNetwork: true, ...privileged },
      }),
    );
    expect(lab.pods(171).filter((pod) => pod.namespace === 'kube-system')).toHaveLength(2);
  });

  it('drains a node: Deployment pods are evicted and replaced on another node; DaemonSet pods stay', () => {
    lab.at(100).apply(workload('Deployment', 'web'));
    lab.apply(workload('DaemonSet', 'agent'));
    lab.at(200);
    lab.kube.cordon(CLUSTER, 'east-w-1');
    for (const pod of lab.pods(200).filter((pod) => pod.nodeName === 'east-w-1' && pod.owner.name === 'web'))
      lab.kube.evict(CLUSTER, pod.namespace, pod.name);
    const after = lab.pods(201);
    expect(
      summary(after.filter((pod) => pod.owner.kind === 'DaemonSet')).map((line) => line.split(' ').slice(1)),
    ).toEqual([
      ['Running', 'true', 'east-w-1'],
      ['Running', 'true', 'east-w-2'],
    ]);
    const web = after.filter((pod) => pod.owner.name === 'web');
    expect(web.map((pod) => `${pod.status} ${pod.nodeName}`).sort()).toEqual([
      'ContainerCreating east-w-2',
      'Running east-w-2',
      'Terminating east-w-1',
    ]);
    expect(lab.status('DaemonSet', 'agent', 201)).toMatchObject({
      desiredNumberScheduled: 2,
      numberReady: 2,
    });
  });

  it('starts StatefulSet pods one by one in ordinal order', () => {
    lab.at(100).apply(workload('StatefulSet', 'db', { replicas: 3 }));
    expect(summary(lab.pods(120))).toEqual([
      'db-0 Running true east-w-1',
      'db-1 ContainerCreating false east-w-2',
    ]);
    expect(lab.pods(160).map((pod) => pod.name)).toEqual(['db-0', 'db-1', 'db-2']);
    const status = lab.status('StatefulSet', 'db', 160);
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3 });
    expect(status.currentRevision).toBe(status.updateRevision);
  });

  it('hands out ClusterIPs from the service subnet, stable and distinct, keeping the reserved ones free', () => {
    const service = (name: string, clusterIP?: string): Doc => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { ports: [{ port: 80 }], selector: { app: name }, ...(clusterIP ? { clusterIP } : {}) },
    });
    lab.at(100).apply(service('a'));
    lab.apply(service('b'));
    lab.apply(service('fixed', '10.96.0.50'));
    lab.apply(service('headless', 'None'));
    const ips = serviceClusterIps(lab.kube, CLUSTER);
    expect(ips.get('default/fixed')).toBe('10.96.0.50');
    expect(ips.get('default/headless')).toBe('None');
    const [a, b] = [ips.get('default/a'), ips.get('default/b')];
    expect(a).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(a).not.toBe(b);
    expect([a, b]).not.toContain('10.96.0.1');
    expect(serviceClusterIps(lab.kube, CLUSTER).get('default/a')).toBe(a);
  });

  it('warns at the restricted level Talos configures for warnings', () => {
    lab.at(100);
    const text = warning(namespacePolicy(lab.kube, CLUSTER, 'default'), {
      containers: [{ name: 'web', image: 'nginx' }],
    });
    expect(text).toBe(
      'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    expect(
      warning(namespacePolicy(lab.kube, CLUSTER, 'kube-system'), { containers: [{ name: 'web' }] }),
    ).toBeUndefined();
  });
});

describe('lab registry: image references as containerd resolves them', () => {
  it('normalises short names and accepts known tags and digests', () => {
    expect(resolveImage('nginx:1.27.1')).toMatchObject({
      ok: true,
      reference: { canonical: 'docker.io/library/nginx:1.27.1' },
    });
    expect(
      resolveImage(
        'quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603',
      ),
    ).toMatchObject({ ok: true });
    expect(resolveImage('rook/ceph:v1.17.4')).toMatchObject({
      ok: true,
      reference: { repository: 'docker.io/rook/ceph' },
    });
  });

  it("fails unknown tags, digests and repositories with containerd's errors", () => {
    expect(resolveImage('nginx')).toEqual({
      ok: false,
      reason: 'ErrImagePull',
      message:
        'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:latest": failed to resolve reference "docker.io/library/nginx:latest": docker.io/library/nginx:latest: not found',
    });
    expect(resolveImage('nosuchimage:1')).toMatchObject({
      message: expect.stringContaining(
        'failed to resolve reference "docker.io/library/nosuchimage:1": pull access denied, repository does not exist or may require authorization',
      ),
    });
    expect(resolveImage('quay.io/cilium/nope:v1')).toMatchObject({
      message: expect.stringContaining(
        'unexpected status from HEAD request to https://quay.io/v2/cilium/nope/manifests/v1: 401 UNAUTHORIZED',
      ),
    });
    expect(resolveImage('Nginx')).toMatchObject({ ok: false, reason: 'InvalidImageName' });
  });
});
