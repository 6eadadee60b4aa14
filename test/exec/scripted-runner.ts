import { runnerOver, type CommandResult, type CommandRunner, type Launcher } from '../../src/exec/runner.js';

export interface RecordedCall {
  tool: string;
  args: string[];
  opts: Parameters<Launcher>[2];
}

/** What the scripted process answers: exit 0 with no output unless the script says otherwise. */
export type Script = (tool: string, args: string[]) => Partial<CommandResult> | undefined;

/**
 * The product's runner over a scripted launcher instead of real processes: the exit-code handling and masking
 * are the real ones, and every call is recorded so tests can assert the exact argv.
 */
export function scriptedRunner(script: Script = () => undefined): {
  runner: CommandRunner;
  calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const launch: Launcher = async (tool, args, opts) => {
    calls.push({ tool, args: [...args], opts });
    return { exitCode: 0, stdout: '', stderr: '', ...script(tool, args) };
  };
  return { runner: runnerOver(launch), calls };
}
