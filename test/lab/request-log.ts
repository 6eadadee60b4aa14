import { existsSync, readFileSync } from 'node:fs';

/** The requests that changed Proxmox (every method but GET), from a lab's JSON-lines log (tool calls left out). */
export function changingRequests(labLog: string): string[] {
  if (!existsSync(labLog)) return [];
  return readFileSync(labLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { method?: string; path: string })
    .filter((entry) => entry.method !== undefined && entry.method !== 'GET')
    .map((entry) => `${entry.method} ${entry.path}`);
}
