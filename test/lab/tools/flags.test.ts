import { describe, expect, it } from 'vitest';
import type { FlagSpec } from '../../../src/lab/tools/flags.js';
import { findCommand, parseDurationSeconds, parseFlags } from '../../../src/lab/tools/flags.js';

const SPECS: FlagSpec[] = [
  { name: 'nodes', short: 'n', kind: 'stringSlice' },
  { name: 'force', short: 'f', kind: 'bool' },
  { name: 'output', short: 'o', kind: 'string' },
  { name: 'patch', short: 'p', kind: 'stringArray' },
];

describe('pflag-style parsing', () => {
  it('takes --f=v, --f v, -fv, -f v, bool forms and comma slices in any order', () => {
    const parsed = parseFlags(
      ['a', '--nodes=1.1.1.1,2.2.2.2', '-n', '3.3.3.3', '-oout', '--force=false', '-p', 'x,y', 'b'],
      SPECS,
    );
    expect(parsed.positionals).toEqual(['a', 'b']);
    expect(parsed.flags.get('nodes')).toEqual(['1.1.1.1', '2.2.2.2', '3.3.3.3']);
    expect(parsed.flags.get('output')).toBe('out');
    expect(parsed.flags.get('force')).toBe(false);
    expect(parsed.flags.get('patch')).toEqual(['x,y']);
  });

  it('refuses unknown flags, missing values and bad booleans with pflag text', () => {
    expect(() => parseFlags(['--nope'], SPECS)).toThrow('unknown flag: --nope');
    expect(() => parseFlags(['-x'], SPECS)).toThrow("unknown shorthand flag: 'x' in -x");
    expect(() => parseFlags(['--output'], SPECS)).toThrow('flag needs an argument: --output');
    expect(() => parseFlags(['--force=maybe'], SPECS)).toThrow('invalid argument "maybe" for "--force" flag');
  });

  it('finds the subcommand past flags that take values', () => {
    const root = {
      name: 'x',
      flags: SPECS,
      children: [{ name: 'config', children: [{ name: 'endpoint', run: 1 }] }],
    };
    const found = findCommand(root, ['--output', 'config', 'config', 'endpoint', 'a'], SPECS);
    expect(found.path).toEqual(['config', 'endpoint']);
    expect(found.rest).toEqual(['--output', 'config', 'a']);
  });

  it('reads kubectl durations', () => {
    expect([
      parseDurationSeconds('90s'),
      parseDurationSeconds('1m30s'),
      parseDurationSeconds('5'),
      parseDurationSeconds('x'),
    ]).toEqual([90, 90, 5, undefined]);
  });
});
