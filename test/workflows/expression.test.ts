import { describe, expect, it } from 'vitest';
import { evaluate, evaluateCondition, interpolate } from './expression.js';
import type { Contexts } from './expression.js';

const contexts: Contexts = {
  github: {
    event_name: 'pull_request',
    repository: 'acme/lab',
    event: { action: 'closed', pull_request: { number: 7, head: { repo: null }, labels: ['x'] } },
  },
  inputs: { twin: 'my-feature', 'dry-run': false },
};

describe('GitHub expression evaluator (the yardstick of the workflow tests)', () => {
  it('reads contexts and properties; a missing property is null, keys ignore case', () => {
    expect(evaluate('github.event.pull_request.number', contexts)).toBe(7);
    expect(evaluate('github.event.pull_request.head.repo.full_name', contexts)).toBeNull();
    expect(evaluate("github['EVENT_NAME']", contexts)).toBe('pull_request');
    expect(evaluate('inputs.dry-run', contexts)).toBe(false);
    expect(() => evaluate('gihtub.event_name', contexts)).toThrow(/unknown context "gihtub"/);
  });

  it('compares as GitHub does: strings ignoring case, other types as numbers', () => {
    expect(evaluate("github.repository == 'ACME/Lab'", contexts)).toBe(true);
    expect(evaluate("github.event_name != 'push'", contexts)).toBe(true);
    expect(evaluate("null == ''", contexts)).toBe(true);
    expect(evaluate('github.event.pull_request.head.repo.full_name == github.repository', contexts)).toBe(
      false,
    );
    expect(evaluate("'7' == 7", contexts)).toBe(true);
    expect(evaluate('1 < 2 && 3 >= 3', contexts)).toBe(true);
  });

  it('&& and || yield an operand and bind as GitHub binds them; ! negates truthiness', () => {
    expect(evaluate("false && 'a' || 'b'", contexts)).toBe('b');
    expect(evaluate("'' || inputs.twin", contexts)).toBe('my-feature');
    expect(evaluate('true || false && false', contexts)).toBe(true);
    expect(evaluate('(true || false) && false', contexts)).toBe(false);
    expect(evaluate('!github.event.pull_request.head.repo', contexts)).toBe(true);
  });

  it('knows contains, startsWith, endsWith and format', () => {
    expect(evaluate("contains(github.event.pull_request.labels, 'X')", contexts)).toBe(true);
    expect(evaluate("contains('acme/lab', 'LAB')", contexts)).toBe(true);
    expect(evaluate("startsWith(inputs.twin, 'my-') && endsWith(inputs.twin, 'ture')", contexts)).toBe(true);
    expect(evaluate("format('pr-{0}-{{x}}', github.event.pull_request.number)", contexts)).toBe('pr-7-{x}');
  });

  it("filters objects as GitHub does: labels.*.name is every label's name", () => {
    const labelled: Contexts = {
      ...contexts,
      github: {
        event: {
          pull_request: { labels: [{ name: 'preview' }, { name: 'bug' }] },
          nested: { a: { items: [{ v: 1 }, { v: 2 }] }, b: { items: [{ v: 3 }] } },
        },
      },
    };
    expect(evaluate('github.event.pull_request.labels.*.name', labelled)).toEqual(['preview', 'bug']);
    expect(evaluate("contains(github.event.pull_request.labels.*.name, 'PREVIEW')", labelled)).toBe(true);
    expect(evaluate("contains(github.event.pull_request.labels.*.name, 'keep')", labelled)).toBe(false);
    expect(evaluate('github.event.nested.*.items.*.v', labelled)).toEqual([1, 2, 3]);
    expect(evaluate('github.event.missing.*.name', labelled)).toEqual([]);
  });

  it('evaluates if: with or without ${{ }} and interpolates templates', () => {
    expect(evaluateCondition("${{ github.event.action == 'closed' }}", contexts)).toBe(true);
    expect(evaluateCondition("github.event.action == 'opened'", contexts)).toBe(false);
    expect(interpolate("twin-${{ format('pr-{0}', github.event.pull_request.number) }}", contexts)).toBe(
      'twin-pr-7',
    );
  });

  it("knows the status functions, on the job's status so far", () => {
    const failed = { ...contexts, job: { status: 'failure' } };
    expect(evaluate('failure()', contexts)).toBe(false);
    expect(evaluate('success() && always()', contexts)).toBe(true);
    expect(evaluate("failure() && inputs.twin != ''", failed)).toBe(true);
    expect(evaluate('success()', failed)).toBe(false);
  });

  it('rejects what it cannot read instead of guessing', () => {
    expect(() => evaluate("github.event_name == 'push", contexts)).toThrow(/unterminated string/);
    expect(() => evaluate('github.event_name ==', contexts)).toThrow(/unexpected end/);
    expect(() => evaluate('toJSON(github)', contexts)).toThrow(/unknown function toJSON/);
  });
});
