import type { StepRecord } from '../plan/executor.js';
import { stageTimings } from '../plan/executor.js';
import { validateTwinName } from '../spec/identity.js';
import type { Expiry } from '../twin/expiry.js';
import type { TwinOutcome } from '../twin/outcome.js';
import type { PlatformReport } from '../twin/platform.js';
import type { TwinShare } from '../twin/twin-list.js';
import { redactSecrets } from '../util/redact.js';
import { cephInWords, countsInWords, meshPairs, pairConnected, pairStates } from './platform-words.js';
import type { CommitRef, ReleaseVersions, ReviewerAccessReport } from './report-preview.js';
import { builtFromLines, reachLines } from './report-preview.js';

/**
 * The PR comment of a twin. Only fields chosen here reach it (never kubeconfigs, talosconfigs, tokens or
 * keys), and free text (check details, failures) is redacted and escaped on the way in, because a PR
 * comment is public and can be read by anyone who can read the pull request.
 */

export type TwinState = 'ready' | 'failed' | 'destroyed';

export interface ClusterReport {
  name: string;
  /** The Kubernetes API URL; credentials in it are dropped. */
  apiUrl: string;
  nodes: number;
  /** `undefined` when nobody could ask the cluster. */
  nodesReady?: number;
}

export interface StageReport {
  stage: string;
  seconds: number;
  steps: number;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  detail?: string;
}

export interface TwinReport {
  twin: string;
  environment: string;
  state: TwinState;
  slot?: number;
  clusters: ClusterReport[];
  stages: StageReport[];
  checks: CheckResult[];
  /** What failed, one cause per line. */
  failure?: string;
  /** The workflow run that wrote the report. */
  runUrl?: string;
  /** What the twin takes of the lab, as Proxmox showed it after the apply. */
  share?: TwinShare;
  /** When the reaper destroys it for its age, as its slot's claim recorded its last apply. */
  expiry?: Expiry;
  /** The commit the twin was built from (a pull request's head). */
  commit?: CommitRef;
  releases?: ReleaseVersions;
  /** The read-only kubeconfig the run made for reviewers, if it made one. */
  reviewerAccess?: ReviewerAccessReport;
  updatedAt: Date;
}

/** The first line of a twin's comment: how the comment is found again, invisible when rendered. */
export function twinCommentMarker(twin: string): string {
  return `<!-- aggrik8s-twin:${validateTwinName(twin)} -->`;
}

/**
 * The report of an apply. Nodes count as Ready when `readyNodes` says so, else all of them when the apply
 * succeeded (its last gate waits for every node Ready), else unknown.
 */
export function twinReportFromOutcome(
  outcome: TwinOutcome,
  extra: {
    updatedAt: Date;
    checks?: CheckResult[];
    readyNodes?: Record<string, number>;
    runUrl?: string;
    share?: TwinShare;
    expiry?: Expiry;
    releases?: ReleaseVersions;
  },
): TwinReport {
  return {
    twin: outcome.twin,
    environment: outcome.environment,
    state: outcome.ok ? 'ready' : 'failed',
    slot: outcome.slot,
    clusters: outcome.clusters.map((cluster) => {
      const nodesReady = extra.readyNodes?.[cluster.name] ?? (outcome.ok ? cluster.nodes.length : undefined);
      return {
        name: cluster.name,
        apiUrl: cluster.endpoint,
        nodes: cluster.nodes.length,
        ...(nodesReady === undefined ? {} : { nodesReady }),
      };
    }),
    stages: stageReports(outcome.records),
    checks: extra.checks ?? [],
    ...(outcome.failure ? { failure: outcome.failure } : {}),
    ...(extra.runUrl ? { runUrl: extra.runUrl } : {}),
    ...(extra.share ? { share: extra.share } : {}),
    ...(extra.releases ? { releases: extra.releases } : {}),
    ...(extra.expiry ? { expiry: extra.expiry } : {}),
    updatedAt: extra.updatedAt,
  };
}

/** Each stage's wall time and step count, in the order the stages started. */
export function stageReports(records: StepRecord[]): StageReport[] {
  return stageTimings(records).map((stage) => ({
    stage: stage.stage,
    seconds: (stage.endedAt - stage.startedAt) / 1000,
    steps: stage.steps,
  }));
}

/**
 * The report after action-mesh or action-day2: what the previous step reported (clusters, slot, share and
 * expiry, earlier stages), this step's stages in place of any earlier ones of the same name, every platform
 * check so far, the releases and, from action-day2, the reviewer kubeconfig it made.
 */
export function platformTwinReport(
  previous: TwinReport | undefined,
  step: {
    twin: string;
    environment: string;
    clusters: { name: string; endpoint: string; nodes: unknown[] }[];
    records: StepRecord[];
    platform: PlatformReport;
    failure?: string;
    releases?: ReleaseVersions;
    reviewerAccess?: ReviewerAccessReport;
  },
): Omit<TwinReport, 'updatedAt'> {
  const stages = stageReports(step.records);
  const replaced = new Set(stages.map((stage) => stage.stage));
  return {
    twin: step.twin,
    environment: step.environment,
    state: step.failure === undefined ? 'ready' : 'failed',
    ...(previous?.slot === undefined ? {} : { slot: previous.slot }),
    ...(previous?.share ? { share: previous.share } : {}),
    ...(previous?.expiry ? { expiry: previous.expiry } : {}),
    clusters:
      previous?.clusters ??
      step.clusters.map((cluster) => ({
        name: cluster.name,
        apiUrl: cluster.endpoint,
        nodes: cluster.nodes.length,
      })),
    stages: [...(previous?.stages ?? []).filter((stage) => !replaced.has(stage.stage)), ...stages],
    checks: checksFromPlatform(step.platform),
    ...(step.failure === undefined ? {} : { failure: step.failure }),
    ...(step.releases ? { releases: step.releases } : {}),
    ...(previous?.expiry ? { expiry: previous.expiry } : {}),
    ...(step.reviewerAccess ? { reviewerAccess: step.reviewerAccess } : {}),
  };
}

export function destroyedTwinReport(
  twin: string,
  environment: string,
  extra: { updatedAt: Date; runUrl?: string },
): TwinReport {
  return {
    twin,
    environment,
    state: 'destroyed',
    clusters: [],
    stages: [],
    checks: [],
    ...(extra.runUrl ? { runUrl: extra.runUrl } : {}),
    updatedAt: extra.updatedAt,
  };
}

/**
 * The comment's rows for mesh and day-2 results: one per mesh pair, one per cluster for Ceph health, one
 * per check. Details are counts in words, never evidence: evidence may carry pod output.
 */
export function checksFromPlatform(report: PlatformReport): CheckResult[] {
  return [
    ...meshPairs(report.mesh).map((pair) => ({
      name: `mesh ${pair.first} <-> ${pair.second}`,
      passed: pairConnected(pair),
      detail: pairStates(pair).join('; '),
    })),
    ...report.ceph.map((status) => ({
      name: `Ceph health on ${status.cluster}`,
      passed: status.health === 'HEALTH_OK',
      detail: cephInWords(status),
    })),
    ...report.checks.map((check) => {
      const counts = countsInWords(check.counts);
      return {
        name: check.title,
        passed: check.passed,
        detail: `from ${check.cluster}${counts ? `: ${counts}` : ''}`,
      };
    }),
  ];
}

const HEADLINE: Record<TwinState, string> = {
  ready: '✅ ready',
  failed: '❌ failed',
  destroyed: '🗑️ destroyed',
};

export function twinCommentBody(report: TwinReport): string {
  const lines = [
    twinCommentMarker(report.twin),
    `### Twin \`${report.twin}\`: ${HEADLINE[report.state]}`,
    '',
    [
      `Environment **${cell(report.environment)}**`,
      report.slot === undefined ? '' : `, slot ${report.slot}`,
      '.',
      report.runUrl ? runLink(report.runUrl) : '',
    ].join(''),
  ];
  if (report.state === 'destroyed') {
    lines.push('', 'Its VMs, slot pool and stored credentials are gone.');
  } else {
    for (const fact of builtFromLines(report)) lines.push('', fact);
    const lab = [report.share && shareInWords(report.share), report.expiry && expiryInWords(report.expiry)];
    if (lab.some(Boolean)) lines.push('', lab.filter(Boolean).join(' '));
  }
  if (report.clusters.length > 0) {
    lines.push('', '| Cluster | Kubernetes API | Nodes Ready |', '| --- | --- | --- |');
    for (const cluster of report.clusters) {
      const ready = cluster.nodesReady === undefined ? 'unknown' : String(cluster.nodesReady);
      lines.push(`| ${cell(cluster.name)} | ${apiUrlCell(cluster.apiUrl)} | ${ready}/${cluster.nodes} |`);
    }
    if (report.state !== 'destroyed') lines.push(...reachLines(report.reviewerAccess));
  }
  if (report.stages.length > 0) {
    lines.push('', '**Stage timings**', '', '| Stage | Took | Steps |', '| --- | --- | --- |');
    for (const stage of report.stages) {
      lines.push(`| ${cell(stage.stage)} | ${stage.seconds.toFixed(1)} s | ${stage.steps} |`);
    }
  }
  if (report.checks.length > 0) {
    lines.push('', '**Checks**', '', '| Check | Result | Detail |', '| --- | --- | --- |');
    for (const check of report.checks) {
      const result = check.passed ? '✅ passed' : '❌ failed';
      lines.push(`| ${cell(check.name)} | ${result} | ${cell(check.detail ?? '')} |`);
    }
  }
  if (report.failure) {
    const failure = redactedBlock(report.failure, MAX_FAILURE_LENGTH);
    lines.push('', '<details><summary>What failed</summary>', '', failure, '</details>');
  }
  lines.push('', `<sub>Updated ${report.updatedAt.toISOString()}</sub>`);
  return lines.join('\n');
}

/** The twin's share of the lab in one sentence: the PR comment's and the job summary's. */
export function shareInWords(share: TwinShare): string {
  const disk = share.diskGiB === undefined ? 'disk the token cannot see' : `${share.diskGiB} GiB of disk`;
  return (
    `Its share of the lab: ${share.vms} VM(s) (${share.running} running), ${share.cores} cores, ` +
    `${(share.memoryMiB / 1024).toFixed(1)} GiB of memory, ${disk}.`
  );
}

/**
 * When the reaper destroys the twin, in one sentence; undefined for production and for a claim with no time
 * (the reaper keeps such a twin). The keep label comes from the spec, so it is escaped like any cell.
 */
export function expiryInWords(expiry: Expiry): string | undefined {
  if (expiry.kind === 'long-lived')
    return 'A long-lived preview (environments.preview.longLived): never destroyed for its age.';
  if (expiry.kind === 'never' || expiry.at === undefined) return undefined;
  const unless =
    expiry.keepLabel === undefined
      ? 'unless applied again'
      : `unless pushed again or labelled "${cell(expiry.keepLabel)}"`;
  const at = expiry.at.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2 UTC');
  return `Destroyed after ${at} ${unless} (environments.preview.ttlHours: ${expiry.ttlHours} h from the last apply).`;
}

/** GitHub refuses comments over 65536 characters; these keep a report well below that. */
const MAX_FAILURE_LENGTH = 10_000;
const MAX_CELL_LENGTH = 300;

/** One table cell of free text: no secrets, no HTML, no line breaks, no @mentions that would ping. */
function cell(text: string): string {
  return clip(redactSecrets(text), MAX_CELL_LENGTH)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/@/g, '&#64;')
    .replace(/\r?\n/g, '<br>');
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (cut short; the job log has all of it)`;
}

/**
 * Free text that may quote tools, pods or the spec (a failure, a check's evidence) as a summary or comment
 * shows it: credentials redacted, cut at `max`, in a fence it cannot close.
 */
export function redactedBlock(text: string, max: number): string {
  return codeBlock(clip(redactSecrets(text), max));
}

/** A fence longer than any run of backticks inside, so the text cannot close it. */
export function codeBlock(text: string, language = ''): string {
  const longestRun = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** The API address without user, password, query or fragment: never a credential. */
function apiUrlCell(url: string): string {
  try {
    const parsed = new URL(url);
    return `\`${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}\``;
  } catch {
    return cell(url);
  }
}

/** A link to the run, only for a plain http(s) URL; parentheses encoded so the link cannot end early. */
function runLink(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '';
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password) return '';
  return ` [Workflow run](${parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}
