import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { echoed } from '../util/echo.js';
import { closestMatch } from '../util/edit-distance.js';

/** A command line the CLI cannot read; exit code 2, with the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The options a command takes, as parseArgs reads them; each must be in the command's usage. */
export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandLine(
  args: string[],
  options: Options,
  positionals: string[],
  usage: string,
): Parsed {
  refuseUnknownOptions(args, options, usage);
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  if (parsed.positionals.length !== positionals.length) {
    throw new UsageError(`expected ${positionals.join(' ') || 'no arguments'}\n${usage}`);
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/**
 * An option the command does not take is named, with the one it most likely meant: parseArgs' own message
 * names neither. Read leniently first, so that a known option's value (`--env --x`) is not taken for one.
 */
function refuseUnknownOptions(args: string[], options: Options, usage: string): void {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const unknown = tokens.find((token) => token.kind === 'option' && !Object.hasOwn(options, token.name));
  if (unknown?.kind !== 'option') return;
  const known = Object.keys(options).map((name) => `--${name}`);
  const hint = unknown.rawName.startsWith('--') ? didYouMean(unknown.rawName, known) : '';
  throw new UsageError(`unknown option ${echoed(unknown.rawName)}${hint}\n${usage}`);
}

/** A word of the command line that must be one of `choices`: named when it is not, with the one meant. */
export function didYouMean(word: string, choices: string[]): string {
  const meant = closestMatch(word, choices);
  return meant ? `: did you mean ${meant}?` : '';
}

export function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(parsed: Parsed, name: string, usage: string): string {
  const value = stringOption(parsed, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required\n${usage}`);
  return value;
}

export function integerOption(parsed: Parsed, name: string): number | undefined {
  const value = stringOption(parsed, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, not ${echoed(value)}`);
  return Number(value);
}

export function numberOption(parsed: Parsed, name: string): number | undefined {
  const value = stringOption(parsed, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new UsageError(`--${name} takes a number >= 0, not ${echoed(value)}`);
  }
  return number;
}

/** Options every command that talks to Proxmox accepts. */
export const CONNECTION_OPTIONS: Options = {
  lab: { type: 'string' },
  'lab-log': { type: 'string' },
  endpoint: { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  fingerprint: { type: 'string' },
  insecure: { type: 'boolean' },
};

export const CONNECTION_USAGE = `Proxmox, one of:
  --lab DIR                  the embedded simulated lab, its state kept in DIR (started in the background if needed)
  --lab-log FILE             with --lab: the lab appends to FILE a JSON line per Proxmox API request and per
                             talosctl, kubectl and helm call (argv, exit code, duration; secrets redacted); a lab
                             already serving DIR keeps the log it started with: refused unless that is FILE
  --endpoint URL             a Proxmox VE API, e.g. https://pve1.lab:8006; token from PVE_TOKEN or --token-file,
                             and --ca-file FILE (PVE_CA_FILE) or --fingerprint SHA256 (PVE_FINGERPRINT) or --insecure`;
