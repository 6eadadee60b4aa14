/**
 * The few `pveum` commands an operator runs to give the toolkit its user, token, roles, pools and
 * ACLs (pve-access-control CLI/pveum.pm mapped onto API2/{User,Role,ACL}.pm and pve-manager
 * API2/Pool.pm), applied to an AccessConfig with the same refusals. The lab builds its default
 * user.cfg by running runner-setup/README.md's commands through this.
 */
import { randomUUID } from 'node:crypto';
import type { PveMajor } from './privileges.js';
import { builtinRoles, isReservedRoleId, validPrivileges } from './privileges.js';
import type { AccessConfig } from './user-cfg.js';
import { aclNode, aclSlot, normalizePath } from './user-cfg.js';

export interface PveumResult {
  /** `pveum user token add` prints the secret once. */
  tokenSecret?: { tokenid: string; value: string };
}

/** Splits a command line the way a POSIX shell splits plain words and '...' / "..." quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let current: string | undefined;
  let lastEnd = -1;
  for (const match of line.matchAll(pattern)) {
    const piece = match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? match[3] ?? '';
    const joined = match.index === lastEnd && current !== undefined;
    if (joined) words[words.length - 1] = `${current}${piece}`;
    else words.push(piece);
    current = words[words.length - 1];
    lastEnd = match.index + match[0].length;
  }
  const hash = words.indexOf('#');
  return hash < 0 ? words : words.slice(0, hash);
}

function options(words: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    flags[word.slice(2)] = words[i + 1] ?? '';
    i++;
  }
  return { positional, flags };
}

/** Runs one `pveum ...` command line against `config`; throws PVE's error text on a refusal. */
export function runPveum(config: AccessConfig, major: PveMajor, line: string): PveumResult {
  const words = shellWords(line.trim());
  if (words[0] !== 'pveum') throw new Error(`not a pveum command: ${line}`);
  const { positional, flags } = options(words.slice(1));
  const command = positional
    .slice(0, positional[0] === 'user' && positional[1] === 'token' ? 3 : 2)
    .join(' ');
  const args = positional.slice(command.split(' ').length);
  switch (command) {
    case 'user add':
      return addUser(config, args[0] ?? '', flags);
    case 'user token add':
      return addToken(config, args[0] ?? '', args[1] ?? '', flags);
    case 'pool add':
      return addPool(config, major, args[0] ?? '', flags);
    case 'role add':
      return addRole(config, major, args[0] ?? '', flags);
    case 'acl modify':
      return modifyAcl(config, major, args[0] ?? '', flags);
    default:
      throw new Error(`the lab's pveum knows no '${command}'`);
  }
}

function addUser(config: AccessConfig, userid: string, flags: Record<string, string>): PveumResult {
  if (!/^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$/.test(userid)) throw new Error(`invalid user id '${userid}'`);
  if (config.users[userid]) throw new Error(`create user failed: user '${userid}' already exists`);
  config.users[userid] = {
    enable: flags.enable !== '0',
    expire: Number(flags.expire ?? 0),
    ...(flags.comment ? { comment: flags.comment } : {}),
    tokens: {},
  };
  return {};
}

function addToken(
  config: AccessConfig,
  userid: string,
  name: string,
  flags: Record<string, string>,
): PveumResult {
  const user = config.users[userid];
  if (!user) throw new Error(`no such user ('${userid}')`);
  if (!/^[A-Za-z][A-Za-z0-9.\-_]+$/.test(name)) throw new Error(`invalid token name '${name}'`);
  if (user.tokens[name]) throw new Error(`Token already exists.`);
  // API2/User.pm: privsep defaults to 1 when created through the API or pveum.
  user.tokens[name] = {
    expire: Number(flags.expire ?? 0),
    privsep: flags.privsep !== '0',
    ...(flags.comment ? { comment: flags.comment } : {}),
  };
  return { tokenSecret: { tokenid: `${userid}!${name}`, value: randomUUID() } };
}

function addPool(
  config: AccessConfig,
  major: PveMajor,
  poolid: string,
  flags: Record<string, string>,
): PveumResult {
  if (config.pools[poolid]) throw new Error(`create pool failed: pool '${poolid}' already exists`);
  const parent = poolid.includes('/') ? poolid.slice(0, poolid.lastIndexOf('/')) : undefined;
  if (parent !== undefined && !config.pools[parent])
    throw new Error(`create pool failed: parent '${parent}' of pool '${poolid}' does not exist`);
  const leaf = poolid.slice(poolid.lastIndexOf('/') + 1);
  if (major === 9 && !/^[A-Za-z]/.test(leaf))
    throw new Error('create pool failed: pool name must start with a letter');
  config.pools[poolid] = {
    poolid,
    ...(flags.comment ? { comment: flags.comment } : {}),
    vms: [],
    storage: [],
  };
  return {};
}

function addRole(
  config: AccessConfig,
  major: PveMajor,
  roleid: string,
  flags: Record<string, string>,
): PveumResult {
  if (isReservedRoleId(roleid))
    throw new Error(`cannot use role ID starting with the (case-insensitive) 'PVE' namespace`);
  if (config.roles[roleid] || builtinRoles(major)[roleid]) throw new Error(`role '${roleid}' already exists`);
  const valid = new Set(validPrivileges(major));
  const privs = (flags.privs ?? '').split(/[,;\s]+/).filter((priv) => priv !== '');
  const invalid = privs.find((priv) => !valid.has(priv));
  if (invalid !== undefined) throw new Error(`invalid privilege '${invalid}'`);
  config.roles[roleid] = privs;
  return {};
}

function modifyAcl(
  config: AccessConfig,
  major: PveMajor,
  rawPath: string,
  flags: Record<string, string>,
): PveumResult {
  const path = normalizePath(rawPath);
  const roles = (flags.roles ?? '').split(/[,;\s]+/).filter((role) => role !== '');
  const known = new Set([...Object.keys(builtinRoles(major)), ...Object.keys(config.roles)]);
  const unknown = roles.find((role) => !known.has(role));
  if (unknown !== undefined) throw new Error(`role '${unknown}' does not exist`);
  const propagate = flags.propagate !== '0'; // update_acl: propagate defaults to 1
  const node = aclNode(config, path);
  const subjects = [
    ...listFlag(flags.users),
    ...listFlag(flags.groups).map((group) => `@${group}`),
    ...listFlag(flags.tokens),
  ];
  for (const subject of subjects) {
    const slot = aclSlot(config, node, subject);
    if (!slot) throw new Error(`'${subject}' does not exist`);
    for (const role of roles) slot[role] = propagate;
  }
  return {};
}

const listFlag = (value: string | undefined) => (value ?? '').split(/[,;\s]+/).filter((item) => item !== '');
