import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkStats, readRegularFile, refuse, resolvedInside } from '../util/regular-file.js';
import type { FileKind, FileRoot } from '../util/regular-file.js';
import type { TwinSpec } from './schema.js';

export type { FileRoot } from '../util/regular-file.js';

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

const NAMED_FILE_MISSING = 'add it to the repository, or correct the path (relative to twin.yaml)';

/** Reads the twin spec: a regular file of at most MAX_SPEC_BYTES, inside `root` when given. */
export function readSpecFile(path: string, field: string, root?: FileRoot): string {
  return readRegularFile(path, field, {
    maxBytes: MAX_SPEC_BYTES,
    missingFix: 'pass the path of your twin.yaml, or start from examples/twin.yaml',
    root,
  });
}

/**
 * A file the spec names (a values file), or a file or folder (a manifest set), relative to `specDir`:
 * inside `root` after symlinks, regular, at most MAX_NAMED_FILE_BYTES; for a folder, every file kubectl
 * would read from it too. Returns the resolved path, which is what the tools are given.
 */
export function checkNamedFile(folder: SpecFolder, path: string, field: string, kind: FileKind): string {
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
