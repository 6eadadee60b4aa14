import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  statSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { echoed } from '../util/echo.js';
import type { TwinSpec } from './schema.js';

/**
 * The spec and the files it names (helm values, manifest files and folders) are read only when they are
 * regular files inside the folder they may come from, after every symlink is resolved, and not too large:
 * a pull request that turns twin.yaml or a values file into a link to the runner's secrets, /dev/zero or a
 * fifo is refused before anything is read or changed.
 */

/** twin.yaml: the example is about 12 KiB, so 1 MiB is ample, and keeps a YAML parse of it quick. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** A values file or manifest: Kubernetes stores no object over about 1.5 MiB (etcd's request limit). */
export const MAX_NAMED_FILE_BYTES = 1024 * 1024;
/** The files kubectl apply -f reads in a folder (not recursive), and at most how many. */
const MANIFEST_FILE = /\.(ya?ml|json)$/;
const MAX_FOLDER_FILES = 100;

/** The folder files must stay inside, and how messages name it. */
export interface FileRoot {
  dir: string;
  /** e.g. "the workspace (GITHUB_WORKSPACE)" or "the spec's folder". */
  name: string;
}

/** Where the spec's relative paths start (its folder), and where the files they name must stay. */
export interface SpecFolder {
  specDir: string;
  root: FileRoot;
}

/**
 * Actions pass the workspace: the spec and every file it names must be in the checked-out repository. The
 * CLI passes none: its operator names the spec on the command line (anywhere, e.g. a copy in /tmp), and the
 * files that spec names must then lie in the spec's own folder, as they would in a repository.
 */
export function specFolder(file: string, workspace?: FileRoot): SpecFolder {
  const specDir = dirname(resolve(file));
  return { specDir, root: workspace ?? { dir: specDir, name: "the spec's folder" } };
}

type Kind = 'file' | 'file or folder';
const NAMED_FILE_MISSING = 'add it to the repository, or correct the path (relative to twin.yaml)';

function refuse(field: string, path: string, problem: string, fix: string): never {
  throw new ConfigurationError(
    `${field} ${echoed(path)} ${problem}; nothing was read or changed (fix: ${fix})`,
  );
}

/** Where a path leads, and how messages show it (as the spec or input wrote it). */
interface Target {
  path: string;
  shown: string;
}

/** The path with every symlink resolved; inside `root` when one is given. */
function resolvedInside(
  target: Target,
  field: string,
  root: FileRoot | undefined,
  missingFix: string,
): string {
  const { path, shown } = target;
  let real: string;
  try {
    real = realpathSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'read error';
    return refuse(field, shown, `cannot be read (${code})`, missingFix);
  }
  if (root) {
    const base = realpathSync(root.dir);
    const inside = relative(base, real);
    if (inside === '..' || inside.startsWith(`..${sep}`) || resolve(base, inside) !== real) {
      refuse(
        field,
        shown,
        `resolves to ${echoed(real)}, outside ${root.name} ${base}`,
        `keep the file inside ${root.name}; a symlink may not lead out of it`,
      );
    }
  }
  return real;
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a fifo';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function checkStats(stats: Stats, field: string, path: string, kind: Kind, maxBytes: number): void {
  if (!(stats.isFile() || (kind === 'file or folder' && stats.isDirectory()))) {
    refuse(
      field,
      path,
      `is ${describeKind(stats)}`,
      `name a regular ${kind} (never a device, fifo or socket)`,
    );
  }
  if (stats.isFile() && stats.size > maxBytes) {
    refuse(
      field,
      path,
      `is ${stats.size} bytes, more than the ${maxBytes} allowed`,
      'split it, or keep generated data out of the repository',
    );
  }
}

/**
 * Reads the twin spec: a regular file of at most MAX_SPEC_BYTES, inside `root` when given. Opened without
 * blocking (a fifo would otherwise hang the read) and checked on the open file itself.
 */
export function readSpecFile(path: string, field: string, root?: FileRoot): string {
  const real = resolvedInside(
    { path, shown: path },
    field,
    root,
    'pass the path of your twin.yaml, or start from examples/twin.yaml',
  );
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  try {
    checkStats(fstatSync(fd), field, path, 'file', MAX_SPEC_BYTES);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * A file the spec names (a values file), or a file or folder (a manifest set), relative to `specDir`:
 * inside `root` after symlinks, regular, at most MAX_NAMED_FILE_BYTES; for a folder, every file kubectl
 * would read from it too. Returns the resolved path, which is what the tools are given.
 */
export function checkNamedFile(folder: SpecFolder, path: string, field: string, kind: Kind): string {
  const { specDir, root } = folder;
  const real = resolvedInside({ path: resolve(specDir, path), shown: path }, field, root, NAMED_FILE_MISSING);
  const stats = statSync(real);
  checkStats(stats, field, path, kind, MAX_NAMED_FILE_BYTES);
  if (stats.isDirectory()) checkFolder(real, path, field, root);
  return real;
}

function checkFolder(real: string, path: string, field: string, root: FileRoot): void {
  const names = readdirSync(real).filter((name) => MANIFEST_FILE.test(name));
  if (names.length > MAX_FOLDER_FILES) {
    refuse(
      field,
      path,
      `holds ${names.length} manifest files, more than ${MAX_FOLDER_FILES}`,
      'split the folder',
    );
  }
  for (const name of names) {
    const entry = join(path, name);
    const entryReal = resolvedInside(
      { path: join(real, name), shown: entry },
      field,
      root,
      NAMED_FILE_MISSING,
    );
    const stats = statSync(entryReal);
    if (stats.isDirectory()) continue; // kubectl apply -f DIR does not descend
    checkStats(stats, field, entry, 'file', MAX_NAMED_FILE_BYTES);
  }
}

/** Every file the spec names, checked before the first step (and again by day 2 right before its use). */
export function checkSpecFiles(spec: TwinSpec, folder: SpecFolder): void {
  const { releases, manifests } = spec.addons.extras;
  releases.forEach((release, index) => {
    if (release.values) {
      checkNamedFile(folder, release.values, `addons.extras.releases[${index}].values`, 'file');
    }
  });
  manifests.forEach((path, index) => {
    checkNamedFile(folder, path, `addons.extras.manifests[${index}]`, 'file or folder');
  });
}
