import type { TwinSpec } from '../spec/schema.js';

/**
 * The parts of a twin's PR comment that tell a reviewer what they look at and how to get in: the commit it
 * was built from, the releases it runs, when a preview goes away, and how to reach it (the API endpoints,
 * and the read-only kubeconfig artifact when the run made one). Only validated names and versions reach
 * the comment; a value that does not look like one is left out rather than escaped.
 */

export interface ReleaseVersions {
  talos: string;
  kubernetes: string;
  cilium: string;
  /** The Rook charts' version, when Rook is enabled. */
  rook?: string;
}

export interface CommitRef {
  sha: string;
  /** The commit's page on GitHub. */
  url?: string;
}

/** Where a reviewer finds the read-only kubeconfig: an artifact of the run that made it. */
export interface ReviewerAccessReport {
  /** owner/name of the repository the run belongs to. */
  repository: string;
  runId: string;
  artifact: string;
  /** The kubeconfig's file name inside the artifact. */
  file: string;
  /** Its contexts: one per cluster. */
  contexts: string[];
  namespaces: string[];
  /** When its tokens stop working. */
  expiresAt: string;
}

export function releasesOf(spec: TwinSpec): ReleaseVersions {
  return {
    talos: spec.talos.version,
    kubernetes: spec.talos.kubernetesVersion,
    cilium: spec.cilium.version,
    ...(spec.addons.rook.enabled ? { rook: spec.addons.rook.version } : {}),
  };
}

const PLAIN = /^[\w.+:@/-]+$/;
const SHA = /^[0-9a-f]{7,40}$/;

/** `Built from <commit> · Talos … · Kubernetes … · Cilium … · Rook …`, as far as known. */
export function builtFromLines(facts: { commit?: CommitRef; releases?: ReleaseVersions }): string[] {
  const { commit, releases } = facts;
  const parts = [
    ...(commit && SHA.test(commit.sha) ? [`Built from ${commitLink(commit)}`] : []),
    ...(releases ? releaseWords(releases) : []),
  ];
  return parts.length > 0 ? [parts.join(' · ')] : [];
}

function commitLink(commit: CommitRef): string {
  const short = `\`${commit.sha.slice(0, 7)}\``;
  return commit.url && /^https:\/\/[\w.:/-]+$/.test(commit.url) ? `[${short}](${commit.url})` : short;
}

function releaseWords(releases: ReleaseVersions): string[] {
  const named: [string, string | undefined][] = [
    ['Talos', releases.talos],
    ['Kubernetes', releases.kubernetes],
    ['Cilium', releases.cilium],
    ['Rook', releases.rook],
  ];
  return named
    .filter((entry): entry is [string, string] => entry[1] !== undefined && PLAIN.test(entry[1]))
    .map(([name, version]) => `${name} ${version}`);
}

/** The "How to reach it" section: the endpoints above, and the reviewer kubeconfig when there is one. */
export function reachLines(access: ReviewerAccessReport | undefined): string[] {
  const lines = [
    '',
    '**How to reach it**',
    '',
    "Each cluster's Kubernetes API is in the table above; its admin credentials stay with the lab runners.",
  ];
  if (!access || !isPlainAccess(access)) return lines;
  const [context = ''] = access.contexts;
  const [namespace = ''] = access.namespaces;
  const quoted = (names: string[]) => names.map((name) => `\`${name}\``).join(', ');
  lines.push(
    '',
    `A read-only kubeconfig for namespace(s) ${quoted(access.namespaces)} (contexts ${quoted(access.contexts)}; ` +
      `its tokens work until ${utcMinute(access.expiresAt)}) is artifact \`${access.artifact}\` of run ` +
      `${access.runId}, for anyone who may download this repository's artifacts:`,
    '',
    '```sh',
    `gh run download ${access.runId} -R ${access.repository} -n ${access.artifact}`,
    `kubectl --kubeconfig ${access.file} --context ${context} get pods -n ${namespace}`,
    '```',
  );
  return lines;
}

/** Every field is a name the action validated; anything else keeps the commands out of the comment. */
function isPlainAccess(access: ReviewerAccessReport): boolean {
  const words = [access.repository, access.runId, access.artifact, access.file];
  return [...words, ...access.contexts, ...access.namespaces].every((word) => PLAIN.test(word));
}

function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}
