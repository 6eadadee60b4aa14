import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterFixture } from '../kube/cluster-fixture.js';
import { deploymentYaml, startCluster } from '../kube/cluster-fixture.js';
import { eventually } from './helpers.js';

/** kubectl's general commands against a started lab cluster, through the lab's kubectl executable. */

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata:
  name: rebels
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Namespace
metadata:
  name: hoth
  labels:
    pod-security.kubernetes.io/enforce: privileged
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: rebel-base
  namespace: rebels
spec:
  selector:
    app: rebel-base
  ports:
    - port: 80
`;

const RESTRICTED_WARNING =
  'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")\n';

const JSON_MOCK =
  'quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603';
const WRONG_DIGEST = `docker.io/library/nginx@sha256:${'0'.repeat(64)}`;

describe('lab kubectl: applying, reading and changing API objects', () => {
  let c: ClusterFixture;
  const kubectl = (...args: string[]) => c.kubectl(...args);
  const inRebels = (...args: string[]) => c.kubectl('-n', 'rebels', ...args);
  const deploy = async (file: string, yaml: string) => {
    c.file(file, yaml);
    const applied = await kubectl('apply', '-f', file);
    expect(applied.code, applied.stderr).toBe(0);
  };
  const podStatuses = async (app: string, namespace = 'rebels') =>
    (await kubectl('-n', namespace, 'get', 'pods', '-l', `app=${app}`)).stdout;

  beforeAll(async () => {
    c = await startCluster();
    await deploy('namespaces.yaml', NAMESPACES);
    await deploy(
      'base.yaml',
      `${deploymentYaml({ name: 'rebel-base', namespace: 'rebels' })}---\n${SERVICE}`,
    );
    const rolled = await inRebels('rollout', 'status', 'deployment/rebel-base', '--timeout=30s');
    expect(rolled.code, rolled.stderr).toBe(0);
  }, 60_000);
  afterAll(async () => c?.stop());

  it('applies created, unchanged and configured, keeping what others changed since the last apply', async () => {
    const app = `${deploymentYaml({ name: 'echo-base', namespace: 'rebels' })}---\n${SERVICE.replaceAll('rebel-base', 'echo-base')}`;
    c.file('echo.yaml', app);
    const created = await kubectl('apply', '-f', 'echo.yaml');
    expect(created).toEqual({
      code: 0,
      stdout: 'deployment.apps/echo-base created\nservice/echo-base created\n',
      stderr: RESTRICTED_WARNING,
    });
    expect(await kubectl('apply', '-f', 'echo.yaml')).toEqual({
      code: 0,
      stdout: 'deployment.apps/echo-base unchanged\nservice/echo-base unchanged\n',
      stderr: '',
    });
    expect((await inRebels('annotate', 'deployment', 'echo-base', 'team=red')).stdout).toBe(
      'deployment.apps/echo-base annotated\n',
    );
    expect((await kubectl('apply', '-f', 'echo.yaml')).stdout).toBe(
      'deployment.apps/echo-base unchanged\nservice/echo-base unchanged\n',
    );
    expect(
      (await inRebels('get', 'deploy', 'echo-base', '-o', 'jsonpath={.metadata.annotations.team}')).stdout,
    ).toBe('red');
    c.file('echo.yaml', app.replace('replicas: 2', 'replicas: 3'));
    expect((await kubectl('apply', '-f', 'echo.yaml')).stdout).toBe(
      'deployment.apps/echo-base configured\nservice/echo-base unchanged\n',
    );
    c.file('config/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n');
    c.file('config/more/b.yml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    expect((await inRebels('apply', '-f', 'config')).stdout).toBe('configmap/a created\n');
    expect((await inRebels('apply', '-R', '-f', 'config')).stdout).toBe(
      'configmap/a unchanged\nconfigmap/b created\n',
    );
  });

  it('refuses what the API server refuses, in its words, and still applies the other documents', async () => {
    const bad = deploymentYaml({ name: 'Rebel_Base' });
    c.file('bad-name.yaml', bad);
    const badName = await kubectl('apply', '-f', 'bad-name.yaml');
    expect(badName.code).toBe(1);
    expect(badName.stderr).toBe(
      `The Deployment "Rebel_Base" is invalid: metadata.name: Invalid value: "Rebel_Base": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n`,
    );
    c.file(
      'mismatch.yaml',
      deploymentYaml({ name: 'odd' }).replace('      app: odd\n  template', '      app: other\n  template'),
    );
    expect((await kubectl('apply', '-f', 'mismatch.yaml')).stderr).toBe(
      'The Deployment "odd" is invalid: spec.template.metadata.labels: Invalid value: {"app":"odd"}: `selector` does not match template `labels`\n',
    );
    c.file('nowhere.yaml', deploymentYaml({ name: 'lost', namespace: 'nowhere' }));
    expect((await kubectl('apply', '-f', 'nowhere.yaml')).stderr).toBe(
      'Error from server (NotFound): error when creating "nowhere.yaml": namespaces "nowhere" not found\n',
    );
    const nodePort = (name: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: NodePort\n  selector:\n    app: x\n  ports:\n    - port: 80\n      nodePort: 30080\n`;
    c.file('ports.yaml', `${nodePort('first')}---\n${nodePort('second')}`);
    expect(await kubectl('apply', '-f', 'ports.yaml')).toEqual({
      code: 1,
      stdout: 'service/first created\n',
      stderr:
        'The Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n',
    });
    c.file(
      'ceph.yaml',
      'apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata:\n  name: rook-ceph\n  namespace: rook-ceph\nspec: {}\n',
    );
    expect((await kubectl('apply', '-f', 'ceph.yaml')).stderr).toBe(
      'error: resource mapping not found for name: "rook-ceph" namespace: "rook-ceph" from "ceph.yaml": no matches for kind "CephCluster" in version "ceph.rook.io/v1"\nensure CRDs are installed first\n',
    );
    expect((await kubectl('apply', '-f', 'missing.yaml')).stderr).toBe(
      'error: the path "missing.yaml" does not exist\n',
    );
  });

  it('prints objects as tables, json, yaml, names and jsonpath', async () => {
    expect((await inRebels('get', 'deployments')).stdout).toMatch(
      /^NAME {9}READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE\n(echo-base .*\n)?rebel-base {3}2\/2 {5}2 {12}2 {11}\d+s\n/,
    );
    expect((await inRebels('get', 'svc', 'rebel-base')).stdout).toMatch(
      /^NAME {9}TYPE {8}CLUSTER-IP +EXTERNAL-IP {3}PORT\(S\) {3}AGE\nrebel-base {3}ClusterIP {3}10\.(9[6-9]|10\d|11[01])\.\d+\.\d+ +<none> {8}80\/TCP {4}\d+s\n$/,
    );
    expect((await kubectl('get', 'namespaces', '-o', 'name')).stdout).toBe(
      'namespace/default\nnamespace/hoth\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\nnamespace/rebels\n',
    );
    const object = JSON.parse((await inRebels('get', 'deployment.apps/rebel-base', '-o', 'json')).stdout) as {
      apiVersion: string;
      kind: string;
      metadata: { uid: string; generation: number; creationTimestamp: string; resourceVersion: string };
      status: { readyReplicas: number; conditions: { type: string; status: string }[] };
    };
    expect(object).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generation: 1 } });
    expect(object.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(object.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(object.status.readyReplicas).toBe(2);
    expect(object.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Available', status: 'True' }),
    );
    expect((await inRebels('get', 'deploy', 'rebel-base', '-o', 'yaml')).stdout).toMatch(
      /\n {2}creationTimestamp: "[^"]+"\n[\s\S]*\n {6}containers:\n {6}- image: docker.io\/library\/nginx:1.27.1\n/,
    );
    const names = (
      await inRebels('get', 'pods', '-l', 'app=rebel-base', '-o', 'jsonpath={.items[*].metadata.name}')
    ).stdout;
    expect(names.split(' ')).toEqual([
      expect.stringMatching(/^rebel-base-\w{10}-\w{5}$/),
      expect.stringMatching(/^rebel-base-/),
    ]);
    expect((await inRebels('get', 'pods', '-l', 'app=rebel-base', '-o', 'name')).stdout).toBe(
      names
        .split(' ')
        .map((name) => `pod/${name}\n`)
        .join(''),
    );
    expect((await inRebels('get', 'deployments,services', 'rebel-base', '-o', 'name')).stdout).toBe(
      'deployment.apps/rebel-base\nservice/rebel-base\n',
    );
    expect((await inRebels('get', 'deploy,svc', 'rebel-base')).stdout).toMatch(
      /^NAME +READY[^\n]*\ndeployment\.apps\/rebel-base +2\/2 [^\n]*\n\nNAME +TYPE[^\n]*\nservice\/rebel-base +ClusterIP /,
    );
    const cidrs = (
      await kubectl(
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.spec.podCIDR}{"\\n"}{end}',
      )
    ).stdout;
    expect(cidrs).toBe('east-cp-1=10.244.0.0/24\neast-w-1=10.244.1.0/24\neast-w-2=10.244.2.0/24\n');
    const podIps = (
      await inRebels(
        'get',
        'pods',
        '-l',
        'app=rebel-base',
        '-o',
        'jsonpath={range .items[*]}{.spec.nodeName}={.status.podIP}{"\\n"}{end}',
      )
    ).stdout;
    for (const line of podIps.trim().split('\n')) {
      const [node = '', ip = ''] = line.split('=');
      expect(ip.split('.').slice(0, 3).join('.')).toBe(`10.244.${node === 'east-w-1' ? 1 : 2}`);
    }
    const all = (await kubectl('get', 'pods', '-A')).stdout;
    expect(all).toMatch(/^NAMESPACE {5}NAME +READY +STATUS +RESTARTS +AGE\n/);
    expect(all).toMatch(/\nkube-system +cilium-\w{5} +1\/1 +Running/);
    expect(all).toMatch(/\nrebels +rebel-base-\w{10}-\w{5} +1\/1 +Running +0/);
    expect(await inRebels('get', 'pods', '-l', 'app=nothing')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No resources found in rebels namespace.\n',
    });
    expect((await inRebels('get', 'deploy', '-o', 'jsonpath={.items[}')).stderr).toBe(
      'error: error parsing jsonpath {.items[}, unterminated array\n',
    );
    expect(
      (await inRebels('get', 'pods', '-l', 'app=nothing', '-o', 'jsonpath={.items[0].metadata.name}')).stderr,
    ).toBe('error: array index out of bounds: index 0, length 0\n');
    expect(await inRebels('get', 'deploy', 'nope')).toMatchObject({
      code: 1,
      stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n',
    });
    expect((await kubectl('get', 'cephclusters')).stderr).toBe(
      'error: the server doesn\'t have a resource type "cephclusters"\n',
    );
  });

  it("shows why pods do not run: Pending with the scheduler's message, ContainerCreating on a missing ConfigMap", async () => {
    await deploy(
      'picky.yaml',
      deploymentYaml({ name: 'picky', namespace: 'rebels', replicas: 1, pod: 'nodeSelector:\n  disk: ssd' }),
    );
    expect(await podStatuses('picky')).toMatch(/\npicky-\w{10}-\w{5} +0\/1 +Pending +0 /);
    expect(
      (
        await inRebels(
          'get',
          'pods',
          '-l',
          'app=picky',
          '-o',
          'jsonpath={.items[0].status.conditions[0].message}',
        )
      ).stdout,
    ).toBe(
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    const volume = 'volumes:\n  - name: html\n    configMap:\n      name: html';
    await deploy(
      'html.yaml',
      deploymentYaml({ name: 'html', namespace: 'rebels', replicas: 1, pod: volume }),
    );
    await new Promise((done) => setTimeout(done, 200)); // well past an image pull: only the volume holds it back
    expect(await podStatuses('html')).toMatch(/\nhtml-\w{10}-\w{5} +0\/1 +ContainerCreating +0 /);
    await deploy(
      'html-cm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: html\n  namespace: rebels\ndata:\n  index.html: hi\n',
    );
    await eventually(async () => / 1\/1 +Running /.test(await podStatuses('html')));
  });

  it('scales Deployments; scaled to 0 their pods terminate and go', async () => {
    await deploy('scaled.yaml', deploymentYaml({ name: 'scaled', namespace: 'rebels' }));
    expect(await inRebels('scale', 'deployment/scaled', '--replicas=0')).toEqual({
      code: 0,
      stdout: 'deployment.apps/scaled scaled\n',
      stderr: '',
    });
    await eventually(
      async () => (await inRebels('get', 'pods', '-l', 'app=scaled', '-o', 'name')).stdout === '',
    );
    expect((await inRebels('get', 'deploy', 'scaled')).stdout).toMatch(/\nscaled +0\/0 +0 +0 /);
    expect((await inRebels('scale', 'deploy', 'scaled', '--replicas', '1')).stdout).toBe(
      'deployment.apps/scaled scaled\n',
    );
    expect((await inRebels('rollout', 'status', 'deploy/scaled', '--timeout=30s')).code).toBe(0);
    expect((await inRebels('scale', 'deploy/scaled')).stderr).toBe(
      'error: required flag(s) "replicas" not set\n',
    );
    expect((await inRebels('scale', 'deploy/ghost', '--replicas=1')).stderr).toBe(
      'Error from server (NotFound): deployments.apps "ghost" not found\n',
    );
  });

  it('pulls nothing for a digest the registry lacks: ImagePullBackOff, and rollout status times out saying why', async () => {
    await deploy(
      'broken.yaml',
      deploymentYaml({ name: 'broken', namespace: 'rebels', replicas: 1, image: WRONG_DIGEST }),
    );
    await eventually(async () => / 0\/1 +ImagePullBackOff +0 /.test(await podStatuses('broken')));
    const rollout = await inRebels('rollout', 'status', 'deployment/broken', '--timeout=300ms');
    expect(rollout).toEqual({
      code: 1,
      stdout: 'Waiting for deployment "broken" rollout to finish: 0 of 1 updated replicas are available...\n',
      stderr: `error: timed out waiting for the condition\npods of deployment "broken" are ImagePullBackOff: web: Back-off pulling image "${WRONG_DIGEST}"\n`,
    });
    expect(
      await inRebels('wait', '--for=condition=Available', 'deployment/broken', '--timeout=300ms'),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: timed out waiting for the condition on deployments/broken\n',
    });
  });

  it('refuses privileged pods under the baseline level and runs them in a privileged namespace', async () => {
    const privileged = (namespace: string) =>
      deploymentYaml({ name: 'tie-fighter', namespace, replicas: 1 }).replace(
        '          image: docker.io/library/nginx:1.27.1\n',
        '          image: docker.io/library/nginx:1.27.1\n          securityContext:\n            privileged: true\n',
      );
    await deploy('tie.yaml', privileged('rebels'));
    const failure = (
      await inRebels(
        'get',
        'deploy',
        'tie-fighter',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="ReplicaFailure")].message}',
      )
    ).stdout;
    expect(failure).toMatch(
      /^pods "tie-fighter-\w{10}-\w{5}" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "web" must not set securityContext\.privileged=true\)$/,
    );
    expect((await inRebels('get', 'pods', '-l', 'app=tie-fighter', '-o', 'name')).stdout).toBe('');
    const rollout = await inRebels('rollout', 'status', 'deploy/tie-fighter', '--timeout=300ms');
    expect(rollout.stderr).toBe(
      `error: timed out waiting for the condition\nFailedCreate: Error creating: ${failure}\n`,
    );
    await deploy('tie-hoth.yaml', privileged('hoth'));
    const admitted = await kubectl(
      '-n',
      'hoth',
      'rollout',
      'status',
      'deployment/tie-fighter',
      '--timeout=30s',
    );
    expect(admitted.stdout).toMatch(/deployment "tie-fighter" successfully rolled out\n$/);
  });

  it("execs in a ready pod of a workload and reports the program's exit code; kubectl's errors otherwise", async () => {
    await deploy('xwing.yaml', deploymentYaml({ name: 'xwing', namespace: 'rebels', image: JSON_MOCK }));
    expect((await inRebels('rollout', 'status', 'deploy/xwing', '--timeout=30s')).code).toBe(0);
    await deploy('xwing.yaml', deploymentYaml({ name: 'xwing', namespace: 'rebels', image: WRONG_DIGEST }));
    await eventually(async () => /ErrImagePull|ImagePullBackOff/.test(await podStatuses('xwing')));
    const served = await inRebels('exec', 'deploy/xwing', '--', 'curl', '-sS', 'http://rebel-base');
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toContain('<title>Welcome to nginx!</title>');
    expect(await inRebels('exec', 'deployment/xwing', '--', 'curl', '-sS', 'http://nowhere')).toEqual({
      code: 6,
      stdout: '',
      stderr: 'curl: (6) Could not resolve host: nowhere\ncommand terminated with exit code 6\n',
    });
    const missingProgram = await inRebels('exec', 'deploy/xwing', '--', 'ls');
    expect(missingProgram.code).toBe(1);
    expect(missingProgram.stderr).toMatch(
      /^error: Internal error occurred: .*exec: "ls": executable file not found in \$PATH: unknown\n$/,
    );
    expect((await inRebels('exec', 'deploy/xwing', '-c', 'nope', '--', 'curl')).stderr).toMatch(
      /^Error from server \(BadRequest\): container nope is not valid for pod xwing-\w{10}-\w{5}\n$/,
    );
    await deploy(
      'homeless.yaml',
      deploymentYaml({
        name: 'homeless',
        namespace: 'rebels',
        replicas: 1,
        pod: 'nodeSelector:\n  disk: ssd',
      }),
    );
    expect((await inRebels('exec', 'deploy/homeless', '--', 'curl')).stderr).toMatch(
      /^Error from server \(BadRequest\): pod homeless-\w{10}-\w{5} does not have a host assigned\n$/,
    );
    await deploy(
      'blocked.yaml',
      deploymentYaml({
        name: 'blocked',
        namespace: 'rebels',
        replicas: 1,
        pod: 'volumes:\n  - name: cfg\n    secret:\n      secretName: absent',
      }),
    );
    expect((await inRebels('exec', 'deploy/blocked', '--', 'curl')).stderr).toBe(
      'error: unable to upgrade connection: container not found ("web")\n',
    );
    await deploy('empty.yaml', deploymentYaml({ name: 'empty', namespace: 'rebels', replicas: 0 }));
    expect((await inRebels('exec', 'deploy/empty', '--pod-running-timeout=300ms', '--', 'curl')).stderr).toBe(
      'error: timed out waiting for the condition\n',
    );
    expect((await inRebels('exec', 'deploy/ghost', '--', 'curl')).stderr).toBe(
      'Error from server (NotFound): deployments.apps "ghost" not found\n',
    );
    expect((await inRebels('exec', 'ghost', '--', 'curl')).stderr).toBe(
      'Error from server (NotFound): pods "ghost" not found\n',
    );
    const duo = deploymentYaml({ name: 'duo', namespace: 'rebels', replicas: 1, image: JSON_MOCK }).replace(
      '      containers:\n',
      `      containers:\n        - name: sidecar\n          image: docker.io/library/nginx:1.27.1\n`,
    );
    await deploy('duo.yaml', duo);
    expect((await inRebels('rollout', 'status', 'deploy/duo', '--timeout=30s')).code).toBe(0);
    const defaulted = await inRebels('exec', 'deploy/duo', '--', 'curl', '-sS', 'http://nowhere');
    expect(defaulted.stderr).toMatch(/^Defaulted container "sidecar" out of: sidecar, web\n/);
  });

  it('annotates and labels, refusing to overwrite without --overwrite as kubectl does', async () => {
    expect((await inRebels('annotate', 'deploy/rebel-base', 'owner=leia')).stdout).toBe(
      'deployment.apps/rebel-base annotated\n',
    );
    expect(await inRebels('annotate', 'deploy/rebel-base', 'owner=han')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (leia)\n",
    });
    expect((await inRebels('annotate', 'deploy/rebel-base', 'owner=leia')).code).toBe(0);
    expect((await inRebels('annotate', '--overwrite', 'deploy/rebel-base', 'owner=han')).code).toBe(0);
    expect(
      (await inRebels('get', 'deploy/rebel-base', '-o', 'jsonpath={.metadata.annotations.owner}')).stdout,
    ).toBe('han');
    expect((await inRebels('annotate', 'deploy/rebel-base', 'owner-')).stdout).toBe(
      'deployment.apps/rebel-base annotated\n',
    );
    expect((await inRebels('label', 'deployment', 'rebel-base', 'tier=front')).stdout).toBe(
      'deployment.apps/rebel-base labeled\n',
    );
    expect((await inRebels('label', 'deployment', 'rebel-base', 'tier=front')).stderr).toBe(
      "error: 'tier' already has a value (front), and --overwrite is false\n",
    );
    expect((await inRebels('label', '--overwrite', 'deployment', 'rebel-base', 'tier=front')).stdout).toBe(
      'deployment.apps/rebel-base not labeled\n',
    );
    expect((await inRebels('label', 'deployment', 'rebel-base', 'tier-')).stdout).toBe(
      'deployment.apps/rebel-base unlabeled\n',
    );
    expect((await inRebels('label', 'deployment', 'rebel-base')).stderr).toBe(
      'error: at least one label update is required\n',
    );
  });

  it('waits for conditions and jsonpath values, and rolls out DaemonSets and StatefulSets', async () => {
    expect(await inRebels('wait', '--for=condition=Available', 'deployment/rebel-base')).toEqual({
      code: 0,
      stdout: 'deployment.apps/rebel-base condition met\n',
      stderr: '',
    });
    expect(
      (await inRebels('wait', '--for=jsonpath={.status.readyReplicas}=2', 'deploy/rebel-base')).stdout,
    ).toBe('deployment.apps/rebel-base condition met\n');
    const pods = await inRebels(
      'wait',
      '--for=condition=Ready',
      'pod',
      '-l',
      'app=rebel-base',
      '--timeout=10s',
    );
    expect(pods.stdout).toMatch(
      /^pod\/rebel-base-\w{10}-\w{5} condition met\npod\/rebel-base-\w{10}-\w{5} condition met\n$/,
    );
    expect(
      (await inRebels('wait', "--for=jsonpath='{.status.readyReplicas}'=2", 'deploy/rebel-base')).stderr,
    ).toBe(
      "error: unable to parse JSONPath expression: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'\n",
    );
    await deploy(
      'agent.yaml',
      deploymentYaml({ name: 'agent', namespace: 'hoth' })
        .replace('kind: Deployment', 'kind: DaemonSet')
        .replace('  replicas: 2\n', ''),
    );
    expect((await kubectl('-n', 'hoth', 'rollout', 'status', 'ds/agent', '--timeout=30s')).stdout).toMatch(
      /daemon set "agent" successfully rolled out\n$/,
    );
    expect((await kubectl('-n', 'hoth', 'get', 'ds', 'agent')).stdout).toMatch(
      /\nagent +2 +2 +2 +2 +2 +<none> +\d+s\n$/,
    );
    await deploy(
      'db.yaml',
      deploymentYaml({ name: 'db', namespace: 'hoth' }).replace('kind: Deployment', 'kind: StatefulSet'),
    );
    expect(
      (await kubectl('-n', 'hoth', 'rollout', 'status', 'statefulset/db', '--timeout=30s')).stdout,
    ).toMatch(/partitioned roll out complete: 2 new pods have been updated...\n$/);
    expect((await kubectl('-n', 'hoth', 'get', 'pods', '-l', 'app=db', '-o', 'name')).stdout).toBe(
      'pod/db-0\npod/db-1\n',
    );
  });

  it('deletes objects (namespaced ones from their namespace) and ignores missing ones only on request', async () => {
    await deploy('doomed.yaml', deploymentYaml({ name: 'doomed', namespace: 'rebels', replicas: 1 }));
    expect((await inRebels('delete', 'deployment', 'doomed')).stdout).toBe(
      'deployment.apps "doomed" deleted from rebels namespace\n',
    );
    expect(await inRebels('delete', 'deployment', 'doomed')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error from server (NotFound): deployments.apps "doomed" not found\n',
    });
    expect(await inRebels('delete', 'deployment', 'doomed', '--ignore-not-found')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const dagobah = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dagobah\n';
    c.file(
      'dagobah.yaml',
      `${dagobah}---\n${deploymentYaml({ name: 'yoda', namespace: 'dagobah', replicas: 1 })}`,
    );
    expect((await kubectl('apply', '-f', 'dagobah.yaml')).code).toBe(0);
    expect((await kubectl('delete', '-f', 'dagobah.yaml')).stdout).toBe(
      'namespace "dagobah" deleted\ndeployment.apps "yoda" deleted from dagobah namespace\n',
    );
    expect((await kubectl('get', 'ns', 'dagobah')).stderr).toBe(
      'Error from server (NotFound): namespaces "dagobah" not found\n',
    );
  });

  it("lists kube-scheduler's FailedScheduling event of a pod no node can hold, and writes no Events", async () => {
    const resources = '    resources:\n      requests:\n        cpu: "64"';
    await deploy(
      'greedy.yaml',
      deploymentYaml({ name: 'greedy', namespace: 'hoth', replicas: 1, pod: resources }),
    );
    let events = '';
    await eventually(async () => {
      events = (await kubectl('-n', 'hoth', 'get', 'events')).stdout;
      return /FailedScheduling/.test(events);
    });
    const [header, row] = events.trimEnd().split('\n');
    expect(header).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
    expect(row).toMatch(
      /^\S+ +Warning +FailedScheduling +pod\/greedy-\S+ +0\/\d+ nodes are available: .*\d+ Insufficient cpu/,
    );
    const json = JSON.parse((await kubectl('-n', 'hoth', 'get', 'events', '-o', 'json')).stdout) as {
      items: { type: string; reason: string; source: { component: string } }[];
    };
    expect(json.items.map((event) => [event.type, event.reason, event.source.component])).toEqual([
      ['Warning', 'FailedScheduling', 'default-scheduler'],
    ]);
    const applied =
      'apiVersion: v1\nkind: Event\nmetadata:\n  name: note\n  namespace: hoth\ntype: Normal\nreason: Noted\n';
    await deploy('event.yaml', applied);
    const names = (await kubectl('-n', 'hoth', 'get', 'events', '-o', 'name')).stdout;
    expect(names).toMatch(/^event\/greedy-\S+\nevent\/note\n$/);
    expect((await kubectl('-n', 'hoth', 'delete', 'deployment', 'greedy')).code).toBe(0);
  });
});
