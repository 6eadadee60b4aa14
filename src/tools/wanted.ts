import { basename } from 'node:path';
import type { DownloadCache } from './download-cache.js';
import type { PinnedTool, Platform, ToolAsset, ToolName, ToolTable } from './table.js';

/** Where runner-setup/setup-runner.sh records, as root, the digests of the tools it installed. */
export const RUNNER_SETUP_STAMPS = '/var/lib/aggrik8s-twin-runner';

/** What finding and installing the pinned tools works with. */
export interface ToolContext {
  platform: Platform;
  table: ToolTable;
  log: (line: string) => void;
  warn: (line: string) => void;
  cache: DownloadCache;
  searchPath: string;
  stampDir: string;
}

/** One tool at its pinned version for one platform, as messages and cache keys name it. */
export interface Wanted {
  name: ToolName;
  pinned: PinnedTool;
  asset: ToolAsset;
  platform: Platform;
  label: string;
}

/** The tool cache's arch folder: `amd64` or `arm64`. */
export function archOf(platform: Platform): string {
  return platform.slice(platform.indexOf('-') + 1);
}

/** The release asset's file name, e.g. helm-v3.19.0-linux-amd64.tar.gz. */
export function archiveName(tool: Wanted): string {
  return basename(new URL(tool.asset.url).pathname);
}
