import * as core from '@actions/core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  platformOutputs,
  platformTables,
  twinMermaid,
  writePlatformSummary,
  type PictureCluster,
} from '../../src/github/platform-report.js';
import type { CheckOutcome, PlatformReport, RemoteClusterStatus } from '../../src/twin/platform.js';

const GITHUB_TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

function cluster(
  name: string,
  id: number,
  firstAddress: number,
  controlPlanes = 3,
  workers = 3,
): PictureCluster {
  const node = (role: string, index: number, offset: number) => ({
    name: `pr-7-${name}-${role === 'controlplane' ? 'cp' : 'w'}-${index}`,
    role,
    address: `192.168.15.${firstAddress + offset}`,
  });
  return {
    name,
    id,
    nodes: [
      ...Array.from({ length: controlPlanes }, (_, i) => node('controlplane', i + 1, i)),
      ...Array.from({ length: workers }, (_, i) => node('worker', i + 1, controlPlanes + i)),
    ],
  };
}

function remote(name: string, overrides: Partial<RemoteClusterStatus> = {}): RemoteClusterStatus {
  return {
    name,
    connected: true,
    ready: true,
    synced: true,
    detail: `${name}: ready, 3 nodes`,
    ...overrides,
  };
}

function check(overrides: Partial<CheckOutcome> = {}): CheckOutcome {
  return {
    id: 'mesh-reach:east->west',
    title: 'x-wing reaches rebel-base in both clusters',
    cluster: 'east',
    passed: true,
    counts: { requests: 20, answered: 20, east: 9, west: 11 },
    evidence: ['kubectl exec x-wing -- curl rebel-base (20 times)'],
    ...overrides,
  };
}

const EAST = cluster('east', 1, 81);
const WEST = cluster('west', 2, 91);

function healthyReport(): PlatformReport {
  return {
    mesh: [
      { cluster: 'east', remotes: [remote('west')] },
      { cluster: 'west', remotes: [remote('east')] },
    ],
    ceph: [
      { cluster: 'east', health: 'HEALTH_OK', phase: 'Ready', mons: 3, osds: 3, details: [] },
      {
        cluster: 'west',
        health: 'HEALTH_WARN',
        phase: 'Ready',
        mons: 1,
        osds: 3,
        details: ['MON_DOWN: 1/3 mons down, quorum a'],
      },
    ],
    checks: [check()],
  };
}

/** The text of every quoted label, with the line breaks the picture itself puts in. */
function labels(picture: string): string[] {
  return [...picture.matchAll(/"([^"\n]*)"/g)].map((match) => match[1] ?? '');
}

describe('twinMermaid', () => {
  it('draws each cluster as a subgraph of role boxes, Ceph and checks, with one edge per mesh pair', () => {
    expect(twinMermaid([EAST, WEST], healthyReport())).toBe(
      [
        'flowchart LR',
        '  subgraph c0["east (id 1)"]',
        '    c0n0["3 control planes<br/>192.168.15.81-83"]',
        '    c0n1["3 workers<br/>192.168.15.84-86"]',
        '    c0ceph["Ceph HEALTH_OK<br/>Ready, 3 mons, 3 OSDs"]:::ok',
        '    c0checks["1 check passed"]:::ok',
        '  end',
        '  subgraph c1["west (id 2)"]',
        '    c1n0["3 control planes<br/>192.168.15.91-93"]',
        '    c1n1["3 workers<br/>192.168.15.94-96"]',
        '    c1ceph["Ceph HEALTH_WARN<br/>Ready, 1 mon, 3 OSDs"]:::warn',
        '  end',
        '  c0 <-->|"connected"| c1',
        '  classDef ok fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
        '  classDef warn fill:#fff8c5,stroke:#9a6700,color:#1f2328',
        '  classDef fail fill:#ffebe9,stroke:#cf222e,color:#1f2328',
      ].join('\n'),
    );
  });

  it('labels a broken pair with what each side sees, styles it, and marks failed checks on their cluster', () => {
    const report: PlatformReport = {
      mesh: [{ cluster: 'east', remotes: [remote('west', { ready: false, synced: false })] }],
      ceph: [{ cluster: 'west', health: 'HEALTH_ERR', phase: 'Failure', mons: 0, osds: 0, details: [] }],
      checks: [
        check(),
        ...['a', 'b', 'c', 'd'].map((suffix) => check({ id: `starwars-${suffix}:east`, passed: false })),
      ],
    };
    const picture = twinMermaid([EAST, WEST], report);
    expect(picture).toContain('  c0 <-->|"east sees west: not ready<br/>west sees east: unknown"| c1');
    expect(picture).toContain('  linkStyle 0 stroke:#cf222e,stroke-dasharray:4');
    expect(picture).toContain(
      '    c0checks["4 of 5 checks failed<br/>starwars-a:east<br/>starwars-b:east<br/>starwars-c:east<br/>+1 more"]:::fail',
    );
    expect(picture).toContain('    c1ceph["Ceph HEALTH_ERR<br/>Failure, 0 mons, 0 OSDs"]:::fail');
    expect(picture).not.toContain('c0ceph');
    expect(picture).not.toContain('c1checks');
  });

  it('draws no edge where no side reports the mesh, and none to a cluster outside the picture', () => {
    const report: PlatformReport = {
      mesh: [{ cluster: 'east', remotes: [remote('elsewhere')] }],
      ceph: [],
      checks: [],
    };
    const picture = twinMermaid([EAST, WEST], report);
    expect(picture).not.toContain('<-->');
    expect(picture).not.toContain('linkStyle');
  });

  it('stays compact: two boxes for 2x6 nodes, ten edges for five fully meshed clusters', () => {
    const names = ['east', 'west', 'north', 'south', 'core'];
    const clusters = names.map((name, index) => cluster(name, index + 1, 10 + index * 20, 6, 6));
    const report: PlatformReport = {
      mesh: names.map((name) => ({
        cluster: name,
        remotes: names.filter((other) => other !== name).map((other) => remote(other)),
      })),
      ceph: [],
      checks: [],
    };
    const picture = twinMermaid(clusters, report);
    expect(picture).toContain('    c0n0["6 control planes<br/>192.168.15.10-15"]');
    expect(picture).toContain('    c0n1["6 workers<br/>192.168.15.16-21"]');
    expect(picture.match(/^ {4}c\d+n\d+\[/gm)).toHaveLength(10);
    expect(picture.match(/<-->/g)).toHaveLength(10);
    expect(picture).not.toContain('pr-7-east-cp-1');
  });

  it('writes gaps, spans across address blocks and anything that is not IPv4 as they are', () => {
    const nodes = ['10.0.0.1', '10.0.0.2', '10.0.0.5', '10.0.0.255', '10.0.1.0', 'pending'].map(
      (address, index) => ({ name: `n${index}`, role: 'worker', address }),
    );
    const picture = twinMermaid([{ name: 'edge', id: 3, nodes: nodes.slice(0, 5) }], {
      mesh: [],
      ceph: [],
      checks: [],
    });
    expect(picture).toContain('c0n0["5 workers<br/>10.0.0.1-2, 10.0.0.5, 10.0.0.255-10.0.1.0"]');
    const crowded = twinMermaid(
      [{ name: 'edge', id: 3, nodes: [...nodes, { ...nodes[0]!, address: '10.0.0.9' }] }],
      {
        mesh: [],
        ceph: [],
        checks: [],
      },
    );
    expect(crowded).toContain('c0n0["7 workers<br/>10.0.0.1-2, 10.0.0.5, 10.0.0.9, +2 more"]');
  });

  it('shows a cluster without nodes as one box, so its subgraph is never empty', () => {
    const picture = twinMermaid([{ name: 'east', id: 1, nodes: [] }], { mesh: [], ceph: [], checks: [] });
    expect(picture).toContain('  subgraph c0["east (id 1)"]\n    c0n0["no nodes"]\n  end');
  });

  it('escapes whatever could end a label, a statement or the fence, and redacts secrets', () => {
    const hostile = 'ev"il] |x| <b>#quot;`%%{init}; ' + GITHUB_TOKEN;
    const report: PlatformReport = {
      mesh: [
        { cluster: hostile, remotes: [remote('west', { connected: false })] },
        { cluster: 'west', remotes: [remote(hostile)] },
      ],
      ceph: [{ cluster: hostile, health: 'UNKNOWN', phase: 'a]b"c', mons: 0, osds: 0, details: [] }],
      checks: [check({ cluster: hostile, id: 'mesh-reach:"]|<x>', passed: false })],
    };
    const picture = twinMermaid([{ ...EAST, name: hostile }, WEST], report);
    expect(picture).not.toContain(GITHUB_TOKEN);
    expect(picture).not.toContain('`');
    expect(picture).toContain(
      'ev#34;il#93; #124;x#124; #60;b#62;#35;quot#59;#96;#37;#37;#123;init#125;#59; #91;redacted#93;',
    );
    for (const text of labels(picture)) {
      expect(text.replaceAll('<br/>', '').replace(/#\d+;/g, '')).not.toMatch(/[[\]|<>"`;{}#%&]/);
    }
    // Every statement still sits on its own line: nothing in a label started a new one.
    expect(picture.split('\n')).toHaveLength(16);
    expect(picture).toContain('c0ceph["Ceph UNKNOWN<br/>a#93;b#34;c, 0 mons, 0 OSDs"]:::warn');
  });
});

describe('platformTables', () => {
  it('gives header rows first and one row per remote, Ceph cluster and check', () => {
    const report = healthyReport();
    report.mesh.push({ cluster: 'north', remotes: [] });
    report.checks.push(
      check({
        id: 'starwars-failover:west',
        cluster: 'west',
        passed: false,
        counts: { requests: 20, answered: 18 },
      }),
    );
    expect(platformTables(report)).toEqual({
      mesh: [
        ['Cluster', 'Remote', 'Connected', 'Ready', 'Synced', 'Detail'],
        ['east', 'west', 'yes', 'yes', 'yes', 'west: ready, 3 nodes'],
        ['west', 'east', 'yes', 'yes', 'yes', 'east: ready, 3 nodes'],
        ['north', '-', '-', '-', '-', 'no remote clusters reported'],
      ],
      ceph: [
        ['Cluster', 'Health', 'Phase', 'Mons', 'OSDs', 'Detail'],
        ['east', 'HEALTH_OK', 'Ready', '3', '3', '-'],
        ['west', 'HEALTH_WARN', 'Ready', '1', '3', 'MON_DOWN: 1/3 mons down, quorum a'],
      ],
      checks: [
        ['Check', 'From', 'Result', 'Counts'],
        ['x-wing reaches rebel-base in both clusters', 'east', '✅ passed', 'east 9, west 11 of 20'],
        ['x-wing reaches rebel-base in both clusters', 'west', '❌ failed', '18 of 20 answered'],
      ],
    });
  });

  it('puts counts in words whatever keys a check reports', () => {
    const counts = (values: Record<string, number>) =>
      platformTables({ mesh: [], ceph: [], checks: [check({ counts: values })] }).checks[1]?.[3];
    expect(counts({ requests: 20, answered: 18, east: 9, west: 9 })).toBe(
      'east 9, west 9 of 20 (18 answered)',
    );
    expect(counts({ requests: 5 })).toBe('5 requests');
    expect(counts({ pods: 3, answered: 2 })).toBe('pods 3, 2 answered');
    expect(counts({})).toBe('-');
  });

  it('redacts and clips free text', () => {
    const report: PlatformReport = {
      mesh: [
        {
          cluster: 'east',
          remotes: [remote('west', { detail: `token=${GITHUB_TOKEN} ${'x '.repeat(250)}` })],
        },
      ],
      ceph: [],
      checks: [],
    };
    const detail = platformTables(report).mesh[1]?.[5] ?? '';
    expect(detail).not.toContain(GITHUB_TOKEN);
    expect(detail).toContain('token=[redacted]');
    expect(detail).toContain('cut short');
  });
});

describe('platformOutputs', () => {
  it('is compact JSON without evidence or messages', () => {
    const report = healthyReport();
    report.checks[0]!.evidence = ['pod said: SECRET-ISH OUTPUT'];
    const outputs = platformOutputs(report);
    expect(outputs.mesh).toBe(
      '{"east":{"west":{"connected":true,"ready":true,"synced":true}},"west":{"east":{"connected":true,"ready":true,"synced":true}}}',
    );
    expect(outputs.ceph).toBe(
      '{"east":{"health":"HEALTH_OK","phase":"Ready","mons":3,"osds":3},"west":{"health":"HEALTH_WARN","phase":"Ready","mons":1,"osds":3}}',
    );
    expect(outputs.checks).toBe(
      '[{"id":"mesh-reach:east->west","cluster":"east","passed":true,"counts":{"requests":20,"answered":20,"east":9,"west":11}}]',
    );
    expect(Object.values(outputs).join('')).not.toMatch(/SECRET-ISH|MON_DOWN|ready, 3 nodes/);
  });

  it('is empty JSON for an empty report', () => {
    expect(platformOutputs({ mesh: [], ceph: [], checks: [] })).toEqual({
      mesh: '{}',
      ceph: '{}',
      checks: '[]',
    });
  });
});

describe('writePlatformSummary', () => {
  // core.summary keeps the first path it was given, so every test writes to the same file.
  const dir = mkdtempSync(join(tmpdir(), 'platform-summary-'));
  const file = join(dir, 'summary.md');
  const previous = process.env.GITHUB_STEP_SUMMARY;

  beforeEach(() => {
    writeFileSync(file, '');
    process.env.GITHUB_STEP_SUMMARY = file;
    core.summary.emptyBuffer();
  });

  afterEach(() => {
    core.summary.emptyBuffer();
  });

  afterAll(() => {
    if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  /** The markdown outside fenced code blocks: where raw HTML would take effect. */
  function outsideFences(markdown: string): string {
    return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
  }

  it('writes the heading, the picture as a mermaid block and the tables that have rows', async () => {
    const report = healthyReport();
    report.ceph = [];
    await writePlatformSummary('Mesh of twin pr-7', [EAST, WEST], report);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown.startsWith('<h2>Mesh of twin pr-7</h2>')).toBe(true);
    expect(markdown).toContain(`\n\n\`\`\`mermaid\n${twinMermaid([EAST, WEST], report)}\n\`\`\`\n`);
    expect(markdown).toContain('<h3>Cluster Mesh</h3>');
    expect(markdown).toContain('<tr><th>Cluster</th><th>Remote</th>');
    expect(markdown).toContain('<tr><td>east</td><td>west</td><td>yes</td>');
    expect(markdown).toContain('<td>east 9, west 11 of 20</td>');
    expect(markdown).not.toContain('<h3>Ceph</h3>');
    expect(markdown).not.toContain('Evidence of failed checks');
    expect(markdown).not.toContain('What failed');
  });

  it('shows failed checks with their evidence in a fence it cannot close, and nothing raw or secret', async () => {
    const report = healthyReport();
    report.mesh[0]!.remotes[0]!.detail = '<img src=x onerror=alert(1)>\n\nnew paragraph';
    report.checks.push(
      check({
        id: 'starwars-failover:west',
        title: 'rebel-base <b>answers</b>',
        cluster: 'west',
        passed: false,
        evidence: [
          '$ kubectl logs',
          'look: ```',
          '<script>alert(1)</script>',
          `Authorization: Bearer ${GITHUB_TOKEN}`,
        ],
      }),
    );
    await writePlatformSummary(
      'Day 2 of <pr-7>',
      [EAST, WEST],
      report,
      'stage day2: check failed\n```\n<img src=y>',
    );
    const markdown = readFileSync(file, 'utf8');
    expect(markdown).toContain('<h2>Day 2 of &lt;pr-7&gt;</h2>');
    expect(markdown).toContain('<h3>Evidence of failed checks</h3>');
    expect(markdown).toContain(
      '<p><b>starwars-failover:west</b> from west: rebel-base &lt;b&gt;answers&lt;/b&gt;</p>\n\n' +
        '````\n$ kubectl logs\nlook: ```\n<script>alert(1)</script>\nAuthorization: Bearer [redacted]\n````\n',
    );
    expect(markdown).toContain(
      '<h3>What failed</h3>\n\n````\nstage day2: check failed\n```\n<img src=y>\n````\n',
    );
    expect(markdown).toContain('<td>&lt;img src=x onerror=alert(1)&gt;<br><br>new paragraph</td>');
    expect(markdown).not.toContain(GITHUB_TOKEN);
    expect(markdown).toContain('<td>east</td><td>HEALTH_OK</td><td>Ready</td><td>3</td><td>3</td><td>-</td>');
    const outside = outsideFences(markdown);
    expect(outside).not.toMatch(/<(script|img|b>answers)/);
    expect(outside).not.toContain('\n\nnew paragraph');
  });
});
