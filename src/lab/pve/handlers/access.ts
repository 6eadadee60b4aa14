import { splitTokenId } from '../access/evaluate.js';
import type { PrivilegeMap } from '../access/evaluate.js';
import type { ApiRequest, HandlerTable, LabContext } from './context.js';
import { ok } from './context.js';
import { requirePrivs } from './permissions.js';

export const accessHandlers: HandlerTable = {
  'GET /access/permissions': permissions,
};

/** Paths get_effective_permissions always evaluates, besides every ACL path and the pool members. */
const BASE_PATHS = ['/', '/access', '/access/groups', '/nodes', '/pool', '/sdn', '/storage', '/vms'];

const asFlags = (privs: PrivilegeMap) =>
  Object.fromEntries([...privs].map(([priv, flag]) => [priv, flag ? 1 : 0]));

/**
 * API2/AccessControl.pm permissions (P.8): a caller reads its own and its tokens' rights; anyone
 * else's need Sys.Audit on /access. With `path`, that one path (the key present even when empty);
 * without, every path the caller has some privilege on.
 */
function permissions(lab: LabContext, req: ApiRequest) {
  const userid = req.params.userid ?? req.user;
  const owner = splitTokenId(userid)?.userid;
  if (userid !== req.user && owner !== req.user) {
    const known = lab.state.access.config.users[owner ?? userid];
    if (!known || (owner !== undefined && !known.tokens[splitTokenId(userid)?.name ?? '']))
      throw new Error(`no such user ('${userid}')`);
    requirePrivs(lab, req.user, '/access', ['Sys.Audit']);
  }
  const model = lab.state.access.model;
  const path = req.params.path;
  if (path) return ok({ [path]: asFlags(model.permissions(userid, path)) });
  const pools = Object.values(model.config.pools);
  const paths = new Set([
    ...BASE_PATHS,
    ...model.aclPaths(),
    ...pools.flatMap((pool) => pool.vms.map((vmid) => `/vms/${vmid}`)),
    ...pools.flatMap((pool) => pool.storage.map((storeid) => `/storage/${storeid}`)),
  ]);
  const result: Record<string, Record<string, number>> = {};
  for (const candidate of paths) {
    const privs = model.permissions(userid, candidate);
    if (privs.size > 0) result[candidate] = asFlags(privs);
  }
  return ok(result);
}
