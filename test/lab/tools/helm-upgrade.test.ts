import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciliumValues, valuesYaml } from '../../../src/mesh/cilium-values.js';
import { createCertificateAuthority } from '../../../src/util/x509.js';
import type { ToolLab } from './helpers.js';
import { startToolLab } from './helpers.js';
import { bootstrapCluster, provision } from './cluster-flow.js';

const CILIUM = ['cilium', '--repo', 'https://helm.cilium.io', '-n', 'kube-system'];
/** The preflight of the Cilium upgrade guide (LIFECYCLE I.1), kube-proxy-free through KubePrism. */
const PREFLIGHT = [
  ...['--set', 'preflight.enabled=true', '--set', 'agent=false', '--set', 'operator.enabled=false'],
  ...['--set', 'k8sServiceHost=localhost', '--set', 'k8sServicePort=7445'],
];

interface PodJson {
  metadata: { name: string; labels: Record<string, string> };
  spec: { nodeName: string; containers: { image: string }[] };
}

/**
 * A Cilium minor upgrade through the lab's helm and kubectl: 1.19.6 installed, the 1.20.0 preflight
 * pre-pulls the agent image, the upgrade rolls the agents and the operator, and each chart version's
 * values schema and template checks apply to its own install or upgrade.
 */
describe('lab helm: Cilium 1.19.6 upgraded to 1.20.0', () => {
  let t: ToolLab;
  const helm = (...args: string[]) => t.run('helm', [...args, '--kubeconfig', 'kubeconfig']);
  const kubectl = (...args: string[]) =>
    t.run('kubectl', ['--kubeconfig', 'kubeconfig', '-n', 'kube-system', ...args]);
  const agents = async () => {
    const listed = await kubectl('get', 'pods', '-l', 'k8s-app=cilium', '-o', 'json');
    return (JSON.parse(listed.stdout) as { items: PodJson[] }).items.map((pod) => ({
      name: pod.metadata.name,
      node: pod.spec.nodeName,
      image: pod.spec.containers[0]!.image,
    }));
  };

  beforeAll(async () => {
    // Slower than the other tool tests: a rollout's steps must be seen from a separate kubectl process.
    t = await startToolLab(undefined, { timeScale: 0.05 });
    await bootstrapCluster(t, await provision(t, 1, 3));
    const ca = await createCertificateAuthority('east-west mesh CA');
    t.file('cilium.yaml', valuesYaml(ciliumValues({ clusterName: 'east', clusterId: 1, ca, nodeCount: 4 })));
    const installed = await helm(
      'upgrade',
      '--install',
      'cilium',
      ...CILIUM,
      '--version',
      '1.19.6',
      '-f',
      'cilium.yaml',
    );
    expect(installed.code, installed.stderr).toBe(0);
    const rolled = await kubectl('rollout', 'status', 'daemonset/cilium', '--timeout=300s');
    expect(rolled.code, rolled.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => t?.stop());

  it('refuses a value only the 1.20 schema allows on 1.19.6, with helm schema text', async () => {
    const refused = await helm(
      'upgrade',
      'cilium',
      ...CILIUM,
      '--version',
      '1.19.6',
      '-f',
      'cilium.yaml',
      '--set',
      'gatewayAPI.gatewayClass.create=true',
    );
    expect(refused.stderr).toBe(
      "Error: UPGRADE FAILED: values don't meet the specifications of the schema(s) in the following chart(s):\n" +
        'cilium:\n- gatewayAPI.gatewayClass.create: Invalid type. Expected: string, given: boolean\n',
    );
  });

  it('refuses on 1.20.0 what 1.19.6 accepted: mesh certs as values, a value the 1.20 schema constrains', async () => {
    const meshCerts = [
      ...['--set', 'clustermesh.useAPIServer=true', '--set', 'clustermesh.apiserver.tls.auto.enabled=false'],
      ...[
        '--set',
        'clustermesh.apiserver.tls.server.cert=Y2VydA==',
        '--set',
        'clustermesh.apiserver.tls.server.key=a2V5',
      ],
    ];
    const certs = await helm(
      'upgrade',
      'cilium',
      ...CILIUM,
      '--version',
      '1.20.0',
      '-f',
      'cilium.yaml',
      ...meshCerts,
    );
    expect(certs.stderr).toBe(
      'Error: UPGRADE FAILED: execution error at (cilium/templates/validate.yaml): The support for providing Cluster Mesh ' +
        'certs and keys as helm values has been removed. You must enable auto-generation or pre-create the corresponding secrets\n',
    );
    const ztunnel = ['--set', 'encryption.ztunnel.ca.type=vault'];
    const refused = await helm(
      'upgrade',
      'cilium',
      ...CILIUM,
      '--version',
      '1.20.0',
      '-f',
      'cilium.yaml',
      ...ztunnel,
    );
    expect(refused.stderr).toMatch(
      /- encryption\.ztunnel\.ca\.type: encryption\.ztunnel\.ca\.type must be one of the following: "spire", "internal"\n$/,
    );
    const history = JSON.parse(
      (await helm('history', 'cilium', '-n', 'kube-system', '-o', 'json')).stdout,
    ) as unknown[];
    expect(history).toHaveLength(1); // refused before a revision is written
  });

  it('runs the 1.20.0 preflight on every node until it is ready, and deletes it', async () => {
    // The guide's own command, through a repository added by name.
    const unnamed = await helm('install', 'cilium-preflight', 'cilium/cilium', '--version', '1.20.0');
    expect(unnamed.stderr).toBe('Error: INSTALLATION FAILED: repo cilium not found\n');
    const added = await helm('repo', 'add', 'cilium', 'https://helm.cilium.io');
    expect(added.stdout).toBe('"cilium" has been added to your repositories\n');
    const installed = await helm(
      'install',
      'cilium-preflight',
      'cilium/cilium',
      '--version',
      '1.20.0',
      '--namespace',
      'kube-system',
      ...PREFLIGHT,
    );
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toMatch(/^NAME: cilium-preflight\n/);
    const daemons = await kubectl('rollout', 'status', 'daemonset/cilium-pre-flight-check', '--timeout=300s');
    expect(daemons.stdout).toMatch(/daemon set "cilium-pre-flight-check" successfully rolled out\n$/);
    const validator = await kubectl(
      'rollout',
      'status',
      'deployment/cilium-pre-flight-check',
      '--timeout=300s',
    );
    expect(validator.stdout).toMatch(/deployment "cilium-pre-flight-check" successfully rolled out\n$/);
    const ready = await kubectl(
      'get',
      'daemonset/cilium-pre-flight-check',
      'deployment/cilium-pre-flight-check',
      '-o',
      'jsonpath={.items[*].status.numberReady} {.items[*].status.readyReplicas}',
    );
    expect(ready.stdout.trim().split(/\s+/)).toEqual([String((await agents()).length), '1']);
    const again = await helm('install', 'cilium-preflight', ...CILIUM, '--version', '1.20.0', ...PREFLIGHT);
    expect(again.stderr).toBe('Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n');
    const deleted = await helm('delete', 'cilium-preflight', '-n', 'kube-system');
    expect(deleted.stdout).toBe('release "cilium-preflight" uninstalled\n');
    // The nodes keep the image the preflight pulled (what makes the agents' upgrade quicker there).
    const state = JSON.parse(readFileSync(join(t.dir, 'kube-state.json'), 'utf8')) as {
      clusters: Record<string, { pulledImages?: Record<string, Record<string, number>> }>;
    };
    const prePulled = Object.values(state.clusters)
      .flatMap((cluster) => Object.entries(cluster.pulledImages ?? {}))
      .filter(([, images]) => images['quay.io/cilium/cilium:v1.20.0'] !== undefined)
      .map(([node]) => node);
    expect(prePulled.sort()).toEqual((await agents()).map((pod) => pod.node).sort());
    const gone = await kubectl('get', 'daemonset', 'cilium-pre-flight-check');
    expect(gone.stderr).toBe(
      'Error from server (NotFound): daemonsets.apps "cilium-pre-flight-check" not found\n',
    );
  });

  it('upgrades to 1.20.0: a new revision, chart and app version, agents and operator rolled', async () => {
    const before = await agents();
    expect(before.every((pod) => pod.image === 'quay.io/cilium/cilium:v1.19.6')).toBe(true);
    const upgraded = await helm(
      'upgrade',
      '--install',
      'cilium',
      ...CILIUM,
      '--version',
      '1.20.0',
      '-f',
      'cilium.yaml',
    );
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toMatch(
      /^Release "cilium" has been upgraded\. Happy Helming!\n[\s\S]*REVISION: 2\n/,
    );
    const rollout = await kubectl('rollout', 'status', 'daemonset/cilium', '--timeout=300s');
    expect(rollout.code, rollout.stderr).toBe(0);
    // Two agents at a time (maxUnavailable 2): the first look finds only some pods replaced.
    expect(rollout.stdout).toMatch(
      /^Waiting for daemon set "cilium" rollout to finish: [0-3] out of 4 new pods have been updated\.\.\.\n/,
    );
    expect(rollout.stdout).toMatch(/daemon set "cilium" successfully rolled out\n$/);
    const operator = await kubectl('rollout', 'status', 'deployment/cilium-operator', '--timeout=300s');
    expect(operator.stdout).toMatch(/deployment "cilium-operator" successfully rolled out\n$/);
    const after = await agents();
    expect(after.map((pod) => pod.node).sort()).toEqual(before.map((pod) => pod.node).sort());
    expect(after.every((pod) => pod.image === 'quay.io/cilium/cilium:v1.20.0')).toBe(true);
    expect(after.filter((pod) => before.some((old) => old.name === pod.name))).toEqual([]);

    const listed = JSON.parse((await helm('list', '-n', 'kube-system', '-o', 'json')).stdout) as Record<
      string,
      string
    >[];
    expect(
      listed.map((release) => [release.name, release.revision, release.chart, release.app_version]),
    ).toEqual([['cilium', '2', 'cilium-1.20.0', '1.20.0']]);
    const status = JSON.parse((await helm('status', 'cilium', '-n', 'kube-system', '-o', 'json')).stdout) as {
      version: number;
      chart: { metadata: { version: string; appVersion: string } };
    };
    expect([status.version, status.chart.metadata.version, status.chart.metadata.appVersion]).toEqual([
      2,
      '1.20.0',
      '1.20.0',
    ]);
    const history = await helm('history', 'cilium', '-n', 'kube-system', '-o', 'json');
    expect(
      (JSON.parse(history.stdout) as Record<string, unknown>[]).map((row) => [
        row.revision,
        row.status,
        row.chart,
      ]),
    ).toEqual([
      [1, 'superseded', 'cilium-1.19.6'],
      [2, 'deployed', 'cilium-1.20.0'],
    ]);
  });

  it("switches Envoy to ADS on 1.20 unless upgradeCompatibility names 1.19 (the chart's envoyXdsMode)", async () => {
    const xdsMode = async () => {
      const config = await kubectl('get', 'configmap', 'cilium-config', '-o', 'json');
      return (JSON.parse(config.stdout) as { data: Record<string, string> }).data['envoy-xds-mode'];
    };
    expect(await xdsMode()).toBe('ads');
    const kept = await helm(
      'upgrade',
      'cilium',
      ...CILIUM,
      '--version',
      '1.20.0',
      '-f',
      'cilium.yaml',
      '--set',
      'upgradeCompatibility=1.19',
    );
    expect(kept.code, kept.stderr).toBe(0);
    expect(await xdsMode()).toBeUndefined();
  });

  it('--reuse-values across chart versions keeps the old chart defaults, its images included (why I.1 says not to)', async () => {
    const back = await helm('upgrade', 'cilium', ...CILIUM, '--version', '1.19.6', '-f', 'cilium.yaml');
    expect(back.code, back.stderr).toBe(0);
    expect((await kubectl('rollout', 'status', 'daemonset/cilium', '--timeout=300s')).code).toBe(0);
    const reused = await helm('upgrade', 'cilium', ...CILIUM, '--version', '1.20.0', '--reuse-values');
    expect(reused.code, reused.stderr).toBe(0);
    const listed = JSON.parse((await helm('list', '-n', 'kube-system', '-o', 'json')).stdout) as Record<
      string,
      string
    >[];
    expect(listed.map((release) => release.chart)).toEqual(['cilium-1.20.0']);
    expect((await kubectl('rollout', 'status', 'daemonset/cilium', '--timeout=300s')).code).toBe(0);
    expect((await agents()).map((pod) => pod.image)).toEqual(Array(4).fill('quay.io/cilium/cilium:v1.19.6'));
    const values = await helm('get', 'values', 'cilium', '-n', 'kube-system', '-o', 'json');
    expect((JSON.parse(values.stdout) as { cluster: { name: string } }).cluster.name).toBe('east');
  });
});
