import { neutralised } from '../util/echo.js';

/** Where a command writes; tests pass their own to read what a user would see. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** A `twin` run inside a workflow step writes to the job log: no line of it may act as a workflow command. */
export const processIo: Io = {
  out: (text) => process.stdout.write(neutralised(text) + '\n'),
  err: (text) => process.stderr.write(neutralised(text) + '\n'),
};

/** Plain aligned columns: readable in a terminal and in a CI log alike. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
