import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../errors.js';

/**
 * Files the lab holds requests against. They ship in the project's own `contracts/` folder, copied byte for
 * byte from their sources (contracts/SOURCES.md names each one's origin, version and license).
 */
export const CONTRACT_FILES = {
  /** Proxmox VE 9.1 API: the endpoints the product calls (filtered from pve-docs apidata.js). */
  pveApi: 'pve-api-subset.json',
  /** Proxmox VE 9.1 API: permissions, storage, reboot, pending, task lists (same source, same method). */
  pveApiExtra: 'pve-api-extra.json',
  /** Talos v1.11.6 machine-config schema. */
  talosConfig: 'talos-config.schema.json',
  /** Talos v1.12.11 machine-config schema. */
  talosConfigV112: 'talos-config-v1.12.11.schema.json',
  /** Talos v1.13.9 machine-config schema. */
  talosConfigV113: 'talos-config-v1.13.9.schema.json',
  /** Cilium 1.19.6 Helm chart values schema. */
  ciliumValues: 'cilium-values.schema.json',
  /** Cilium 1.20.0 Helm chart values schema. */
  ciliumValuesV120: 'cilium-1.20.0-values.schema.json',
  /** Doppler API v3: the project, config and secret operations (filtered from Doppler's OpenAPI). */
  dopplerApi: 'doppler-api-subset.json',
  /** Doppler API v3: configs-list, from Doppler's API reference page of that operation (same description). */
  dopplerApiExtra: 'doppler-api-extra.json',
} as const;

/** The folder of the project that holds the contract files. */
const FOLDER = 'contracts';

/**
 * The contracts folder: TWIN_CONTRACTS_DIR if set, else the first `contracts/` holding the PVE contract
 * found walking up from this module's folder (src/lab under tsx, dist/<entry> when bundled) or from the
 * working directory. A clone of the project has it; nothing beside the clone is needed.
 */
export function contractsDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.TWIN_CONTRACTS_DIR;
  if (explicit) {
    if (!existsSync(join(explicit, CONTRACT_FILES.pveApi))) {
      throw new ConfigurationError(
        `TWIN_CONTRACTS_DIR=${explicit} has no ${CONTRACT_FILES.pveApi}: point it at a folder like the ` +
          `project's ${FOLDER}/, or unset it to use the project's own`,
      );
    }
    return explicit;
  }
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, FOLDER);
      if (existsSync(join(candidate, CONTRACT_FILES.pveApi))) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new ConfigurationError(
    `the simulated lab needs the real API contracts, which ship in the project's ${FOLDER}/ folder, and no ` +
      `${FOLDER}/${CONTRACT_FILES.pveApi} was found above ${starts.join(' or ')}: run the project from a ` +
      `complete clone (${FOLDER}/ sits beside src/ and dist/), or set TWIN_CONTRACTS_DIR to a folder ` +
      `holding the contract files`,
  );
}

export function contractFile(name: keyof typeof CONTRACT_FILES, env?: NodeJS.ProcessEnv): string {
  return join(contractsDir(env), CONTRACT_FILES[name]);
}
