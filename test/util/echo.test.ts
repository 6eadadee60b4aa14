import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine, integerOption } from '../../src/cli/args.js';
import { getBooleanInput, getChoiceInput, Inputs } from '../../src/github/action-io.js';
import { normalizeFingerprint } from '../../src/proxmox/connection.js';
import { validateTwinName } from '../../src/spec/identity.js';
import { SpecError, parseSpec } from '../../src/spec/load.js';
import { parseStoreKind } from '../../src/state/open.js';
import { MAX_ECHOED, echoed, neutralised } from '../../src/util/echo.js';

/** 10 kB meant to forge log lines: newlines, a carriage return, workflow commands, an escape sequence. */
const HOSTILE = `x\n::error::boom\r::add-mask::a\u001b[31m\u2028${'A'.repeat(10_000)}\n::stop-commands::tok`;
const EXAMPLE = readFileSync(join(import.meta.dirname, '../../examples/twin.yaml'), 'utf8');

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

/** The echoed part of a message is short, on one line, and no line of the message is a workflow command. */
function expectTamed(message: string) {
  expect(message.length).toBeLessThan(600);
  expect(/[\r\u2028]/.test(message) || message.includes(String.fromCharCode(27))).toBe(false);
  for (const line of message.split('\n')) expect(line.trimStart()).not.toMatch(/^::/);
  expect(message).not.toContain('A'.repeat(MAX_ECHOED + 1));
}

describe('echoed: a refused value in a message', () => {
  it('is quoted, at most 60 characters with an ellipsis, control characters replaced', () => {
    const shown = echoed(HOSTILE);
    expect(shown).toBe(JSON.stringify(`x?::error::boom?::add-mask::a?[31m?${'A'.repeat(25)}…`));
    expect([...JSON.parse(shown)].length).toBe(MAX_ECHOED + 1);
    expect(echoed('pr-7')).toBe('"pr-7"');
  });

  afterEach(() => {
    delete process.env.INPUT_TOOLS;
    delete process.env['INPUT_DRY-RUN'];
  });

  it('is how action inputs, twin names, CLI words, store kinds and fingerprints are echoed', () => {
    process.env.INPUT_TOOLS = HOSTILE;
    process.env['INPUT_DRY-RUN'] = HOSTILE;
    const parsed = parseCommandLine(['--slot', HOSTILE], { slot: { type: 'string' } }, [], 'usage');
    for (const refusal of [
      () => getChoiceInput(Inputs.Tools, ['pinned', 'path'] as const, 'pinned'),
      () => getBooleanInput(Inputs.DryRun),
      () => validateTwinName(HOSTILE),
      () => integerOption(parsed, 'slot'),
      () => parseStoreKind(HOSTILE, 'input state-store'),
      () => normalizeFingerprint(HOSTILE, 'input proxmox-fingerprint'),
    ]) {
      expectTamed(messageOf(refusal));
    }
  });

  it('is how the spec loader echoes values and keys', () => {
    const hostileValue = EXAMPLE.replace(/^project: .*$/m, `project: ${JSON.stringify(HOSTILE)}`);
    const hostileKey = EXAMPLE.replace(/^project: /m, `${JSON.stringify(HOSTILE)}: 1\nproject: `);
    for (const text of [hostileValue, hostileKey]) {
      const error = (() => {
        try {
          parseSpec(text, 'twin.yaml');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(SpecError);
      expectTamed((error as SpecError).message);
    }
  });
});

describe('neutralised: outside text on its way to the job log', () => {
  it('puts every line that would be a workflow command behind "| ", whatever breaks the line', () => {
    const evidence = [
      'exit 0; 0 of 20 answered',
      '::add-mask::x',
      '  ::set-output name=a::b',
      'curl: (7) refused\r::error::boom',
      '##[error]old style',
      '::stop-commands::tok',
      'a line with :: inside',
    ].join('\n');
    expect(neutralised(evidence).split('\n')).toEqual([
      'exit 0; 0 of 20 answered',
      '| ::add-mask::x',
      '|   ::set-output name=a::b',
      'curl: (7) refused',
      '| ::error::boom',
      '| ##[error]old style',
      '| ::stop-commands::tok',
      'a line with :: inside',
    ]);
  });
});
