import { parentPoolOf, poolReaches } from './pools.js';
import type { TwinSpec } from './schema.js';

/**
 * Rules on where production's pools live. The preview tier's token has its ACL on the previews' parent
 * pool; production is out of its reach only when production's pools sit in another parent pool that ACL
 * does not propagate to (PVE-PERMISSIONS P.3). An ACL on a slot pool itself is no boundary: Proxmox
 * deletes it with the pool (P.6.4), and the lock pool `<prefix>-lock-production` has none.
 */

export interface PoolRuleIssue {
  severity: 'error' | 'warning';
  path: (string | number)[];
  message: string;
  fix: string;
}

const FIELD = ['environments', 'production', 'poolPrefix'];
const EXAMPLE = 'aggrik8s-production/slot';

export function productionPoolRules(spec: TwinSpec): PoolRuleIssue[] {
  const production = spec.environments.production;
  if (production.poolPrefix === undefined) return [sharedParentWarning(spec)];
  return [
    ...parentRules(production.poolPrefix, spec.proxmox.slots.poolPrefix),
    ...(production.slot === undefined ? [unpinnedSlotError()] : []),
  ];
}

function sharedParentWarning(spec: TwinSpec): PoolRuleIssue {
  const parent = parentPoolOf(spec.proxmox.slots.poolPrefix);
  const acl = parent === undefined ? '/pool' : `/pool/${parent}`;
  return {
    severity: 'warning',
    path: ['environments', 'production'],
    message:
      `production's slot and lock pools share ${acl} with the previews, so the preview token's ACL there ` +
      'reaches production: its VMs, its slot pool and its lock',
    fix:
      `set environments.production.poolPrefix to a prefix in a parent pool of its own, e.g. ${EXAMPLE}, and ` +
      'grant the preview token nothing there (runner-setup/README.md "Two trust tiers")',
  };
}

function parentRules(productionPrefix: string, previewPrefix: string): PoolRuleIssue[] {
  const productionParent = parentPoolOf(productionPrefix);
  if (productionParent === undefined) {
    return [
      error(
        `${productionPrefix} has no parent pool, so the ACL that reaches production's pools would be the one on /pool, which reaches every pool`,
        `nest it in a parent pool of its own, e.g. ${EXAMPLE}`,
      ),
    ];
  }
  const previewParent = parentPoolOf(previewPrefix);
  if (previewParent === undefined) {
    return [
      error(
        `proxmox.slots.poolPrefix ${previewPrefix} has no parent pool, so the preview token needs its rights on /pool, which reaches production's parent pool ${productionParent} too`,
        "nest the previews' slots in a parent pool, e.g. proxmox.slots.poolPrefix: aggrik8s/slot",
      ),
    ];
  }
  if (!poolReaches(previewParent, productionParent)) return [];
  return [
    error(
      `production's parent pool ${productionParent} is ${productionParent === previewParent ? 'the' : 'inside the'} previews' parent pool ${previewParent} (proxmox.slots.poolPrefix ${previewPrefix}), whose ACL reaches it`,
      `use a parent pool outside ${previewParent}, e.g. ${EXAMPLE}`,
    ),
  ];
}

/** A preview cannot see production's pool, so only a pinned slot tells it which slot to leave free. */
function unpinnedSlotError(): PoolRuleIssue {
  return {
    severity: 'error',
    path: FIELD,
    message:
      "it keeps production's slot pool where the preview token cannot see it, " +
      "so previews know production's slot only from the spec, and it has none",
    fix: 'pin production to a slot: add slot: 0 to environments.production',
  };
}

function error(message: string, fix: string): PoolRuleIssue {
  return { severity: 'error', path: FIELD, message, fix };
}
