/**
 * Parses a CLI's JSON output. The error never quotes the output: it can hold secrets (helm's release JSON
 * carries the values, keys included).
 */
export function parseJsonOutput(command: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${command} printed something that is not JSON (${text.length} characters)`);
  }
}
