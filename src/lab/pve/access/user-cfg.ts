/**
 * /etc/pve/user.cfg in PVE's own line format (pve-access-control AccessControl.pm parse_user_config /
 * write_user_config, PVE-PERMISSIONS.md P.3): users, their API tokens, groups, custom roles, pools with
 * their members, and ACL entries with their propagate flag.
 */
import type { PveMajor } from './privileges.js';
import { builtinRoles, validPrivileges } from './privileges.js';

export interface TokenEntry {
  /** 0 = never. */
  expire: number;
  /** Privilege separation: the token's own ACLs, intersected with its user's. */
  privsep: boolean;
  comment?: string;
}

export interface UserEntry {
  enable: boolean;
  /** 0 = never (seconds since the epoch otherwise). */
  expire: number;
  firstname?: string;
  lastname?: string;
  email?: string;
  comment?: string;
  keys?: string;
  /** By token name (the part after `!`). */
  tokens: Record<string, TokenEntry>;
}

export interface GroupEntry {
  users: string[];
  comment?: string;
}

export interface PoolEntry {
  poolid: string;
  comment?: string;
  vms: number[];
  storage: string[];
}

/** role -> propagate, per subject kind, at one ACL path. */
export interface AclNode {
  users: Record<string, Record<string, boolean>>;
  groups: Record<string, Record<string, boolean>>;
  tokens: Record<string, Record<string, boolean>>;
}

export interface AccessConfig {
  users: Record<string, UserEntry>;
  groups: Record<string, GroupEntry>;
  /** Custom roles only: the built-in ones are forced in by the release (userconfig_force_defaults). */
  roles: Record<string, string[]>;
  pools: Record<string, PoolEntry>;
  /** By normalized path. */
  acl: Record<string, AclNode>;
}

export function emptyAccessConfig(): AccessConfig {
  return { users: { 'root@pam': rootUser() }, groups: {}, roles: {}, pools: {}, acl: {} };
}

function rootUser(): UserEntry {
  return { enable: true, expire: 0, comment: 'Built-in Superuser', tokens: {} };
}

/** AccessControl::normalize_path: a leading `/`, repeated `/` collapsed, no trailing `/`. */
export function normalizePath(path: string): string {
  const collapsed = `/${path}`.replace(/\/+/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/** PVE::Tools::encode_text / decode_text: what may not stand in a `:`-separated field is %-escaped. */
function encodeText(text: string): string {
  return text.replace(
    /[^A-Za-z0-9\-_.~ /@!,]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
  );
}

function decodeText(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const optional = (key: string, value: string | undefined) => (value ? { [key]: decodeText(value) } : {});
const list = (text: string | undefined) => (text ?? '').split(/[,;\s]+/).filter((item) => item !== '');

/**
 * parse_user_config: unknown lines and invalid privileges are dropped with PVE's warning texts
 * (returned, the lab prints them), never fatal, as on a real node.
 */
export function parseUserCfg(text: string, major: PveMajor): { config: AccessConfig; warnings: string[] } {
  const config = emptyAccessConfig();
  const warnings: string[] = [];
  const valid = new Set(validPrivileges(major));
  const acls: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const [kind] = fields;
    if (kind === 'user') parseUser(config, fields);
    else if (kind === 'token') parseToken(config, fields, warnings);
    else if (kind === 'group')
      config.groups[fields[1] ?? ''] = { users: list(fields[2]), ...optional('comment', fields[3]) };
    else if (kind === 'role') parseRole(config, fields, valid, warnings);
    else if (kind === 'pool') parsePool(config, fields, warnings);
    else if (kind === 'acl') acls.push(fields);
    else warnings.push(`user config - ignore config line: ${line}`);
  }
  // ACLs last: their subjects and roles must be known (parse_user_config checks both).
  for (const fields of acls) parseAcl(config, fields, major, warnings);
  return { config, warnings };
}

function parseUser(config: AccessConfig, fields: string[]): void {
  const [, userid = '', enable, expire, firstname, lastname, email, comment, keys] = fields;
  const existing = config.users[userid];
  config.users[userid] = {
    enable: enable !== '0',
    expire: Number(expire) || 0,
    ...optional('firstname', firstname),
    ...optional('lastname', lastname),
    ...optional('email', email),
    ...optional('comment', comment),
    ...optional('keys', keys),
    tokens: existing?.tokens ?? {},
  };
}

function parseToken(config: AccessConfig, fields: string[], warnings: string[]): void {
  const [, tokenid = '', expire, privsep, comment] = fields;
  const [userid = '', name] = tokenid.split('!');
  const user = config.users[userid];
  if (!user || !name) {
    warnings.push(`user config - ignore token '${tokenid}' - user does not exist`);
    return;
  }
  // A missing or empty privsep field reads as 0 (AC line 1622).
  user.tokens[name] = {
    expire: Number(expire) || 0,
    privsep: privsep === '1',
    ...optional('comment', comment),
  };
}

function parseRole(config: AccessConfig, fields: string[], valid: Set<string>, warnings: string[]): void {
  const [, roleid = '', privs] = fields;
  config.roles[roleid] = list(privs).filter((priv) => {
    if (valid.has(priv)) return true;
    warnings.push(`user config - ignore invalid privilege '${priv}'`);
    return false;
  });
}

function parsePool(config: AccessConfig, fields: string[], warnings: string[]): void {
  const [, poolid = '', comment, vms, storage] = fields;
  const taken = new Set(Object.values(config.pools).flatMap((pool) => pool.vms));
  const members = list(vms)
    .map(Number)
    .filter((vmid) => {
      if (!taken.has(vmid)) return true;
      warnings.push(`user config - ignore duplicate vmid '${vmid}'`);
      return false;
    });
  config.pools[poolid] = { poolid, ...optional('comment', comment), vms: members, storage: list(storage) };
}

function parseAcl(config: AccessConfig, fields: string[], major: PveMajor, warnings: string[]): void {
  const [, propagate, rawPath = '', subjects, roles] = fields;
  const path = normalizePath(rawPath);
  const known = { ...builtinRoles(major), ...config.roles };
  const node = aclNode(config, path);
  for (const role of list(roles)) {
    if (!(role in known)) {
      warnings.push(`user config - ignore invalid acl role '${role}'`);
      continue;
    }
    for (const subject of list(subjects)) {
      const slot = aclSlot(config, node, subject);
      if (slot) slot[role] = propagate !== '0';
      else warnings.push(`user config - ignore invalid acl member '${subject}'`);
    }
  }
}

export function aclNode(config: AccessConfig, path: string): AclNode {
  const node = (config.acl[path] ??= { users: {}, groups: {}, tokens: {} });
  return node;
}

/** The role map of one subject (`user@realm`, `@group` or `user@realm!token`) at an ACL node. */
export function aclSlot(
  config: AccessConfig,
  node: AclNode,
  subject: string,
): Record<string, boolean> | undefined {
  if (subject.startsWith('@')) {
    const group = subject.slice(1);
    return config.groups[group] ? (node.groups[group] ??= {}) : undefined;
  }
  if (subject.includes('!')) {
    const [userid = '', name = ''] = subject.split('!');
    return config.users[userid]?.tokens[name] ? (node.tokens[subject] ??= {}) : undefined;
  }
  return config.users[subject] ? (node.users[subject] ??= {}) : undefined;
}

/** write_user_config: users (each followed by its tokens), groups, pools, roles, ACLs. */
export function writeUserCfg(config: AccessConfig): string {
  const lines: string[] = [];
  for (const [userid, user] of Object.entries(config.users).sort(byKey)) {
    const fields = [user.firstname, user.lastname, user.email, user.comment, user.keys].map((v) =>
      encodeText(v ?? ''),
    );
    lines.push(`user:${userid}:${user.enable ? 1 : 0}:${user.expire}:${fields.join(':')}:`);
    for (const [name, token] of Object.entries(user.tokens).sort(byKey)) {
      lines.push(
        `token:${userid}!${name}:${token.expire}:${token.privsep ? 1 : 0}:${encodeText(token.comment ?? '')}:`,
      );
    }
  }
  lines.push('');
  for (const [groupid, group] of Object.entries(config.groups).sort(byKey))
    lines.push(`group:${groupid}:${group.users.join(',')}:${encodeText(group.comment ?? '')}:`);
  lines.push('');
  for (const [poolid, pool] of Object.entries(config.pools).sort(byKey)) {
    const comment = encodeText(pool.comment ?? '');
    lines.push(`pool:${poolid}:${comment}:${pool.vms.join(',')}:${pool.storage.join(',')}:`);
  }
  lines.push('');
  for (const [roleid, privs] of Object.entries(config.roles).sort(byKey))
    lines.push(`role:${roleid}:${privs.join(',')}:`);
  lines.push('');
  for (const [path, node] of Object.entries(config.acl).sort(byKey)) lines.push(...aclLines(path, node));
  return `${lines.join('\n')}\n`;
}

/** One line per (propagate, role set), listing every subject that has exactly that (as PVE groups them). */
function aclLines(path: string, node: AclNode): string[] {
  const bySignature = new Map<string, string[]>();
  const add = (subject: string, roles: Record<string, boolean>) => {
    for (const propagate of [true, false]) {
      const names = Object.keys(roles)
        .filter((role) => roles[role] === propagate)
        .sort();
      if (names.length === 0) continue;
      const key = `${propagate ? 1 : 0}:${names.join(',')}`;
      bySignature.set(key, [...(bySignature.get(key) ?? []), subject]);
    }
  };
  for (const [user, roles] of Object.entries(node.users).sort(byKey)) add(user, roles);
  for (const [group, roles] of Object.entries(node.groups).sort(byKey)) add(`@${group}`, roles);
  for (const [token, roles] of Object.entries(node.tokens).sort(byKey)) add(token, roles);
  return [...bySignature.entries()].map(([key, subjects]) => {
    const [propagate, roles] = [key.slice(0, 1), key.slice(2)];
    return `acl:${propagate}:${path}:${subjects.join(',')}:${roles}:`;
  });
}

const byKey = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
