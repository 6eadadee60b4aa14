import { lstat, open, readFile, realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { validateTwinName } from '../spec/identity.js';
import type { StateKey, StateStore } from './store.js';

/**
 * Moving a twin's state between stores (local to Doppler, one runner's disk to another): every item of the
 * twin in one JSON file, written 0600 to a path the user names and never to a terminal or a pipe, since it
 * holds the twin's Talos secrets and credentials.
 */
export const STATE_FILE_FORMAT = 'aggrik8s-twin-state/1';
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const STREAMS = /^(-|\/dev\/(stdout|stderr|tty|fd\/\d+)|\/proc\/self\/fd\/\d+)$/;

interface StateFile {
  format: typeof STATE_FILE_FORMAT;
  twin: string;
  exportedAt: string;
  /** store.describe() of the store it came from, for the reader; never a credential. */
  from: string;
  items: { cluster?: string; name: string; content: string }[];
}

/** Writes every item of `twin` to a new file `path` (mode 0600); returns how many. */
export async function exportState(store: StateStore, twin: string, path: string, now: Date): Promise<number> {
  validateTwinName(twin, 'twin name');
  const target = await newFileTarget(path);
  const keys = await store.list(twin);
  if (keys.length === 0) {
    throw new ConfigurationError(
      `${store.describe()} holds no state of twin ${twin}: nothing was exported. Name the store that has ` +
        'it (--state-store, --state-dir)',
    );
  }
  const items: StateFile['items'] = [];
  for (const key of keys) {
    const content = await store.read(key);
    if (content === undefined) continue; // removed since it was listed
    items.push({ ...(key.cluster === undefined ? {} : { cluster: key.cluster }), name: key.name, content });
  }
  const file: StateFile = {
    format: STATE_FILE_FORMAT,
    twin,
    exportedAt: now.toISOString(),
    from: store.describe(),
    items,
  };
  await writePrivateFile(target, `${JSON.stringify(file, null, 2)}\n`);
  return items.length;
}

/**
 * Writes every item of the file into `store` for `twin`. Refused when the store already holds a different
 * item of the twin: two identities must never mix. An import that stopped half-way can run again (items
 * already there with the same content are fine). Returns how many items were written.
 */
export async function importState(store: StateStore, twin: string, path: string): Promise<number> {
  validateTwinName(twin, 'twin name');
  const file = await readStateFile(path);
  if (file.twin !== twin) {
    throw new ConfigurationError(
      `${path} holds the state of twin ${file.twin}, not of ${twin}: import it with --env ${file.twin}`,
    );
  }
  const keys = file.items.map((item): StateKey => ({ twin, ...item }));
  for (const key of keys) store.pathOf(key); // refuses a name that is not a single path segment
  const wanted = new Map(file.items.map((item, i) => [keyText(keys[i]!), item.content]));
  for (const existing of await store.list(twin)) {
    const content = wanted.get(keyText(existing));
    if (content === undefined || (await store.read(existing)) !== content) {
      throw new ConfigurationError(
        `${store.describe()} already holds state of twin ${twin} that differs from ${path} ` +
          `(${keyText(existing)}): nothing was imported. Import into a store that has none of this twin, or ` +
          'destroy the twin this store knows first (twin down)',
      );
    }
  }
  let written = 0;
  for (const [i, key] of keys.entries()) {
    if ((await store.read(key)) === file.items[i]!.content) continue;
    await store.write(key, file.items[i]!.content);
    written++;
  }
  return written;
}

function keyText(key: Pick<StateKey, 'cluster' | 'name'>): string {
  return key.cluster === undefined ? key.name : `${key.cluster}/${key.name}`;
}

/** The path of a file that does not exist yet, in an existing folder, and not a stream. */
async function newFileTarget(path: string): Promise<string> {
  if (STREAMS.test(path.trim())) {
    throw new ConfigurationError(
      `--to ${path}: the state holds the twin's secrets and is never written to a terminal or a pipe; ` +
        'name a file, e.g. --to ./pr-7.state.json',
    );
  }
  const target = resolve(path);
  if (await exists(target)) {
    throw new ConfigurationError(`--to ${path} exists already: name a new file (nothing is overwritten)`);
  }
  await realpath(dirname(target)).catch(() => {
    throw new ConfigurationError(`--to ${path}: folder ${dirname(target)} does not exist`);
  });
  return target;
}

async function writePrivateFile(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600); // wx: never follows or replaces what appeared meanwhile
  try {
    await handle.chmod(0o600); // the mode open takes is subject to the umask; this is not
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readStateFile(path: string): Promise<StateFile> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile()) throw new ConfigurationError(`--from ${path} is not a file`);
  if ((info.mode & 0o077) !== 0) {
    throw new ConfigurationError(
      `--from ${path} can be read by other users (mode ${(info.mode & 0o777).toString(8)}) and holds a ` +
        `twin's secrets: chmod 600 ${path}, then import again`,
    );
  }
  if (info.size > MAX_FILE_BYTES) {
    throw new ConfigurationError(
      `--from ${path} is ${info.size} bytes, over ${MAX_FILE_BYTES}: not a state file`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new ConfigurationError(`--from ${path} is not JSON: give a file written by twin state export`);
  }
  return checkStateFile(parsed, path);
}

function checkStateFile(value: unknown, path: string): StateFile {
  const file = value as Partial<StateFile> | null;
  const bad = (what: string) =>
    new ConfigurationError(`--from ${path}: ${what}; give a file written by twin state export`);
  if (file?.format !== STATE_FILE_FORMAT) throw bad(`format is not ${STATE_FILE_FORMAT}`);
  if (typeof file.twin !== 'string') throw bad('it names no twin');
  validateTwinName(file.twin, `twin of ${path}`);
  if (!Array.isArray(file.items) || file.items.length === 0) throw bad('it holds no items');
  for (const item of file.items as unknown[]) {
    const { cluster, name, content } = (item ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof content !== 'string')
      throw bad('an item lacks its name or content');
    if (cluster !== undefined && typeof cluster !== 'string')
      throw bad(`item ${name} has a cluster that is not text`);
  }
  return file as StateFile;
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}
