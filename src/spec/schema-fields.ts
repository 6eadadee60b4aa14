import { z } from 'zod';
import {
  CIDR_REGEX,
  IPV4_REGEX,
  RANGE_REGEX,
  cidrHostBitsSet,
  canonicalCidr,
  parseRange,
} from '../util/ipv4.js';
import { echoed } from '../util/echo.js';

/**
 * The ground of the spec's schema (schema.ts): how a refused field explains itself and its fix, the field
 * builders, and the patterns fields must match (each from the rule of the system that reads the value).
 */

/** A zod issue carries only a message, so a fix rides along after this marker; load.ts splits it off. */
export const FIX_MARKER = '\u0000fix:';

export function explain(message: string, fix: string): string {
  return `${message}${FIX_MARKER}${fix}`;
}

export function splitExplanation(text: string): { message: string; fix?: string } {
  const at = text.indexOf(FIX_MARKER);
  return at < 0 ? { message: text } : { message: text.slice(0, at), fix: text.slice(at + FIX_MARKER.length) };
}

/** A string that must match `regex`; the message reads `"<value>" is not <what>`. */
export function patterned(regex: RegExp, what: string, fix: string) {
  return z.string().regex(regex, { error: (issue) => explain(`${echoed(issue.input)} is not ${what}`, fix) });
}

export function integer(min: number, max: number, what: string) {
  const message = explain(
    `${what} must be a whole number from ${min} to ${max}`,
    `write a number between ${min} and ${max}`,
  );
  return z.int().min(min, message).max(max, message);
}

export const ipv4 = () =>
  patterned(IPV4_REGEX, 'an IPv4 address', 'write four numbers 0-255 separated by dots, e.g. 192.168.15.1');

export const cidr = () =>
  patterned(CIDR_REGEX, 'an IPv4 CIDR', 'write network/prefix, e.g. 10.244.0.0/16').refine(
    (text) => !CIDR_REGEX.test(text) || !cidrHostBitsSet(text),
    {
      error: (issue) => {
        const text = String(issue.input);
        return explain(`${text} has host bits set`, `write the network address: ${canonicalCidr(text)}`);
      },
    },
  );

export const addressRange = () =>
  patterned(
    RANGE_REGEX,
    'an IPv4 address range',
    'write first-last, e.g. 192.168.15.64-192.168.15.191',
  ).refine(
    (text) => {
      if (!RANGE_REGEX.test(text)) return true;
      const range = parseRange(text);
      return range.first <= range.last;
    },
    explain('the range starts after it ends', 'write the lower address first'),
  );

// PVE-COMMON pve_verify_node_name, parse_storage_id, pve_verify_bridge_id; pve-access-control verify_poolname.
export const PVE_NODE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
export const PVE_STORAGE_ID = /^[a-zA-Z][a-zA-Z0-9\-_.]*[a-zA-Z0-9]$/;
export const PVE_BRIDGE_ID = /^[-_.\w]+$/;
// Up to two parent pools (PVE nests pools 3 levels deep); PVE 9 wants the slot pool's own name to start
// with a letter (pve-manager Pool.pm), and the slot pool is `<prefix>-<k>`.
export const POOL_PREFIX = /^(?=.{1,40}$)(?:[A-Za-z0-9][A-Za-z0-9.\-_]*\/){0,2}[A-Za-z][A-Za-z0-9.\-_]*$/;

export const poolPrefix = (fix: string) =>
  patterned(
    POOL_PREFIX,
    'a Proxmox pool id prefix (letters, digits, ".", "-", "_", at most two parent pools before "/"; ' +
      'the last part starts with a letter; at most 40)',
    fix,
  );

export const PROJECT_REGEX = /^[a-z0-9][a-z0-9-]{0,23}$/;
/** Cilium's cluster.name rule (chart templates/validate.yaml); 32 characters at most. */
export const CLUSTER_NAME_REGEX = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
// The series src/spec/releases.ts describes; which Kubernetes each Talos series takes is a rule (rules.ts).
export const TALOS_VERSION_REGEX = /^v1\.1[1-3]\.\d+$/;
export const CILIUM_VERSION_REGEX = /^1\.(19|20)\.\d+$/;
// Talos v1.11 takes Kubernetes from 1.29, v1.13 up to 1.36 (LIFECYCLE F.2).
export const KUBERNETES_VERSION_REGEX = /^1\.(29|3[0-6])\.\d+$/;
export const SCHEMATIC_REGEX = /^[0-9a-f]{64}$/;
export const SHA256_REGEX = /^[0-9a-f]{64}$/;
export const EXTENSION_REGEX = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*$/;
export const CHART_VERSION_REGEX = /^v?\d+\.\d+\.\d+$/;
/** Relative, no `..` segment, no leading `/` or `-` (it reaches a command line as an argument). */
export const RELATIVE_PATH_REGEX = /^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;
export const RELEASE_NAME_REGEX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A helm release the twin installs after storage (the repository's applications). */
