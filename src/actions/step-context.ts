import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import { ConfigurationError, errorMessage } from '../errors.js';
import { getOptionalInput, Inputs, logLine, withGroup } from '../github/action-io.js';
import { dopplerAccessFromEnv, openStateStore, parseStoreKind } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import type { StepEvents } from '../plan/executor.js';
import type { FileRoot } from '../spec/files.js';
import { validateTwinName } from '../spec/identity.js';
import { echoed } from '../util/echo.js';
import { sha256OfFile } from '../tools/checksum.js';
import { findOnPath } from '../tools/probe.js';
import { TOOL_NAMES } from '../tools/table.js';
import type { ToolPaths } from '../twin/context.js';

export type ToolChoice = 'pinned' | 'path';

/**
 * talosctl, kubectl and helm: the pinned versions, each executable's sha256 verified on every use, or
 * whatever PATH has when asked to.
 * Either way every tool is found before the step changes anything, so a missing one stops it cleanly.
 */
export function toolPaths(choice: ToolChoice): Promise<ToolPaths> {
  if (choice === 'path') return toolsOnPath(process.env.PATH ?? '', logLine);
  return withGroup('Tools (pinned, checksum-verified)', async () => {
    // The tool and download caches (and the storage SDK under them) load only when tools are installed.
    const { ensureTools } = await import('../tools/install.js');
    return ensureTools({ log: logLine });
  });
}

/** Every finished step as a log line; a failed one as an error annotation naming its cause. */
export const stepLogEvents: StepEvents = {
  onEnd: (record) => {
    if (record.state === 'failed') core.error(`${record.title}: ${errorMessage(record.error)}`);
    else logLine(`${record.state}: ${record.title}`);
  },
};

/**
 * tools: path is the workflow's explicit choice of whatever PATH has (the lab's tools, a runner's own
 * builds): used unverified, and each one's sha256 is logged so the job log says what ran.
 */
async function toolsOnPath(searchPath: string, log: (line: string) => void): Promise<ToolPaths> {
  const paths: Partial<ToolPaths> = {};
  for (const tool of TOOL_NAMES) {
    const path = findOnPath(tool, searchPath);
    if (path) paths[tool] = path;
  }
  const missing = TOOL_NAMES.filter((tool) => paths[tool] === undefined);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `input tools is "path" but PATH has no ${missing.join(', ')}: install them on the runner ` +
        '(runner-setup/setup-runner.sh) or use tools: pinned to download the pinned versions',
    );
  }
  for (const tool of TOOL_NAMES) {
    const path = paths[tool] ?? '';
    log(`${tool}: ${path} from PATH (tools: path, not verified), sha256 ${await sha256OfFile(path)}`);
  }
  return paths as ToolPaths;
}

/**
 * Where the spec and every file it names must be: the checked-out repository (GITHUB_WORKSPACE, which is
 * also the step's working folder), after symlinks.
 */
export function workspaceRoot(): FileRoot {
  return { dir: process.env.GITHUB_WORKSPACE || process.cwd(), name: 'the workspace (GITHUB_WORKSPACE)' };
}

/**
 * Input twin, when given: checked against the twin-name rule as it is read, before anything is named after it.
 */
export function twinFromInputs(): string | undefined {
  const twin = getOptionalInput(Inputs.Twin);
  return twin === undefined ? undefined : validateTwinName(twin, `input ${Inputs.Twin}`);
}

/**
 * Input state-dir (default ~/.aggrik8s-twin/state): a folder outside the workspace, both as written and
 * after symlinks. The checked-out repository is what a pull request controls (it could commit a symlink
 * where a twin's state goes, leading to another twin's secrets) and what later steps may upload or commit;
 * a relative path would land in it, so the state's place is an absolute path elsewhere.
 */
export function stateDirFromInputs(): string {
  const given = getOptionalInput(Inputs.StateDir);
  const dir = resolve(given ?? join(homedir(), '.aggrik8s-twin', 'state'));
  const { dir: workspaceDir } = workspaceRoot();
  const workspace = realpathSync(workspaceDir);
  const relativeGiven = given !== undefined && !isAbsolute(given);
  if (relativeGiven || isWithin(resolve(workspaceDir), dir) || isWithin(workspace, realpathOfNearest(dir))) {
    throw new ConfigurationError(
      `input ${Inputs.StateDir} ${echoed(given ?? dir)} is ${relativeGiven ? 'relative, so ' : ''}inside the ` +
        `workspace ${workspace}, which holds the ` +
        "pull request's files; nothing was read or changed (fix: use an absolute path outside it, e.g. the " +
        'default ~/.aggrik8s-twin/state, or leave the input out)',
    );
  }
  return dir;
}

function isWithin(base: string, path: string): boolean {
  const rest = relative(base, path);
  return !(rest === '..' || rest.startsWith(`..${sep}`) || isAbsolute(rest));
}

/** A path with the symlinks of its longest existing part resolved (the rest does not exist yet). */
function realpathOfNearest(path: string): string {
  const parent = dirname(path);
  if (existsSync(path) || parent === path) return realpathSync(path);
  return join(realpathOfNearest(parent), basename(path));
}

/**
 * The state store the input state-store names (local by default). For doppler, DOPPLER_TOKEN and
 * DOPPLER_PROJECT come from the step's environment (a repository or environment secret); the token is
 * masked before anything can print it.
 */
export function stateStoreFromInputs(stateDir: string): StateStore {
  const kind = parseStoreKind(getOptionalInput(Inputs.StateStore), `input ${Inputs.StateStore}`);
  if (kind === 'local') return openStateStore(kind, stateDir);
  const access = dopplerAccessFromEnv(process.env);
  core.setSecret(access.token);
  return openStateStore(kind, stateDir, access);
}
