import type { EnvironmentName } from './schema.js';

/**
 * Where each environment's slot and lock pools live. Production may have a parent pool of its own
 * (`environments.production.poolPrefix`), which the preview tier's token has no ACL on: that is the
 * boundary between the tiers. Slot numbers stay one space across the prefixes: slot k fixes VMIDs and
 * addresses whichever prefix its pool carries.
 */

/** The part of the spec the pool prefixes come from. */
export interface PoolPrefixSpec {
  proxmox: { slots: { poolPrefix: string } };
  environments: { production: { poolPrefix?: string | undefined } };
}

/** The prefix of the pools a twin of `environment` creates and names: its slot `<prefix>-<k>` and its lock. */
export function poolPrefixOf(spec: PoolPrefixSpec, environment: EnvironmentName): string {
  const own = environment === 'production' ? spec.environments.production.poolPrefix : undefined;
  return own ?? spec.proxmox.slots.poolPrefix;
}

/** Every prefix a twin of this spec may hold a slot under, the previews' first; where claims are listed. */
export function slotPoolPrefixes(spec: PoolPrefixSpec): string[] {
  return [...new Set([poolPrefixOf(spec, 'preview'), poolPrefixOf(spec, 'production')])];
}

/**
 * The pool whose ACL reaches every pool of a prefix: its parent (`aggrik8s/slot` -> `aggrik8s`), or
 * undefined for a flat prefix, whose pools only `/pool` itself reaches (PVE-PERMISSIONS P.6.4).
 */
export function parentPoolOf(poolPrefix: string): string | undefined {
  const slash = poolPrefix.lastIndexOf('/');
  return slash < 0 ? undefined : poolPrefix.slice(0, slash);
}

/** Whether an ACL on `/pool/<outer>` (propagated) reaches the pool `inner`: the same pool or one below it. */
export function poolReaches(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}
