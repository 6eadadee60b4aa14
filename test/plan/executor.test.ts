import { describe, expect, it } from 'vitest';
import { runGraph, stageTimings, StepGraphError } from '../../src/plan/executor.js';
import type { Step } from '../../src/plan/executor.js';

function step(id: string, needs: string[], run: () => Promise<void> = async () => {}): Step {
  return { id, title: id, doing: `running ${id}`, stage: id.split(':')[0]!, needs, run };
}

const tick = () => new Promise((done) => setTimeout(done, 5));

describe('runGraph', () => {
  it('starts each step as soon as its own needs are done, not when a whole phase is', async () => {
    const order: string[] = [];
    const log =
      (id: string, delay = 0) =>
      async () => {
        for (let i = 0; i < delay; i++) await tick();
        order.push(id);
      };
    await runGraph([
      step('vm:slow', [], log('vm:slow', 6)),
      step('vm:fast', [], log('vm:fast', 1)),
      step('talos:fast', ['vm:fast'], log('talos:fast', 1)),
      step('talos:slow', ['vm:slow'], log('talos:slow')),
    ]);
    expect(order.indexOf('talos:fast')).toBeLessThan(order.indexOf('vm:slow'));
    expect(order.at(-1)).toBe('talos:slow');
  });

  it('skips what depends on a failure and runs the independent branch to the end', async () => {
    const ran: string[] = [];
    const result = await runGraph([
      step('a', [], async () => {
        throw new Error('boom');
      }),
      step('b', ['a'], async () => void ran.push('b')),
      step('c', ['b'], async () => void ran.push('c')),
      step('d', [], async () => void ran.push('d')),
    ]);
    expect(ran).toEqual(['d']);
    expect(result.failed.map((r) => r.id)).toEqual(['a']);
    expect(result.records.map((r) => `${r.id}:${r.state}`)).toEqual([
      'a:failed',
      'b:skipped',
      'c:skipped',
      'd:done',
    ]);
  });

  it('tells every step of the graph, pending and with what it will be doing, before the first starts', async () => {
    const events: string[] = [];
    await runGraph([step('vm:a', []), step('talos:a', ['vm:a'])], {
      onPlan: (records) =>
        events.push(`plan ${records.map((r) => `${r.id}=${r.state} (${r.doing})`).join(', ')}`),
      onStart: (record) => events.push(`start ${record.id}`),
    });
    expect(events).toEqual([
      'plan vm:a=pending (running vm:a), talos:a=pending (running talos:a)',
      'start vm:a',
      'start talos:a',
    ]);
  });

  it('refuses unknown needs, duplicates and cycles before running anything', async () => {
    let ran = false;
    const touch = async () => void (ran = true);
    await expect(runGraph([step('a', ['x'], touch)])).rejects.toThrow(/needs x, which does not exist/);
    await expect(runGraph([step('a', [], touch), step('a', [], touch)])).rejects.toThrow(StepGraphError);
    await expect(runGraph([step('a', ['b'], touch), step('b', ['a'], touch)])).rejects.toThrow(
      /cycle: a -> b -> a/,
    );
    expect(ran).toBe(false);
  });

  it('times stages from their first start to their last end, listed in pipeline order', async () => {
    let clock = 0;
    const result = await runGraph(
      [
        step('talos:1', [], async () => void (clock += 1)), // starts first, listed after vm all the same
        step('vm:1', [], async () => void (clock += 10)),
        step('vm:2', ['vm:1'], async () => void (clock += 5)),
        step('k8s:1', ['vm:2']),
      ],
      {},
      () => clock,
    );
    expect(stageTimings(result.records)).toEqual([
      { stage: 'vm', startedAt: 1, endedAt: 16, steps: 2 },
      { stage: 'talos', startedAt: 0, endedAt: 11, steps: 1 }, // its end is seen after vm:1 started
      { stage: 'k8s', startedAt: 16, endedAt: 16, steps: 1 },
    ]);
  });
});
