import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  ownershipTags,
  slotPoolId,
  twinNameFromContext,
  validateTwinName,
  vmName,
} from '../../src/spec/identity.js';
import type { GitHubContextLike } from '../../src/spec/identity.js';

// The rules each derived name meets, written out from the contracts rather than imported.
const PVE_DNS_NAME =
  /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/;
const PVE_TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;
const PVE_POOL_ID = /^[A-Za-z0-9.\-_]+$/;
const TWIN_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;

const push = (branch: string): GitHubContextLike => ({ eventName: 'push', ref: `refs/heads/${branch}` });
const dispatch = (twin: unknown): GitHubContextLike => ({
  eventName: 'workflow_dispatch',
  payload: { inputs: { twin } },
});

describe('twinNameFromContext', () => {
  const named: [string, GitHubContextLike, string][] = [
    ['push to the production branch', push('main'), 'production'],
    ['push to another branch', push('feature/Login-Page'), 'br-feature-login-1cd8fc'],
    ['branch with a command substitution', push('$(rm -rf /)'), 'br-rm-rf-a055ea'],
    ['branch of only non-ASCII letters', push('日本語'), 'br-77710a'],
    ['branch with dots', push('v1.2.3'), 'br-v1-2-3-e3cad1'],
    ['branch with runs of punctuation', push('Feature--X__y..z/'), 'br-feature-x-y-z-7cc238'],
    ['300-character branch', push('x'.repeat(300)), 'br-xxxxxxxxxxxxxx-0d4e2c'],
    ['pull request', { eventName: 'pull_request', payload: { pull_request: { number: 7 } } }, 'pr-7'],
    [
      'pull_request_target by payload.number',
      { eventName: 'pull_request_target', payload: { number: 42 } },
      'pr-42',
    ],
    ['dispatch input', { eventName: 'workflow_dispatch', inputs: { twin: 'my-feature' } }, 'my-feature'],
    ['dispatch input in the payload', dispatch('pr-7'), 'pr-7'],
    ['dispatch of production', dispatch('production'), 'production'],
  ];
  it.each(named)('%s', (_, context, expected) => {
    const name = twinNameFromContext(context, 'main');
    expect(name).toBe(expected);
    expect(name).toMatch(TWIN_NAME);
    expect(name.length).toBeLessThanOrEqual(24);
  });

  it('keeps two branches that slug alike apart', () => {
    expect(twinNameFromContext(push('feature/a'), 'main')).not.toBe(
      twinNameFromContext(push('feature-a'), 'main'),
    );
  });

  const refused: [string, GitHubContextLike, RegExp][] = [
    ['schedule', { eventName: 'schedule' }, /reaper/],
    ['an event that names no twin', { eventName: 'issue_comment' }, /push, pull_request/],
    ['a tag push', { eventName: 'push', ref: 'refs/tags/v1' }, /not a branch push/],
    ['a push without a branch', { eventName: 'push', ref: 'refs/heads/' }, /not a branch push/],
    ['a pull request without a number', { eventName: 'pull_request', payload: {} }, /pull request number/],
    ['a fractional pull request number', { eventName: 'pull_request', payload: { number: 1.5 } }, /number/],
    ['dispatch without input', { eventName: 'workflow_dispatch' }, /needs the input "twin"/],
    ['dispatch with an empty input', dispatch(''), /needs the input "twin"/],
    ['dispatch with a number', dispatch(7), /needs the input "twin"/],
    ['dispatch with a command substitution', dispatch('$(reboot)'), /not a valid twin name/],
    ['dispatch in upper case', dispatch('PR-7'), /not a valid twin name/],
    ['dispatch with dots', dispatch('a.b'), /not a valid twin name/],
    ['dispatch with slashes', dispatch('a/b'), /not a valid twin name/],
    ['dispatch with full-width letters', dispatch('ｐｒ-7'), /not a valid twin name/],
    ['dispatch of 300 characters', dispatch('a'.repeat(300)), /not a valid twin name/],
    ['dispatch with a newline', dispatch('pr-7\nerror: forged'), /not a valid twin name/],
  ];
  it.each(refused)('refuses %s', (_, context, reason) => {
    expect(() => twinNameFromContext(context, 'main')).toThrow(ConfigurationError);
    expect(() => twinNameFromContext(context, 'main')).toThrow(reason);
  });

  it('names the pattern and an example when it refuses a name, without echoing a flood', () => {
    let message = '';
    try {
      twinNameFromContext(dispatch(`${'a'.repeat(300)}\nforged`), 'main');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('^[a-z][a-z0-9-]{0,22}[a-z0-9]$');
    expect(message).toContain('e.g. pr-42');
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(400);
  });
});

describe('validateTwinName', () => {
  it.each(['ab', 'production', 'pr-1', `a${'b'.repeat(23)}`])('accepts %s', (name) => {
    expect(validateTwinName(name)).toBe(name);
  });
  it.each(['a', '1pr', 'pr-', `a${'b'.repeat(24)}`, 'pr_1', ''])('refuses %j, naming the field', (name) => {
    expect(() => validateTwinName(name, 'inputs.twin')).toThrow(/^inputs\.twin /);
  });
});

describe('derived names', () => {
  const longestTwin = `a${'b'.repeat(23)}`;
  const longestCluster = `c${'d'.repeat(31)}`;
  const twins = ['production', 'pr-7', 'br-feature-login-1cd8fc', longestTwin];
  const clusters = ['east', 'west-2', longestCluster];

  it('VM names are PVE dns-names of at most 63 characters', () => {
    for (const twin of twins) {
      for (const cluster of clusters) {
        for (const role of ['controlplane', 'worker'] as const) {
          for (const index of [1, 9, 99]) {
            const name = vmName(twin, cluster, role, index);
            expect(name).toMatch(PVE_DNS_NAME);
            expect(name.length).toBeLessThanOrEqual(63);
          }
        }
      }
    }
    expect(vmName('pr-7', 'east', 'controlplane', 1)).toBe('pr-7-east-cp-1');
    expect(vmName('pr-7', 'east', 'worker', 1)).toBe('pr-7-east-w-1');
  });

  it('refuses a VM index outside 1..99 and a bad twin', () => {
    expect(() => vmName('pr-7', 'east', 'worker', 0)).toThrow(RangeError);
    expect(() => vmName('pr-7', 'east', 'worker', 100)).toThrow(RangeError);
    expect(() => vmName('PR 7', 'east', 'worker', 1)).toThrow(ConfigurationError);
  });

  it('ownership tags match the PVE tag syntax and stay lower-case', () => {
    for (const twin of twins) {
      for (const cluster of clusters) {
        for (const tag of ownershipTags('aggrik8s', twin, cluster, 'worker')) {
          expect(tag).toMatch(PVE_TAG);
          expect(tag).toBe(tag.toLowerCase());
        }
      }
    }
    expect(ownershipTags('aggrik8s', 'pr-7', 'east', 'controlplane')).toEqual([
      'aggrik8s',
      'twin-pr-7',
      'cluster-east',
      'role-controlplane',
    ]);
    expect(() => ownershipTags('Bad Project', 'pr-7', 'east', 'worker')).toThrow(RangeError);
  });

  it('slot pool ids match the PVE pool id syntax', () => {
    for (const slot of [0, 7, 63]) expect(slotPoolId('aggrik8s-slot', slot)).toMatch(PVE_POOL_ID);
    expect(slotPoolId('aggrik8s-slot', 3)).toBe('aggrik8s-slot-3');
    expect(slotPoolId('aggrik8s/slot', 3)).toBe('aggrik8s/slot-3');
    expect(() => slotPoolId('aggrik8s-slot', -1)).toThrow(RangeError);
    expect(() => slotPoolId('bad prefix', 1)).toThrow(RangeError);
  });
});
