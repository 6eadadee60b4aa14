/**
 * The stand-in's operations, keyed by the spec's operationId: who may call them (LIFECYCLE J.2), what
 * they change, and the response shapes of contracts/doppler-api-subset.json (and -extra.json).
 */
import type { ConfigRecord, DopplerState, SecretRecord } from './state.js';
import { DEFAULT_ENVIRONMENTS } from './state.js';
import { DopplerError, checkBranchConfigName, computeValue } from './rules.js';
import { applySecretChanges, parseSecretsUpdate, requireString } from './secrets.js';

/** Who a token speaks for: the lab's one service account, or a service token of one config. */
export type Caller =
  | { kind: 'service-account' }
  | { kind: 'service-token'; project: string; config: ConfigRecord; access: 'read' | 'read/write' };

export interface OperationRequest {
  caller: Caller;
  query: Record<string, string>;
  body: unknown;
  now: number;
}

export interface Answer {
  status: number;
  /** undefined: no body (204). */
  body?: unknown;
}

type Handler = (state: DopplerState, request: OperationRequest) => Answer;

const ok = (body: unknown): Answer => ({ status: 200, body });

/**
 * The service account may manage every project of the lab: the lab's own and those it creates (a real
 * account's access is its role and project grants). A service token has "read or read/write access to
 * secrets within a specific config" (Doppler's API reference, LIFECYCLE J.2), so by that scope it can
 * neither create nor delete projects and configs. The 403 wording is the lab's.
 */
function requireServiceAccount(caller: Caller, what: string): void {
  if (caller.kind !== 'service-account') {
    throw new DopplerError(403, `A service token cannot ${what}: use a service account token`);
  }
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DopplerError(400, 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

interface Target {
  project: string;
  config: ConfigRecord;
}

/**
 * The config a request names, if the caller may use it so. A service token reaching beyond its config
 * gets 403 with the text Doppler's CLI was seen to print ("This token does not have access to requested
 * config 'dev'", quoted in a public project's CI notes; the status is not documented). `impliedByToken`:
 * secrets-download's project and config are "Not required if using a Service Token" (the spec).
 */
function target(
  state: DopplerState,
  request: OperationRequest,
  names: { project?: string; config?: string },
  access: 'read' | 'write',
  impliedByToken = false,
): Target {
  const { caller } = request;
  const token = caller.kind === 'service-token' ? caller : undefined;
  const project = names.project ?? (impliedByToken ? token?.project : undefined);
  const config = names.config ?? (impliedByToken ? token?.config.name : undefined);
  if (!project) throw new DopplerError(400, 'project is required');
  if (!config) throw new DopplerError(400, 'config is required');
  if (token) {
    if (project !== token.project || config !== token.config.name) {
      throw new DopplerError(403, `This token does not have access to requested config '${config}'`);
    }
    if (access === 'write' && token.access !== 'read/write') {
      throw new DopplerError(403, `This token has read-only access to config '${config}'`);
    }
  }
  return { project, config: state.config(project, config) };
}

function configBody(project: string, config: ConfigRecord) {
  // `locked`: the lab treats root configs as locked and deletes only branch configs (its choice). The
  // fetch times are left out: the lab does not track fetches (Doppler sends null until the first one).
  return {
    config: {
      name: config.name,
      root: config.root,
      locked: config.root,
      created_at: config.createdAt,
      environment: config.environment,
      project,
    },
  };
}

/** The secrets a config shows with their computed values, optionally only the named ones. */
function shownSecrets(state: DopplerState, { project, config }: Target, only?: string) {
  const all = state.effectiveSecrets(project, config);
  const wanted = only === undefined ? undefined : new Set(only.split(',').map((name) => name.trim()));
  const rawOf = (name: string) => all[name]?.raw;
  return Object.entries(all)
    .filter(([name]) => !wanted || wanted.has(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, record]: [string, SecretRecord]) => ({
      name,
      record,
      computed: computeValue(record.raw, rawOf),
    }));
}

/** configs-list's `per_page` default (the spec); Doppler's upper bound is not documented, the lab has none. */
const DEFAULT_PER_PAGE = 20;

/** A paging parameter: absent means `fallback`; the spec types it integer, and a page below 1 is no page. */
function positiveInteger(query: Record<string, string>, name: string, fallback: number): number {
  const text = query[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new DopplerError(400, `${name} must be 1 or more`);
  return value;
}

function projectBody(state: DopplerState, name: string) {
  const project = state.project(name);
  // Doppler's project id format is not needed by the product: the lab uses the name (a slug).
  return {
    project: {
      id: project.name,
      name: project.name,
      description: project.description,
      created_at: project.createdAt,
    },
  };
}

export const HANDLERS: Record<string, Handler> = {
  'projects-create': (state, request) => {
    requireServiceAccount(request.caller, 'create projects');
    const body = bodyObject(request.body);
    const name = requireString(body, 'name');
    const description = typeof body.description === 'string' ? body.description : '';
    state.createProject(name, description, DEFAULT_ENVIRONMENTS, request.now);
    return ok(projectBody(state, name));
  },
  'projects-get': (state, request) => {
    requireServiceAccount(request.caller, 'read projects');
    return ok(projectBody(state, requireString(request.query, 'project')));
  },
  'projects-delete': (state, request) => {
    requireServiceAccount(request.caller, 'delete projects');
    state.deleteProject(requireString(bodyObject(request.body), 'project'));
    return ok({ success: true });
  },
  'configs-create': (state, request) => {
    requireServiceAccount(request.caller, 'create configs');
    const body = bodyObject(request.body);
    const project = requireString(body, 'project');
    const environment = requireString(body, 'environment');
    const name = requireString(body, 'name');
    if (!state.project(project).environments.includes(environment)) {
      throw new DopplerError(404, `Could not find requested environment '${environment}'`);
    }
    checkBranchConfigName(environment, name);
    return ok(configBody(project, state.createBranchConfig(project, environment, name, request.now)));
  },
  'configs-list': (state, request) => {
    requireServiceAccount(request.caller, 'list configs');
    const project = state.project(requireString(request.query, 'project'));
    const environment = request.query.environment;
    if (environment !== undefined && !project.environments.includes(environment)) {
      throw new DopplerError(404, `Could not find requested environment '${environment}'`);
    }
    const page = positiveInteger(request.query, 'page', 1);
    const perPage = positiveInteger(request.query, 'per_page', DEFAULT_PER_PAGE);
    const configs = Object.values(project.configs)
      .filter((config) => environment === undefined || config.environment === environment)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name))
      .slice((page - 1) * perPage, page * perPage)
      .map((config) => configBody(project.name, config).config);
    return ok({ page, configs });
  },
  'configs-get': (state, request) => {
    const found = target(state, request, request.query, 'read');
    return ok(configBody(found.project, found.config));
  },
  'configs-delete': (state, request) => {
    requireServiceAccount(request.caller, 'delete configs');
    state.deleteConfig(requireString(request.query, 'project'), requireString(request.query, 'config'));
    return ok({ success: true });
  },
  'secrets-list': (state, request) => {
    // The lab has no dynamic secrets and no managed ones (which names Doppler adds is UNCONFIRMED), so
    // include_dynamic_secrets and include_managed_secrets change nothing here.
    const shown = shownSecrets(state, target(state, request, request.query, 'read'), request.query.secrets);
    const secrets = Object.fromEntries(
      shown.map(({ name, record, computed }) => [
        name,
        {
          raw: record.raw,
          computed,
          note: '',
          rawVisibility: record.visibility,
          computedVisibility: record.visibility,
        },
      ]),
    );
    return ok({ secrets });
  },
  'secrets-update': (state, request) => {
    const update = parseSecretsUpdate(request.body);
    const found = target(state, request, update, 'write');
    const inherited = found.config.root ? {} : state.rootOf(found.project, found.config).secrets;
    found.config.secrets = applySecretChanges(found.config.secrets, inherited, update.changes);
    // Answers the config's secrets after the change, in the spec's {raw, computed, note} shape.
    const secrets = Object.fromEntries(
      shownSecrets(state, found).map(({ name, record, computed }) => [
        name,
        { raw: record.raw, computed, note: '' },
      ]),
    );
    return ok({ secrets });
  },
  'secrets-get': (state, request) => {
    const name = requireString(request.query, 'name');
    const shown = shownSecrets(state, target(state, request, request.query, 'read')).find(
      (one) => one.name === name,
    );
    if (!shown) throw new DopplerError(404, `Could not find requested secret '${name}'`);
    return ok({ name, value: { raw: shown.record.raw, computed: shown.computed, note: '' } });
  },
  'secrets-delete': (state, request) => {
    const name = requireString(request.query, 'name');
    const found = target(state, request, request.query, 'write');
    const inherited = found.config.root ? {} : state.rootOf(found.project, found.config).secrets;
    const deletion = { name, source: name, shouldDelete: true };
    found.config.secrets = applySecretChanges(found.config.secrets, inherited, [deletion]);
    return { status: 204 };
  },
  'secrets-names': (state, request) => {
    const shown = shownSecrets(state, target(state, request, request.query, 'read'));
    return ok({ names: shown.map(({ name }) => name) });
  },
  'secrets-download': (state, request) => {
    const { query } = request;
    // The SDK crashes on a non-JSON body (LIFECYCLE J.4), and only json is needed: the other formats
    // the spec lists are answered 400, as is a name_transformer.
    const format = query.format ?? 'json';
    if (format !== 'json')
      throw new DopplerError(400, `format '${format}' is unsupported in the lab (json only)`);
    if (query.name_transformer !== undefined) {
      throw new DopplerError(400, 'name_transformer is unsupported in the lab');
    }
    const found = target(state, request, query, 'read', true);
    // Download answers computed values (the spec; LIFECYCLE J.1).
    return ok(
      Object.fromEntries(
        shownSecrets(state, found, query.secrets).map(({ name, computed }) => [name, computed]),
      ),
    );
  },
};
