import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../errors.js';

/** Files the lab holds requests against; they live beside the project, never inside it. */
export const CONTRACT_FILES = {
  pveApi: 'pve-api-subset.json',
  talosConfig: 'talos-config.schema.json',
  ciliumValues: 'cilium-values.schema.json',
} as const;

/**
 * Where ../shared/contracts is: TWIN_CONTRACTS_DIR if set, else the first `shared/contracts`
 * found beside this file's folders or the working directory's (the repo sits next to shared/).
 */
export function contractsDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.TWIN_CONTRACTS_DIR;
  if (explicit) {
    if (!existsSync(join(explicit, CONTRACT_FILES.pveApi))) {
      throw new ConfigurationError(
        `TWIN_CONTRACTS_DIR=${explicit} has no ${CONTRACT_FILES.pveApi}: point it at the shared/contracts folder`,
      );
    }
    return explicit;
  }
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, 'shared', 'contracts');
      if (existsSync(join(candidate, CONTRACT_FILES.pveApi))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new ConfigurationError(
    'the simulated lab needs the real API contracts (shared/contracts beside the repository): ' +
      'clone the project next to shared/, or set TWIN_CONTRACTS_DIR to that folder',
  );
}

export function contractFile(name: keyof typeof CONTRACT_FILES, env?: NodeJS.ProcessEnv): string {
  return join(contractsDir(env), CONTRACT_FILES[name]);
}
