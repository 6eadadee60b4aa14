import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../src/util/x509.js';

/**
 * A small HTTPS stand-in for the Doppler endpoints the state store uses, following LIFECYCLE J and
 * contracts/doppler-api-subset.json: Bearer auth, `{messages, success:false}` errors, raw and computed
 * values, managed secrets unless `include_managed_secrets=false`, branch configs named `<env>_...`, and
 * secrets-update batches applied all or nothing, refused when an `originalValue` does not match.
 * Where Doppler's exact answer is undocumented (the status of a refused condition or of an existing config
 * name) it picks a plausible 4xx; the store must not depend on which.
 */

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** The raw request line target and body, to check that no token leaks into them. */
  url: string;
  body: string;
}

/**
 * Replaces the normal answer for one request; undefined lets it through. `applyFirst` does the request and
 * then answers the failure instead: an answer lost on the way back (a proxy's 502 after Doppler acted).
 */
export type Interceptor = (
  req: SeenRequest,
) => { status: number; messages: string[]; applyFirst?: boolean } | 'reset' | undefined;

interface Config {
  environment: string;
  secrets: Map<string, string>;
}

const SECRET_NAME = /^[A-Z0-9_]+$/;

export class FakeDoppler {
  readonly requests: SeenRequest[] = [];
  /** Configs of the one project, by name; environment root configs are named like their environment. */
  readonly configs = new Map<string, Config>();
  interceptor: Interceptor = () => undefined;
  /** Tokens that authenticate but may not touch this project. */
  readonly forbiddenTokens = new Set<string>();

  private constructor(
    private readonly server: https.Server,
    readonly caFile: string,
    readonly project: string,
    readonly token: string,
  ) {}

  static async start(opts: { dir: string; project: string; token: string; environments: string[] }) {
    const ca = await createCertificateAuthority('Fake Doppler Test CA', 1);
    const cert = await issueCertificate(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], days: 1 });
    const caFile = join(opts.dir, 'doppler-ca.pem');
    await writeFile(caFile, ca.certPem);
    const server = https.createServer({ cert: cert.certPem, key: cert.keyPem });
    const fake = new FakeDoppler(server, caFile, opts.project, opts.token);
    for (const env of opts.environments) fake.configs.set(env, { environment: env, secrets: new Map() });
    server.on('request', (req, res) => void fake.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get apiUrl(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The raw values stored in a config, or undefined when it does not exist. */
  secretsOf(config: string): Map<string, string> | undefined {
    return this.configs.get(config)?.secrets;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'https://doppler.invalid');
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      url: req.url ?? '',
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(seen);
    const intercepted = this.interceptor(seen);
    if (intercepted === 'reset') {
      req.socket.destroy(); // the connection drops without an answer
      return;
    }
    const { status, body } = this.answer(seen, intercepted);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private answer(
    req: SeenRequest,
    intercepted: Exclude<ReturnType<Interceptor>, 'reset'>,
  ): { status: number; body: unknown } {
    if (intercepted?.applyFirst) this.authorizedAnswer(req);
    if (intercepted) return failure(intercepted.status, ...intercepted.messages);
    return this.authorizedAnswer(req);
  }

  private authorizedAnswer(req: SeenRequest): { status: number; body: unknown } {
    const token = /^Bearer (.+)$/.exec(req.authorization ?? '')?.[1];
    if (token === undefined || (token !== this.token && !this.forbiddenTokens.has(token))) {
      return failure(401, 'Invalid Auth token');
    }
    if (this.forbiddenTokens.has(token)) return failure(403, 'You do not have access to this project');
    const input = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    const param = (name: string) => req.query.get(name) ?? (input[name] as string | undefined);
    if (param('project') !== this.project) return failure(404, 'Could not find requested project');
    const route = `${req.method} ${req.path}`;
    if (route === 'POST /v3/configs') return this.createConfig(input);
    const configName = param('config') ?? '';
    const config = this.configs.get(configName);
    if (!config) return failure(404, 'Could not find requested config');
    switch (route) {
      case 'GET /v3/configs/config':
        return ok({ config: { name: configName, environment: config.environment, root: false } });
      case 'DELETE /v3/configs/config':
        if (configName === config.environment) return failure(400, 'Root configs cannot be deleted');
        this.configs.delete(configName);
        return ok({ success: true });
      case 'GET /v3/configs/config/secrets':
        return ok({ secrets: this.listed(configName, config, req.query) });
      case 'GET /v3/configs/config/secrets/names':
        return ok({ names: Object.keys(this.listed(configName, config, req.query)) });
      case 'POST /v3/configs/config/secrets':
        return this.update(config, input);
      default:
        return failure(404, `No route ${route}`);
    }
  }

  private createConfig(input: Record<string, unknown>) {
    const { environment, name } = input as { environment?: string; name?: string };
    if (!environment || !this.configs.has(environment)) return failure(404, 'Could not find environment');
    if (!name || !name.startsWith(`${environment}_`)) {
      return failure(400, `Branch config name must start with "${environment}_"`);
    }
    if (this.configs.has(name)) return failure(409, 'Config with this name already exists');
    this.configs.set(name, { environment, secrets: new Map() });
    return ok({ config: { name, environment, root: false } });
  }

  private listed(configName: string, config: Config, query: URLSearchParams) {
    const all = new Map(config.secrets);
    if (query.get('include_managed_secrets') !== 'false') {
      all.set('DOPPLER_PROJECT', this.project);
      all.set('DOPPLER_ENVIRONMENT', config.environment);
      all.set('DOPPLER_CONFIG', configName);
    }
    const wanted = query.get('secrets')?.split(',');
    const secrets: Record<string, unknown> = {};
    for (const [name, raw] of all) {
      if (wanted && !wanted.includes(name)) continue;
      const computed = raw.replace(/\$\{([A-Z0-9_]+)\}/g, (_, ref: string) => all.get(ref) ?? '');
      secrets[name] = { raw, computed, note: '', rawVisibility: 'masked', computedVisibility: 'masked' };
    }
    return secrets;
  }

  private update(config: Config, input: Record<string, unknown>) {
    const changes = input.change_requests as Array<Record<string, unknown>> | undefined;
    if (!Array.isArray(changes) || input.secrets !== undefined) {
      return failure(400, 'Either secrets or change_requests is required');
    }
    const next = new Map(config.secrets);
    for (const change of changes) {
      const name = String(change.name);
      if (!SECRET_NAME.test(name)) return failure(400, `Invalid secret name ${name}`);
      const original = change.originalName as string | undefined;
      if ('originalValue' in change && config.secrets.get(original ?? name) !== change.originalValue) {
        return failure(400, `The original value of ${name} does not match`);
      }
      if (change.shouldDelete === true) {
        if (!next.delete(name)) return failure(400, `Secret ${name} does not exist`);
      } else if (typeof change.value === 'string') {
        next.set(name, change.value);
      } else {
        return failure(400, `No value for ${name}`);
      }
    }
    config.secrets = next; // all or nothing
    const secrets = Object.fromEntries(
      [...next].map(([name, raw]) => [name, { raw, computed: raw, note: '' }]),
    );
    return ok({ secrets });
  }
}

function ok(body: unknown) {
  return { status: 200, body };
}

function failure(status: number, ...messages: string[]) {
  return { status, body: { messages, success: false } };
}
