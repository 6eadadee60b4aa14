import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stateDirFromInputs, twinFromInputs } from '../../src/actions/step-context.js';
import { ConfigurationError } from '../../src/errors.js';

/** Names and paths the step takes from its inputs are checked as they are read, before first use. */
const saved = { ...process.env };
let workspace: string;
let outside: string;

beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), 'step-inputs-'));
  workspace = join(base, 'repo');
  outside = join(base, 'runner-state');
  mkdirSync(workspace);
  mkdirSync(outside);
  process.env.GITHUB_WORKSPACE = workspace;
});
afterEach(() => {
  process.env = { ...saved };
});

const withStateDir = (value: string) => {
  process.env['INPUT_STATE-DIR'] = value;
  return stateDirFromInputs;
};

describe('input state-dir', () => {
  it('defaults to ~/.aggrik8s-twin/state and takes an absolute folder outside the workspace', () => {
    delete process.env['INPUT_STATE-DIR'];
    expect(stateDirFromInputs()).toBe(join(homedir(), '.aggrik8s-twin', 'state'));
    expect(withStateDir(join(outside, 'twins'))()).toBe(join(outside, 'twins'));
  });

  it('is refused inside the workspace: relative, absolute, or through a symlink either way', () => {
    symlinkSync(outside, join(workspace, 'linked-out')); // a symlink the pull request committed
    symlinkSync(workspace, join(outside, 'linked-in'));
    for (const value of [
      '.twin-state',
      join(workspace, 'state'),
      join(workspace, 'linked-out', 'production'),
      join(outside, 'linked-in', 'state'),
      workspace,
    ]) {
      expect(withStateDir(value)).toThrow(ConfigurationError);
      expect(withStateDir(value)).toThrow(
        /^input state-dir ".*" is (relative, so )?inside the workspace .*; nothing was read or changed \(fix: use an absolute path outside it/,
      );
    }
  });
});

describe('input twin', () => {
  it('is validated as it is read, naming the input', () => {
    process.env.INPUT_TWIN = '../../etc';
    expect(twinFromInputs).toThrow(/^input twin "\.\.\/\.\.\/etc" is not a valid twin name/);
    process.env.INPUT_TWIN = 'pr-7';
    expect(twinFromInputs()).toBe('pr-7');
    delete process.env.INPUT_TWIN;
    expect(twinFromInputs()).toBeUndefined();
  });
});
