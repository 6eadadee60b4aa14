import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRunner } from '../../src/exec/runner.js';
import { Kubectl } from '../../src/kube/kubectl.js';
import {
  MAX_REVIEWER_TOKEN_SECONDS,
  grantReviewerAccess,
  reviewerTokenSeconds,
} from '../../src/twin/reviewer-access.js';
import type { ReviewerCluster } from '../../src/twin/reviewer-access.js';
import type { ClusterFixture } from '../lab/kube/cluster-fixture.js';
import { deploymentYaml, startCluster } from '../lab/kube/cluster-fixture.js';

/**
 * The reviewer kubeconfig made against a lab cluster, used as a reviewer would use it: it reads the pods
 * of its namespace, the API server refuses it everything else, and it holds no admin credential.
 */
describe('reviewer access on a lab cluster', () => {
  let c: ClusterFixture;
  let cluster: ReviewerCluster;
  const masked: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'reviewer-'));
  const grant = () =>
    grantReviewerAccess(
      [cluster],
      { twin: 'pr-7', namespaces: ['starwars', 'empire'], seconds: 7200, dir },
      (secret) => masked.push(secret),
    );
  const as = (file: string, ...args: string[]) => c.lab.run('kubectl', ['--kubeconfig', file, ...args]);

  beforeAll(async () => {
    c = await startCluster(1);
    c.file(
      'ns.yaml',
      ['starwars', 'empire', 'rebels']
        .map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`)
        .join('---\n'),
    );
    expect((await c.kubectl('apply', '-f', 'ns.yaml')).code).toBe(0);
    c.file('base.yaml', deploymentYaml({ name: 'rebel-base', namespace: 'starwars', replicas: 1 }));
    expect((await c.kubectl('apply', '-f', 'base.yaml')).code).toBe(0);
    const kubeconfig = join(c.lab.work, c.files.kubeconfig);
    const kubectl = new Kubectl(execRunner, { kubeconfig, path: join(c.lab.lab.binDir, 'kubectl') });
    cluster = { name: 'east', kubeconfig, kubectl };
  }, 60_000);
  afterAll(async () => c?.stop());

  it('writes a 0600 kubeconfig whose token reads its namespaces only, with no admin credential in it', async () => {
    const access = await grant();
    expect(access).toMatchObject({ file: join(dir, 'pr-7-reviewer.kubeconfig'), contexts: ['east'] });
    expect(statSync(access.file).mode & 0o777).toBe(0o600);
    const text = readFileSync(access.file, 'utf8');
    expect(masked).toHaveLength(1);
    expect(text).toContain(masked[0]);
    expect(text).not.toMatch(/client-key-data|client-certificate-data/);
    const config = parse(text) as { contexts: { context: { namespace: string } }[] };
    expect(config.contexts[0]!.context.namespace).toBe('starwars');
    const expectedEnd = Date.now() + 7200_000;
    expect(Math.abs(access.expiresAt.getTime() - expectedEnd)).toBeLessThan(60_000);

    const pods = await as(access.file, 'get', 'pods');
    expect(pods.code, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/^rebel-base-/m);
    expect((await as(access.file, 'get', 'deployments', '-n', 'empire')).code).toBe(0);
    const user = 'system:serviceaccount:starwars:twin-reviewer';
    expect((await as(access.file, 'get', 'pods', '-n', 'rebels')).stderr).toBe(
      `Error from server (Forbidden): pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "rebels"\n`,
    );
    expect((await as(access.file, 'get', 'secrets')).stderr).toMatch(/cannot list resource "secrets"/);
    expect((await as(access.file, 'scale', 'deployment/rebel-base', '--replicas=0')).stderr).toMatch(
      /cannot patch resource "deployments\/scale" in API group "apps" in the namespace "starwars"/,
    );
  });

  it('grants again without error, and the new kubeconfig works as the first', async () => {
    const again = await grant();
    expect(masked).toHaveLength(2);
    expect((await as(again.file, 'get', 'pods', '-n', 'empire')).code).toBe(0);
  });

  it('asks for the TTL left since the last apply, at most a week, nothing under the 10 minutes a token needs', () => {
    const appliedAt = new Date('2026-01-01T00:00:00Z');
    const at = (hours: number) => new Date(appliedAt.getTime() + hours * 3_600_000);
    expect(reviewerTokenSeconds(appliedAt, 72, at(1))).toBe(71 * 3600);
    expect(reviewerTokenSeconds(appliedAt, 720, at(0))).toBe(MAX_REVIEWER_TOKEN_SECONDS);
    expect(reviewerTokenSeconds(appliedAt, 72, at(71.9))).toBeUndefined();
    expect(reviewerTokenSeconds(appliedAt, 72, at(100))).toBeUndefined();
  });
});
