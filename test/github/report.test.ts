import { describe, expect, it } from 'vitest';
import {
  checksFromPlatform,
  destroyedTwinReport,
  expiryInWords,
  platformTwinReport,
  shareInWords,
  twinCommentBody,
  twinReportFromOutcome,
  type TwinReport,
} from '../../src/github/report.js';
import type { TwinOutcome } from '../../src/twin/outcome.js';
import { redactSecrets } from '../../src/util/redact.js';
import type { PlatformReport } from '../../src/twin/platform.js';

const UPDATED = new Date('2026-03-10T12:00:00.000Z');
const PRIVATE_KEY =
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5Ol8AE\n-----END EC PRIVATE KEY-----';
const PVE_TOKEN = 'ci@pve!gha=5f0c3c1e-9d2b-4a77-b1f1-0123456789ab';
const GITHUB_TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const KEY_DATA = 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUJrZzRMVldNOW51d05TazN5Qnl4WnBZUlRC';
const SECRETS = [
  PRIVATE_KEY,
  'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5Ol8AE',
  '5f0c3c1e-9d2b-4a77',
  GITHUB_TOKEN,
  JWT,
  KEY_DATA,
  'hunter2secret',
];

function outcome(overrides: Partial<TwinOutcome> = {}): TwinOutcome {
  const node = (name: string, role: string, address: string, vmid: number) => ({
    name,
    role,
    address,
    vmid,
    pveNode: 'pve1',
    extraDisks: 0,
  });
  return {
    twin: 'pr-7',
    environment: 'preview',
    slot: 3,
    pool: 'twin-3',
    clusters: [
      {
        name: 'east',
        id: 1,
        vip: '10.20.3.10',
        endpoint: 'https://10.20.3.10:6443',
        pods: '10.244.0.0/16',
        nodes: [
          node('pr-7-east-cp-1', 'controlplane', '10.20.3.11', 3101),
          node('pr-7-east-w-1', 'worker', '10.20.3.21', 3111),
        ],
        kubeconfig: '/state/pr-7/east/kubeconfig',
        talosconfig: '/state/pr-7/east/talosconfig',
      },
    ],
    records: [
      {
        id: 'vm-create:a',
        title: 'a',
        doing: 'creating a',
        stage: 'vm',
        state: 'done',
        startedAt: 0,
        endedAt: 12_000,
      },
      {
        id: 'talos:a',
        title: 'a',
        doing: 'booting a',
        stage: 'talos',
        state: 'done',
        startedAt: 12_000,
        endedAt: 40_500,
      },
    ],
    ok: true,
    ...overrides,
  };
}

describe('twinCommentBody', () => {
  it('starts with the hidden marker and shows status, API endpoints, nodes Ready, stage timings, checks and the time', () => {
    const report = twinReportFromOutcome(outcome(), {
      updatedAt: UPDATED,
      runUrl: 'https://github.com/edge-lab/platform/actions/runs/900',
      checks: [
        { name: 'mesh connected', passed: true, detail: '2/2 clusters' },
        { name: 'rebel-base from x-wing', passed: false, detail: 'only east answered' },
      ],
    });
    const body = twinCommentBody(report);
    const lines = body.split('\n');
    expect(lines[0]).toBe('<!-- aggrik8s-twin:pr-7 -->');
    expect(lines[1]).toBe('### Twin `pr-7`: ✅ ready');
    expect(body).toContain(
      'Environment **preview**, slot 3. [Workflow run](https://github.com/edge-lab/platform/actions/runs/900)',
    );
    expect(body).toContain('| east | `https://10.20.3.10:6443` | 2/2 |');
    expect(body).toContain('| vm | 12.0 s | 1 |');
    expect(body).toContain('| talos | 28.5 s | 1 |');
    expect(body).toContain('| mesh connected | ✅ passed | 2/2 clusters |');
    expect(body).toContain('| rebel-base from x-wing | ❌ failed | only east answered |');
    expect(lines.at(-1)).toBe('<sub>Updated 2026-03-10T12:00:00.000Z</sub>');
    expect(body).not.toContain('/state/pr-7');
  });

  it('says failed with what failed, and unknown readiness when nobody could ask the cluster', () => {
    const body = twinCommentBody(
      twinReportFromOutcome(outcome({ ok: false, failure: 'stage talos, east: bootstrap: timed out' }), {
        updatedAt: UPDATED,
      }),
    );
    expect(body).toContain('### Twin `pr-7`: ❌ failed');
    expect(body).toContain('| east | `https://10.20.3.10:6443` | unknown/2 |');
    expect(body).toContain(
      '<details><summary>What failed</summary>\n\n```\nstage talos, east: bootstrap: timed out\n```\n</details>',
    );
  });

  it('takes readiness from a status where one was read', () => {
    const body = twinCommentBody(
      twinReportFromOutcome(outcome({ ok: false }), { updatedAt: UPDATED, readyNodes: { east: 1 } }),
    );
    expect(body).toContain('| 1/2 |');
  });

  it("tells the twin's share of the lab and when the reaper destroys a preview, and keeps them across steps", () => {
    const share = { vms: 12, running: 12, cores: 36, memoryMiB: 61_440, diskGiB: 984 };
    const ttl = { kind: 'ttl' as const, ttlHours: 72, at: '2026-03-13T12:00:00.000Z', keepLabel: 'keep' };
    const report = twinReportFromOutcome(outcome(), { updatedAt: UPDATED, share, expiry: ttl });
    const sentence =
      'Its share of the lab: 12 VM(s) (12 running), 36 cores, 60.0 GiB of memory, 984 GiB of disk. ' +
      'Destroyed after 2026-03-13 12:00 UTC unless pushed again or labelled "keep" ' +
      '(environments.preview.ttlHours: 72 h from the last apply).';
    expect(twinCommentBody(report)).toContain(
      `Environment **preview**, slot 3.\n\n${sentence}\n\n| Cluster |`,
    );
    // action-mesh and action-day2 rewrite the comment from the last report: the share and expiry stay.
    const platform = { mesh: [], ceph: [], checks: [] } as unknown as PlatformReport;
    const later = platformTwinReport(report, {
      twin: 'pr-7',
      environment: 'preview',
      clusters: [],
      records: [],
      platform,
    });
    expect(twinCommentBody({ ...later, updatedAt: UPDATED })).toContain(sentence);

    expect(expiryInWords({ kind: 'ttl', ttlHours: 72, at: '2026-03-13T12:00:00.000Z' })).toMatch(
      /^Destroyed after 2026-03-13 12:00 UTC unless applied again /,
    );
    expect(expiryInWords({ ...ttl, keepLabel: '@team <b>|' })).toContain('labelled "&#64;team &lt;b&gt;\\|"');
    expect(expiryInWords({ kind: 'long-lived' })).toMatch(
      /^A long-lived preview .*never destroyed for its age/,
    );
    expect(expiryInWords({ kind: 'never' })).toBeUndefined(); // production
    expect(expiryInWords({ kind: 'ttl', ttlHours: 72 })).toBeUndefined(); // no claim time: the reaper keeps it
    expect(shareInWords({ vms: 4, running: 3, cores: 8, memoryMiB: 20_480 })).toBe(
      'Its share of the lab: 4 VM(s) (3 running), 8 cores, 20.0 GiB of memory, disk the token cannot see.',
    );
    const destroyed = {
      ...destroyedTwinReport('pr-7', 'preview', { updatedAt: UPDATED }),
      share,
      expiry: ttl,
    };
    expect(twinCommentBody(destroyed)).not.toContain('share of the lab');
  });

  it('reports a destroyed twin', () => {
    const body = twinCommentBody(destroyedTwinReport('pr-7', 'preview', { updatedAt: UPDATED }));
    expect(body.split('\n').slice(0, 2)).toEqual([
      '<!-- aggrik8s-twin:pr-7 -->',
      '### Twin `pr-7`: 🗑️ destroyed',
    ]);
    expect(body).toContain('Its VMs, slot pool and stored credentials are gone.');
    expect(body).not.toContain('| Cluster |');
  });

  it('lets no secret through, wherever one is fed in', () => {
    const report: TwinReport = {
      twin: 'pr-7',
      environment: 'preview',
      state: 'failed',
      clusters: [
        {
          name: 'east',
          apiUrl: `https://admin:hunter2secret@10.20.3.10:6443/?token=${GITHUB_TOKEN}`,
          nodes: 1,
        },
      ],
      stages: [],
      checks: [
        { name: 'kubeconfig', passed: false, detail: `client-key-data: ${KEY_DATA}` },
        { name: 'sa token', passed: false, detail: `Authorization: Bearer ${JWT}` },
        { name: 'json', passed: false, detail: `{"token": "${GITHUB_TOKEN}", "password": "hunter2secret"}` },
      ],
      failure: `pve said no to PVEAPIToken=${PVE_TOKEN} and to ${PVE_TOKEN}\nkey:\n${PRIVATE_KEY}\nclone https://x:hunter2secret@git.example/repo`,
      runUrl: 'https://user:hunter2secret@github.com/run',
      updatedAt: UPDATED,
    };
    const body = twinCommentBody(report);
    for (const secret of SECRETS) expect(body).not.toContain(secret);
    expect(body).toContain('| east | `https://10.20.3.10:6443` | unknown/1 |');
    expect(body).toContain('client-key-data: [redacted]');
    expect(body).toContain('Bearer [redacted]');
    expect(body).toContain('PVEAPIToken=[redacted]');
    expect(body).toContain('[redacted] PEM block');
    expect(body).not.toContain('Workflow run');
  });

  it('keeps free text from breaking the table, pinging people, faking a marker or closing the code block', () => {
    const body = twinCommentBody({
      ...destroyedTwinReport('pr-7', 'preview', { updatedAt: UPDATED }),
      state: 'failed',
      checks: [{ name: 'a|b', passed: false, detail: 'line1\nline2 @octocat <!-- aggrik8s-twin:pr-8 -->' }],
      failure: 'look: ```\n<img src=x>',
    });
    expect(body).toContain(
      '| a\\|b | ❌ failed | line1<br>line2 &#64;octocat &lt;!-- aggrik8s-twin:pr-8 --&gt; |',
    );
    expect(body).toContain('````\nlook: ```\n<img src=x>\n````');
    expect(body.match(/<!-- aggrik8s-twin:/g)).toHaveLength(1);
  });

  it('stays far below the 65536 characters GitHub allows in a comment', () => {
    const body = twinCommentBody({
      ...destroyedTwinReport('pr-7', 'preview', { updatedAt: UPDATED }),
      state: 'failed',
      checks: Array.from({ length: 20 }, (_, i) => ({
        name: `check ${i}`,
        passed: false,
        detail: 'x '.repeat(5000),
      })),
      failure: 'y '.repeat(100_000),
    });
    expect(body.length).toBeLessThan(30_000);
    expect(body).toContain('cut short; the job log has all of it');
  });

  it('refuses a twin name that could break the marker', () => {
    expect(() => twinCommentBody(destroyedTwinReport('pr-7 -->', 'preview', { updatedAt: UPDATED }))).toThrow(
      /not a valid twin name/,
    );
  });
});

describe('redactSecrets', () => {
  it('leaves ordinary text alone', () => {
    const text =
      'node pr-7-east-w-1 NotReady for 30 s; token provided was refused; sha 1111111111111111111111111111111111111111';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('checksFromPlatform', () => {
  const remote = (name: string, ready = true) => ({
    name,
    connected: true,
    ready,
    synced: ready,
    detail: 'ok',
  });
  const report: PlatformReport = {
    mesh: [
      { cluster: 'east', remotes: [remote('west', false), remote('north')] },
      { cluster: 'west', remotes: [remote('east')] },
    ],
    ceph: [
      {
        cluster: 'east',
        health: 'HEALTH_WARN',
        phase: 'Ready',
        mons: 1,
        osds: 3,
        details: ['MON_DOWN: 1/3 mons down', 'POOL_NO_REDUNDANCY: 1 pool(s) have no replicas', 'free text'],
      },
    ],
    checks: [
      {
        id: 'mesh-reach:east->west',
        title: 'x-wing reaches rebel-base in both clusters',
        cluster: 'east',
        passed: false,
        counts: { requests: 20, answered: 20, east: 20, west: 0 },
        evidence: [`pod output with ${GITHUB_TOKEN}`, 'EVIDENCE-LINE'],
      },
    ],
  };

  it('gives one row per mesh pair, per Ceph cluster and per check, with counts in words', () => {
    expect(checksFromPlatform(report)).toEqual([
      {
        name: 'mesh east <-> west',
        passed: false,
        detail: 'east sees west: not ready; west sees east: connected',
      },
      {
        name: 'mesh east <-> north',
        passed: false,
        detail: 'east sees north: connected; north sees east: unknown',
      },
      {
        name: 'Ceph health on east',
        passed: false,
        detail: 'HEALTH_WARN (MON_DOWN, POOL_NO_REDUNDANCY), phase Ready, 1 mon, 3 OSDs',
      },
      {
        name: 'x-wing reaches rebel-base in both clusters',
        passed: false,
        detail: 'from east: east 20, west 0 of 20',
      },
    ]);
  });

  it('says connected when both sides agree, and passes Ceph only on HEALTH_OK', () => {
    const healthy: PlatformReport = {
      mesh: [
        { cluster: 'east', remotes: [remote('west')] },
        { cluster: 'west', remotes: [remote('east'), remote('west')] },
      ],
      ceph: [{ cluster: 'west', health: 'HEALTH_OK', phase: 'Ready', mons: 3, osds: 3, details: [] }],
      checks: [],
    };
    expect(checksFromPlatform(healthy)).toEqual([
      { name: 'mesh east <-> west', passed: true, detail: 'connected' },
      { name: 'Ceph health on west', passed: true, detail: 'HEALTH_OK, phase Ready, 3 mons, 3 OSDs' },
    ]);
  });

  it('reaches the comment escaped and without evidence', () => {
    const body = twinCommentBody(
      twinReportFromOutcome(outcome(), { updatedAt: UPDATED, checks: checksFromPlatform(report) }),
    );
    expect(body).toContain(
      '| mesh east &lt;-&gt; west | ❌ failed | east sees west: not ready; west sees east: connected |',
    );
    expect(body).toContain(
      '| x-wing reaches rebel-base in both clusters | ❌ failed | from east: east 20, west 0 of 20 |',
    );
    expect(body).not.toContain('EVIDENCE-LINE');
    expect(body).not.toContain('free text');
    expect(body).not.toContain(GITHUB_TOKEN);
  });
});
