import { execFile } from 'node:child_process';
import { getExecOutput } from '@actions/exec';
import { ConfigurationError } from '../errors.js';
import { childEnv } from './child-env.js';

/** How one command runs. */
export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Added to the allow-listed part of this process's environment (child-env.ts); never a token. */
  env?: Record<string, string>;
  cwd?: string;
  /** Return a non-zero exit instead of throwing; the caller reads `exitCode`. */
  allowFailure?: boolean;
  /** Values that must never be shown: masked in error messages wherever they occur in args or stderr. */
  secrets?: string[];
  /**
   * Stops the process (SIGKILL) once it has run this long; the call then throws CommandTimeoutError, even
   * with allowFailure. For calls that must not hang on a node that does not answer (diagnostics).
   */
  timeoutMs?: number;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI (talosctl, kubectl, helm) as a child process with an argument array, never through a shell. */
export interface CommandRunner {
  run(tool: string, args: string[], opts?: RunOptions): Promise<CommandResult>;
}

/** Starts the process and collects its output, whatever the exit code. */
export type Launcher = (
  tool: string,
  args: string[],
  opts: Omit<RunOptions, 'allowFailure' | 'secrets'>,
) => Promise<CommandResult>;

const MASK = '***';
const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 2_000;

/** A command exited non-zero. Args and stderr are already masked, so the message is safe to print. */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly tool: string;
  readonly args: string[];
  readonly exitCode: number;
  /** The last lines of stderr (stdout when stderr was empty), where CLIs put the reason. */
  readonly stderrTail: string;

  constructor(init: { tool: string; args: string[]; exitCode: number; stderrTail: string }) {
    const reason = init.stderrTail || '(no output)';
    super(`${describeCommand(init.tool, init.args)} failed with exit code ${init.exitCode}: ${reason}`);
    this.tool = init.tool;
    this.args = init.args;
    this.exitCode = init.exitCode;
    this.stderrTail = init.stderrTail;
  }
}

/** A command was stopped because it ran past its timeoutMs. */
export class CommandTimeoutError extends Error {
  override name = 'CommandTimeoutError';
  constructor(tool: string, args: string[], timeoutMs: number) {
    super(`${describeCommand(tool, args)} gave no answer within ${timeoutMs / 1000}s and was stopped`);
  }
}

/** The command as a person would type it, for messages. */
export function describeCommand(tool: string, args: string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word));
  return [tool, ...args].map(quote).join(' ');
}

function maskSecrets(text: string, secrets: string[]): string {
  return secrets
    .filter((secret) => secret.length > 0)
    .reduce((masked, secret) => masked.split(secret).join(MASK), text);
}

function tail(output: string): string {
  const lines = output.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
  return lines.length > STDERR_TAIL_CHARS ? `...${lines.slice(-STDERR_TAIL_CHARS)}` : lines;
}

/** A runner over `launch` that turns a non-zero exit into a CommandError (unless allowed) with secrets masked. */
export function runnerOver(launch: Launcher): CommandRunner {
  return {
    async run(tool, args, opts = {}) {
      const { allowFailure, secrets = [], ...launchOpts } = opts;
      const result = await launch(tool, args, launchOpts);
      if (result.exitCode !== 0 && !allowFailure) {
        throw new CommandError({
          tool,
          args: args.map((arg) => maskSecrets(arg, secrets)),
          exitCode: result.exitCode,
          stderrTail: maskSecrets(tail(result.stderr || result.stdout), secrets),
        });
      }
      return result;
    },
  };
}

/** Message of @actions/io's `which` when the tool is neither a path nor on PATH. */
const NOT_FOUND = /^Unable to locate executable file/;

/**
 * Starts real processes through @actions/exec, silently: output is returned, never echoed to the job log.
 * The child's environment is always the allow-listed one: @actions/exec would otherwise pass all of ours.
 */
export const launchProcess: Launcher = async (tool, args, opts) => {
  if (opts.timeoutMs !== undefined) return launchWithDeadline(tool, args, opts, opts.timeoutMs);
  try {
    return await getExecOutput(tool, args, {
      silent: true,
      ignoreReturnCode: true,
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      env: childEnv(process.env, opts.env),
      ...(opts.input === undefined ? {} : { input: Buffer.from(opts.input) }),
    });
  } catch (error) {
    if (error instanceof Error && NOT_FOUND.test(error.message)) throw toolNotFound(tool);
    throw error;
  }
};

function toolNotFound(tool: string): ConfigurationError {
  return new ConfigurationError(
    `${tool} was not found on PATH: install it on the runner (runner-setup/ installs the pinned versions) ` +
      'or put its folder on PATH',
  );
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * As launchProcess, through node's execFile, which can stop the child: @actions/exec has no timeout. The same
 * allow-listed environment; output is collected, never echoed.
 */
function launchWithDeadline(
  tool: string,
  args: string[],
  opts: Parameters<Launcher>[2],
  timeoutMs: number,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tool,
      args,
      {
        env: childEnv(process.env, opts.env),
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ exitCode: 0, stdout, stderr });
        if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(error);
        if (error.killed) return reject(new CommandTimeoutError(tool, args, timeoutMs));
        if (error.code === 'ENOENT') return reject(toolNotFound(tool));
        if (typeof error.code === 'number') return resolve({ exitCode: error.code, stdout, stderr });
        reject(error);
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** `runner` with every call stopped once it has run `timeoutMs` (CommandTimeoutError). */
export function withDeadline(runner: CommandRunner, timeoutMs: number): CommandRunner {
  return { run: (tool, args, opts = {}) => runner.run(tool, args, { ...opts, timeoutMs }) };
}

/** The runner the product uses: real child processes. */
export const execRunner: CommandRunner = runnerOver(launchProcess);
