import { ConfigurationError } from '../errors.js';
import type { DopplerSettings } from './doppler.js';
import { DOPPLER_API_URL, DopplerStateStore } from './doppler.js';
import type { StateStore } from './store.js';
import { LocalStateStore } from './store.js';
import { echoed } from '../util/echo.js';

/**
 * Which store keeps a twin's state: `local` (a folder on the runner, the default) or `doppler` (one Doppler
 * branch config per twin, shared by every runner; LIFECYCLE J). Every action and command of a twin must
 * name the same one.
 */
export const STATE_STORES = ['local', 'doppler'] as const;
export type StateStoreKind = (typeof STATE_STORES)[number];

/** What the doppler store needs; the token is a Doppler service account token (it creates configs). */
export type DopplerAccess = Pick<DopplerSettings, 'token' | 'project' | 'environment'> & {
  apiUrl?: string;
  caFile?: string;
};

export function parseStoreKind(value: string | undefined, field: string): StateStoreKind {
  const kind = (value ?? '').trim() || 'local';
  if ((STATE_STORES as readonly string[]).includes(kind)) return kind as StateStoreKind;
  throw new ConfigurationError(`${field} must be one of ${STATE_STORES.join(', ')}, not ${echoed(kind)}`);
}

/**
 * The doppler store's settings from the environment: DOPPLER_TOKEN and DOPPLER_PROJECT (required),
 * DOPPLER_ENVIRONMENT (default ci), DOPPLER_API_URL (default Doppler's), DOPPLER_CA_FILE (a CA to pin, for
 * a lab). `fallback` fills what the environment leaves out (the embedded lab's own stand-in). DOPPLER_TOKEN is
 * removed from `env` once read, so no child process inherits it.
 */
export function dopplerAccessFromEnv(
  env: NodeJS.ProcessEnv,
  fallback?: { url: string; project: string; token: string; caFile: string },
): DopplerAccess {
  const pick = (name: string) => env[name]?.trim() || undefined;
  const token = pick('DOPPLER_TOKEN') ?? fallback?.token;
  // Once read, the token leaves the environment: talosctl, kubectl, helm and their plugins inherit it.
  delete env.DOPPLER_TOKEN;
  const project = pick('DOPPLER_PROJECT') ?? fallback?.project;
  const missing = [...(token ? [] : ['DOPPLER_TOKEN']), ...(project ? [] : ['DOPPLER_PROJECT'])];
  if (missing.length > 0 || !token || !project) {
    throw new ConfigurationError(
      `the doppler state store needs ${missing.join(' and ')} in the environment: a Doppler service account ` +
        'token that may create and delete configs in the project, and the project name (LIFECYCLE J.2)',
    );
  }
  const apiUrl = pick('DOPPLER_API_URL') ?? fallback?.url ?? DOPPLER_API_URL;
  const caFile = pick('DOPPLER_CA_FILE') ?? fallback?.caFile;
  return {
    token,
    project,
    environment: pick('DOPPLER_ENVIRONMENT') ?? 'ci',
    apiUrl,
    ...(caFile ? { caFile } : {}),
  };
}

/** The store of `kind`: `stateDir` is the local store's folder, or the doppler store's local mirrors. */
export function openStateStore(kind: StateStoreKind, stateDir: string, doppler?: DopplerAccess): StateStore {
  if (kind === 'local') return new LocalStateStore(stateDir);
  if (!doppler) throw new Error('the doppler state store was chosen without its settings');
  return new DopplerStateStore({ ...doppler, apiUrl: doppler.apiUrl ?? DOPPLER_API_URL, cacheDir: stateDir });
}
