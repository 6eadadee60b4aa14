/**
 * The PVE API contract of the simulated lab: Proxmox's own apidata.js schema for the endpoints the
 * product uses (shared/contracts/pve-api-subset.json). Finds the endpoint of a request and checks
 * its parameters the way PVE's RESTHandler + PVE::JSONSchema::validate do, with PVE's messages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigurationError, errorMessage } from '../../errors.js';
import { contractFile } from '../contracts-dir.js';
import type { ContractParam, PropertyFormat } from './property-string.js';
import { QEMU_INDEXED_KEY_COUNTS, checkParameters, compilePerlPattern, isKnownFormat } from './formats.js';

export type { ContractParam } from './property-string.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
type Method = (typeof METHODS)[number];

export interface ContractEndpoint {
  path: string;
  method: Method;
  /** The parameters as PVE's schema holds them: indexed keys expanded (`scsi[n]` is scsi0..scsi30). */
  params: Record<string, ContractParam>;
  returns: unknown;
  proxyto?: string;
  protected?: boolean;
  /** The declared check, evaluated before the handler (PVE-PERMISSIONS.md P.5). */
  permissions?: DeclaredPermissions;
  /** false: a token gets 403 "not available with API token" (RESTHandler default true). */
  allowtoken: boolean;
}

export interface DeclaredPermissions {
  user?: string;
  check?: unknown[];
  description?: string;
}

export type RouteResult = { endpoint: ContractEndpoint; pathParams: Record<string, string> } | undefined;

/**
 * Enums apidata.js cannot carry because PVE computes them at run time (SOURCES.md, "One caveat"):
 * download-url `compression` is pve-storage Plugin.pm KNOWN_COMPRESSION_FORMATS.
 */
const COMPUTED_ENUMS: Record<string, string[]> = {
  'POST /nodes/{node}/storage/{storage}/download-url compression': ['gz', 'lzo', 'zst', 'bz2'],
};

interface RawMethod {
  parameters?: { properties?: Record<string, ContractParam>; additionalProperties?: unknown };
  returns?: unknown;
  proxyto?: unknown;
  protected?: unknown;
  permissions?: DeclaredPermissions;
  allowtoken?: unknown;
}

interface Route {
  segments: string[];
  /** Segments from this index on form one value (PVE's fragmentDelimiter ''). */
  joinFrom?: number;
  methods: Map<string, ContractEndpoint>;
}

/**
 * pve-storage Status.pm mounts the content API with `fragmentDelimiter => ''` "because volume IDs
 * may contain a slash": everything after .../content/ is the one {volume} parameter.
 */
const WHOLE_REST_MOUNTS = ['/nodes/{node}/storage/{storage}/content'];

const cache = new Map<string, PveContract>();
const EXTRA_FILE = 'pve-api-extra.json';

export class PveContract {
  private readonly routes: Route[];

  private constructor(private readonly all: ContractEndpoint[]) {
    const byPath = new Map<string, Route>();
    for (const endpoint of all) {
      const route = byPath.get(endpoint.path) ?? newRoute(endpoint.path);
      route.methods.set(endpoint.method, endpoint);
      byPath.set(endpoint.path, route);
    }
    this.routes = [...byPath.values()];
  }

  /**
   * Reads and checks the contract once per file; later calls share the parsed result. The extract's
   * extension (pve-api-extra.json, same apidata.js) is read from beside it when present.
   */
  static load(file: string = contractFile('pveApi')): PveContract {
    const key = resolve(file);
    const cached = cache.get(key);
    if (cached) return cached;
    const extra = join(dirname(key), EXTRA_FILE);
    const contract = new PveContract([
      ...readEndpoints(key),
      ...(existsSync(extra) ? readEndpoints(extra) : []),
    ]);
    cache.set(key, contract);
    return contract;
  }

  endpoints(): ContractEndpoint[] {
    return [...this.all];
  }

  /**
   * The endpoint for a method and an API path below /api2/json (each segment already URL-decoded).
   * PVE never registers a literal and a `{param}` at the same level, so at most one path matches.
   * undefined = PVE's 501 "Method '<METHOD> <path>' not implemented".
   */
  route(method: string, path: string): RouteResult {
    const segments = pathSegments(path);
    for (const route of this.routes) {
      const pathParams = matchSegments(route.segments, joinRest(segments, route.joinFrom));
      if (pathParams === undefined) continue;
      const endpoint = route.methods.get(method.toUpperCase());
      return endpoint ? { endpoint, pathParams } : undefined;
    }
    return undefined;
  }

  /**
   * PVE's parameter check of a request. `params` holds every parameter as a string: the path
   * parameters plus the query (GET/DELETE) or form body (POST/PUT). Returns {} when PVE would accept
   * them, else PVE's `errors` map (answered with HTTP 400 "Parameter verification failed.").
   */
  verify(endpoint: ContractEndpoint, params: Record<string, string>): Record<string, string> {
    return checkParameters(endpoint.params, params);
  }
}

/** PVE find_handler: split on slashes, empty fragments skipped. */
function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function newRoute(path: string): Route {
  const segments = pathSegments(path);
  const mount = WHOLE_REST_MOUNTS.find((prefix) => path.startsWith(`${prefix}/`));
  return { segments, methods: new Map(), ...(mount ? { joinFrom: pathSegments(mount).length } : {}) };
}

function joinRest(segments: string[], joinFrom: number | undefined): string[] {
  if (joinFrom === undefined || segments.length <= joinFrom + 1) return segments;
  return [...segments.slice(0, joinFrom), segments.slice(joinFrom).join('/')];
}

const templateParam = (segment: string) => /^\{([^}]+)\}$/.exec(segment)?.[1];

function matchSegments(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const pathParams: Record<string, string> = {};
  for (const [index, part] of template.entries()) {
    const segment = segments[index] ?? '';
    const name = templateParam(part);
    // A {param} matches PVE's default component regex \S+.
    if (name === undefined ? part !== segment : !/^\S+$/.test(segment)) return undefined;
    if (name !== undefined) pathParams[name] = segment;
  }
  return pathParams;
}

// ---------------------------------------------------------------------------------------------
// Loading

function readEndpoints(file: string): ContractEndpoint[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`cannot read the PVE API contract ${file}: ${errorMessage(error)}`);
  }
  const rawEndpoints = (data as { endpoints?: unknown } | null)?.endpoints;
  if (!Array.isArray(rawEndpoints)) {
    throw new ConfigurationError(`${file} has no "endpoints" list: it is not the PVE apidata.js subset`);
  }
  const endpoints = rawEndpoints.flatMap((raw: unknown) => endpointsOf(raw, file));
  assertImplementable(endpoints);
  return endpoints;
}

function endpointsOf(raw: unknown, file: string): ContractEndpoint[] {
  const { path, info } = (raw ?? {}) as { path?: unknown; info?: Record<string, RawMethod> };
  if (typeof path !== 'string' || !path.startsWith('/') || typeof info !== 'object' || info === null) {
    throw new ConfigurationError(
      `${file}: every endpoint needs a "path" starting with / and an "info" object`,
    );
  }
  return Object.entries(info).map(([method, methodInfo]) => {
    if (!(METHODS as readonly string[]).includes(method)) {
      throw new ConfigurationError(
        `${file}: ${path} has method ${method}; expected one of ${METHODS.join(', ')}`,
      );
    }
    return toEndpoint(path, method as Method, methodInfo);
  });
}

function toEndpoint(path: string, method: Method, info: RawMethod): ContractEndpoint {
  const where = `${method} ${path}`;
  if (info.parameters?.additionalProperties) {
    throw new Error(`${where} allows additional parameters; the lab's checker does not implement that`);
  }
  const params: Record<string, ContractParam> = {};
  for (const [name, param] of Object.entries(info.parameters?.properties ?? {})) {
    const withEnum = withComputedEnum(`${where} ${name}`, param);
    for (const key of expandIndexed(where, name, withEnum)) params[key] = withEnum;
  }
  return {
    path,
    method,
    params,
    returns: info.returns,
    ...(typeof info.proxyto === 'string' ? { proxyto: info.proxyto } : {}),
    ...(info.protected === undefined ? {} : { protected: Boolean(info.protected) }),
    ...(info.permissions ? { permissions: info.permissions } : {}),
    allowtoken: info.allowtoken === undefined || Boolean(info.allowtoken),
  };
}

function withComputedEnum(where: string, param: ContractParam): ContractParam {
  if (!('enum' in param) || Array.isArray(param.enum)) return param;
  const computed = COMPUTED_ENUMS[where];
  if (!computed)
    throw new Error(`${where}: the contract's enum is not a list and the lab knows no value for it`);
  return { ...param, enum: computed };
}

/**
 * apidata.js collapses PVE's numbered keys (scsi0 ... scsi30) into `scsi[n]`. The count comes from
 * the description ("n is 0 to 30"), else from qemu-server's constants; both must agree.
 */
function expandIndexed(where: string, name: string, param: ContractParam): string[] {
  const base = /^(.+)\[n\]$/.exec(name)?.[1];
  if (base === undefined) return [name];
  const stated = /\(n is 0 to (\d+)\)/.exec(param.description ?? '')?.[1];
  const statedCount = stated === undefined ? undefined : Number(stated) + 1;
  const knownCount = QEMU_INDEXED_KEY_COUNTS[base];
  if (statedCount !== undefined && knownCount !== undefined && statedCount !== knownCount) {
    throw new Error(
      `${where} ${name}: the description says ${statedCount} keys, qemu-server has ${knownCount}`,
    );
  }
  const count = statedCount ?? knownCount;
  if (count === undefined) throw new Error(`${where} ${name}: no known range for this indexed parameter`);
  return Array.from({ length: count }, (_, index) => `${base}${index}`);
}

/** Every format, pattern and `requires` of the contract must be one the checker implements. */
function assertImplementable(endpoints: ContractEndpoint[]): void {
  const problems = new Set<string>();
  const seen = new WeakSet<ContractParam>();
  const visit = (where: string, param: ContractParam) => {
    if (seen.has(param)) return;
    seen.add(param);
    if (typeof param.format === 'string' && !isKnownFormat(param.format)) {
      problems.add(`${where}: format '${param.format}'`);
    }
    if (typeof param.format === 'object') {
      for (const [key, inner] of Object.entries(param.format as PropertyFormat))
        visit(`${where}.${key}`, inner);
    }
    if (param.requires !== undefined && typeof param.requires !== 'string')
      problems.add(`${where}: requires`);
    if (param.pattern !== undefined) {
      try {
        compilePerlPattern(param.pattern);
      } catch (error) {
        problems.add(`${where}: ${errorMessage(error)}`);
      }
    }
  };
  for (const endpoint of endpoints) {
    for (const [name, param] of Object.entries(endpoint.params))
      visit(`${endpoint.method} ${endpoint.path} ${name}`, param);
  }
  if (problems.size > 0) {
    throw new Error(`the lab's PVE checker cannot implement: ${[...problems].join('; ')}`);
  }
}
