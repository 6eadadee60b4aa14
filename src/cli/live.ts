import type { StepEvents, StepRecord } from '../plan/executor.js';
import type { Io } from './output.js';

/**
 * Shows progress while a twin converges. On a terminal: one line per stage, redrawn in place, with the
 * steps running now. Elsewhere (CI logs, pipes): one line per finished step, which reads well in a log.
 */
export function liveView(
  io: Io,
  opts: { tty: boolean; started: number; now?: () => number },
): StepEvents & { stop(): void } {
  const now = opts.now ?? Date.now;
  const records = new Map<string, StepRecord>();
  const elapsed = () => `${((now() - opts.started) / 1000).toFixed(1).padStart(6)}s`;
  let drawnLines = 0;
  let timer: NodeJS.Timeout | undefined;

  const draw = () => {
    const stages = new Map<string, StepRecord[]>();
    for (const record of records.values())
      stages.set(record.stage, [...(stages.get(record.stage) ?? []), record]);
    const lines = [...stages.entries()].map(([stage, list]) => {
      const done = list.filter((r) => r.state === 'done').length;
      const failed = list.filter((r) => r.state === 'failed').length;
      const running = list.filter((r) => r.state === 'running').map((r) => r.title);
      const more = running.length > 2 ? ` +${running.length - 2}` : '';
      return `${stage.padEnd(11)} ${done}/${list.length} done${failed ? `, ${failed} FAILED` : ''}  ${running.slice(0, 2).join(' | ')}${more}`;
    });
    const text = [`${elapsed()} elapsed`, ...lines];
    process.stdout.write(
      `${drawnLines > 0 ? `\x1b[${drawnLines}A` : ''}${text.map((line) => `\x1b[2K${line}`).join('\n')}\n`,
    );
    drawnLines = text.length;
  };

  if (opts.tty) timer = setInterval(draw, 250);
  return {
    onStart(record) {
      records.set(record.id, record);
    },
    onEnd(record) {
      records.set(record.id, record);
      if (opts.tty) return;
      const took =
        record.startedAt !== undefined && record.endedAt !== undefined
          ? ` (${((record.endedAt - record.startedAt) / 1000).toFixed(1)}s)`
          : '';
      io.out(`${elapsed()} ${record.state.padEnd(7)} ${record.title}${took}`);
    },
    stop() {
      if (timer) clearInterval(timer);
      if (opts.tty && records.size > 0) draw();
    },
  };
}
