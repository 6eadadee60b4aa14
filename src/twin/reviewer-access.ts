import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kubectl } from '../kube/kubectl.js';
import { manifestsYaml } from '../kube/objects.js';
import type { ReviewerContext } from '../kube/reviewer-rbac.js';
import { freshWorkDir } from '../util/work-dir.js';
import {
  REVIEWER_ACCOUNT,
  apiServerOf,
  reviewerKubeconfig,
  reviewerManifests,
  tokenExpiry,
} from '../kube/reviewer-rbac.js';

/**
 * Read-only access to a twin for people who review it: in every cluster the reviewer account, its Role and
 * RoleBinding in the given namespaces (applied, so a later run changes nothing), then a token of the account
 * for a bounded time, all in one kubeconfig (a context per cluster), readable by its owner only.
 */

/** The most a reviewer token is asked for, however long the preview lives: a week. */
export const MAX_REVIEWER_TOKEN_SECONDS = 7 * 24 * 3600;
/** The least the API server grants a TokenRequest (ValidateTokenRequest: 10 minutes). */
export const MIN_REVIEWER_TOKEN_SECONDS = 600;

export interface ReviewerCluster {
  name: string;
  /** The admin kubeconfig's path: its server and CA go into the reviewer's, never its credentials. */
  kubeconfig: string;
  kubectl: Kubectl;
}

export interface ReviewerAccessRequest {
  twin: string;
  namespaces: string[];
  /** How long the tokens are asked for. */
  seconds: number;
  /** A private folder, emptied first: the kubeconfig goes there, the manifests into a folder inside. */
  dir: string;
}

export interface ReviewerAccessGrant {
  /** The kubeconfig's path. */
  file: string;
  /** Its contexts: the clusters' names. */
  contexts: string[];
  namespaces: string[];
  /** When the first of its tokens stops working. */
  expiresAt: Date;
}

/**
 * Seconds from now to the end of the twin's TTL (counted from its last apply), at most a week; undefined
 * when less than the 10 minutes a token needs is left.
 */
export function reviewerTokenSeconds(appliedAt: Date, ttlHours: number, now: Date): number | undefined {
  const left = Math.floor((appliedAt.getTime() + ttlHours * 3_600_000 - now.getTime()) / 1000);
  if (left < MIN_REVIEWER_TOKEN_SECONDS) return undefined;
  return Math.min(left, MAX_REVIEWER_TOKEN_SECONDS);
}

/** `mask` gets each token the moment it exists, before it is written anywhere. */
export async function grantReviewerAccess(
  clusters: ReviewerCluster[],
  request: ReviewerAccessRequest,
  mask: (secret: string) => void,
): Promise<ReviewerAccessGrant> {
  const [home = ''] = request.namespaces;
  const manifests = join(request.dir, 'manifests');
  await freshWorkDir(request.dir);
  await mkdir(manifests, { mode: 0o700 });
  const contexts: ReviewerContext[] = [];
  const expiries: Date[] = [];
  for (const cluster of clusters) {
    const manifest = join(manifests, `${cluster.name}-reviewer-access.yaml`);
    await writeFile(manifest, manifestsYaml(reviewerManifests(request.namespaces)), { mode: 0o600 });
    await cluster.kubectl.apply(manifest);
    const token = await cluster.kubectl.createToken(REVIEWER_ACCOUNT, home, request.seconds);
    mask(token);
    expiries.push(tokenExpiry(token) ?? new Date(Date.now() + request.seconds * 1000));
    contexts.push({
      name: cluster.name,
      api: apiServerOf(await readFile(cluster.kubeconfig, 'utf8')),
      token,
    });
  }
  const file = join(request.dir, `${request.twin}-reviewer.kubeconfig`);
  await writeFile(file, reviewerKubeconfig(contexts, home), { mode: 0o600 });
  return {
    file,
    contexts: contexts.map((context) => context.name),
    namespaces: request.namespaces,
    expiresAt: new Date(Math.min(...expiries.map((date) => date.getTime()))),
  };
}
