import * as core from '@actions/core';
import { Outputs } from './action-io.js';
import type { CephHealth, CheckOutcome, PlatformReport } from '../twin/platform.js';
import { formatIpv4, isIpv4, parseIpv4 } from '../util/ipv4.js';
import { countsInWords, meshPairs, pairConnected, pairStates, plural } from './platform-words.js';
import { redactSecrets } from '../util/redact.js';
import { clip, codeBlock, redactedBlock } from './report.js';

/**
 * The meshed platform for people and for later steps: a mermaid picture of the twin, tables for the job
 * summary, compact JSON for action outputs. Free text from the report (Cilium and Ceph messages, check
 * evidence) is redacted on the way in and only ever reaches markdown escaped or inside a code block.
 */

export interface PictureCluster {
  name: string;
  id: number;
  nodes: { name: string; role: string; address: string }[];
}

const MAX_CELL_LENGTH = 300;
const MAX_LABEL_LENGTH = 80;
/** A step summary may hold 1 MiB; this keeps room for every failed check. */
const MAX_EVIDENCE_LENGTH = 20_000;
/** Address spans and failed check ids shown in one box before the rest is counted. */
const MAX_LISTED = 3;

const CLASS_DEFS = [
  '  classDef ok fill:#dafbe1,stroke:#1a7f37,color:#1f2328',
  '  classDef warn fill:#fff8c5,stroke:#9a6700,color:#1f2328',
  '  classDef fail fill:#ffebe9,stroke:#cf222e,color:#1f2328',
];

const CEPH_CLASS: Record<CephHealth, string> = {
  HEALTH_OK: 'ok',
  HEALTH_WARN: 'warn',
  HEALTH_ERR: 'fail',
  UNKNOWN: 'warn',
};

/**
 * A `flowchart LR` of the twin: a subgraph per cluster with one box per node role (never per node, so
 * five clusters stay readable), Ceph's health, the cluster's checks, and one edge per mesh pair.
 */
export function twinMermaid(clusters: PictureCluster[], report: PlatformReport): string {
  const ids = new Map(clusters.map((cluster, index) => [cluster.name, `c${index}`]));
  const lines = ['flowchart LR'];
  clusters.forEach((cluster, index) => lines.push(...clusterSubgraph(cluster, `c${index}`, report)));
  const pairs = meshPairs(report.mesh).filter((pair) => ids.has(pair.first) && ids.has(pair.second));
  for (const pair of pairs) {
    lines.push(`  ${ids.get(pair.first)} <-->|${label(pairStates(pair))}| ${ids.get(pair.second)}`);
  }
  // Edges are numbered in the order they are drawn; only mesh edges are drawn.
  const broken = pairs.flatMap((pair, index) => (pairConnected(pair) ? [] : [index]));
  if (broken.length > 0) lines.push(`  linkStyle ${broken.join(',')} stroke:#cf222e,stroke-dasharray:4`);
  lines.push(...CLASS_DEFS);
  return lines.join('\n');
}

function clusterSubgraph(cluster: PictureCluster, id: string, report: PlatformReport): string[] {
  const boxes = nodeGroups(cluster.nodes).map(
    (group, index) =>
      `${id}n${index}[${label([plural(group.addresses.length, roleWord(group.role)), addressSpans(group.addresses)])}]`,
  );
  if (boxes.length === 0) boxes.push(`${id}n0[${label(['no nodes'])}]`);
  const ceph = report.ceph.find((status) => status.cluster === cluster.name);
  if (ceph) {
    const facts = `${ceph.phase}, ${plural(ceph.mons, 'mon')}, ${plural(ceph.osds, 'OSD')}`;
    boxes.push(`${id}ceph[${label([`Ceph ${ceph.health}`, facts])}]:::${CEPH_CLASS[ceph.health]}`);
  }
  const checks = report.checks.filter((check) => check.cluster === cluster.name);
  if (checks.length > 0) boxes.push(checksBox(`${id}checks`, checks));
  return [
    `  subgraph ${id}[${label([`${cluster.name} (id ${cluster.id})`])}]`,
    ...boxes.map((box) => `    ${box}`),
    '  end',
  ];
}

function checksBox(id: string, checks: CheckOutcome[]): string {
  const failed = checks.filter((check) => !check.passed);
  if (failed.length === 0) return `${id}[${label([`${plural(checks.length, 'check')} passed`])}]:::ok`;
  const heading = `${failed.length} of ${plural(checks.length, 'check')} failed`;
  return `${id}[${label([heading, ...limited(failed.map((check) => check.id))])}]:::fail`;
}

function nodeGroups(nodes: PictureCluster['nodes']): { role: string; addresses: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const node of nodes) groups.set(node.role, [...(groups.get(node.role) ?? []), node.address]);
  return [...groups].map(([role, addresses]) => ({ role, addresses }));
}

function roleWord(role: string): string {
  return role === 'controlplane' ? 'control plane' : role;
}

/** Consecutive addresses as one span: `192.168.15.81-83`; anything that is not IPv4 as it is. */
function addressSpans(addresses: string[]): string {
  const numbers = [...new Set(addresses.filter(isIpv4).map(parseIpv4))].sort((a, b) => a - b);
  const spans: { first: number; last: number }[] = [];
  for (const value of numbers) {
    const previous = spans.at(-1);
    if (previous && value === previous.last + 1) previous.last = value;
    else spans.push({ first: value, last: value });
  }
  const others = [...new Set(addresses.filter((address) => address !== '' && !isIpv4(address)))];
  return limited([...spans.map(formatSpan), ...others]).join(', ');
}

function formatSpan({ first, last }: { first: number; last: number }): string {
  if (first === last) return formatIpv4(first);
  const sameBlock = Math.floor(first / 256) === Math.floor(last / 256);
  return `${formatIpv4(first)}-${sameBlock ? last % 256 : formatIpv4(last)}`;
}

function limited(items: string[]): string[] {
  if (items.length <= MAX_LISTED) return items;
  return [...items.slice(0, MAX_LISTED), `+${items.length - MAX_LISTED} more`];
}

/**
 * A quoted mermaid label, lines joined by `<br/>`. Every character outside a plain set becomes a mermaid
 * entity (`#34;`), so no quote, bracket, pipe, `<`, `>`, `#` or backtick can end the label or the fence.
 */
function label(lines: string[]): string {
  return `"${lines.map(mermaidText).join('<br/>')}"`;
}

function mermaidText(text: string): string {
  const plain = redactSecrets(text).replace(/\s+/g, ' ').trim();
  const short = plain.length <= MAX_LABEL_LENGTH ? plain : `${plain.slice(0, MAX_LABEL_LENGTH - 1)}…`;
  return short.replace(/[^\w .,:/+=!?'()-]/gu, (char) => `#${char.codePointAt(0)};`);
}

/** Plain-text tables, header row first, no empty cells; redacted, not yet escaped for any markup. */
export function platformTables(report: PlatformReport): {
  mesh: string[][];
  ceph: string[][];
  checks: string[][];
} {
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  return {
    mesh: [
      ['Cluster', 'Remote', 'Connected', 'Ready', 'Synced', 'Detail'],
      ...report.mesh.flatMap((status) =>
        status.remotes.length === 0
          ? [[text(status.cluster), '-', '-', '-', '-', 'no remote clusters reported']]
          : status.remotes.map((remote) => [
              text(status.cluster),
              text(remote.name),
              yesNo(remote.connected),
              yesNo(remote.ready),
              yesNo(remote.synced),
              text(remote.detail),
            ]),
      ),
    ],
    ceph: [
      ['Cluster', 'Health', 'Phase', 'Mons', 'OSDs', 'Detail'],
      ...report.ceph.map((status) => [
        text(status.cluster),
        status.health,
        text(status.phase),
        String(status.mons),
        String(status.osds),
        text(status.details.join('; ')) || '-',
      ]),
    ],
    checks: [
      ['Check', 'From', 'Result', 'Counts'],
      ...report.checks.map((check) => [
        text(check.title),
        text(check.cluster),
        check.passed ? '✅ passed' : '❌ failed',
        countsInWords(check.counts) || '-',
      ]),
    ],
  };
}

function text(value: string): string {
  return clip(redactSecrets(value), MAX_CELL_LENGTH);
}

/** Compact JSON for action outputs; no evidence or messages (long, and may carry pod output). */
/** Sets the step outputs mesh, ceph and checks (action-mesh, action-day2, action-provision with platform). */
export function setPlatformOutputs(report: PlatformReport): void {
  const outputs = platformOutputs(report);
  core.setOutput(Outputs.Mesh, outputs.mesh);
  core.setOutput(Outputs.Ceph, outputs.ceph);
  core.setOutput(Outputs.Checks, outputs.checks);
}

export function platformOutputs(report: PlatformReport): { mesh: string; ceph: string; checks: string } {
  const mesh = Object.fromEntries(
    report.mesh.map((status) => [
      status.cluster,
      Object.fromEntries(
        status.remotes.map(({ name, connected, ready, synced }) => [name, { connected, ready, synced }]),
      ),
    ]),
  );
  const ceph = Object.fromEntries(
    report.ceph.map(({ cluster, health, phase, mons, osds }) => [cluster, { health, phase, mons, osds }]),
  );
  const checks = report.checks.map(({ id, cluster, passed, counts }) => ({ id, cluster, passed, counts }));
  return { mesh: JSON.stringify(mesh), ceph: JSON.stringify(ceph), checks: JSON.stringify(checks) };
}

/** The job summary of a mesh or day-2 step: the picture, the tables with rows, failed checks' evidence. */
export async function writePlatformSummary(
  title: string,
  clusters: PictureCluster[],
  report: PlatformReport,
  failure?: string,
): Promise<void> {
  const summary = core.summary.addHeading(html(title), 2);
  // Markdown after an HTML block needs a blank line before it, or it is read as part of the block.
  summary.addRaw(`\n${codeBlock(twinMermaid(clusters, report), 'mermaid')}\n`, true);
  const tables = platformTables(report);
  const sections: [string, string[][]][] = [
    ['Cluster Mesh', tables.mesh],
    ['Ceph', tables.ceph],
    ['Checks', tables.checks],
  ];
  for (const [heading, [columns = [], ...rows]] of sections) {
    if (rows.length === 0) continue;
    summary.addHeading(heading, 3);
    summary.addTable([
      columns.map((data) => ({ data: html(data), header: true })),
      ...rows.map((row) => row.map(html)),
    ]);
  }
  const failed = report.checks.filter((check) => !check.passed);
  if (failed.length > 0) summary.addHeading('Evidence of failed checks', 3);
  for (const check of failed) {
    const evidence = check.evidence.length > 0 ? check.evidence.join('\n') : '(no evidence recorded)';
    summary.addRaw(
      `<p><b>${html(check.id)}</b> from ${html(check.cluster)}: ${html(check.title)}</p>\n\n` +
        `${redactedBlock(evidence, MAX_EVIDENCE_LENGTH)}\n`,
      true,
    );
  }
  if (failure) {
    summary.addHeading('What failed', 3);
    summary.addRaw(`\n${redactedBlock(failure, MAX_EVIDENCE_LENGTH)}\n`, true);
  }
  await summary.write();
}

/** Summary tables and headings are raw HTML: text must not open tags or end the HTML block. */
function html(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\r?\n/g, '<br>');
}
