import { errorMessage } from '../errors.js';

/**
 * One thing a diagnostics bundle holds, and how it was got: each is collected on its own, with a bound on
 * how long it may take, and a failure is the item's own error (a dead cluster still yields a bundle).
 */

export type ItemStatus = 'ok' | 'failed' | 'skipped' | 'withheld';

export interface CollectedItem {
  /** Where it goes inside the bundle's folder, e.g. `east/events.txt`; none for an item with nothing to keep. */
  file?: string;
  title: string;
  /** What produced it, as a person would run it (no paths, no credentials). */
  source: string;
  status: ItemStatus;
  /** Why it failed, was skipped or was withheld. */
  note?: string;
  seconds: number;
  content: string;
}

/** Runs `work` for one item; an error, or no answer within `timeoutMs`, becomes the item's failure. */
export async function collect(
  item: { file: string; title: string; source: string },
  timeoutMs: number,
  work: () => Promise<string>,
): Promise<CollectedItem> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    const content = await Promise.race([work(), late]);
    return { ...item, status: 'ok', seconds: seconds(), content: content === '' ? '(no output)\n' : content };
  } catch (error) {
    const { file: _file, ...rest } = item;
    return { ...rest, status: 'failed', note: errorMessage(error), seconds: seconds(), content: '' };
  } finally {
    clearTimeout(timer);
  }
}

/** An item not collected, and why (a node that did not answer its first question, Rook not enabled). */
export function skipped(item: { file?: string; title: string; source: string }, why: string): CollectedItem {
  const { file: _file, ...rest } = item;
  return { ...rest, status: 'skipped', note: why, seconds: 0, content: '' };
}

/** An item whose content is known already (the run's failure, its steps and timings). */
export function given(item: { file: string; title: string; source: string }, content: string): CollectedItem {
  return { ...item, status: 'ok', seconds: 0, content };
}

/** Rows as text, each column padded to its widest cell, two spaces apart. */
export function alignColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return rows.map((row) => `${line(row)}\n`).join('');
}
