import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** A bundle's files by their path inside its top folder, unpacked with the system's tar. */
export function extractBundle(
  archive: string,
  into = mkdtempSync(join(tmpdir(), 'diag-out-')),
): Record<string, string> {
  execFileSync('tar', ['-xzf', archive, '-C', into]);
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(into, full).split('/').slice(1).join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(into);
  return files;
}
