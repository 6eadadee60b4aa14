/**
 * The lab's access configuration on disk, where PVE keeps it: DIR/user.cfg (users, tokens, groups,
 * roles, pools, ACLs) and DIR/priv/token.cfg (token secrets, `<tokenid> <secret>` per line). A new DIR
 * starts from the operator's commands of runner-setup/README.md plus a root token for lab tests. An edit
 * of user.cfg by hand takes effect at the next request, as pmxcfs makes a change visible at once.
 */
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AccessModel, splitTokenId } from './evaluate.js';
import { PVE9_OPERATOR_SETUP, PVE9_PREVIEW_TOKEN_SETUP, ROOT_TOKEN_SETUP } from './operator-setup.js';
import type { PveMajor } from './privileges.js';
import { runPveum } from './pveum.js';
import type { AccessConfig, PoolEntry } from './user-cfg.js';
import { emptyAccessConfig, parseUserCfg, writeUserCfg } from './user-cfg.js';

const USER_CFG = 'user.cfg';
const TOKEN_CFG = join('priv', 'token.cfg');

export class AccessStore {
  private current: AccessModel;
  private written = '';
  private seen = '';

  private constructor(
    private readonly file: string | undefined,
    private readonly secrets: Map<string, string>,
    private readonly secretsFile: string | undefined,
    readonly major: PveMajor,
    config: AccessConfig,
  ) {
    this.current = new AccessModel(config, major);
  }

  /**
   * DIR's user.cfg and token secrets, or the operator's set-up when DIR has none. `legacyPools` are
   * pools an older lab kept in its state file: they move into user.cfg once.
   */
  static open(dir: string | undefined, major: PveMajor, legacyPools: PoolEntry[] = []): AccessStore {
    const file = dir === undefined ? undefined : join(dir, USER_CFG);
    const secretsFile = dir === undefined ? undefined : join(dir, TOKEN_CFG);
    if (file && existsSync(file)) {
      const store = new AccessStore(file, readSecrets(secretsFile), secretsFile, major, emptyAccessConfig());
      store.reload();
      return store;
    }
    const config = emptyAccessConfig();
    const secrets = new Map<string, string>();
    for (const line of [...PVE9_OPERATOR_SETUP, ...PVE9_PREVIEW_TOKEN_SETUP, ROOT_TOKEN_SETUP]) {
      const { tokenSecret } = runPveum(config, major, line);
      if (tokenSecret) secrets.set(tokenSecret.tokenid, tokenSecret.value);
    }
    for (const pool of legacyPools) config.pools[pool.poolid] ??= { ...pool };
    const store = new AccessStore(file, secrets, secretsFile, major, config);
    store.writeSecrets();
    store.save();
    return store;
  }

  /** The model as user.cfg says now (re-read when someone else changed the file). */
  get model(): AccessModel {
    this.reloadIfChanged();
    return this.current;
  }

  get config(): AccessConfig {
    return this.model.config;
  }

  /** Writes user.cfg when the lab changed it (pools and their members). */
  save(): void {
    if (!this.file) return;
    const text = writeUserCfg(this.current.config);
    if (text === this.written) return;
    writeFileSync(this.file, text, { mode: 0o640 });
    this.written = text;
    this.seen = fingerprint(this.file);
  }

  /**
   * PVE's verify_token: the user exists and is enabled and unexpired, the token exists and is
   * unexpired, and the secret matches. Returns the token id (the caller of every check) or undefined.
   */
  authenticate(tokenid: string, secret: string, nowSeconds: number): string | undefined {
    const ref = splitTokenId(tokenid);
    if (!ref) return undefined;
    const user = this.config.users[ref.userid];
    const token = user?.tokens[ref.name];
    if (!user || !token || !user.enable) return undefined;
    if ((user.expire > 0 && user.expire < nowSeconds) || (token.expire > 0 && token.expire < nowSeconds))
      return undefined;
    const expected = Buffer.from(this.secrets.get(tokenid) ?? '');
    const given = Buffer.from(secret);
    return expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected)
      ? tokenid
      : undefined;
  }

  /** A token's secret, for the lab's own clients (tools, tests); undefined when it has none. */
  secret(tokenid: string): string | undefined {
    return this.secrets.get(tokenid);
  }

  private reloadIfChanged(): void {
    if (!this.file || !existsSync(this.file)) return;
    if (fingerprint(this.file) !== this.seen) this.reload();
  }

  private reload(): void {
    if (!this.file) return;
    const text = readFileSync(this.file, 'utf8');
    const { config, warnings } = parseUserCfg(text, this.major);
    for (const warning of warnings) console.error(`lab: ${warning}`);
    this.current = new AccessModel(config, this.major);
    this.written = text;
    this.seen = fingerprint(this.file);
  }

  private writeSecrets(): void {
    if (!this.secretsFile) return;
    mkdirSync(dirname(this.secretsFile), { recursive: true, mode: 0o700 });
    const lines = [...this.secrets].map(([tokenid, value]) => `${tokenid} ${value}`);
    writeFileSync(this.secretsFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    chmodSync(this.secretsFile, 0o600);
  }
}

function readSecrets(file: string | undefined): Map<string, string> {
  const secrets = new Map<string, string>();
  if (!file || !existsSync(file)) return secrets;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [tokenid, value] = line.trim().split(/\s+/);
    if (tokenid && value) secrets.set(tokenid, value);
  }
  return secrets;
}

function fingerprint(file: string): string {
  const stat = statSync(file);
  return `${stat.mtimeMs}:${stat.size}`;
}
