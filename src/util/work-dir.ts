import { mkdir, rm } from 'node:fs/promises';

/**
 * An empty private (0700) scratch folder. What a killed earlier run left there (generated configs, Talos
 * secrets files that talosctl refuses to overwrite) is generated again from the state store.
 */
export async function freshWorkDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
