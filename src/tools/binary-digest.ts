import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { ConfigurationError } from '../errors.js';
import { sha256OfFile } from './checksum.js';
import type { ToolAsset } from './table.js';

/**
 * What the sha256 of a tool's executable must be. For a plain binary (talosctl, kubectl) it is the
 * published sha256 of the release asset, pinned in the table. Helm publishes the sha256 of its archive
 * only, so the executable's digest is derived from the archive itself: the archive is checked against its
 * pin, and the digest is that of the file at `archivePath` inside it, computed on every use.
 */

/** The table's pin for a plain binary; undefined for an archive (its binary's digest needs the archive). */
export function pinnedBinaryDigest(asset: ToolAsset): string | undefined {
  return asset.archivePath === undefined ? asset.sha256 : undefined;
}

/** The sha256 of `archivePath` inside the archive, which must be the pinned one; extracted under `tempRoot`. */
export async function digestInVerifiedArchive(
  archive: string,
  asset: ToolAsset,
  tempRoot: string,
): Promise<{ archiveSha256: string; binarySha256?: string }> {
  const archiveSha256 = await sha256OfFile(archive);
  if (archiveSha256 !== asset.sha256) return { archiveSha256 };
  const into = await mkdtemp(join(tempRoot, 'verify-'));
  try {
    const binary = join(await tc.extractTar(archive, into), asset.archivePath ?? '');
    const found = await stat(binary).catch(() => undefined);
    if (!found?.isFile()) {
      throw new ConfigurationError(`${archive} has no file ${asset.archivePath ?? ''}`);
    }
    return { archiveSha256, binarySha256: await sha256OfFile(binary) };
  } finally {
    await rm(into, { recursive: true, force: true });
  }
}

/**
 * The binary digest runner-setup/setup-runner.sh recorded (as root, in a folder the runner user cannot
 * write) when it installed `tool` from a verified asset: `<asset sha256> <binary sha256>` in
 * `<stampDir>/<tool>.sha256`. Only a stamp made from the pinned asset counts.
 */
export async function stampedBinaryDigest(
  stampDir: string,
  tool: string,
  assetSha256: string,
): Promise<string | undefined> {
  const text = await readFile(join(stampDir, `${tool}.sha256`), 'utf8').catch(() => undefined);
  const [recordedAsset, recordedBinary] = (text ?? '').trim().split(/\s+/);
  if (recordedAsset !== assetSha256 || !/^[0-9a-f]{64}$/.test(recordedBinary ?? '')) return undefined;
  return recordedBinary;
}
