import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from '../../src/util/edit-distance.js';

describe('editDistance and closestMatch', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('pln', 'plan')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'up')).toBe(2);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the closest candidate within reach, ignoring case, and nothing for a different word', () => {
    expect(closestMatch('--stat-dir', ['--state-dir', '--state-store', '--slot'])).toBe('--state-dir');
    expect(closestMatch('PLN', ['plan', 'up', 'down'])).toBe('plan');
    expect(closestMatch('frobnicate', ['plan', 'up', 'down'])).toBeUndefined();
    expect(closestMatch('xy', ['up'])).toBeUndefined(); // as far from it as it is long
    expect(closestMatch('dwn', ['down', 'up'], 0)).toBeUndefined();
  });
});
