import { errorMessage, isConfigurationError } from '../errors.js';
import { CommandError } from '../exec/runner.js';
import { WaitTimeoutError } from '../kube/readiness.js';
import { PveApiError, PveNetworkError, PveTaskError, PveTaskTimeoutError } from '../proxmox/errors.js';
import { didYouMean, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './output.js';
import { processIo } from './output.js';
import { echoed } from '../util/echo.js';

export const USAGE = [
  'usage: twin <command> [options]',
  '',
  ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`),
  '',
  "Run 'twin <command> --help' for a command's options.",
].join('\n');

/** A mistyped command is named with the one most likely meant; so is a mistyped `--help` or `--version`. */
function unknownCommand(name: string): string {
  const known = name.startsWith('-') ? ['--help', '--version'] : Object.keys(COMMANDS);
  return `twin: unknown ${name.startsWith('-') ? 'option' : 'command'} ${echoed(name)}${didYouMean(name, known)}`;
}

/**
 * A user mistake or an answer of the systems we drive, also when a stage wrapped it with its name (its
 * `cause`): told plainly, without a stack trace.
 */
function isExpectedFailure(error: unknown): boolean {
  return (
    isConfigurationError(error) ||
    [PveApiError, PveNetworkError, PveTaskError, PveTaskTimeoutError, CommandError, WaitTimeoutError].some(
      (kind) => error instanceof kind,
    ) ||
    (error instanceof Error && error.cause !== undefined && isExpectedFailure(error.cause))
  );
}

/** Runs one CLI invocation and returns its exit code: 0 ok, 1 failed or refused, 2 bad command line. */
export async function run(args: string[], io: Io = processIo): Promise<number> {
  const [given, ...rest] = args;
  if (given === '--help' || given === '-h' || given === 'help') {
    io.out(USAGE);
    return 0;
  }
  const name = given === '--version' ? 'version' : given;
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(name === undefined ? USAGE : `${unknownCommand(name)}\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`twin ${name}: ${error.message}`);
      return 2;
    }
    if (isExpectedFailure(error)) {
      io.err(`twin ${name}: error: ${errorMessage(error)}`);
      return 1;
    }
    throw error;
  }
}

export async function main(args: string[]): Promise<void> {
  process.exitCode = await run(args);
}
