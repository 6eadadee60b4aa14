import { ConfigurationError } from '../errors.js';
import { TWIN_NAME_REGEX, validateTwinName } from '../spec/identity.js';
import {
  DopplerApi,
  DopplerApiError,
  isRequestProblem,
  type ChangeRequest,
  type DopplerRetryPolicy,
} from './doppler-api.js';
import {
  itemOfSecretName,
  joinParts,
  manifestOf,
  partCountOf,
  partNameOf,
  secretNameOf,
  storedFormOf,
  type StoredForm,
} from './doppler-encoding.js';
import { LocalStateStore, type StateKey, type StateStore } from './store.js';
import { echoed } from '../util/echo.js';

export { CHUNK_BYTES } from './doppler-encoding.js';

export interface DopplerSettings {
  /** Default https://api.doppler.com (used when empty). */
  apiUrl: string;
  /** A service account token: a service token cannot create or delete configs (J.2). Never logged. */
  token: string;
  project: string;
  /** The environment whose branch configs hold twins, e.g. 'ci'. */
  environment: string;
  /** The lab's CA; the real Doppler is checked against the system CAs. */
  caFile?: string;
  /** Where the local 0600 mirrors live (pathOf), in 0700 folders. */
  cacheDir: string;
  retry?: DopplerRetryPolicy;
}

export const DOPPLER_API_URL = 'https://api.doppler.com';
/**
 * Server errors like the official CLI (J.3): 5 attempts from 500 ms, doubling, jittered. A 429 waits out up
 * to 90 s, more than the one-minute window Doppler's limits are counted in, so a spent minute heals.
 */
export const DEFAULT_DOPPLER_RETRY: DopplerRetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  rateLimitBudgetMs: 90_000,
};
const MAX_RATE_LIMIT_BUDGET_MS = 600_000;
const MAX_RETRY_DELAY_MS = 60_000;
// A chunked read takes the head, then head and parts together; a write landing in between moves the head.
const MAX_READ_ROUNDS = 3;
const ENVIRONMENT = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Another runner changed the item since this one last read or wrote it; nothing was overwritten. */
export class StateConflictError extends ConfigurationError {
  override name = 'StateConflictError';
}

/**
 * Twin state in Doppler: one branch config `<environment>_twin-<twin>` per twin, one secret per item (names
 * and chunking in doppler-encoding.ts), raw values only. Every item is mirrored to a local 0600 file for
 * tools that take files.
 *
 * Writes are compare-and-set. The store remembers, per item, the stored value it last read or wrote in this
 * process and sends it as `originalValue`, which makes Doppler refuse the batch if another runner changed
 * the item meanwhile. An item this process never saw is read first and the write made conditional on what
 * that read found, so a blind write (twin.json after every apply) still works from a fresh job. Doppler has
 * no "only if absent" condition, so an item found absent is re-checked just before it is created: the
 * window left is one request long.
 */
export class DopplerStateStore implements StateStore {
  private readonly api: DopplerApi;
  private readonly mirror: LocalStateStore;
  private readonly project: string;
  private readonly environment: string;
  /** `<config>\n<secret>` -> the head value last read or written here; null when last seen absent. */
  private readonly known = new Map<string, string | null>();
  private readonly existingConfigs = new Set<string>();

  constructor(settings: DopplerSettings) {
    this.project = requireMatch(settings.project, PROJECT, 'Doppler project');
    this.environment = requireMatch(settings.environment, ENVIRONMENT, 'Doppler environment');
    const retry = settings.retry ?? DEFAULT_DOPPLER_RETRY;
    if (!(retry.baseDelayMs >= 0 && retry.maxDelayMs >= 0 && retry.maxDelayMs <= MAX_RETRY_DELAY_MS)) {
      throw new ConfigurationError(`Doppler retry delays must be from 0 to ${MAX_RETRY_DELAY_MS} ms`);
    }
    if (!(retry.rateLimitBudgetMs >= 0 && retry.rateLimitBudgetMs <= MAX_RATE_LIMIT_BUDGET_MS)) {
      throw new ConfigurationError(
        `Doppler rateLimitBudgetMs must be from 0 to ${MAX_RATE_LIMIT_BUDGET_MS} ms`,
      );
    }
    this.api = new DopplerApi({
      apiUrl: settings.apiUrl || DOPPLER_API_URL,
      token: settings.token,
      retry,
      ...(settings.caFile !== undefined ? { caFile: settings.caFile } : {}),
    });
    this.mirror = new LocalStateStore(settings.cacheDir);
  }

  describe(): string {
    return `Doppler project ${this.project}, configs ${this.configOf('<twin>')} at ${this.api.origin}`;
  }

  /** The config holding `twin`'s state, e.g. `ci_twin-pr-7`: Doppler wants `<environment>_` first. */
  configOf(twin: string): string {
    return `${this.environment}_twin-${twin}`;
  }

  pathOf(key: StateKey): string {
    validateTwinName(key.twin, 'twin name');
    return this.mirror.pathOf(key); // refuses cluster and item names that are not single path segments
  }

  async read(key: StateKey): Promise<string | undefined> {
    this.pathOf(key);
    const config = this.configOf(key.twin);
    const name = secretNameOf(key);
    for (let round = 1; round <= MAX_READ_ROUNDS; round++) {
      const head = await this.readHead(config, name);
      if (head === null) {
        this.known.set(memoKey(config, name), null);
        await this.mirror.remove(key); // a stale copy must not outlive the item
        return undefined;
      }
      const manifest = manifestOf(head);
      if (manifest === undefined) return this.settleRead(key, config, name, head, head);
      const parts = Array.from({ length: manifest.parts }, (_, i) => partNameOf(name, i + 1));
      const found =
        (await this.api.readSecrets(this.project, config, [name, ...parts])) ?? new Map<string, string>();
      if (found.get(name) !== head) continue; // rewritten between the two requests: read again
      const content = joinParts(
        manifest,
        parts.map((part) => found.get(part) ?? ''),
      );
      if (content === undefined) {
        throw new ConfigurationError(
          `twin ${key.twin}: ${itemWords(key)} in Doppler config ${config} is damaged: its ${manifest.parts} ` +
            'parts do not match the length and SHA-256 its manifest records; write it again or remove it',
        );
      }
      return this.settleRead(key, config, name, head, content);
    }
    throw new ConfigurationError(
      `twin ${key.twin}: ${itemWords(key)} in Doppler config ${config} kept changing while being read ` +
        `(${MAX_READ_ROUNDS} times): another runner is writing it`,
    );
  }

  async write(key: StateKey, content: string): Promise<string> {
    this.pathOf(key);
    const config = this.configOf(key.twin);
    const name = secretNameOf(key);
    await this.ensureConfig(config);
    const remembered = this.known.get(memoKey(config, name));
    const expected = remembered ?? (await this.readHead(config, name));
    if (remembered === null && expected !== null) throw this.conflict(key, config);
    const form = storedFormOf(content);
    try {
      await this.api.updateSecrets(this.project, config, changeRequests(name, form, expected));
    } catch (error) {
      await this.explainRefusal(error, key, config, name, expected, form.head);
    }
    this.known.set(memoKey(config, name), form.head);
    return this.mirror.write(key, content);
  }

  /** Unconditional: deletes the item and its parts in one batch, whoever wrote them. */
  async remove(key: StateKey): Promise<void> {
    this.pathOf(key);
    const config = this.configOf(key.twin);
    const name = secretNameOf(key);
    const head = await this.readHead(config, name);
    if (head !== null) {
      const deletions = [name, ...partNames(name, 1, partCountOf(head))].map((secret): ChangeRequest => ({
        name: secret,
        originalName: secret,
        shouldDelete: true,
      }));
      await this.api.updateSecrets(this.project, config, deletions);
    }
    this.known.set(memoKey(config, name), null);
    await this.mirror.remove(key);
  }

  async list(twin: string): Promise<StateKey[]> {
    validateTwinName(twin, 'twin name');
    const names = await this.api.secretNames(this.project, this.configOf(twin));
    const keys: StateKey[] = [];
    for (const secret of names ?? []) {
      const item = itemOfSecretName(secret); // parts and secrets someone else put there are not items
      if (item === undefined) continue;
      const key: StateKey = { twin, ...item };
      if (isStorable(this.mirror, key)) keys.push(key);
    }
    return keys.sort(byClusterThenName);
  }

  /**
   * Twins from the names of the environment's branch configs, one listing for all (a config is made by a
   * twin's first write and deleted with the twin, so it stands for the twin's state even when emptied).
   */
  async twins(): Promise<string[]> {
    const prefix = this.configOf('');
    return (await this.api.listConfigs(this.project, this.environment))
      .filter((config) => config.startsWith(prefix) && TWIN_NAME_REGEX.test(config.slice(prefix.length)))
      .map((config) => config.slice(prefix.length))
      .sort();
  }

  async removeTwin(twin: string): Promise<void> {
    validateTwinName(twin, 'twin name');
    const config = this.configOf(twin);
    await this.api.deleteConfig(this.project, config); // absent already: fine
    this.existingConfigs.delete(config);
    for (const memo of this.known.keys()) if (memo.startsWith(`${config}\n`)) this.known.delete(memo);
    await this.mirror.removeTwin(twin);
  }

  /** Closes the keep-alive connections; optional, idle ones do not keep the process alive. */
  close(): void {
    this.api.close();
  }

  /**
   * The item's stored head value (content or manifest), or null. Not remembered here: only what a caller got
   * from `read` or gave to `write` may become the expected value of a later compare-and-set.
   */
  private async readHead(config: string, name: string): Promise<string | null> {
    const found = await this.api.readSecrets(this.project, config, [name]);
    if (found !== undefined) this.existingConfigs.add(config);
    return found?.get(name) ?? null;
  }

  private async settleRead(key: StateKey, config: string, name: string, head: string, content: string) {
    this.known.set(memoKey(config, name), head);
    await this.mirror.write(key, content);
    return content;
  }

  private async ensureConfig(config: string): Promise<void> {
    if (this.existingConfigs.has(config)) return;
    await this.api.createConfig(this.project, this.environment, config);
    this.existingConfigs.add(config);
  }

  /**
   * Doppler's answer to a failed `originalValue` is not documented (J.1 only says the request is then not
   * processed), so a refused write is judged by reading the item again.
   */
  private async explainRefusal(
    error: unknown,
    key: StateKey,
    config: string,
    name: string,
    expected: string | null,
    intended: string,
  ): Promise<void> {
    if (!(error instanceof DopplerApiError) || !isRequestProblem(error.status)) throw error;
    const current = await this.readHead(config, name);
    if (current === intended) return; // an earlier attempt of this very write landed before its answer was lost
    if (current !== expected) throw this.conflict(key, config);
    throw error;
  }

  private conflict(key: StateKey, config: string): StateConflictError {
    return new StateConflictError(
      `twin ${key.twin}: ${itemWords(key)} in Doppler config ${config} was changed by another runner after this ` +
        'one last read it: another runner wrote it first, so it was not overwritten. Let the other job for ' +
        'this twin finish, then run again',
    );
  }
}

/** The batch that turns `expected` (the head now stored, null if none) into `form`. */
function changeRequests(name: string, form: StoredForm, expected: string | null): ChangeRequest[] {
  const head: ChangeRequest =
    expected === null
      ? { name, value: form.head }
      : { name, originalName: name, value: form.head, originalValue: expected };
  const oldParts = partCountOf(expected ?? undefined);
  const parts = form.parts.map((value, i): ChangeRequest => {
    const part = partNameOf(name, i + 1);
    return i < oldParts ? { name: part, originalName: part, value } : { name: part, value };
  });
  const stale = partNames(name, form.parts.length + 1, oldParts).map((part): ChangeRequest => ({
    name: part,
    originalName: part,
    shouldDelete: true,
  }));
  return [head, ...parts, ...stale];
}

function partNames(name: string, from: number, to: number): string[] {
  const names: string[] = [];
  for (let i = from; i <= to; i++) names.push(partNameOf(name, i));
  return names;
}

function memoKey(config: string, secret: string): string {
  return `${config}\n${secret}`;
}

function itemWords(key: StateKey): string {
  return key.cluster === undefined ? `state item ${key.name}` : `state item ${key.cluster}/${key.name}`;
}

function isStorable(mirror: LocalStateStore, key: StateKey): boolean {
  try {
    mirror.pathOf(key);
    return true;
  } catch {
    return false;
  }
}

/** Twin-wide items first, then each cluster's; the local store's order. */
function byClusterThenName(a: StateKey, b: StateKey): number {
  if ((a.cluster === undefined) !== (b.cluster === undefined)) return a.cluster === undefined ? -1 : 1;
  return (a.cluster ?? '').localeCompare(b.cluster ?? '') || a.name.localeCompare(b.name);
}

function requireMatch(value: string, pattern: RegExp, field: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigurationError(`${field} ${echoed(value)} must match ${pattern.source}`);
  }
  return value;
}
