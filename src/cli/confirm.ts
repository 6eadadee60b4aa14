import { createInterface } from 'node:readline/promises';
import { ConfigurationError } from '../errors.js';
import { environmentOf } from '../spec/environment.js';
import { validateTwinName } from '../spec/identity.js';
import type { Io } from './output.js';

/** Asks one question on the terminal; undefined when there is no terminal to ask on. */
export type Ask = ((question: string) => Promise<string>) | undefined;

/** A prompt on stderr/stdin, only when both stdin and stderr are a terminal (never in CI or a pipe). */
export function terminalAsk(): Ask {
  if (process.stdin.isTTY !== true || process.stderr.isTTY !== true) return undefined;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await prompt.question(question);
    } finally {
      prompt.close();
    }
  };
}

/**
 * `twin down` of production goes ahead only with --yes, or when a person at a terminal types its name.
 * Without a terminal and without --yes it is refused, so a script never destroys production by accident.
 */
export async function confirmDown(twinName: string, yes: boolean, io: Io, ask: Ask): Promise<void> {
  const twin = validateTwinName(twinName, '--env');
  if (yes || environmentOf(twin) !== 'production') return;
  const refusal =
    `refusing to destroy the production twin "${twin}" without --yes, nothing was changed: ` +
    `run it again with --yes if you mean it`;
  if (!ask) throw new ConfigurationError(refusal);
  io.err(`twin down: this destroys the production twin "${twin}": its VMs, its slot and its stored secrets.`);
  const answer = (await ask(`type its name (${twin}) to go on: `)).trim();
  if (answer !== twin) throw new ConfigurationError(`the answer was not "${twin}": ${refusal}`);
}
