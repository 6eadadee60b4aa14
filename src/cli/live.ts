import type { StepEvents, StepRecord } from '../plan/executor.js';
import type { RunTimings } from '../twin/run-timings.js';
import type { RunSoFar } from './live-frame.js';
import { frameLines, plainLine } from './live-frame.js';
import type { Io } from './output.js';

/** The terminal the frame is drawn on: process.stdout when it is a TTY. */
export interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

export interface LiveView extends StepEvents {
  /** Where the run's log lines go: on a terminal they are printed above the frame, never under or over it. */
  io: Io;
  /** The twin's last run, for "about N min left"; without one the view gives no estimate. */
  useLastRun(timings: RunTimings | undefined): void;
  /** Ends the view: on a terminal the final frame stays, as the run's record, and output goes on below it. */
  stop(): void;
}

const CURSOR_UP_AND_ERASE_LINE = '\x1b[1A\x1b[2K';

/**
 * Shows progress while a twin converges. On a terminal: a frame at the bottom (one line per stage, redrawn
 * in place) with the log lines scrolling above it. Elsewhere (CI logs, pipes): one line per finished step.
 */
export function liveView(
  io: Io,
  opts: { terminal?: Terminal; started: number; now?: () => number; refreshMs?: number },
): LiveView {
  const { terminal } = opts;
  const now = opts.now ?? Date.now;
  const run: RunSoFar = { started: opts.started, graphs: [] };
  const frame = terminal && framePainter(terminal, run, now);
  const timer = frame && setInterval(frame.redraw, opts.refreshMs ?? 250);
  timer?.unref();
  frame?.redraw();

  const keep = (record: StepRecord) => {
    const graph = run.graphs.findLast((candidate) => candidate.has(record.id)) ?? newGraph(run);
    graph.set(record.id, { ...record });
  };
  return {
    io: frame ? { out: frame.above((text) => io.out(text)), err: frame.above((text) => io.err(text)) } : io,
    useLastRun(timings) {
      if (timings) run.lastRun = timings;
      else delete run.lastRun;
    },
    onPlan(records) {
      run.graphs.push(new Map(records.map((record) => [record.id, { ...record }])));
      frame?.redraw();
    },
    onStart(record) {
      keep(record);
      frame?.redraw();
    },
    onEnd(record) {
      keep(record);
      if (frame) frame.redraw();
      else io.out(plainLine(run, record, now()));
    },
    stop() {
      if (timer) clearInterval(timer);
      frame?.finish();
    },
  };
}

function newGraph(run: RunSoFar): Map<string, StepRecord> {
  const graph = new Map<string, StepRecord>();
  run.graphs.push(graph);
  return graph;
}

/**
 * Draws the frame and keeps count of the rows it took, so it can be erased exactly: cursor up and erase
 * line, once per row. Anything printed goes through `above`: erase the frame, print, draw it again.
 */
function framePainter(terminal: Terminal, run: RunSoFar, now: () => number) {
  let rows = 0;
  let finished = false;
  const erase = () => CURSOR_UP_AND_ERASE_LINE.repeat(rows);
  const lines = () => frameLines(run, now(), terminal.columns ?? 80);
  const draw = (prefix: string) => {
    const text = lines();
    terminal.write(`${prefix}${text.map((line) => `${line}\n`).join('')}`);
    rows = text.length;
  };
  return {
    redraw: () => {
      if (!finished) draw(erase());
    },
    above:
      (print: (text: string) => void) =>
      (text: string): void => {
        if (finished) return print(text);
        terminal.write(erase());
        rows = 0;
        print(text);
        draw('');
      },
    finish: () => {
      if (finished) return;
      finished = true;
      if (run.graphs.length > 0) draw(erase());
      else terminal.write(erase()); // nothing ran: no frame to keep
      rows = 0;
    },
  };
}
