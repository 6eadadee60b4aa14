/**
 * Command-line parsing the way spf13/pflag does it (talosctl, kubectl and helm are all cobra programs):
 * `--name=value`, `--name value`, `-n value`, `-nvalue`, `-n=value`, booleans as `--force` or
 * `--force=false`, comma-separated slices, `--` ending the flags, flags and arguments in any order.
 */

export type FlagKind = 'bool' | 'string' | 'stringSlice' | 'stringArray' | 'int';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
}

export type FlagValue = string | boolean | number | string[];

export interface ParsedArgs {
  flags: Map<string, FlagValue>;
  positionals: string[];
}

/** A usage mistake, with pflag's wording; each tool prints it in its own style. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseFlags(args: string[], specs: FlagSpec[]): ParsedArgs {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const byShort = new Map(specs.filter((spec) => spec.short).map((spec) => [spec.short!, spec]));
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];
  let i = 0;
  const next = (what: string): string => {
    const value = args[++i];
    if (value === undefined) throw new UsageError(`flag needs an argument: ${what}`);
    return value;
  };
  for (; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const [name = '', inline] = splitOnce(arg.slice(2), '=');
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      const value = inline ?? (spec.kind === 'bool' ? 'true' : next(`--${name}`));
      set(flags, spec, value, `--${name}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      parseShorts(arg.slice(1), byShort, flags, next);
    } else {
      positionals.push(arg);
    }
  }
  return { flags, positionals };
}

function parseShorts(
  cluster: string,
  byShort: Map<string, FlagSpec>,
  flags: Map<string, FlagValue>,
  next: (what: string) => string,
): void {
  for (let at = 0; at < cluster.length; at++) {
    const letter = cluster[at] ?? '';
    const spec = byShort.get(letter);
    if (!spec) throw new UsageError(`unknown shorthand flag: '${letter}' in -${cluster}`);
    const rest = cluster.slice(at + 1);
    if (spec.kind === 'bool') {
      if (rest.startsWith('=')) return set(flags, spec, rest.slice(1), `-${letter}`);
      set(flags, spec, 'true', `-${letter}`);
      continue;
    }
    const value = rest === '' ? next(`'${letter}' in -${letter}`) : rest.replace(/^=/, '');
    return set(flags, spec, value, `-${letter}`);
  }
}

function set(flags: Map<string, FlagValue>, spec: FlagSpec, raw: string, shown: string): void {
  const invalid = (why: string) =>
    new UsageError(
      `invalid argument "${raw}" for "${shown.startsWith('--') ? shown : `${shown}, --${spec.name}`}" flag: ${why}`,
    );
  switch (spec.kind) {
    case 'bool': {
      const parsed = parseBool(raw);
      if (parsed === undefined) throw invalid(`strconv.ParseBool: parsing "${raw}": invalid syntax`);
      flags.set(spec.name, parsed);
      return;
    }
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw invalid(`strconv.ParseInt: parsing "${raw}": invalid syntax`);
      flags.set(spec.name, Number(raw));
      return;
    }
    case 'string':
      flags.set(spec.name, raw);
      return;
    case 'stringSlice': {
      const previous = (flags.get(spec.name) as string[] | undefined) ?? [];
      flags.set(spec.name, [...previous, ...(raw === '' ? [] : raw.split(','))]);
      return;
    }
    case 'stringArray': {
      const previous = (flags.get(spec.name) as string[] | undefined) ?? [];
      flags.set(spec.name, [...previous, raw]);
    }
  }
}

/** strconv.ParseBool. */
function parseBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** Typed reads of parsed flags. */
export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function boolFlag(parsed: ParsedArgs, name: string, fallback = false): boolean {
  const value = parsed.flags.get(name);
  return typeof value === 'boolean' ? value : fallback;
}

export function listFlag(parsed: ParsedArgs, name: string): string[] {
  const value = parsed.flags.get(name);
  return Array.isArray(value) ? value : [];
}

/** kubectl's duration flags: `30s`, `5m`, `1h2m`, or a bare number of seconds. */
export function parseDurationSeconds(raw: string): number | undefined {
  if (/^\d+$/.test(raw)) return Number(raw);
  const parts = [...raw.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== raw) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  return parts.reduce((sum, part) => sum + Number(part[1]) * (unit[part[2] ?? 's'] ?? 1), 0);
}

/** A cobra command: its own flags, its subcommands, and what it does (leaves only). */
export interface CommandNode<Run> {
  name: string;
  flags?: FlagSpec[];
  children?: CommandNode<Run>[];
  run?: Run;
}

export interface FoundCommand<Run> {
  /** Command words from the root, e.g. ['gen', 'config']. */
  path: string[];
  node: CommandNode<Run>;
  /** The arguments without the command words, flags still in place. */
  rest: string[];
  /** The first word that named no subcommand of a command that has only subcommands. */
  unknown?: string;
}

/**
 * cobra's Find: walks the words that are not flags (knowing which flags take a value, so their
 * values are skipped) and descends into the subcommand each names.
 */
export function findCommand<Run>(
  root: CommandNode<Run>,
  args: string[],
  globals: FlagSpec[],
): FoundCommand<Run> {
  let node = root;
  const path: string[] = [];
  const commandIndexes = new Set<number>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-') && arg.length > 1) {
      if (takesValue(arg, [...globals, ...(node.flags ?? [])])) i++;
      continue;
    }
    const child = node.children?.find((candidate) => candidate.name === arg);
    if (!child) {
      if (!node.run) return { path, node, rest: withoutIndexes(args, commandIndexes), unknown: arg };
      break;
    }
    node = child;
    path.push(arg);
    commandIndexes.add(i);
  }
  return { path, node, rest: withoutIndexes(args, commandIndexes) };
}

/** Whether a flag word without `=` consumes the next word as its value. */
function takesValue(arg: string, specs: FlagSpec[]): boolean {
  if (arg.includes('=')) return false;
  if (arg.startsWith('--')) {
    const spec = specs.find((candidate) => candidate.name === arg.slice(2));
    return spec !== undefined && spec.kind !== 'bool';
  }
  const last = specs.find((candidate) => candidate.short === arg.slice(1));
  return arg.length === 2 && last !== undefined && last.kind !== 'bool';
}

function withoutIndexes(args: string[], indexes: Set<number>): string[] {
  return args.filter((_, index) => !indexes.has(index));
}
