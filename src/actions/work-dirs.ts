import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { TWIN_NAME_REGEX } from '../spec/identity.js';

/**
 * The scratch folders the actions make, and the only paths their post step may remove: one folder per
 * step, directly inside RUNNER_TEMP, named `aggrik8s-twin-<twin>-<label>`. The post step reads the list
 * from the saved state, which a step's code could have written anything into, so it removes nothing that
 * is not a folder of exactly that shape.
 */
export const WORK_DIR_LABELS = ['work', 'mesh', 'day2', 'reviewer'] as const;
export type WorkDirLabel = (typeof WORK_DIR_LABELS)[number];

const TWIN_PART = TWIN_NAME_REGEX.source.slice(1, -1); // the pattern without its ^ and $ anchors
const WORK_DIR_NAME = new RegExp(`^aggrik8s-twin-${TWIN_PART}-(?:${WORK_DIR_LABELS.join('|')})$`);

/** RUNNER_TEMP on a runner (always set there); the OS temporary folder when run elsewhere. */
export function tempRoot(): string {
  return resolve(process.env.RUNNER_TEMP || tmpdir());
}

/** The step's scratch folder; `twin` must already be a validated twin name. */
export function stepWorkDir(twin: string, label: WorkDirLabel): string {
  const dir = join(tempRoot(), `aggrik8s-twin-${twin}-${label}`);
  const refusal = refuseRemoval(dir);
  if (refusal) throw new RangeError(`scratch folder ${dir}: ${refusal}`); // a bug, never user input
  return dir;
}

/**
 * Why `path` must not be removed by the post step, or undefined when it is one of the step's own scratch
 * folders (or nothing at all): directly inside the temporary root once `..` is resolved, named as
 * stepWorkDir names them, and a real folder, never a symbolic link that could lead elsewhere.
 */
export function refuseRemoval(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '') return 'not a path';
  const root = tempRoot();
  const target = resolve(path);
  if (dirname(target) !== root) return `not directly inside the temporary folder ${root}`;
  if (!WORK_DIR_NAME.test(basename(target))) return 'not named like a scratch folder this action makes';
  const stat = lstatSync(target, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) return 'not a folder (a symbolic link or a file)';
  return undefined;
}
