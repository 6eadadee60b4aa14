/**
 * Who may do what on which path: AccessControl::roles and RPCEnvironment's compiled ACL path
 * (PVE-PERMISSIONS.md P.3, P.4, P.11), over an AccessConfig read from user.cfg.
 */
import type { PveMajor } from './privileges.js';
import { builtinRoles } from './privileges.js';
import type { AccessConfig } from './user-cfg.js';
import { normalizePath } from './user-cfg.js';

export const ROOT = 'root@pam';

/** Privilege -> propagate flag, as GET /access/permissions shows it (1/0). */
export type PrivilegeMap = Map<string, boolean>;

export interface TokenRef {
  userid: string;
  name: string;
}

/** `user@realm!name` -> its parts; undefined for a user id. */
export function splitTokenId(authid: string): TokenRef | undefined {
  const bang = authid.indexOf('!');
  return bang < 0 ? undefined : { userid: authid.slice(0, bang), name: authid.slice(bang + 1) };
}

export class AccessModel {
  private readonly builtin: Record<string, string[]>;

  constructor(
    readonly config: AccessConfig,
    readonly major: PveMajor,
  ) {
    this.builtin = builtinRoles(major);
  }

  /** Built-in roles win over a custom one of the same name (userconfig_force_defaults). */
  rolePrivileges(role: string): string[] {
    return this.builtin[role] ?? this.config.roles[role] ?? [];
  }

  roleIds(): string[] {
    return [...new Set([...Object.keys(this.builtin), ...Object.keys(this.config.roles)])].sort();
  }

  /** The effective privileges of a user or token on one path: P.11's privs(). */
  permissions(authid: string, path: string): PrivilegeMap {
    const target = normalizePath(path);
    if (authid === ROOT) return new Map(this.rolePrivileges('Administrator').map((priv) => [priv, true]));
    const token = splitTokenId(authid);
    if (!token) return this.rawPrivileges(authid, target);
    const owner = this.config.users[token.userid];
    const entry = owner?.tokens[token.name];
    if (!owner || !entry) return new Map();
    const userPrivs = this.permissions(token.userid, target);
    if (!entry.privsep) return userPrivs;
    const own = this.rawPrivileges(authid, target);
    const both: PrivilegeMap = new Map();
    for (const [priv, propagate] of own) {
      const user = userPrivs.get(priv);
      if (user !== undefined) both.set(priv, propagate && user);
    }
    return both;
  }

  has(authid: string, path: string, privs: string[], any = false): boolean {
    const granted = this.permissions(authid, path);
    return any ? privs.some((priv) => granted.has(priv)) : privs.every((priv) => granted.has(priv));
  }

  /** The first of `privs` the caller lacks (check() walks them in order), or undefined. */
  missing(authid: string, path: string, privs: string[]): string | undefined {
    const granted = this.permissions(authid, path);
    return privs.find((priv) => !granted.has(priv));
  }

  /** The pool whose members list this VM (a VM is in at most one pool). */
  poolOfVm(vmid: number): string | undefined {
    return Object.entries(this.config.pools).find(([, pool]) => pool.vms.includes(vmid))?.[0];
  }

  /** Every path that carries an ACL entry for anyone, intermediate levels included (P.8). */
  aclPaths(): string[] {
    const paths = new Set<string>();
    for (const path of Object.keys(this.config.acl)) {
      const parts = path.split('/').filter((part) => part !== '');
      for (let depth = 1; depth <= parts.length; depth++) paths.add(`/${parts.slice(0, depth).join('/')}`);
    }
    return [...paths];
  }

  /** Regular roles of the path, plus pool roles for pool members (compile_acl_path). */
  private rawPrivileges(authid: string, path: string): PrivilegeMap {
    let roles = this.roles(authid, path);
    if (!roles.has('NoAccess')) {
      const poolRoles = this.poolRoles(authid, path);
      if (poolRoles.has('NoAccess')) roles = new Map([['NoAccess', false]]);
      else for (const role of poolRoles.keys()) if (!roles.has(role)) roles.set(role, false);
    }
    const privs: PrivilegeMap = new Map();
    for (const [role, propagate] of roles) {
      for (const priv of this.rolePrivileges(role)) privs.set(priv, (privs.get(priv) ?? false) || propagate);
    }
    return privs;
  }

  /** Roles a pool grants on /vms/<vmid> or /storage/<id> of its members: never propagated. */
  private poolRoles(authid: string, path: string): Map<string, boolean> {
    const result = new Map<string, boolean>();
    const vm = /^\/vms\/(\d+)$/.exec(path);
    const storage = /^\/storage\/([^/]+)$/.exec(path);
    if (!vm && !storage) return result;
    for (const [poolid, pool] of Object.entries(this.config.pools)) {
      const member = vm ? pool.vms.includes(Number(vm[1])) : pool.storage.includes(storage?.[1] ?? '');
      if (!member) continue;
      for (const role of this.roles(authid, `/pool/${poolid}`).keys()) result.set(role, false);
    }
    return result;
  }

  /**
   * AccessControl::roles: walk from / to the path; at each level the token's entries, else the
   * user's, else the union of the user's groups' replace what came before (final level or propagate).
   */
  roles(authid: string, path: string): Map<string, boolean> {
    if (authid === ROOT) return new Map([['Administrator', true]]);
    const parts = path === '/' ? [''] : normalizePath(path).split('/');
    let roles = new Map<string, boolean>();
    let prefix = '';
    for (let i = 0; i < parts.length; i++) {
      prefix = i === 0 ? '/' : `${prefix === '/' ? '' : prefix}/${parts[i]}`;
      const node = this.config.acl[prefix];
      if (!node) continue;
      const final = i === parts.length - 1;
      const applicable = (entries: Record<string, boolean> | undefined) => {
        const found = new Map<string, boolean>();
        for (const [role, propagate] of Object.entries(entries ?? {}))
          if (final || propagate) found.set(role, propagate);
        return found.size > 0 ? found : undefined;
      };
      const fromGroups = () => {
        const merged = new Map<string, boolean>();
        for (const [group, entries] of Object.entries(node.groups)) {
          if (!this.config.groups[group]?.users.includes(authid)) continue;
          for (const [role, propagate] of applicable(entries) ?? []) merged.set(role, propagate);
        }
        return merged.size > 0 ? merged : undefined;
      };
      roles = applicable(node.tokens[authid]) ?? applicable(node.users[authid]) ?? fromGroups() ?? roles;
    }
    return roles.has('NoAccess') ? new Map([['NoAccess', roles.get('NoAccess') ?? false]]) : roles;
  }
}
