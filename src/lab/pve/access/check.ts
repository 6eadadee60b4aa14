/**
 * RPCEnvironment::check_api2_permissions and exec_api2_perm_check (PVE-PERMISSIONS.md P.5): the
 * declared `permissions` of an endpoint, evaluated on the request's unvalidated parameters before
 * the handler runs, with PVE's exact failure texts.
 */
import type { AccessModel } from './evaluate.js';
import { ROOT } from './evaluate.js';
import { normalizePath } from './user-cfg.js';

/** PVE::Exception::raise_perm_exc: HTTP 403, `Permission check failed[ (<what>)]`. */
export class PermissionDenied extends Error {
  override name = 'PermissionDenied';
  constructor(readonly what?: string) {
    super(permissionText(what));
  }
}

export function permissionText(what?: string): string {
  return `Permission check failed${what ? ` (${what})` : ''}`;
}

export interface Declared {
  user?: string;
  check?: unknown[];
}

/** Throws PermissionDenied when the declared permissions refuse the caller. */
export function checkDeclared(
  model: AccessModel,
  authid: string,
  declared: Declared | undefined,
  params: Record<string, string>,
): void {
  if (authid === ROOT) return;
  if (!declared) throw new PermissionDenied(`user != ${ROOT}`);
  if (declared.user === 'all' || declared.user === 'world') return;
  if (!declared.check) throw new PermissionDenied();
  run(model, authid, declared.check, params, false);
}

/** `{name}` from the parameters (missing or empty: `-`), then normalize_path (PVE::Tools::template_replace). */
export function templatePath(template: string, params: Record<string, string>): string {
  return normalizePath(template.replace(/\{([^}]+)\}/g, (_, name: string) => params[name] || '-'));
}

/** One check node; with `noerr` a refusal of a `perm` is false instead of an exception. */
function run(
  model: AccessModel,
  authid: string,
  check: unknown[],
  params: Record<string, string>,
  noerr: boolean,
): boolean {
  const [kind, ...rest] = check;
  if (kind === 'and') {
    // Sub-checks run without noerr: the first refusal raises its own text, even inside an `or`.
    for (const sub of rest) run(model, authid, sub as unknown[], params, false);
    return true;
  }
  if (kind === 'or') {
    for (const sub of rest) if (run(model, authid, sub as unknown[], params, true)) return true;
    if (noerr) return false;
    throw new PermissionDenied();
  }
  if (kind === 'perm') return perm(model, authid, rest, params, noerr);
  throw new Error(`the lab does not evaluate permission checks of kind '${String(kind)}'`);
}

function perm(
  model: AccessModel,
  authid: string,
  [template, privs, ...flat]: unknown[],
  params: Record<string, string>,
  noerr: boolean,
): boolean {
  const opts: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) opts[String(flat[i])] = flat[i + 1];
  const required = opts.require_param;
  if (typeof required === 'string' && (params[required] === undefined || params[required] === '')) {
    if (noerr) return false;
    throw new PermissionDenied();
  }
  const path = templatePath(String(template), params);
  const list = (privs as string[]) ?? [];
  const any = Boolean(opts.any);
  if (model.has(authid, path, list, any)) return true;
  if (noerr) return false;
  const missing = any ? list.join('|') : (model.missing(authid, path, list) ?? list.join('|'));
  throw new PermissionDenied(`${path}, ${missing}`);
}
