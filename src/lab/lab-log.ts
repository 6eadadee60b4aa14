import { appendFileSync } from 'node:fs';

/** One line of the lab's --lab-log: a Proxmox API request, or a talosctl, kubectl or helm call. */
export type LabLogWriter = (entry: Record<string, unknown>) => void;

/**
 * Appends each entry to `file` as one JSON line, stamped with the time. Written synchronously, so the lines
 * of requests and tool calls answered at once never interleave and a lab killed mid-run loses none.
 */
export function jsonLinesLog(file: string): LabLogWriter {
  return (entry) => appendFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}
