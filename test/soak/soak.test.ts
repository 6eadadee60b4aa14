import { describe, expect, it } from 'vitest';
import { soakRun } from '../../bench/soak-run.js';

/**
 * The CI sample of `npm run soak`: a few seeded runs of the bundled CLI against a lab with faults (seed 3 is
 * killed part-way, seed 7 fails on a 500 while planning). Whatever the first run did, it converged or said
 * what failed; the next run converged; destroy left nothing; no secret reached any output or stray file.
 */
describe('soak sample: faults, a kill, then re-run and destroy', { timeout: 300_000 }, () => {
  it.each([3, 4, 7, 8])('seed %i keeps every invariant', async (seed) => {
    const result = await soakRun(seed);
    expect(result.faults.length).toBeGreaterThan(0);
    expect({
      seed,
      clear: result.clearFailure,
      output: result.clearFailure ? '' : result.firstOutput,
    }).toEqual({
      seed,
      clear: true,
      output: '',
    });
    expect(result.convergedOnRerun).toBe(true);
    expect(result.orphans).toEqual([]);
    expect(result.leaks).toEqual([]);
  });
});
