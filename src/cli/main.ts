import { errorMessage, isConfigurationError } from '../errors.js';
import { CommandError } from '../exec/runner.js';
import { WaitTimeoutError } from '../kube/readiness.js';
import { PveApiError, PveNetworkError, PveTaskError, PveTaskTimeoutError } from '../proxmox/errors.js';
import { didYouMean, UsageError } from './args.js';
import { doctorCommand, DOCTOR_USAGE } from './commands/doctor.js';
import { labCommand, LAB_USAGE } from './commands/lab.js';
import { planCommand, PLAN_USAGE } from './commands/plan.js';
import { renderCommand, RENDER_USAGE } from './commands/render.js';
import { stateCommand, STATE_COMMAND_USAGE } from './commands/state.js';
import { statusCommand, STATUS_USAGE } from './commands/status.js';
import { downCommand, DOWN_USAGE, upCommand, UP_USAGE } from './commands/up.js';
import { validateCommand, VALIDATE_USAGE } from './commands/validate.js';
import { versionCommand, VERSION_USAGE } from './commands/version.js';
import type { Io } from './output.js';
import { processIo } from './output.js';
import { echoed } from '../util/echo.js';

type Command = (args: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  validate: {
    run: validateCommand,
    usage: VALIDATE_USAGE,
    summary: 'check a twin spec; errors name file:line:column, the field and the fix',
  },
  doctor: {
    run: doctorCommand,
    usage: DOCTOR_USAGE,
    summary: 'check the Proxmox token has every right a twin needs; prints the pveum commands for the rest',
  },
  plan: {
    run: planCommand,
    usage: PLAN_USAGE,
    summary: 'what applying a twin would create, keep, change and destroy',
  },
  render: {
    run: renderCommand,
    usage: RENDER_USAGE,
    summary: 'write every generated artifact of a twin as files',
  },
  up: {
    run: upCommand,
    usage: UP_USAGE,
    summary: 'create or converge a twin: VMs, Talos, Cilium, nodes Ready',
  },
  down: { run: downCommand, usage: DOWN_USAGE, summary: 'destroy a twin and prove nothing of it is left' },
  status: {
    run: statusCommand,
    usage: STATUS_USAGE,
    summary: 'what exists of a twin (VMs, slot, node readiness), or with --all of every twin and its state',
  },
  state: {
    run: stateCommand,
    usage: STATE_COMMAND_USAGE,
    summary: "move a twin's state between stores: export to a 0600 file, import into another store",
  },
  lab: { run: labCommand, usage: LAB_USAGE, summary: 'run or stop the embedded simulated lab' },
  version: {
    run: versionCommand,
    usage: VERSION_USAGE,
    summary: "twin's version and Node.js's (also --version)",
  },
};

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
