import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TIME_SCALE } from '../pve/helpers.js';
import type { ClusterFixture } from '../kube/cluster-fixture.js';
import { deploymentYaml, startCluster } from '../kube/cluster-fixture.js';

/**
 * The lab's API server authenticates a service account's token and authorizes it by RBAC, as kube-apiserver
 * does: a Role bound in one namespace lets it read there and nothing else (403 in Kubernetes' words), the
 * token stops working after its duration (401), and deleting the ServiceAccount revokes it at once.
 */

const READER = 'system:serviceaccount:rebels:reader';

const ACCESS = `apiVersion: v1
kind: Namespace
metadata:
  name: rebels
---
apiVersion: v1
kind: Namespace
metadata:
  name: empire
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
  namespace: rebels
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: rebels
rules:
  - apiGroups: ['', apps]
    resources: [pods, services, deployments]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reader
  namespace: rebels
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
subjects:
  - kind: ServiceAccount
    name: reader
`;

describe('lab kubectl: service account tokens and RBAC', () => {
  let c: ClusterFixture;
  const admin = (...args: string[]) => c.kubectl(...args);
  const forbidden = (what: string) => `Error from server (Forbidden): ${what}\n`;

  /** A kubeconfig for the cluster (server and CA as the admin's) whose user is the token. */
  function tokenKubeconfig(file: string, token: string): string {
    const adminConfig = parse(readFileSync(join(c.lab.work, c.files.kubeconfig), 'utf8')) as {
      clusters: { name: string; cluster: Record<string, string> }[];
    };
    const cluster = adminConfig.clusters[0]!;
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [{ name: 'reader', user: { token } }],
      contexts: [{ name: 'reader', context: { cluster: cluster.name, user: 'reader', namespace: 'rebels' } }],
      'current-context': 'reader',
    };
    return c.file(file, stringify(config));
  }

  async function newToken(duration = '10m'): Promise<string> {
    const created = await admin('create', 'token', 'reader', '-n', 'rebels', `--duration=${duration}`);
    expect(created.code, created.stderr).toBe(0);
    return created.stdout;
  }

  beforeAll(async () => {
    c = await startCluster(1);
    c.file('access.yaml', ACCESS);
    const applied = await admin('apply', '-f', 'access.yaml');
    expect(applied.code, applied.stderr).toBe(0);
    c.file('base.yaml', deploymentYaml({ name: 'rebel-base', namespace: 'rebels', replicas: 1 }));
    expect((await admin('apply', '-f', 'base.yaml')).code).toBe(0);
  }, 60_000);
  afterAll(async () => c?.stop());

  it('issues a signed token for the account, bound to the API audience, expiring after the duration asked', async () => {
    const token = await newToken('10m');
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: READER,
      aud: ['https://kubernetes.default.svc.cluster.local'],
      'kubernetes.io': { namespace: 'rebels', serviceaccount: { name: 'reader' } },
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(600);
    expect(signature!.length).toBeGreaterThan(40);
  });

  it('refuses what the TokenRequest API and kubectl refuse, in their words', async () => {
    const create = (...args: string[]) => admin('create', 'token', ...args);
    expect((await create('reader', '-n', 'rebels', '--duration=5m')).stderr).toBe(
      'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n',
    );
    expect((await create('nobody', '-n', 'rebels')).stderr).toBe(
      'error: failed to create token: serviceaccounts "nobody" not found\n',
    );
    expect((await create('reader', '-n', 'rebels', '--duration=-1s')).stderr).toBe(
      'error: --duration must be greater than or equal to 0\n',
    );
    expect((await create('-n', 'rebels')).stderr).toMatch(/^error: exactly one NAME is required, got 0\n/);
  });

  it('lets the token read in its namespace and refuses other namespaces, secrets, nodes and every write', async () => {
    const reader = tokenKubeconfig('reader.kubeconfig', await newToken());
    const as = (...args: string[]) => c.lab.run('kubectl', ['--kubeconfig', reader, ...args]);
    const pods = await as('get', 'pods', '-n', 'rebels');
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/^rebel-base-/m);
    expect((await as('get', 'deployment', 'rebel-base')).code).toBe(0);
    expect((await as('get', '--raw=/readyz')).stdout).toBe('ok');
    const reason = (verb: string, resource: string, group: string, scope: string) =>
      `User "${READER}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`;
    const inRebels = 'in the namespace "rebels"';
    expect((await as('get', 'pods', '-n', 'empire')).stderr).toBe(
      forbidden(`pods is forbidden: ${reason('list', 'pods', '', 'in the namespace "empire"')}`),
    );
    expect((await as('get', 'secrets')).stderr).toBe(
      forbidden(`secrets is forbidden: ${reason('list', 'secrets', '', inRebels)}`),
    );
    expect((await as('get', 'nodes')).stderr).toBe(
      forbidden(`nodes is forbidden: ${reason('list', 'nodes', '', 'at the cluster scope')}`),
    );
    const deleted = await as('delete', 'deployment', 'rebel-base');
    expect([deleted.code, deleted.stderr]).toEqual([
      1,
      forbidden(
        `deployments.apps "rebel-base" is forbidden: ${reason('delete', 'deployments', 'apps', inRebels)}`,
      ),
    ]);
    expect((await as('scale', 'deployment/rebel-base', '--replicas=3')).stderr).toBe(
      forbidden(
        `deployments.apps "rebel-base" is forbidden: ${reason('patch', 'deployments/scale', 'apps', inRebels)}`,
      ),
    );
    c.file(
      'plans.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plans\ndata:\n  target: death-star\n',
    );
    expect((await as('apply', '-f', 'plans.yaml')).stderr).toBe(
      forbidden(
        `error when retrieving current configuration of:\nResource: "/v1, Resource=configmaps", GroupVersionKind: "/v1, Kind=ConfigMap"\nName: "plans", Namespace: "rebels"\nfrom server for: "plans.yaml": configmaps "plans" is forbidden: ${reason('get', 'configmaps', '', inRebels)}`,
      ),
    );
    expect((await as('apply', '-f', 'base.yaml')).stderr).toMatch(
      /^Error from server \(Forbidden\): error when applying patch:\n[\s\S]*for: "base.yaml": error when patching "base.yaml": deployments.apps "rebel-base" is forbidden: User "system:serviceaccount:rebels:reader" cannot patch resource "deployments"/,
    );
    expect((await as('exec', 'deploy/rebel-base', '--', 'true')).stderr).toMatch(
      /^Error from server \(Forbidden\): pods "rebel-base-[a-z0-9-]+" is forbidden: User "system:serviceaccount:rebels:reader" cannot create resource "pods\/exec" in API group "" in the namespace "rebels"\n$/,
    );
    expect((await as('create', 'token', 'reader')).stderr).toBe(
      `error: failed to create token: serviceaccounts "reader" is forbidden: ${reason('create', 'serviceaccounts/token', '', inRebels)}\n`,
    );
    expect((await c.lab.run('helm', ['list', '--kubeconfig', reader])).stderr).toBe(
      `Error: query: failed to query with labels: secrets is forbidden: ${reason('list', 'secrets', '', inRebels)}\n`,
    );
    // The admin's kubeconfig (group system:masters) is refused nothing.
    expect((await admin('get', 'secrets', '-n', 'empire')).code).toBe(0);
  });

  it('lets kubectl wait only a token that may list and watch the object: get alone is refused', async () => {
    const reader = tokenKubeconfig('wait-reader.kubeconfig', await newToken());
    const wait = (kubeconfig: string) =>
      c.lab.run('kubectl', [
        '--kubeconfig',
        kubeconfig,
        'wait',
        '--for=condition=Available',
        'deployment/rebel-base',
        '--timeout=30s',
      ]);
    const allowed = await wait(reader);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toBe('deployment.apps/rebel-base condition met\n');
    // Another account whose Role grants only get: kubectl wait lists by name and watches (kubectl pkg/cmd/wait).
    c.file(
      'getter.yaml',
      ACCESS.split('---\n')
        .slice(2)
        .join('---\n')
        .replaceAll('reader', 'getter')
        .replace('verbs: [get, list, watch]', 'verbs: [get]'),
    );
    expect((await admin('apply', '-f', 'getter.yaml')).code).toBe(0);
    const token = await admin('create', 'token', 'getter', '-n', 'rebels', '--duration=10m');
    expect(token.code, token.stderr).toBe(0);
    const getter = tokenKubeconfig('getter.kubeconfig', token.stdout);
    expect(
      (await c.lab.run('kubectl', ['--kubeconfig', getter, 'get', 'deployment', 'rebel-base'])).code,
    ).toBe(0);
    const refused = await wait(getter);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'User "system:serviceaccount:rebels:getter" cannot list resource "deployments" in API group "apps" in the namespace "rebels"',
    );
  });

  it('stops the token after its duration on the lab clock, and at once when its ServiceAccount is deleted', async () => {
    const started = Date.now();
    const expiring = tokenKubeconfig('expiring.kubeconfig', await newToken('10m'));
    const revoked = tokenKubeconfig('revoked.kubeconfig', await newToken('1h'));
    const get = (file: string) => c.lab.run('kubectl', ['--kubeconfig', file, 'get', 'pods']);
    expect((await get(expiring)).code).toBe(0);
    const unauthorized = {
      code: 1,
      stdout: '',
      stderr: 'error: You must be logged in to the server (Unauthorized)\n',
    };
    const lifetimeMs = 600 * 1000 * TEST_TIME_SCALE;
    await new Promise((done) => setTimeout(done, lifetimeMs - (Date.now() - started) + 1000));
    expect(await get(expiring)).toEqual(unauthorized);
    expect((await get(revoked)).code).toBe(0);
    expect((await admin('delete', 'serviceaccount', 'reader', '-n', 'rebels')).code).toBe(0);
    expect(await get(revoked)).toEqual(unauthorized);
    // A ServiceAccount of the same name is another account (another uid): the old token stays revoked.
    expect((await admin('apply', '-f', 'access.yaml')).code).toBe(0);
    expect(await get(revoked)).toEqual(unauthorized);
  });

  it('validates RBAC objects as the API server does; a binding keeps its roleRef', async () => {
    const binding = (kind: string, role: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader\n  namespace: rebels\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ${kind}\n  name: ${role}\nsubjects:\n  - kind: Robot\n    name: r2d2\n`;
    c.file('bad-binding.yaml', binding('Droid', 'reader'));
    expect((await admin('apply', '-f', 'bad-binding.yaml')).stderr).toBe(
      'The RoleBinding "reader" is invalid: [roleRef.kind: Unsupported value: "Droid": supported values: "Role", "ClusterRole", subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"]\n',
    );
    c.file('other-role.yaml', binding('ClusterRole', 'view').replace('Robot', 'ServiceAccount'));
    expect((await admin('apply', '-f', 'other-role.yaml')).stderr).toBe(
      'The RoleBinding "reader" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef\n',
    );
    c.file(
      'no-verbs.yaml',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: empty\n  namespace: rebels\nrules:\n  - apiGroups: [""]\n    resources: [pods]\n',
    );
    expect((await admin('apply', '-f', 'no-verbs.yaml')).stderr).toBe(
      'The Role "empty" is invalid: rules[0].verbs: Required value: verbs must contain at least one value\n',
    );
  });
});
