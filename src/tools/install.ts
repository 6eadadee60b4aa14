import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as core from '@actions/core';
import * as tc from '@actions/tool-cache';
import { ConfigurationError, errorMessage } from '../errors.js';
import { sha256OfFile } from './checksum.js';
import type { DownloadCache } from './download-cache.js';
import { actionsDownloadCache } from './download-cache.js';
import { findOnPath } from './probe.js';
import type { ToolName, ToolTable } from './table.js';
import { PINNED_TABLE_FILE, TOOL_NAMES, pinnedToolTable, resolvePlatform } from './table.js';
import { usableOnPath, verifiedCacheFolder } from './verified-use.js';
import type { ToolContext, Wanted } from './wanted.js';
import { RUNNER_SETUP_STAMPS, archOf, archiveName } from './wanted.js';

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
  /** Where runner-setup/setup-runner.sh records what it installed; default: its folder. */
  stampDir?: string;
}

/** The absolute path of each pinned tool's executable. */
export type ToolPaths = Record<ToolName, string>;

/**
 * Makes talosctl, kubectl and helm at their pinned versions available to the job, each executable's sha256
 * verified on every use: one on PATH is used when its digest is the pinned one; otherwise the copy in the
 * runner's tool cache (verified again), else the asset from the Actions cache or its release URL, checked
 * against the pinned sha256 before it is unpacked, cached or put on PATH. A tool that reports the pinned
 * version but has another digest is refused, naming the file.
 */
export async function ensureTools(opts: EnsureToolsOptions): Promise<ToolPaths> {
  const ctx: ToolContext = {
    platform: resolvePlatform(opts.platform),
    table: opts.table ?? pinnedToolTable(),
    log: opts.log,
    warn: (line) => opts.log(`warning: ${line}`),
    cache: opts.cache ?? actionsDownloadCache,
    searchPath: opts.searchPath ?? process.env.PATH ?? '',
    stampDir: opts.stampDir ?? RUNNER_SETUP_STAMPS,
  };
  const paths: [ToolName, string][] = [];
  for (const name of TOOL_NAMES) paths.push([name, await ensureTool(wantedTool(name, ctx), ctx)]);
  return Object.fromEntries(paths) as ToolPaths;
}

function wantedTool(name: ToolName, ctx: ToolContext): Wanted {
  const pinned = ctx.table[name];
  const asset = pinned.assets[ctx.platform];
  return { name, pinned, asset, platform: ctx.platform, label: `${name} ${pinned.version}` };
}

async function ensureTool(tool: Wanted, ctx: ToolContext): Promise<string> {
  let folder: string | undefined;
  const cacheFolder = async () => (folder ??= await verifiedOrInstalled(tool, ctx));
  const found = findOnPath(tool.name, ctx.searchPath);
  if (found && (await usableOnPath(tool, found, ctx, cacheFolder))) return found;
  const toolFolder = await cacheFolder();
  core.addPath(toolFolder);
  ctx.log(`${tool.label}: ${toolFolder} added to PATH`);
  return join(toolFolder, tool.name);
}

/** The tool cache's folder of the tool: its verified copy, else a verified download installed there. */
async function verifiedOrInstalled(tool: Wanted, ctx: ToolContext): Promise<string> {
  requireRunnerFolders();
  return (await verifiedCacheFolder(tool, ctx)) ?? (await installVerified(tool, ctx));
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
async function installVerified(tool: Wanted, ctx: ToolContext): Promise<string> {
  const key = `aggrik8s-twin-${tool.name}-${tool.pinned.version}-${tool.platform}`;
  // RUNNER_TEMP is the same path on every runner built from one image, so the cache entry fits them all.
  const staging = join(process.env.RUNNER_TEMP ?? '', key);
  const file = join(staging, archiveName(tool));
  await rm(staging, { recursive: true, force: true });
  try {
    const restored = await ctx.cache.restore(key, file, ctx.warn);
    if (restored) ctx.log(`${tool.label}: restored from the Actions cache (${key})`);
    else await download(tool, file, ctx);
    await verifyChecksum(tool, file, restored ? fromActionsCache(key) : fromRelease(tool), ctx);
    if (!restored) await ctx.cache.save(key, file, ctx.warn);
    if (!tool.asset.archivePath) {
      await chmod(file, 0o755);
      return await tc.cacheFile(file, tool.name, tool.name, tool.pinned.version, archOf(tool.platform));
    }
    return await cacheWithArchive(tool, file, staging);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * An archived tool (helm) goes into the tool cache with its verified archive beside it: the archive is what
 * every later use checks the executable against (binary-digest.ts), since only the archive's sha256 is published.
 */
async function cacheWithArchive(tool: Wanted, archive: string, staging: string): Promise<string> {
  const folder = join(staging, 'tool');
  await mkdir(folder);
  await rename(await unpack(tool, archive, join(staging, 'unpacked')), join(folder, tool.name));
  await chmod(join(folder, tool.name), 0o755);
  await rename(archive, join(folder, archiveName(tool)));
  return await tc.cacheDir(folder, tool.name, tool.pinned.version, archOf(tool.platform));
}

async function download(tool: Wanted, file: string, ctx: ToolContext): Promise<void> {
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

async function verifyChecksum(tool: Wanted, file: string, origin: Origin, ctx: ToolContext): Promise<void> {
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
