import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { liveView } from '../../src/cli/live.js';
import type { Io } from '../../src/cli/output.js';
import type { StepRecord } from '../../src/plan/executor.js';

/**
 * A terminal as the view's writes leave it: rows of text, a cursor, lines that wrap at the width, and
 * the only control sequences the view may use (cursor up, erase line). Any other escape fails the test.
 */
/** After ESC: a control sequence, `[` with an optional count and its command letter. */
const CSI = /^\[(\d*)([A-Za-z])/;

class FakeTerminal {
  readonly rows: string[] = [''];
  private row = 0;
  private column = 0;

  constructor(readonly columns = 100) {}

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\x1b') {
        const code = CSI.exec(text.slice(i + 1));
        if (!code) throw new Error(`unknown escape at ${JSON.stringify(text.slice(i, i + 8))}`);
        this.control(Number(code[1] || 1), code[2]!);
        i += code[0].length;
      } else if (text[i] === '\n') this.moveTo(this.row + 1, 0);
      else this.put(text[i]!);
    }
  }

  /** What is on screen, without the empty row the cursor waits on. */
  screen(): string[] {
    const rows = [...this.rows];
    while (rows.length > 0 && rows.at(-1) === '') rows.pop();
    return rows;
  }

  private control(count: number, command: string): void {
    if (command === 'A') this.moveTo(Math.max(0, this.row - count), this.column);
    else if (command === 'K' && count === 2) this.rows[this.row] = '';
    else throw new Error(`unexpected control sequence ${count}${command}`);
  }

  private put(char: string): void {
    if (this.column >= this.columns) this.moveTo(this.row + 1, 0);
    const line = (this.rows[this.row] ?? '').padEnd(this.column);
    this.rows[this.row] = line.slice(0, this.column) + char + line.slice(this.column + 1);
    this.column++;
  }

  private moveTo(row: number, column: number): void {
    while (this.rows.length <= row) this.rows.push('');
    this.row = row;
    this.column = column;
  }
}

function record(
  id: string,
  stage: string,
  doing: string,
  state: StepRecord['state'] = 'pending',
): StepRecord {
  return { id, title: `${id}: done`, doing, stage, state };
}

/** A plan as the executor reports it, listed with talos before vm (not the pipeline's order). */
const PLAN = [
  record('talos:w-1', 'talos', 'booting pr-7-east-w-1 into Talos'),
  record('talos:w-2', 'talos', 'booting pr-7-east-w-2 into Talos'),
  record('vm:w-1', 'vm', 'creating VM pr-7-east-w-1 (5103) on pve2'),
  record('vm:w-2', 'vm', 'creating VM pr-7-east-w-2 (5104) on pve3'),
  record('cilium:east', 'cilium', 'installing Cilium on east'),
];

let clock = 0;
const now = () => clock;
beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
});
afterEach(() => vi.useRealTimers());

function onTerminal(columns = 100) {
  const terminal = new FakeTerminal(columns);
  // The run's own output goes to the same terminal, as stdout and stderr do.
  const io: Io = { out: (text) => terminal.write(`${text}\n`), err: (text) => terminal.write(`${text}\n`) };
  const view = liveView(io, { terminal, started: 0, now, refreshMs: 100 });
  const started = (r: StepRecord) => ({ ...r, state: 'running' as const, startedAt: clock });
  const ended = (r: StepRecord) => ({ ...r, state: 'done' as const, startedAt: 0, endedAt: clock });
  return { terminal, view, started, ended };
}

const frameRows = (screen: string[]) => screen.filter((row) => /^ *[\d.]+s elapsed/.test(row)).length;

describe('the live view on a terminal', () => {
  it('prints every log line above the frame, none lost, and leaves exactly one frame at the bottom', () => {
    const { terminal, view, started, ended } = onTerminal();
    view.io.out('claimed slot 1 (pool aggrik8s/slot-1)');
    view.onPlan!(PLAN);
    view.onStart!(started(PLAN[2]!));
    view.io.out('pve2: Talos image fetched');
    clock = 1500;
    vi.advanceTimersByTime(1000); // the timer redraws meanwhile
    view.onStart!(started(PLAN[3]!));
    view.io.err('twin up: warning: a node answered slowly');
    view.onEnd!(ended(PLAN[2]!));
    view.io.out('pr-7-east-w-1: VM 5103 created');
    vi.advanceTimersByTime(300);

    const screen = terminal.screen();
    const logs = [
      'claimed slot 1 (pool aggrik8s/slot-1)',
      'pve2: Talos image fetched',
      'twin up: warning: a node answered slowly',
      'pr-7-east-w-1: VM 5103 created',
    ];
    expect(screen.slice(0, logs.length)).toEqual(logs);
    expect(frameRows(screen)).toBe(1);
    expect(screen.slice(logs.length)).toEqual([
      '   1.5s elapsed',
      'plan        1/1',
      'vm          1/2     creating VM pr-7-east-w-2 (5104) on pve3',
      'talos       0/2',
      'cilium      0/1',
    ]);

    view.stop();
    view.io.out('twin pr-7 (preview): ready');
    const after = terminal.screen();
    expect(frameRows(after)).toBe(1); // the final frame stays, the summary follows it
    expect(after.at(-1)).toBe('twin pr-7 (preview): ready');
  });

  it('lists stages in pipeline order with denominators from the plan, and running steps by what they do', () => {
    const { terminal, view, started } = onTerminal();
    view.onPlan!(PLAN);
    view.onStart!(started(PLAN[0]!)); // talos starts first: it is still listed after vm
    view.onStart!(started(PLAN[1]!));
    view.onStart!(started(PLAN[2]!));
    vi.advanceTimersByTime(100);
    const stages = terminal.screen().slice(2);
    expect(stages).toEqual([
      'vm          0/2     creating VM pr-7-east-w-1 (5103) on pve2',
      'talos       0/2     booting pr-7-east-w-1 into Talos | booting pr-7-east-w-2 into Talos',
      'cilium      0/1',
    ]);
    expect(stages.join('\n')).not.toMatch(/: done/); // never the title of what a step will have done
  });

  it('cuts frame lines to the width, so a long one cannot wrap and leave a stale row behind', () => {
    const { terminal, view, started } = onTerminal(40);
    view.onPlan!(PLAN);
    view.onStart!(started(PLAN[2]!));
    for (let i = 0; i < 5; i++) {
      view.io.out(`log line ${i}`);
      vi.advanceTimersByTime(100);
    }
    const screen = terminal.screen();
    expect(screen.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => `log line ${i}`));
    expect(frameRows(screen)).toBe(1);
    expect(screen).toHaveLength(5 + 5);
    expect(screen.every((row) => row.length < 40)).toBe(true);
  });

  it('before any step says what planning does; a run that stops there leaves no frame', () => {
    const { terminal, view } = onTerminal();
    expect(terminal.screen()).toEqual([
      '   0.0s elapsed',
      "plan        0/1     checking the token's rights, reading Proxmox, claiming the twin's slot",
    ]);
    view.stop();
    expect(terminal.screen()).toEqual([]);
  });

  it("estimates what is left from the last run's stage timings, and gives none without them", () => {
    const { terminal, view, started } = onTerminal();
    view.onPlan!(PLAN);
    clock = 60_000;
    view.onStart!(started(PLAN[2]!));
    vi.advanceTimersByTime(100);
    expect(terminal.screen()[0]).toBe('  60.0s elapsed');
    view.useLastRun({
      totalMs: 600_000,
      stages: [
        { stage: 'plan', fromMs: 0, toMs: 60_000 },
        { stage: 'vm', fromMs: 60_000, toMs: 180_000 },
        { stage: 'talos', fromMs: 120_000, toMs: 600_000 },
      ],
    });
    clock = 120_000; // vm has run 60 s of its 120 s: the last run was then at 120 s of 600 s
    vi.advanceTimersByTime(100);
    expect(terminal.screen()[0]).toBe(' 120.0s elapsed, about 8 min left');
  });
});

describe('the live view elsewhere (CI logs, pipes)', () => {
  it('prints one line per finished step with its stage count, and log lines as they come', () => {
    const lines: string[] = [];
    const io: Io = { out: (text) => void lines.push(text), err: (text) => void lines.push(`E ${text}`) };
    const view = liveView(io, { started: 0, now });
    view.onPlan!(PLAN);
    view.io.out('a log line');
    clock = 4200;
    view.onEnd!({ ...PLAN[2]!, state: 'done', startedAt: 1000, endedAt: 4200 });
    view.stop();
    expect(lines).toEqual(['a log line', '   4.2s done    vm:w-1: done (3.2s) [vm 1/2]']);
  });
});
