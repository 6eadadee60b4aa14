import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../src/plan/executor.js';
import { LocalStateStore } from '../../src/state/store.js';
import { estimateLeftMs, loadRunTimings, runTimingsOf, saveRunTimings } from '../../src/twin/run-timings.js';
import type { RunTimings } from '../../src/twin/run-timings.js';

const step = (id: string, stage: string, startedAt: number, endedAt: number): StepRecord => ({
  id,
  title: id,
  doing: id,
  stage,
  state: 'done',
  startedAt,
  endedAt,
});

const LAST: RunTimings = {
  totalMs: 600_000,
  stages: [
    { stage: 'plan', fromMs: 0, toMs: 60_000 },
    { stage: 'vm', fromMs: 60_000, toMs: 180_000 },
    { stage: 'talos', fromMs: 120_000, toMs: 600_000 },
  ],
};

describe('run timings', () => {
  it("are each stage's span from the run's start, led by the plan up to the first step", () => {
    const records = [
      step('vm:a', 'vm', 1_030_000, 1_090_000),
      step('talos:a', 'talos', 1_060_000, 1_200_000),
    ];
    expect(runTimingsOf(records, 1_000_000, 1_210_000)).toEqual({
      totalMs: 210_000,
      stages: [
        { stage: 'plan', fromMs: 0, toMs: 30_000 },
        { stage: 'vm', fromMs: 30_000, toMs: 90_000 },
        { stage: 'talos', fromMs: 60_000, toMs: 200_000 },
      ],
    });
  });

  it("are kept per twin in the state store, and a file that is not this version's gives no estimate", async () => {
    const store = new LocalStateStore(mkdtempSync(join(tmpdir(), 'timings-state-')));
    expect(await loadRunTimings(store, 'pr-7')).toBeUndefined();
    await saveRunTimings(store, 'pr-7', LAST);
    expect(await loadRunTimings(store, 'pr-7')).toEqual(LAST);
    expect(await loadRunTimings(store, 'pr-8')).toBeUndefined();
    for (const broken of ['not json', '{"totalMs":-1,"stages":[]}', '{"totalMs":5,"stages":[{"stage":1}]}']) {
      await store.write({ twin: 'pr-7', name: 'last-run-timings.json' }, broken);
      expect(await loadRunTimings(store, 'pr-7')).toBeUndefined();
    }
  });

  it('estimate what is left from the furthest point reached on the last run, never a sum of stages', () => {
    expect(estimateLeftMs(LAST, [{ stage: 'plan', finished: false, runningForMs: 10_000 }])).toBe(590_000);
    expect(
      estimateLeftMs(LAST, [
        { stage: 'plan', finished: true },
        { stage: 'vm', finished: false, runningForMs: 30_000 },
      ]),
    ).toBe(510_000);
    // A stage running longer than last time counts as far as its end then, no further.
    expect(
      estimateLeftMs(LAST, [
        { stage: 'vm', finished: false, runningForMs: 999_000 },
        { stage: 'talos', finished: false },
      ]),
    ).toBe(420_000);
    expect(estimateLeftMs(LAST, [{ stage: 'talos', finished: true }])).toBe(0);
    expect(estimateLeftMs(LAST, [{ stage: 'mesh', finished: false, runningForMs: 5 }])).toBeUndefined();
  });
});
