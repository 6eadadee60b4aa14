import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { ConfigurationError } from '../errors.js';
import { execRunner } from '../exec/runner.js';
import { digestInVerifiedArchive, pinnedBinaryDigest, stampedBinaryDigest } from './binary-digest.js';
import { sha256OfFile } from './checksum.js';
import { reportedVersion } from './probe.js';
import { PINNED_TABLE_FILE } from './table.js';
import type { ToolContext, Wanted } from './wanted.js';
import { archOf, archiveName } from './wanted.js';

/** A digest an executable may have, and where that digest comes from (for messages). */
interface Expected {
  sha256: string;
  source: string;
}

function tableField(tool: Wanted): string {
  return `${PINNED_TABLE_FILE} ${tool.name}.assets.${tool.platform}.sha256`;
}

function refused(tool: Wanted, file: string, actual: string, expected: Expected, fix: string): Error {
  return new ConfigurationError(
    `${tool.label} (${tool.platform}): ${file} has sha256 ${actual}, not ${expected.sha256} (${expected.source}); ` +
      `nothing was used. ${fix}`,
  );
}

/**
 * The tool cache's copy, verified before use, or undefined when there is none (or an archived tool was
 * cached without its archive by an earlier version: it is installed again). A copy that differs is refused.
 */
export async function verifiedCacheFolder(tool: Wanted, ctx: ToolContext): Promise<string | undefined> {
  const folder = tc.find(tool.name, tool.pinned.version, archOf(tool.platform));
  if (!folder) return undefined;
  const fix =
    `Delete ${folder} and ${folder}.complete so the next run downloads and verifies it again, and find out ` +
    'what changed it.';
  const expected = await cachedDigest(tool, folder, fix);
  if (!expected) {
    ctx.log(`${tool.label}: the tool cache copy has no verified archive beside it; installing it again`);
    return undefined;
  }
  const binary = join(folder, tool.name);
  const actual = await sha256OfFile(binary);
  if (actual !== expected.sha256) throw refused(tool, binary, actual, expected, fix);
  ctx.log(`${tool.label}: found in the tool cache, sha256 ${actual} verified`);
  return folder;
}

/** The pin of a plain binary; for an archived one, the digest inside the archive kept beside it. */
async function cachedDigest(tool: Wanted, folder: string, fix: string): Promise<Expected | undefined> {
  const pinned = pinnedBinaryDigest(tool.asset);
  if (pinned) return { sha256: pinned, source: `pinned in ${tableField(tool)}` };
  const archive = join(folder, archiveName(tool));
  if (!existsSync(archive)) return undefined;
  const digests = await digestInVerifiedArchive(archive, tool.asset, process.env.RUNNER_TEMP ?? folder);
  const archivePin = { sha256: tool.asset.sha256, source: `pinned in ${tableField(tool)}` };
  if (!digests.binarySha256) throw refused(tool, archive, digests.archiveSha256, archivePin, fix);
  return {
    sha256: digests.binarySha256,
    source: `the ${tool.asset.archivePath ?? ''} inside ${archive}, whose sha256 is ${tableField(tool)}`,
  };
}

/**
 * Whether the tool found on PATH may be used: yes when its sha256 is the pinned one (for an archived tool:
 * runner-setup's stamp of the pinned archive, or the binary in the verified archive of the tool cache). One
 * at another version is left alone; one that reports the pinned version with another digest is refused.
 */
export async function usableOnPath(
  tool: Wanted,
  found: string,
  ctx: ToolContext,
  cacheFolder: () => Promise<string>,
): Promise<boolean> {
  const actual = await sha256OfFile(found);
  const expected = await pathDigests(tool, ctx);
  if (!expected.some((digest) => digest.sha256 === actual) && tool.asset.archivePath) {
    const binary = join(await cacheFolder(), tool.name);
    expected.push({ sha256: await sha256OfFile(binary), source: `${binary}, verified` });
  }
  const match = expected.find((digest) => digest.sha256 === actual);
  if (match) {
    ctx.log(`${tool.label}: using ${found}, already on PATH (sha256 ${actual}: ${match.source})`);
    return true;
  }
  const version = await reportedVersion(execRunner, tool.name, found);
  if (version === tool.pinned.version) {
    throw refused(
      tool,
      found,
      actual,
      expected.at(-1) ?? { sha256: '(none)', source: 'nothing verified' },
      `It reports the pinned version: replace it with the verified release (sudo runner-setup/setup-runner.sh ` +
        `--tools-only) or take it off PATH, and find out what changed it.`,
    );
  }
  ctx.log(
    `${tool.name}: ${found} reports ${version ?? 'no readable version'}, not the pinned ${tool.pinned.version}`,
  );
  return false;
}

async function pathDigests(tool: Wanted, ctx: ToolContext): Promise<Expected[]> {
  const pinned = pinnedBinaryDigest(tool.asset);
  if (pinned) return [{ sha256: pinned, source: `pinned in ${tableField(tool)}` }];
  const stamped = await stampedBinaryDigest(ctx.stampDir, tool.name, tool.asset.sha256);
  const stampFile = join(ctx.stampDir, `${tool.name}.sha256`);
  return stamped ? [{ sha256: stamped, source: `recorded by runner-setup in ${stampFile}` }] : [];
}
