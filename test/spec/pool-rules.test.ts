import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpecError, parseSpec } from '../../src/spec/load.js';
import type { SpecIssue } from '../../src/spec/load.js';
import { parentPoolOf, poolPrefixOf, poolReaches, slotPoolPrefixes } from '../../src/spec/pools.js';

const EXAMPLE = readFileSync('examples/twin.yaml', 'utf8');
const PRODUCTION_PREFIX = '    poolPrefix: aggrik8s-production/slot\n';

function errorsOf(text: string): SpecIssue[] {
  try {
    parseSpec(text, 'twin.yaml');
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  throw new Error('expected the spec to be rejected');
}

const withProductionPrefix = (prefix: string) =>
  EXAMPLE.replace(PRODUCTION_PREFIX, `    poolPrefix: ${prefix}\n`);

describe('environments.production.poolPrefix', () => {
  it('the example keeps production under aggrik8s-production, previews under aggrik8s', () => {
    const { spec, warnings } = parseSpec(EXAMPLE, 'twin.yaml');
    expect(warnings).toEqual([]);
    expect(poolPrefixOf(spec, 'production')).toBe('aggrik8s-production/slot');
    expect(poolPrefixOf(spec, 'preview')).toBe('aggrik8s/slot');
    expect(slotPoolPrefixes(spec)).toEqual(['aggrik8s/slot', 'aggrik8s-production/slot']);
  });

  it('unset: production shares the previews prefix, with a warning that names the field and the fix', () => {
    expect(EXAMPLE).toContain(PRODUCTION_PREFIX);
    const { spec, warnings } = parseSpec(EXAMPLE.replace(PRODUCTION_PREFIX, ''), 'twin.yaml');
    expect(poolPrefixOf(spec, 'production')).toBe('aggrik8s/slot');
    expect(slotPoolPrefixes(spec)).toEqual(['aggrik8s/slot']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: 'warning', path: 'environments.production' });
    expect(warnings[0]?.message).toContain('/pool/aggrik8s');
    expect(warnings[0]?.message).toContain("preview token's ACL there reaches production");
    expect(warnings[0]?.fix).toContain('set environments.production.poolPrefix');
    expect(warnings[0]?.fix).toContain('aggrik8s-production/slot');
  });

  it.each([
    ['production-slot', 'has no parent pool', 'nest it in a parent pool of its own'],
    ['aggrik8s/production', "is the previews' parent pool aggrik8s", 'use a parent pool outside aggrik8s'],
    ['aggrik8s/prod/slot', "is inside the previews' parent pool aggrik8s", 'outside aggrik8s'],
  ])('refuses %s: %s', (prefix, message, fix) => {
    const issues = errorsOf(withProductionPrefix(prefix));
    expect(issues.map((issue) => issue.path)).toEqual(['environments.production.poolPrefix']);
    expect(issues[0]?.message).toContain(message);
    expect(issues[0]?.fix).toContain(fix);
  });

  it('refuses a value that is no pool id prefix, naming the field and an example', () => {
    const issues = errorsOf(withProductionPrefix('aggrik8s-production/1slot'));
    expect(issues.map((issue) => issue.path)).toEqual(['environments.production.poolPrefix']);
    expect(issues[0]?.message).toContain('is not a Proxmox pool id prefix');
    expect(issues[0]?.fix).toContain('aggrik8s-production/slot');
  });

  it('refuses previews in flat pools: their token would need /pool, which reaches production', () => {
    const text = EXAMPLE.replace('poolPrefix: aggrik8s/slot ', 'poolPrefix: aggrik8s-slot ');
    const issues = errorsOf(text);
    expect(issues.map((issue) => issue.path)).toEqual(['environments.production.poolPrefix']);
    expect(issues[0]?.message).toContain('proxmox.slots.poolPrefix aggrik8s-slot has no parent pool');
  });

  it('needs a pinned production slot: a preview cannot see the pool production holds', () => {
    // Without the slot, the pinned VIPs go too (they need a pinned slot, a rule of their own).
    const text = EXAMPLE.replace(/^ {4}slot: 0 .*\n/m, '').replace(
      /^ {4}clusters:\n {6}east:\n {8}vip: .*\n {6}west:\n {8}vip: .*\n/m,
      '',
    );
    const issues = errorsOf(text);
    expect(issues.map((issue) => issue.path)).toEqual(['environments.production.poolPrefix']);
    expect(issues[0]?.message).toContain("previews know production's slot only from the spec");
    expect(issues[0]?.fix).toBe('pin production to a slot: add slot: 0 to environments.production');
  });
});

describe('pool helpers', () => {
  it('a parent pool reaches itself and the pools below it, nothing beside it', () => {
    expect(parentPoolOf('aggrik8s/slot')).toBe('aggrik8s');
    expect(parentPoolOf('lab/aggrik8s/slot')).toBe('lab/aggrik8s');
    expect(parentPoolOf('aggrik8s-slot')).toBeUndefined();
    expect(poolReaches('aggrik8s', 'aggrik8s/slot-0')).toBe(true);
    expect(poolReaches('aggrik8s', 'aggrik8s')).toBe(true);
    expect(poolReaches('aggrik8s', 'aggrik8s-production/slot-0')).toBe(false);
  });
});
