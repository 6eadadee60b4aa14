import https from 'node:https';
import { ConfigurationError, errorMessage } from '../errors.js';
import type { DopplerRetryPolicy } from './doppler-retry.js';
import { RetriesSpentError, withDopplerRetry } from './doppler-retry.js';
import { echoed } from '../util/echo.js';
import { readRegularFile } from '../util/regular-file.js';

/**
 * The few Doppler REST calls the state store needs (LIFECYCLE J, contracts/doppler-api-subset.json), over
 * node:https so a lab CA can be pinned. No message built here carries the token or a secret value: errors
 * name the endpoint and the config, plus Doppler's own `messages` with any value we sent blanked out.
 */

export type { DopplerRetryPolicy } from './doppler-retry.js';

export interface DopplerApiOptions {
  apiUrl: string;
  token: string;
  caFile?: string;
  retry: DopplerRetryPolicy;
  requestTimeoutMs?: number;
}

/** One entry of secrets-update `change_requests`. */
export interface ChangeRequest {
  name: string;
  /** Omitted for a new secret; equal to `name` for an existing one (a different value would rename). */
  originalName?: string;
  value?: string;
  /** Makes the whole request conditional: "only processed if the provided value matches". */
  originalValue?: string;
  shouldDelete?: boolean;
}

type Method = 'GET' | 'POST' | 'DELETE';

/** Doppler answered with an error status; `messages` is Doppler's own text (values we sent blanked). */
export class DopplerApiError extends Error {
  override name = 'DopplerApiError';

  constructor(
    readonly status: number,
    readonly endpoint: string,
    readonly messages: string[],
  ) {
    super(
      `Doppler ${endpoint} answered ${status}: ${messages.join('; ') || '(no message)'}${hintFor(status)}`,
    );
  }
}

/** The connection failed or broke before a complete answer arrived. */
export class DopplerNetworkError extends Error {
  override name = 'DopplerNetworkError';

  constructor(
    readonly endpoint: string,
    readonly code: string,
    detail: string,
  ) {
    super(`Doppler ${endpoint} failed: ${detail} (${code})`);
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** configs-list's documented per_page default; asked explicitly so a short page means the last one. */
const CONFIGS_PER_PAGE = 20;
const MAX_MESSAGE_CHARS = 300;
// Shorter values are not blanked out of Doppler's messages: doing so would mangle every word containing them.
const MIN_REDACTED_VALUE = 6;
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export class DopplerApi {
  readonly origin: string;
  private readonly agent: https.Agent;
  private readonly authorization: string;
  private readonly token: string;
  private readonly opts: DopplerApiOptions;

  constructor(opts: DopplerApiOptions) {
    let url: URL;
    try {
      url = new URL(opts.apiUrl);
    } catch {
      throw new ConfigurationError(`Doppler apiUrl ${echoed(opts.apiUrl)} is not a URL`);
    }
    // Doppler redirects plain HTTP to HTTPS (J.2): by then the token would have crossed the network in clear.
    if (url.protocol !== 'https:') {
      throw new ConfigurationError(`Doppler apiUrl must use https://, got ${url.origin}`);
    }
    if (!opts.token) throw new ConfigurationError('the Doppler token is empty');
    const { attempts } = opts.retry;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
      throw new ConfigurationError(
        `Doppler retry attempts must be a whole number from 1 to 10, got ${attempts}`,
      );
    }
    this.origin = url.origin;
    this.opts = opts;
    this.token = opts.token;
    this.authorization = `Bearer ${opts.token}`;
    this.agent = new https.Agent({
      keepAlive: true,
      timeout: 2_000,
      ...(opts.caFile !== undefined ? { ca: readCa(opts.caFile) } : {}),
    });
  }

  /** The config's details, or undefined when it does not exist. */
  async getConfig(project: string, config: string): Promise<object | undefined> {
    return this.orAbsent(this.call('GET', '/v3/configs/config', { project, config }, undefined, config));
  }

  /** Creates a branch config; true when made, false when it already existed. */
  async createConfig(project: string, environment: string, config: string): Promise<boolean> {
    try {
      await this.call('POST', '/v3/configs', {}, { project, environment, name: config }, config);
      return true;
    } catch (error) {
      // What Doppler answers for an existing name (409? 400 "already exists"?) is not documented: ask.
      if (!(error instanceof DopplerApiError) || !isRequestProblem(error.status)) throw error;
      if ((await this.getConfig(project, config)) === undefined) throw error;
      return false;
    }
  }

  /**
   * The names of the environment's configs, every page of them. Pages are asked until one comes back short
   * of the documented default of 20 (configs-list); `maxPages` bounds a server that never stops.
   */
  async listConfigs(project: string, environment: string, maxPages = 500): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const query = { project, environment, page: String(page), per_page: String(CONFIGS_PER_PAGE) };
      const body = (await this.call(
        'GET',
        '/v3/configs',
        query,
        undefined,
        `environment ${environment}`,
      )) as {
        configs?: unknown;
      };
      const configs = Array.isArray(body.configs) ? (body.configs as { name?: unknown }[]) : [];
      for (const config of configs) if (typeof config.name === 'string') names.push(config.name);
      if (configs.length < CONFIGS_PER_PAGE) return names;
    }
    throw new DopplerApiError(200, `GET /v3/configs (environment ${environment})`, [
      `still more configs after ${maxPages} pages of ${CONFIGS_PER_PAGE}`,
    ]);
  }

  /** Deletes the config; false when there was none. */
  async deleteConfig(project: string, config: string): Promise<boolean> {
    const deleted = await this.orAbsent(
      this.call('DELETE', '/v3/configs/config', { project, config }, undefined, config),
    );
    return deleted !== undefined;
  }

  /**
   * Raw values of the named secrets that exist (all of the config's own secrets when `names` is absent), or
   * undefined when the config does not exist. Raw, never computed: computed expands `${...}` references.
   */
  async readSecrets(
    project: string,
    config: string,
    names?: string[],
  ): Promise<Map<string, string> | undefined> {
    const query: Record<string, string> = { project, config, include_managed_secrets: 'false' };
    if (names !== undefined) query.secrets = names.join(',');
    const body = await this.orAbsent(
      this.call('GET', '/v3/configs/config/secrets', query, undefined, config),
    );
    if (body === undefined) return undefined;
    const secrets = (body as { secrets?: unknown }).secrets;
    if (typeof secrets !== 'object' || secrets === null) {
      throw new DopplerApiError(200, `GET /v3/configs/config/secrets (config ${config})`, [
        'no "secrets" object in the answer',
      ]);
    }
    const raw = new Map<string, string>();
    for (const [name, entry] of Object.entries(secrets)) {
      const value = (entry as { raw?: unknown } | null)?.raw;
      if (typeof value === 'string' && (names === undefined || names.includes(name))) raw.set(name, value);
    }
    return raw;
  }

  /** The config's own secret names (managed ones left out), or undefined when the config does not exist. */
  async secretNames(project: string, config: string): Promise<string[] | undefined> {
    const query = { project, config, include_managed_secrets: 'false' };
    const body = await this.orAbsent(
      this.call('GET', '/v3/configs/config/secrets/names', query, undefined, config),
    );
    if (body === undefined) return undefined;
    const names = (body as { names?: unknown }).names;
    return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
  }

  /** One secrets-update batch: Doppler applies all of it or none (a failed `originalValue` refuses it all). */
  async updateSecrets(project: string, config: string, changes: ChangeRequest[]): Promise<void> {
    await this.call(
      'POST',
      '/v3/configs/config/secrets',
      {},
      { project, config, change_requests: changes },
      config,
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private async orAbsent(pending: Promise<object>): Promise<object | undefined> {
    try {
      return await pending;
    } catch (error) {
      if (error instanceof DopplerApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async call(
    method: Method,
    path: string,
    query: Record<string, string>,
    body: object | undefined,
    config: string,
  ): Promise<object> {
    // `config` names what the call is about in messages: a config, or for a listing its environment.
    const endpoint = `${method} ${path} (${config.includes(' ') ? config : `config ${config}`})`;
    const sentValues = body === undefined ? [] : valuesIn(body);
    try {
      return await withDopplerRetry(
        () => this.send(method, path, query, body, endpoint, sentValues),
        this.opts.retry,
        {
          isRateLimited: (error) => error instanceof DopplerApiError && error.status === 429,
          isTransient,
        },
      );
    } catch (error) {
      if (!(error instanceof RetriesSpentError)) throw error;
      if (error.tries === 1) throw error.last;
      const how = error.rateLimited
        ? `still rate limited after ${error.tries} attempts over ${Math.round(error.waitedMs / 1000)} s`
        : `gave up after ${error.tries} attempts`;
      throw new DopplerGaveUpError(`${errorMessage(error.last)}; ${how}`, error.last);
    }
  }

  private send(
    method: Method,
    path: string,
    query: Record<string, string>,
    body: object | undefined,
    endpoint: string,
    sentValues: string[],
  ): Promise<object> {
    const url = new URL(path, this.origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = {
      Authorization: this.authorization,
      Accept: 'application/json',
      ...(payload !== undefined
        ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
        : {}),
    };
    const timeoutMs = this.opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const request = https.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          const parsed = parseJson(text);
          if (status >= 200 && status < 300) return resolve(parsed ?? {});
          const redact = [this.token, ...sentValues];
          reject(new DopplerApiError(status, endpoint, messagesOf(parsed, redact)));
        });
      });
      const timer = setTimeout(() => request.destroy(timeoutError(timeoutMs)), timeoutMs);
      function fail(err: Error): void {
        clearTimeout(timer);
        const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
        if (UNTRUSTED_CERTIFICATE.has(code)) {
          reject(
            new ConfigurationError(
              `the certificate of the Doppler API (${endpoint}) is not trusted (${code}): give the CA that signed ` +
                'it as caFile, or leave caFile out for the real Doppler (system CAs)',
            ),
          );
        } else {
          reject(new DopplerNetworkError(endpoint, code, err.message));
        }
      }
      request.on('error', fail);
      request.end(payload);
    });
  }
}

/** The bounded retries ran out on a transient failure; the last failure is the cause. */
export class DopplerGaveUpError extends Error {
  override name = 'DopplerGaveUpError';

  constructor(message: string, cause: Error) {
    super(message, { cause });
  }
}

/** Rate limited, a server error, or no answer: the official CLI retries 429 and 5xx too (J.3). */
function isTransient(error: unknown): boolean {
  if (error instanceof DopplerNetworkError) return true;
  return error instanceof DopplerApiError && (error.status === 429 || error.status >= 500);
}

/** A 4xx about the request itself, as opposed to auth, absence or rate limits. */
export function isRequestProblem(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 403, 404, 429].includes(status);
}

function hintFor(status: number): string {
  if (status === 401)
    return ' - check the Doppler token (a service account token) and that it has not been revoked';
  if (status === 403) return ' - the token lacks access: give its service account a role on this project';
  return '';
}

function readCa(file: string): string {
  return readRegularFile(file, 'the Doppler caFile', {
    maxBytes: 64 * 1024,
    missingFix: 'name the CA bundle that signed the Doppler API certificate (DOPPLER_CA_FILE)',
  });
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no complete answer within ${ms} ms`), { code: 'ETIMEDOUT' });
}

function parseJson(text: string): object | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined; // proxies in front of Doppler need not answer JSON
  }
}

/** Doppler's `messages` (J.3), one line each, bounded, with the token and sent values blanked. */
function messagesOf(body: object | undefined, redact: string[]): string[] {
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) return [];
  const secrets = redactionsOf(redact);
  return messages.map((message) => {
    let text = String(message);
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    // eslint-disable-next-line no-control-regex -- control characters are what is taken out (no forged log lines)
    text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
    return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
  });
}

/** The texts to blank: each value, trimmed too, and each of its lines, longest first so none is half done. */
function redactionsOf(values: string[]): string[] {
  const texts = values.flatMap((value) => [
    value,
    value.trim(),
    ...value.split('\n').map((line) => line.trim()),
  ]);
  return [...new Set(texts)]
    .filter((text) => text.length >= MIN_REDACTED_VALUE)
    .sort((a, b) => b.length - a.length);
}

/** Every `value` and `originalValue` of a request body. */
function valuesIn(body: object): string[] {
  const changes = (body as { change_requests?: ChangeRequest[] }).change_requests ?? [];
  return changes.flatMap((change) => [change.value, change.originalValue]).filter((v): v is string => !!v);
}
