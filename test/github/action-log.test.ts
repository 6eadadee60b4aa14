import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLine } from '../../src/github/action-io.js';
import { processIo } from '../../src/cli/output.js';
import type { ClusterWorkContext } from '../../src/twin/context.js';
import { runCheck } from '../../src/twin/curl-check.js';

/** What a pod can put into a failing check's evidence: each line a workflow command, if it reached the log raw. */
const POD_LINES = ['::add-mask::x', '::set-output name=a::b', '::error::boom', '::stop-commands::tok'];

function captured(stream: NodeJS.WriteStream): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return { text: () => chunks.join('') };
}

/** Lines the runner would read as workflow commands (it trims leading blanks, and \r breaks a line too). */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => /^\s*(::|##\[)/.test(line));
}

describe('text from pods on its way to the job log', () => {
  afterEach(() => vi.restoreAllMocks());

  it("an action's log (logLine, the actions' ctx.log) shows a failing check's evidence neutralised", async () => {
    const stdout = captured(process.stdout);
    const ctx = { log: logLine, pace: { checkTimeoutMs: 20, pollMs: 5 } } as unknown as ClusterWorkContext;
    const outcome = await runCheck(ctx, {
      id: 'reach',
      title: 'x-wing reaches rebel-base',
      cluster: 'east',
      take: async () => ({ requests: 1, answered: 0, byCluster: {}, evidence: ['exit 7', ...POD_LINES] }),
      judge: () => 'nothing answered',
    });
    expect(outcome.passed).toBe(false);
    const log = stdout.text();
    expect(commandLines(log)).toEqual([]);
    for (const line of POD_LINES) expect(log).toContain(`|   ${line}`);
  });

  it('the CLI, which may run in a workflow step, writes no workflow command either', () => {
    const stdout = captured(process.stdout);
    const stderr = captured(process.stderr);
    processIo.out(`check reach: FAILED\n  ${POD_LINES.join('\r\n  ')}`);
    processIo.err(POD_LINES.join('\r'));
    expect(commandLines(stdout.text())).toEqual([]);
    expect(commandLines(stderr.text())).toEqual([]);
    expect(stderr.text()).toContain('| ::stop-commands::tok');
  });
});
