import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { echoed } from './echo.js';

/**
 * Files whose path comes from outside (an input, the spec) are read only when they are regular files, not
 * too large, and (given a root) inside it once every symlink is resolved: a link to the runner's secrets,
 * /dev/zero or a fifo is refused, naming the field, the path and the fix, before anything is read.
 */

/** The folder files must stay inside, and how messages name it. */
export interface FileRoot {
  dir: string;
  /** e.g. "the workspace (GITHUB_WORKSPACE)" or "the spec's folder". */
  name: string;
}

export type FileKind = 'file' | 'file or folder';

/** Where a path leads, and how messages show it (as the spec or input wrote it). */
export interface Target {
  path: string;
  shown: string;
}

export function refuse(field: string, path: string, problem: string, fix: string): never {
  throw new ConfigurationError(
    `${field} ${echoed(path)} ${problem}; nothing was read or changed (fix: ${fix})`,
  );
}

/** The path with every symlink resolved; inside `root` when one is given. */
export function resolvedInside(
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

export function checkStats(
  stats: Stats,
  field: string,
  path: string,
  kind: FileKind,
  maxBytes: number,
): void {
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
 * Reads a regular file of at most `maxBytes`, inside `root` when given. Opened without blocking (a fifo
 * would otherwise hang the read) and checked on the open file itself.
 */
export function readRegularFile(
  path: string,
  field: string,
  limits: { maxBytes: number; missingFix: string; root?: FileRoot | undefined },
): string {
  const real = resolvedInside({ path, shown: path }, field, limits.root, limits.missingFix);
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  try {
    checkStats(fstatSync(fd), field, path, 'file', limits.maxBytes);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
