import { chmod, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as core from '@actions/core';
import * as tc from '@actions/tool-cache';
import { ConfigurationError, errorMessage } from '../errors.js';
import { execRunner } from '../exec/runner.js';
import { sha256OfFile } from './checksum.js';
import type { DownloadCache } from './download-cache.js';
import { actionsDownloadCache } from './download-cache.js';
import { findOnPath, reportedVersion } from './probe.js';
import type { PinnedTool, Platform, ToolAsset, ToolName, ToolTable } from './table.js';
import { PINNED_TABLE_FILE, TOOL_NAMES, pinnedToolTable, resolvePlatform } from './table.js';

export interface EnsureToolsOptions {
  /** `linux-amd64` or `linux-arm64`; default: this machine's. */
  platform?: string;
  /** Default: the project's pins (runner-setup/tools.json). */
  table?: ToolTable;
  log: (line: string) => void;
  /** Shares verified downloads between runners; default: the GitHub Actions cache. */
  cache?: DownloadCache;
  /** The PATH value searched for tools that are already installed; default: this process's PATH. */
  searchPath?: string;
}

/** The absolute path of each pinned tool's executable. */
export type ToolPaths = Record<ToolName, string>;

interface Context {
  platform: Platform;
  table: ToolTable;
  log: (line: string) => void;
  warn: (line: string) => void;
  cache: DownloadCache;
  searchPath: string;
}

/** One tool at its pinned version for one platform, as messages and cache keys name it. */
interface Wanted {
  name: ToolName;
  pinned: PinnedTool;
  asset: ToolAsset;
  platform: Platform;
  label: string;
}

/**
 * Makes talosctl, kubectl and helm at their pinned versions available to the job: a tool already on
 * PATH at the pinned version is used as it is; otherwise it comes from the runner's tool cache, else
 * from the Actions cache, else from its release URL. Whatever was fetched is checked against the
 * pinned sha256 before it is unpacked, cached or put on PATH.
 */
export async function ensureTools(opts: EnsureToolsOptions): Promise<ToolPaths> {
  const ctx: Context = {
    platform: resolvePlatform(opts.platform),
    table: opts.table ?? pinnedToolTable(),
    log: opts.log,
    warn: (line) => opts.log(`warning: ${line}`),
    cache: opts.cache ?? actionsDownloadCache,
    searchPath: opts.searchPath ?? process.env.PATH ?? '',
  };
  const paths: [ToolName, string][] = [];
  for (const name of TOOL_NAMES) paths.push([name, await ensureTool(wantedTool(name, ctx), ctx)]);
  return Object.fromEntries(paths) as ToolPaths;
}

function wantedTool(name: ToolName, ctx: Context): Wanted {
  const pinned = ctx.table[name];
  const asset = pinned.assets[ctx.platform];
  return { name, pinned, asset, platform: ctx.platform, label: `${name} ${pinned.version}` };
}

async function ensureTool(tool: Wanted, ctx: Context): Promise<string> {
  const onPath = await pinnedVersionOnPath(tool, ctx);
  if (onPath) {
    ctx.log(`${tool.label}: using ${onPath}, already on PATH`);
    return onPath;
  }
  requireRunnerFolders();
  let folder = tc.find(tool.name, tool.pinned.version, archOf(tool.platform));
  if (folder) ctx.log(`${tool.label}: found in the tool cache`);
  else folder = await installVerified(tool, ctx);
  core.addPath(folder);
  ctx.log(`${tool.label}: ${folder} added to PATH`);
  return join(folder, tool.name);
}

async function pinnedVersionOnPath(tool: Wanted, ctx: Context): Promise<string | undefined> {
  const found = findOnPath(tool.name, ctx.searchPath);
  if (!found) return undefined;
  const version = await reportedVersion(execRunner, tool.name, found);
  if (version === tool.pinned.version) return found;
  ctx.log(
    `${tool.name}: ${found} reports ${version ?? 'no readable version'}, not the pinned ${tool.pinned.version}`,
  );
  return undefined;
}

/** @actions/tool-cache keeps its files in these; they are set in every Actions job. */
function requireRunnerFolders(): void {
  for (const name of ['RUNNER_TOOL_CACHE', 'RUNNER_TEMP']) {
    if (!process.env[name]) {
      throw new ConfigurationError(
        `${name} is not set: install the pinned tools from a GitHub Actions job, or set ${name} to a writable folder`,
      );
    }
  }
}

/** Fetches the asset (Actions cache or release URL), verifies it, and installs it into the tool cache. */
async function installVerified(tool: Wanted, ctx: Context): Promise<string> {
  const key = `aggrik8s-twin-${tool.name}-${tool.pinned.version}-${tool.platform}`;
  // RUNNER_TEMP is the same path on every runner built from one image, so the cache entry fits them all.
  const staging = join(process.env.RUNNER_TEMP ?? '', key);
  const file = join(staging, basename(new URL(tool.asset.url).pathname));
  await rm(staging, { recursive: true, force: true });
  try {
    const restored = await ctx.cache.restore(key, file, ctx.warn);
    if (restored) ctx.log(`${tool.label}: restored from the Actions cache (${key})`);
    else await download(tool, file, ctx);
    await verifyChecksum(tool, file, restored ? fromActionsCache(key) : fromRelease(tool), ctx);
    if (!restored) await ctx.cache.save(key, file, ctx.warn);
    const binary = tool.asset.archivePath ? await unpack(tool, file, join(staging, 'unpacked')) : file;
    await chmod(binary, 0o755);
    return await tc.cacheFile(binary, tool.name, tool.name, tool.pinned.version, archOf(tool.platform));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function download(tool: Wanted, file: string, ctx: Context): Promise<void> {
  ctx.log(`${tool.label}: downloading ${tool.asset.url}`);
  try {
    await tc.downloadTool(tool.asset.url, file);
  } catch (error) {
    const status = error instanceof tc.HTTPError ? error.httpStatusCode : undefined;
    const message = `could not download ${tool.label} (${tool.platform}) from ${tool.asset.url}: ${errorMessage(error)}`;
    // A 4xx will not heal on retry: the URL in the table is wrong.
    if (status !== undefined && status < 500) {
      throw new ConfigurationError(
        `${message}; check ${tool.name}.assets.${tool.platform}.url in ${PINNED_TABLE_FILE}`,
      );
    }
    throw new Error(message, { cause: error });
  }
}

/** Where a file came from, and what to do when it does not match its pin. */
interface Origin {
  from: string;
  fix: string;
}

function fromRelease(tool: Wanted): Origin {
  return {
    from: tool.asset.url,
    fix:
      'A corrupted or tampered download: retry, and if it persists find out what serves it. A wrong pin: take the ' +
      `value from the checksum file published with the ${tool.pinned.version} release and correct the table.`,
  };
}

function fromActionsCache(key: string): Origin {
  return {
    from: `the Actions cache entry ${key}`,
    fix: `Delete that entry (gh cache delete ${key}) so the next run downloads and verifies the release again.`,
  };
}

async function verifyChecksum(tool: Wanted, file: string, origin: Origin, ctx: Context): Promise<void> {
  const actual = await sha256OfFile(file);
  if (actual === tool.asset.sha256) {
    ctx.log(`${tool.label}: sha256 ${actual} verified`);
    return;
  }
  await rm(file, { force: true });
  throw new ConfigurationError(
    `${tool.label} (${tool.platform}) from ${origin.from} has sha256 ${actual}, but ${PINNED_TABLE_FILE} pins ` +
      `${tool.name}.assets.${tool.platform}.sha256 = ${tool.asset.sha256}; nothing was installed. ${origin.fix}`,
  );
}

async function unpack(tool: Wanted, archive: string, into: string): Promise<string> {
  const archivePath = tool.asset.archivePath ?? '';
  const binary = join(await tc.extractTar(archive, into), archivePath);
  const found = await stat(binary).catch(() => undefined);
  if (!found?.isFile()) {
    throw new ConfigurationError(
      `${tool.label} (${tool.platform}): the verified archive has no file ${archivePath}; ` +
        `correct ${tool.name}.assets.${tool.platform}.archivePath in ${PINNED_TABLE_FILE}`,
    );
  }
  return binary;
}

/** The tool cache's arch folder: `amd64` or `arm64`. */
function archOf(platform: Platform): string {
  return platform.slice(platform.indexOf('-') + 1);
}
