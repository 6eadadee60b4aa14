import { afterEach, describe, expect, it } from 'vitest';
import { retentionDays, reviewerNamespaces } from '../../src/actions/reviewer-access.js';
import { reviewerAccessInput } from '../../src/actions/reviewer-input.js';
import { ConfigurationError } from '../../src/errors.js';
import type { ResolvedTwin } from '../../src/spec/environment.js';

/** action-day2's input reviewer-access, checked as it is read and against the twin before any change. */

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const withInput = (value: string) => {
  process.env['INPUT_REVIEWER-ACCESS'] = value;
  return reviewerAccessInput;
};

function twin(ttlHours: number | undefined, demo = true): ResolvedTwin {
  const spec = { addons: { starwars: { enabled: demo } } };
  return { twin: ttlHours === undefined ? 'production' : 'pr-7', ttlHours, spec } as unknown as ResolvedTwin;
}

describe('input reviewer-access', () => {
  it('is off when empty or false, the demo when true, else the namespaces named (deduplicated)', () => {
    expect(withInput('')()).toBeUndefined();
    expect(withInput('False')()).toBeUndefined();
    expect(withInput('true')()).toBe('demo');
    expect(withInput('starwars, bookinfo\nstarwars')()).toEqual(['starwars', 'bookinfo']);
  });

  it('refuses what is no namespace name, and more than ten of them', () => {
    for (const value of ['Starwars', 'star_wars', '-x', 'a'.repeat(64), '../kube-system']) {
      expect(withInput(value), value).toThrow(ConfigurationError);
    }
    expect(withInput(Array.from({ length: 11 }, (_, i) => `ns-${i}`).join(','))).toThrow(
      /up to 10 namespace names/,
    );
  });

  it('opens the demo namespace for true, and only on a preview (whose TTL bounds the tokens)', () => {
    expect(reviewerNamespaces('demo', twin(72))).toEqual(['starwars']);
    expect(reviewerNamespaces(['bookinfo'], twin(72, false))).toEqual(['bookinfo']);
    expect(() => reviewerNamespaces('demo', twin(72, false))).toThrow(/the demo \(addons.starwars\) is off/);
    expect(() => reviewerNamespaces(['starwars'], twin(undefined))).toThrow(
      /is for preview twins, whose TTL bounds the tokens; twin production has no TTL/,
    );
  });

  it('keeps the artifact whole days no longer than the tokens work, at least the 1 day GitHub allows', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const after = (hours: number) => new Date(now.getTime() + hours * 3_600_000);
    expect(retentionDays(after(72), now)).toBe(3);
    expect(retentionDays(after(71.9), now)).toBe(2);
    expect(retentionDays(after(5), now)).toBe(1);
    expect(retentionDays(after(24 * 365), now)).toBe(90);
  });
});
