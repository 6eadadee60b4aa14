import { describe, expect, it } from 'vitest';
import { runSummaryLines } from '../../src/cli/up-summary.js';
import { resolveTwin } from '../../src/spec/environment.js';
import { loadSpec } from '../../src/spec/load.js';

const { spec } = loadSpec('examples/twin.yaml');
const START = Date.parse('2026-05-04T10:00:00Z');

function summary(
  twin: string,
  extra: { args?: string[]; scale?: number; dayTwo?: boolean; ready?: boolean } = {},
) {
  return runSummaryLines({
    args: extra.args ?? ['examples/twin.yaml', '--env', twin, '--lab', '/tmp/my lab', '--no-platform'],
    twin: resolveTwin(spec, twin),
    startedAt: START,
    endedAt: START + 754_000,
    scale: extra.scale ?? 1,
    ready: extra.ready ?? true,
    dayTwo: extra.dayTwo ?? true,
  });
}

describe("twin up's closing summary", () => {
  it('gives the total time, the releases, when a preview expires and the next commands with the same options', () => {
    expect(summary('pr-7')).toEqual([
      'total time: 12m34s',
      'releases running: Talos v1.13.9, Kubernetes 1.36.3, Cilium 1.20.0, Rook v1.18.8',
      'expires: 2026-05-07T10:00Z, 72 h after this apply (each apply starts the count again; the label keep on ' +
        'the pull request keeps it), or when pull request #7 closes',
      'next:',
      "  twin status examples/twin.yaml --env pr-7 --lab '/tmp/my lab'",
      "  twin down examples/twin.yaml --env pr-7 --lab '/tmp/my lab'",
    ]);
  });

  it('says lab time on the simulated lab, wanted releases when not ready, no Rook without day 2', () => {
    const lines = summary('pr-7', { scale: 0.02, dayTwo: false, ready: false });
    expect(lines[0]).toBe('total time: 12m34s (on the simulated lab, scale 0.02: 10h28m of lab time)');
    expect(lines[1]).toBe('releases wanted: Talos v1.13.9, Kubernetes 1.36.3, Cilium 1.20.0');
  });

  it('gives production no expiry, and a long-lived preview none by age', () => {
    expect(summary('production').some((line) => line.startsWith('expires'))).toBe(false);
    const longLived = { ...spec.environments.preview, longLived: ['demo'] };
    const lines = runSummaryLines({
      args: ['twin.yaml', '--env', 'demo'],
      twin: resolveTwin({ ...spec, environments: { ...spec.environments, preview: longLived } }, 'demo'),
      startedAt: START,
      endedAt: START + 5_000,
      scale: 1,
      ready: true,
      dayTwo: true,
    });
    expect(lines[0]).toBe('total time: 5.0s');
    expect(lines[2]).toBe('expires: never by age (a long-lived preview)');
  });
});
