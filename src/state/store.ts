import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { echoed } from '../util/echo.js';

/**
 * Where a twin's secrets and credentials live between jobs: the Talos secrets bundle, talosconfig,
 * kubeconfigs, the mesh CA. Proxmox records what exists; this records what only we know.
 */

/** One stored item: twin-wide (`cluster` absent, e.g. the mesh CA) or one cluster's (e.g. its kubeconfig). */
export interface StateKey {
  twin: string;
  cluster?: string;
  /** A file name such as `secrets.yaml`, `talosconfig`, `kubeconfig`, `mesh-ca.json`. */
  name: string;
}

/**
 * The contract every backend keeps (the local directory below; a secrets manager such as Doppler could be
 * another):
 * - Contents are opaque UTF-8 text and may be secret: a backend never logs them or puts them in errors.
 * - `write` resolves only once the content is durably stored, and returns the path of a local file (mode
 *   0600, in a 0700 folder) holding exactly that content, for tools that take files (talosctl, kubectl, helm).
 *   A remote backend stores remotely and mirrors to that local file.
 * - `read` resolves undefined when the key is absent, never throws for absence. A remote backend also leaves
 *   the local copy at `pathOf(key)` after a successful read.
 * - `pathOf` is pure: the same key always maps to the same local path, whether or not the file exists yet.
 * - `remove` and `removeTwin` succeed when there is nothing to remove.
 * - `list` returns the keys of one twin that exist, in a stable order.
 * - `twins` returns the names of the twins this store keeps state for, sorted: a twin with items (a remote
 *   backend may also name one whose place is made but empty).
 * - Twin, cluster and item names are single path segments; a backend refuses anything else (no `..`, no `/`).
 */
export interface StateStore {
  read(key: StateKey): Promise<string | undefined>;
  write(key: StateKey, content: string): Promise<string>;
  remove(key: StateKey): Promise<void>;
  list(twin: string): Promise<StateKey[]>;
  twins(): Promise<string[]>;
  removeTwin(twin: string): Promise<void>;
  pathOf(key: StateKey): string;
  /** Where the state lives, in words for messages (never a credential). */
  describe(): string;
}

// One path segment: starts with a letter or digit (so never `.`, `..` or a hidden temp file), no separators.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const TWIN_FILES = 'files';
const CLUSTERS = 'clusters';

/**
 * The default backend: a directory on the runner. Layout: `<root>/<twin>/files/<name>` for twin-wide items
 * and `<root>/<twin>/clusters/<cluster>/<name>` for a cluster's. Folders are 0700, files 0600, and files are
 * replaced atomically (write a temp file, then rename), so a crash never leaves half a kubeconfig.
 */
export class LocalStateStore implements StateStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = resolve(rootDir);
  }

  pathOf(key: StateKey): string {
    return join(this.folderOf(key), requireSegment(key.name, 'state item name'));
  }

  describe(): string {
    return `the local state folder ${this.root}`;
  }

  async read(key: StateKey): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async write(key: StateKey, content: string): Promise<string> {
    const path = this.pathOf(key);
    const folder = await this.makePrivateFolders(key);
    const temp = join(folder, `.${key.name}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', FILE_MODE);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.chmod(FILE_MODE); // open's mode is subject to the umask; this is not
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
      await syncFolder(folder);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return path;
  }

  async remove(key: StateKey): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(twin: string): Promise<StateKey[]> {
    const twinDir = this.twinDir(twin);
    const keys: StateKey[] = (await fileNames(join(twinDir, TWIN_FILES))).map((name) => ({ twin, name }));
    for (const cluster of await folderNames(join(twinDir, CLUSTERS))) {
      for (const name of await fileNames(join(twinDir, CLUSTERS, cluster))) {
        keys.push({ twin, cluster, name });
      }
    }
    return keys;
  }

  async twins(): Promise<string[]> {
    const held: string[] = [];
    // A twin's folder can hold only its work folder (generated files of a run), which is not state.
    for (const twin of await folderNames(this.root)) if ((await this.list(twin)).length > 0) held.push(twin);
    return held;
  }

  async removeTwin(twin: string): Promise<void> {
    await rm(this.twinDir(twin), { recursive: true, force: true });
  }

  private twinDir(twin: string): string {
    return join(this.root, requireSegment(twin, 'twin name'));
  }

  private folderOf(key: StateKey): string {
    const twinDir = this.twinDir(key.twin);
    return key.cluster === undefined
      ? join(twinDir, TWIN_FILES)
      : join(twinDir, CLUSTERS, requireSegment(key.cluster, 'cluster name'));
  }

  /** Creates the key's folders and makes them 0700: the twin's always (even if they existed), and any this call made. */
  private async makePrivateFolders(key: StateKey): Promise<string> {
    const folder = this.folderOf(key);
    const twinDir = this.twinDir(key.twin);
    const firstCreated = await mkdir(folder, { recursive: true, mode: DIR_MODE });
    const top = firstCreated !== undefined && firstCreated.length < twinDir.length ? firstCreated : twinDir;
    for (let dir = folder; ; dir = dirname(dir)) {
      await chmod(dir, DIR_MODE);
      if (dir === top) return folder;
    }
  }
}

/** Makes a rename inside `dir` survive a crash. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function requireSegment(value: string, what: string): string {
  if (!SEGMENT.test(value) || value.includes('..')) {
    throw new ConfigurationError(
      `${what} ${echoed(value)} cannot be used in the state store: use letters, digits, ".", "-" and "_" ` +
        '(starting with a letter or digit; no "/" or "..")',
    );
  }
  return value;
}

/** Stored items, sorted; hidden temp files of an interrupted write are not items. */
async function fileNames(dir: string): Promise<string[]> {
  return (await entries(dir))
    .filter((entry) => entry.isFile() && SEGMENT.test(entry.name))
    .map((e) => e.name);
}

async function folderNames(dir: string): Promise<string[]> {
  return (await entries(dir))
    .filter((entry) => entry.isDirectory() && SEGMENT.test(entry.name))
    .map((e) => e.name);
}

async function entries(dir: string) {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
