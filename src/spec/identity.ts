import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import { echoed } from '../util/echo.js';

/**
 * Twin names and every name derived from them. Names come from the GitHub context or a strictly
 * validated input, never from raw user text, and each derived name fits the rule of the system it meets.
 */

/** The parts of @actions/github's context we read; a plain object in tests. */
export type GitHubContextLike = {
  eventName: string;
  ref?: string;
  payload?: { pull_request?: { number: number }; number?: number; inputs?: Record<string, unknown> };
  inputs?: Record<string, string>;
};

export type NodeRole = 'controlplane' | 'worker';

export const TWIN_NAME_REGEX = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
/** PVE-COMMON pve_verify_dns_name (the `name` of a VM), one label of it. */
export const DNS_NAME_REGEX =
  /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
/** PVE-COMMON $PVE_TAG_RE; PVE matches it case-insensitively but lower-cases on write, so we stay lower-case. */
export const TAG_REGEX = /^[a-z0-9_][a-z0-9_\-+.]*$/;
/** pve-access-control verify_poolname: up to three levels joined by `/`. */
export const POOL_ID_REGEX = /^[A-Za-z0-9.\-_]+(?:\/[A-Za-z0-9.\-_]+){0,2}$/;

const MAX_TWIN_NAME = 24;
const MAX_DNS_LABEL = 63;
const BRANCH_PREFIX = 'br-';
const HASH_LENGTH = 6;
const TWIN_NAME_RULE =
  `${TWIN_NAME_REGEX.source} (lower-case letters, digits and "-", 2-${MAX_TWIN_NAME} characters, ` +
  'starting with a letter and ending with a letter or digit), e.g. pr-42 or my-feature';

export function validateTwinName(name: string, field = 'twin'): string {
  if (typeof name !== 'string' || !TWIN_NAME_REGEX.test(name)) {
    const shown = typeof name === 'string' ? echoed(name) : typeof name;
    throw new ConfigurationError(
      `${field} ${shown} is not a valid twin name: it must match ${TWIN_NAME_RULE}`,
    );
  }
  return name;
}

export function twinNameFromContext(ctx: GitHubContextLike, productionBranch: string): string {
  switch (ctx.eventName) {
    case 'push':
      return twinNameForPush(ctx.ref, productionBranch);
    case 'pull_request':
    case 'pull_request_target':
      return twinNameForPullRequest(ctx);
    case 'workflow_dispatch':
      return twinNameForDispatch(ctx);
    case 'schedule':
      throw new ConfigurationError(
        "a scheduled run has no single twin (it is the reaper's trigger): run the reaper for scheduled events, " +
          'or use workflow_dispatch with a twin input to act on one twin',
      );
    default:
      throw new ConfigurationError(
        `event ${echoed(ctx.eventName)} does not name a twin: trigger the workflow on push, pull_request, ` +
          'pull_request_target or workflow_dispatch (with a twin input)',
      );
  }
}

function twinNameForPush(ref: string | undefined, productionBranch: string): string {
  const branchPrefix = 'refs/heads/';
  if (!ref?.startsWith(branchPrefix) || ref.length === branchPrefix.length) {
    throw new ConfigurationError(
      `push of ${echoed(ref ?? '')} is not a branch push: twins follow branches; push a branch or use workflow_dispatch`,
    );
  }
  const branch = ref.slice(branchPrefix.length);
  return branch === productionBranch ? 'production' : twinNameForBranch(branch);
}

/**
 * `br-<slug>-<6 hex of sha256(branch)>`: readable, and the hash keeps two branches that slug alike
 * (feature/A and feature-a) apart.
 */
export function twinNameForBranch(branch: string): string {
  const hash = createHash('sha256').update(branch, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_TWIN_NAME - BRANCH_PREFIX.length - HASH_LENGTH - 1;
  const slug = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return validateTwinName(slug ? `${BRANCH_PREFIX}${slug}-${hash}` : `${BRANCH_PREFIX}${hash}`);
}

function twinNameForPullRequest(ctx: GitHubContextLike): string {
  const number = ctx.payload?.pull_request?.number ?? ctx.payload?.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw new ConfigurationError(
      `${ctx.eventName} event without a pull request number: run this step from a pull_request workflow`,
    );
  }
  return validateTwinName(`pr-${number}`);
}

function twinNameForDispatch(ctx: GitHubContextLike): string {
  const input = ctx.inputs?.twin ?? ctx.payload?.inputs?.twin;
  if (typeof input !== 'string' || input === '') {
    throw new ConfigurationError(
      `workflow_dispatch needs the input "twin": add it to the workflow's inputs and pass a name matching ${TWIN_NAME_RULE}`,
    );
  }
  return validateTwinName(input, 'workflow_dispatch input twin');
}

function requireMatch(value: string, regex: RegExp, what: string): string {
  if (!regex.test(value)) throw new RangeError(`${what} ${echoed(value)} does not match ${regex.source}`);
  return value;
}

/** A VM name (PVE `dns-name`), e.g. pr-7-east-cp-1 or pr-7-east-w-1; index counts from 1. */
export function vmName(twin: string, cluster: string, role: NodeRole, index: number): string {
  validateTwinName(twin);
  if (!Number.isInteger(index) || index < 1 || index > 99) {
    throw new RangeError(`node index ${index} is outside 1..99`);
  }
  const name = `${twin}-${cluster}-${role === 'controlplane' ? 'cp' : 'w'}-${index}`;
  if (name.length > MAX_DNS_LABEL) {
    throw new RangeError(`VM name ${name} is longer than ${MAX_DNS_LABEL} characters`);
  }
  return requireMatch(name, DNS_NAME_REGEX, 'VM name');
}

/** Tags that say who owns a VM; destroy finds VMs by them, so all four must survive PVE's normalisation. */
export function ownershipTags(project: string, twin: string, cluster: string, role: NodeRole): string[] {
  validateTwinName(twin);
  return [project, `twin-${twin}`, `cluster-${cluster}`, `role-${role}`].map((tag) =>
    requireMatch(tag, TAG_REGEX, 'tag'),
  );
}

/** The pool whose creation claims slot `slot` (pool creation is atomic, so the claim is too). */
export function slotPoolId(poolPrefix: string, slot: number): string {
  if (!Number.isInteger(slot) || slot < 0) throw new RangeError(`slot ${slot} is not a whole number >= 0`);
  return requireMatch(`${poolPrefix}-${slot}`, POOL_ID_REGEX, 'pool id');
}
