/**
 * A tool call's argv as the lab log keeps it: what was run and on which files, never a secret. The product
 * passes secrets to talosctl, kubectl and helm only in files (paths are kept), so this is a second line of
 * defence: a PEM block, the value of an option or `key=value` named like a secret, and any long random-looking
 * string (a token, a key; also an image digest, a price worth paying) become ***.
 */

const REDACTED = '***';
const SECRET_NAME = /token|secret|passw|passphrase|credential|private|auth|key|cert|ca-?data/i;
const PEM = /-----BEGIN /;
/** Runs of the characters of base64, base64url and hex; a path's slashes split it into pieces. */
const RUN = /[A-Za-z0-9+/=_-]{20,}/g;

export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, index) => redactArg(arg, args[index - 1]));
}

function redactArg(arg: string, previous: string | undefined): string {
  if (PEM.test(arg)) return REDACTED;
  if (previous !== undefined && isSecretOption(previous) && !arg.startsWith('-')) return keepPath(arg);
  const option = /^(--?[\w-]+)=([\s\S]*)$/.exec(arg);
  if (option) {
    const [, name = '', value = ''] = option;
    return `${name}=${SECRET_NAME.test(name) ? keepPath(value) : redactValue(value)}`;
  }
  return redactValue(arg);
}

/** `--token`, `--client-key`: an option (without its `=value`) named like a secret. */
function isSecretOption(arg: string): boolean {
  return /^--?[A-Za-z][\w-]*$/.test(arg) && SECRET_NAME.test(arg);
}

/** A file path is kept (the file holds the secret, the path does not); anything else is redacted. */
function keepPath(value: string): string {
  return /^(@?\/|\.{1,2}\/|~\/)[^\s]*$/.test(value) && !PEM.test(value) ? value : REDACTED;
}

/** `tls.key=...` (helm --set, --from-literal) loses its value; random-looking runs are cut out. */
function redactValue(value: string): string {
  const assignment = /^([\w.[\]-]+)=([\s\S]*)$/.exec(value);
  if (assignment && SECRET_NAME.test(assignment[1] ?? '')) return `${assignment[1]}=${REDACTED}`;
  return value.replace(RUN, redactRun);
}

/** From the first random-looking piece of a run on: `dev/installer/<digest>` keeps `dev/installer/`. */
function redactRun(run: string): string {
  const pieces = run.split('/');
  const first = pieces.findIndex(looksRandom);
  return first < 0 ? run : [...pieces.slice(0, first), REDACTED].join('/');
}

/** Long, with letters and digits mixed: a token or a key, not a word, a name or a version. */
function looksRandom(piece: string): boolean {
  return piece.length >= 20 && /\d/.test(piece) && /[A-Za-z]/.test(piece);
}
