/**
 * Text that came from outside (inputs, spec values, command-line words, pod output) on its way into a
 * message or the job log. A refused value is echoed short and on one line; text from pods never issues a
 * workflow command.
 */

/** The most of a refused value a message shows. */
export const MAX_ECHOED = 60;

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A refused value as messages show it: control characters (newlines included) replaced by `?`, cut to
 * MAX_ECHOED characters with an ellipsis, then quoted. A hostile value can neither flood a log nor start
 * a line of its own.
 */
export function echoed(value: unknown): string {
  const text = String(value).replace(CONTROL, '?');
  const chars = [...text];
  const short = chars.length > MAX_ECHOED ? `${chars.slice(0, MAX_ECHOED).join('')}…` : text;
  return JSON.stringify(short);
}

/**
 * The runner reads a workflow command from any line (split at \n or \r) that starts, after blanks, with
 * `::` (or the older `##[`), e.g. `::add-mask::`, `::set-output`, `::stop-commands::`. Such a line of
 * outside text is shown behind `| ` instead, so it reads the same and commands nothing.
 */
const COMMAND_LINE = /^\s*(::|##\[)/;

export function neutralised(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (COMMAND_LINE.test(line) ? `| ${line}` : line))
    .join('\n');
}
