import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src/exec/runner.js';
import { Kubectl } from '../../src/kube/kubectl.js';
import { scriptedRunner, type Script } from '../exec/scripted-runner.js';

function kubectl(script?: Script) {
  const { runner, calls } = scriptedRunner(script);
  return { kube: new Kubectl(runner, { kubeconfig: '/s/east/kubeconfig' }), calls };
}

const nodeList = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    {
      metadata: { name: 'production-east-cp-1', labels: { 'kubernetes.io/os': 'linux' } },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True', reason: 'KubeletReady' },
        ],
        addresses: [
          { type: 'InternalIP', address: '192.168.15.11' },
          { type: 'Hostname', address: 'production-east-cp-1' },
        ],
      },
    },
    {
      metadata: { name: 'production-east-w-1' },
      status: {
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
        addresses: [{ type: 'InternalIP', address: '192.168.15.14' }],
      },
    },
    { metadata: { name: 'registering' } },
  ],
};

describe('Kubectl argv', () => {
  it('puts --kubeconfig first on every command', async () => {
    const { kube, calls } = kubectl((_tool, args) =>
      args.includes('json') ? { stdout: JSON.stringify(nodeList) } : undefined,
    );
    await kube.apiReady();
    await kube.nodes();
    await kube.rolloutStatus('daemonset', 'cilium', 'kube-system', 300);
    await kube.rolloutStatus('deployment', 'cilium-operator', 'kube-system', 120);
    await kube.waitNodesReady(['production-east-w-1', 'production-east-w-2'], 600);
    await kube.drain('production-east-w-2', 90);
    await kube.deleteNode('production-east-w-2');
    expect(calls.map((c) => [c.tool, ...c.args].join(' '))).toEqual([
      'kubectl --kubeconfig /s/east/kubeconfig get --raw=/readyz',
      'kubectl --kubeconfig /s/east/kubeconfig get nodes -o json',
      'kubectl --kubeconfig /s/east/kubeconfig -n kube-system rollout status daemonset/cilium --timeout=300s',
      'kubectl --kubeconfig /s/east/kubeconfig -n kube-system rollout status deployment/cilium-operator --timeout=120s',
      'kubectl --kubeconfig /s/east/kubeconfig wait node/production-east-w-1 node/production-east-w-2 --for=condition=Ready --timeout=600s',
      'kubectl --kubeconfig /s/east/kubeconfig drain production-east-w-2 --ignore-daemonsets --delete-emptydir-data --force --timeout=90s',
      'kubectl --kubeconfig /s/east/kubeconfig delete node production-east-w-2 --ignore-not-found',
    ]);
  });

  it('refuses a timeout that is not whole seconds above 0', async () => {
    const { kube, calls } = kubectl();
    await expect(kube.waitNodesReady(['a'], 0)).rejects.toThrow(/whole number of seconds above 0, got 0/);
    await expect(kube.rolloutStatus('daemonset', 'cilium', 'kube-system', 1.5)).rejects.toThrow(RangeError);
    expect(calls).toEqual([]);
  });
});

describe('Kubectl results', () => {
  it('apiReady is true only for a zero exit that says ok', async () => {
    const answers = [
      { exitCode: 1, stderr: 'The connection to the server 192.168.15.10:6443 was refused' },
      { stdout: '[+]ping ok\nreadyz check failed' },
      { stdout: 'ok' },
    ];
    const { kube } = kubectl(() => answers.shift());
    expect(await kube.apiReady()).toBe(false);
    expect(await kube.apiReady()).toBe(false);
    expect(await kube.apiReady()).toBe(true);
  });

  it('nodes reads name, the Ready condition and addresses', async () => {
    const { kube } = kubectl(() => ({ stdout: JSON.stringify(nodeList) }));
    const bare = { unschedulable: false, annotations: {}, capacity: {} };
    expect(await kube.nodes()).toEqual([
      {
        name: 'production-east-cp-1',
        ready: true,
        addresses: [
          { type: 'InternalIP', address: '192.168.15.11' },
          { type: 'Hostname', address: 'production-east-cp-1' },
        ],
        ...bare,
      },
      {
        name: 'production-east-w-1',
        ready: false,
        addresses: [{ type: 'InternalIP', address: '192.168.15.14' }],
        ...bare,
      },
      { name: 'registering', ready: false, addresses: [], ...bare },
    ]);
  });

  it('nodes reports output that is not a node list', async () => {
    await expect(kubectl(() => ({ stdout: 'Unable to connect' })).kube.nodes()).rejects.toThrow(
      /not JSON \(17 characters\)/,
    );
    await expect(kubectl(() => ({ stdout: '{"items":[{"metadata":{}}]}' })).kube.nodes()).rejects.toThrow(
      /unexpected shape/,
    );
  });

  it("a rollout that does not finish is a CommandError with kubectl's reason", async () => {
    const { kube } = kubectl(() => ({
      exitCode: 1,
      stderr: 'error: timed out waiting for the condition\n',
      stdout: 'Waiting for daemon set "cilium" rollout to finish: 1 of 3 updated pods are available...\n',
    }));
    await expect(kube.rolloutStatus('daemonset', 'cilium', 'kube-system', 5)).rejects.toThrow(
      /rollout status daemonset\/cilium --timeout=5s failed with exit code 1: error: timed out waiting for the condition/,
    );
  });

  it('a Deployment past its progress deadline is waited for as Available, then looked at once more', async () => {
    let statusCalls = 0;
    const { kube, calls } = kubectl((_tool, args) => {
      if (!args.includes('rollout') || ++statusCalls > 1) return undefined;
      return {
        exitCode: 1,
        stderr: 'error: deployment "rook-ceph-operator" exceeded its progress deadline\n',
      };
    });
    await kube.rolloutStatus('deployment', 'rook-ceph-operator', 'rook-ceph', 300);
    expect(calls.map((c) => c.args.slice(2).join(' '))).toEqual([
      '-n rook-ceph rollout status deployment/rook-ceph-operator --timeout=300s',
      '-n rook-ceph wait deployment/rook-ceph-operator --for=condition=Available --timeout=300s',
      '-n rook-ceph rollout status deployment/rook-ceph-operator --timeout=300s',
    ]);
  });

  it('a Deployment past its progress deadline that never becomes Available fails with the deadline', async () => {
    const { kube, calls } = kubectl((_tool, args) =>
      args.includes('rollout')
        ? { exitCode: 1, stderr: 'error: deployment "x" exceeded its progress deadline\n' }
        : { exitCode: 1, stderr: 'error: timed out waiting for the condition on deployments/x\n' },
    );
    await expect(kube.rolloutStatus('deployment', 'x', 'kube-system', 60)).rejects.toThrow(
      /rollout status deployment\/x --timeout=60s failed with exit code 1: error: deployment "x" exceeded its progress deadline/,
    );
    expect(calls).toHaveLength(2);
    const daemonset = kubectl(() => ({ exitCode: 1, stderr: 'error: exceeded its progress deadline\n' }));
    await expect(daemonset.kube.rolloutStatus('daemonset', 'cilium', 'kube-system', 60)).rejects.toThrow(
      CommandError,
    );
    expect(daemonset.calls).toHaveLength(1);
  });

  it('drain of a node that is gone reports it absent; other failures throw', async () => {
    const gone = kubectl(() => ({
      exitCode: 1,
      stderr: 'Error from server (NotFound): nodes "production-east-w-2" not found',
    }));
    expect(await gone.kube.drain('production-east-w-2', 60)).toBe('absent');
    const stuck = kubectl(() => ({
      exitCode: 1,
      stderr:
        'error when evicting pods/"web-1" -n "default": pods "web-1" not found\nerror: unable to drain node "production-east-w-2"',
    }));
    await expect(stuck.kube.drain('production-east-w-2', 60)).rejects.toBeInstanceOf(CommandError);
    expect(await kubectl().kube.drain('production-east-w-2', 60)).toBe('drained');
  });
});

describe('Kubectl for rollouts', () => {
  it('uncordon, node annotations and the budgets list with the exact argv', async () => {
    const { kube, calls } = kubectl((_tool, args) =>
      args.includes('poddisruptionbudgets')
        ? {
            stdout: JSON.stringify({
              items: [
                {
                  metadata: { name: 'rook-ceph-osd', namespace: 'rook-ceph' },
                  status: { disruptionsAllowed: 0 },
                },
                {
                  metadata: { name: 'rook-ceph-mon-pdb', namespace: 'rook-ceph' },
                  status: { disruptionsAllowed: 1 },
                },
              ],
            }),
          }
        : undefined,
    );
    await kube.uncordon('production-east-w-1');
    await kube.annotateNode('production-east-w-1', { 'aggrik8s.io/cordoned-by': 'twin-rollout' });
    await kube.annotateNode('production-east-w-1', { 'aggrik8s.io/cordoned-by': null });
    expect(await kube.disruptionBudgets()).toEqual([
      { namespace: 'rook-ceph', name: 'rook-ceph-osd', disruptionsAllowed: 0 },
      { namespace: 'rook-ceph', name: 'rook-ceph-mon-pdb', disruptionsAllowed: 1 },
    ]);
    expect(calls.map((c) => c.args.slice(2).join(' '))).toEqual([
      'uncordon production-east-w-1',
      'annotate node production-east-w-1 aggrik8s.io/cordoned-by=twin-rollout --overwrite',
      'annotate node production-east-w-1 aggrik8s.io/cordoned-by- --overwrite',
      'get poddisruptionbudgets -A -o json',
    ]);
  });

  it('nodes reads cordon, annotations, boot id, Ready since and capacity', async () => {
    const list = {
      items: [
        {
          metadata: { name: 'east-w-1', annotations: { 'aggrik8s.io/cordoned-by': 'twin-rollout' } },
          spec: { unschedulable: true },
          status: {
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-03T10:00:00Z' }],
            capacity: { cpu: '4', memory: '8148236Ki' },
            nodeInfo: { bootID: 'b7e1' },
          },
        },
        { metadata: { name: 'east-w-2' } },
      ],
    };
    const { kube } = kubectl(() => ({ stdout: JSON.stringify(list) }));
    expect(await kube.nodes()).toEqual([
      {
        name: 'east-w-1',
        ready: true,
        addresses: [],
        unschedulable: true,
        annotations: { 'aggrik8s.io/cordoned-by': 'twin-rollout' },
        bootId: 'b7e1',
        readySince: '2026-12-03T10:00:00Z',
        capacity: { cpu: '4', memory: '8148236Ki' },
      },
      { name: 'east-w-2', ready: false, addresses: [], unschedulable: false, annotations: {}, capacity: {} },
    ]);
  });

  it('createToken asks for a TokenRequest of whole seconds and returns the token without its newline', async () => {
    const { kube, calls } = kubectl(() => ({ stdout: 'eyJh.eyJz.sig\n' }));
    expect(await kube.createToken('twin-reviewer', 'starwars', 3600)).toBe('eyJh.eyJz.sig');
    expect(calls.map((c) => c.args)).toEqual([
      [
        '--kubeconfig',
        '/s/east/kubeconfig',
        'create',
        'token',
        'twin-reviewer',
        '-n',
        'starwars',
        '--duration=3600s',
      ],
    ]);
    await expect(kube.createToken('twin-reviewer', 'starwars', 1.5)).rejects.toThrow(
      /whole number of seconds/,
    );
  });

  it('diagnostics: pods not Ready and not finished, the events table (or its "No resources"), describe pod', async () => {
    const pods = {
      items: [
        {
          metadata: { name: 'ok', namespace: 'a' },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
        },
        { metadata: { name: 'done', namespace: 'a' }, status: { phase: 'Succeeded' } },
        { metadata: { name: 'waiting', namespace: 'b' }, status: { phase: 'Pending' } },
        {
          metadata: { name: 'unready', namespace: 'b' },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
        },
      ],
    };
    const { kube, calls } = kubectl((_tool, args) =>
      args.includes('pods')
        ? { stdout: JSON.stringify(pods) }
        : args.includes('events')
          ? { stderr: 'No resources found\n' }
          : { stdout: 'Name:  waiting\n' },
    );
    expect(await kube.podsNotReady()).toEqual([
      { namespace: 'b', name: 'waiting', phase: 'Pending' },
      { namespace: 'b', name: 'unready', phase: 'Running' },
    ]);
    expect(await kube.eventsTable()).toBe('No resources found\n');
    expect(await kube.describePod('b', 'waiting')).toBe('Name:  waiting\n');
    expect(calls.map((call) => call.args.slice(2))).toEqual([
      ['get', 'pods', '-A', '-o', 'json'],
      ['get', 'events', '-A'],
      ['-n', 'b', 'describe', 'pod', 'waiting'],
    ]);
  });
});

describe('Kubectl.waitForField', () => {
  const ceph = { kind: 'cephclusters.ceph.rook.io', name: 'rook-ceph', namespace: 'rook-ceph' };

  it('is one kubectl wait on the JSONPath: true when met, false on its timeout', async () => {
    let met = true;
    const { kube, calls } = kubectl(() =>
      met
        ? { stdout: 'cephcluster.ceph.rook.io/rook-ceph condition met\n' }
        : {
            exitCode: 1,
            stderr: 'error: timed out waiting for the condition on cephclusters/rook-ceph\n',
          },
    );
    expect(await kube.waitForField(ceph, '{.status.ceph.health}', 'HEALTH_OK', 150)).toBe(true);
    met = false;
    expect(await kube.waitForField(ceph, '{.status.phase}', 'Ready', 7)).toBe(false);
    expect(calls.map((call) => call.args)).toEqual([
      [
        '--kubeconfig',
        '/s/east/kubeconfig',
        '-n',
        'rook-ceph',
        'wait',
        'cephclusters.ceph.rook.io/rook-ceph',
        '--for=jsonpath={.status.ceph.health}=HEALTH_OK',
        '--timeout=150s',
      ],
      [
        '--kubeconfig',
        '/s/east/kubeconfig',
        '-n',
        'rook-ceph',
        'wait',
        'cephclusters.ceph.rook.io/rook-ceph',
        '--for=jsonpath={.status.phase}=Ready',
        '--timeout=7s',
      ],
    ]);
  });

  it('throws any other failure (a missing object is not a timeout)', async () => {
    const { kube } = kubectl(() => ({
      exitCode: 1,
      stderr: 'Error from server (NotFound): cephclusters.ceph.rook.io "rook-ceph" not found\n',
    }));
    await expect(kube.waitForField(ceph, '{.status.phase}', 'Ready', 5)).rejects.toThrow(/NotFound/);
  });
});
