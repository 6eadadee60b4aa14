import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { secretMaterial } from '../src/diagnostics/secret-scan.js';

/**
 * The benches' and tests' side of the secret scan (src/diagnostics/secret-scan.ts): a twin's secrets read
 * from its local state folder, and what a job log shows.
 */

export { scanForSecrets, withEncodings } from '../src/diagnostics/secret-scan.js';

/** The secret material of every file under a twin's state folder. */
export function twinSecrets(twinDir: string): Set<string> {
  return secretMaterial(filesUnder(twinDir).map((file) => readFileSync(file, 'utf8')));
}

/** A runner consumes `::add-mask::` commands and never shows them; everything else of stdout is the log. */
export function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
