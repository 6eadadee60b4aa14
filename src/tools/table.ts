import { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import pinnedJson from '../../runner-setup/tools.json' with { type: 'json' };

/**
 * The table of pinned CLIs (runner-setup/tools.json): one version per tool and, per platform, the
 * release asset with its published sha256. The runner set-up script reads the same file with jq.
 */

export const TOOL_NAMES = ['talosctl', 'kubectl', 'helm'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const PLATFORMS = ['linux-amd64', 'linux-arm64'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface ToolAsset {
  url: string;
  /** Lower-case hex sha256 of the file at `url` (the archive, for archives). */
  sha256: string;
  /** For archives: where the binary sits inside, e.g. `linux-amd64/helm`. */
  archivePath?: string;
}

export interface PinnedTool {
  version: string;
  assets: Record<Platform, ToolAsset>;
}

export type ToolTable = Record<ToolName, PinnedTool>;

export const PINNED_TABLE_FILE = 'runner-setup/tools.json';

const VERSION = /^v\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ARCHIVE = /\.(tar\.gz|tgz)$/;
/** Plain http is accepted only here: the tests' loopback server. Real assets are fetched over https. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isAllowedUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

function isSafeArchivePath(path: string): boolean {
  return path.length > 0 && !path.startsWith('/') && !path.split('/').includes('..');
}

const assetSchema = z
  .strictObject({
    url: z.string().refine(isAllowedUrl, { error: 'must be an https:// URL of the release asset' }),
    sha256: z.string().regex(SHA256, {
      error: 'must be the published sha256: 64 lower-case hex digits',
    }),
    archivePath: z
      .string()
      .refine(isSafeArchivePath, { error: 'must be a relative path inside the archive, without ".."' })
      .optional(),
  })
  .refine((asset) => ARCHIVE.test(asset.url) === (asset.archivePath !== undefined), {
    error:
      'an archive (.tar.gz) needs "archivePath" (the binary inside it); a plain binary must not have one',
  });

const toolSchema = z
  .strictObject({
    version: z.string().regex(VERSION, { error: 'must look like v1.2.3' }),
    assets: z.strictObject({ 'linux-amd64': assetSchema, 'linux-arm64': assetSchema }),
  })
  .superRefine((tool, ctx) => {
    for (const platform of PLATFORMS) {
      if (!tool.assets[platform].url.includes(tool.version)) {
        ctx.addIssue({
          code: 'custom',
          path: ['assets', platform, 'url'],
          message: `does not name version ${tool.version}: bump the URL and its sha256 together with the version`,
        });
      }
    }
  });

const tableSchema = z.strictObject({ talosctl: toolSchema, kubectl: toolSchema, helm: toolSchema });

/** Checks a parsed tools.json; every problem is named by its JSON path. */
export function parseToolTable(raw: unknown, source: string): ToolTable {
  const result = tableSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  - ${issue.path.join('.') || '(top level)'}: ${issue.message}`,
  );
  throw new ConfigurationError(`${source} is not a valid tool table:\n${problems.join('\n')}`);
}

/** The project's pinned tools, bundled into the actions at build time. */
export function pinnedToolTable(): ToolTable {
  return parseToolTable(pinnedJson, PINNED_TABLE_FILE);
}

/** The platform the pinned assets are chosen for: given, or this machine's. */
export function resolvePlatform(requested?: string): Platform {
  const platform = requested ?? hostPlatform();
  if ((PLATFORMS as readonly string[]).includes(platform)) return platform as Platform;
  throw new ConfigurationError(
    `no pinned tools for platform "${platform}": the table has ${PLATFORMS.join(' and ')}; ` +
      'run the actions on a Linux x64 or arm64 runner',
  );
}

function hostPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${process.platform}-${arch}`;
}
