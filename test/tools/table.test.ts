import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import type { ToolTable } from '../../src/tools/table.js';
import {
  PLATFORMS,
  TOOL_NAMES,
  parseToolTable,
  pinnedToolTable,
  resolvePlatform,
} from '../../src/tools/table.js';

const REAL_TABLE: unknown = JSON.parse(
  readFileSync(new URL('../../runner-setup/tools.json', import.meta.url), 'utf8'),
);

function validTable(): ToolTable {
  return structuredClone(pinnedToolTable());
}

function problemsOf(raw: unknown): string {
  try {
    parseToolTable(raw, 'tools.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the table was accepted');
}

describe('runner-setup/tools.json', () => {
  it('validates and is what the actions bundle', () => {
    expect(parseToolTable(REAL_TABLE, 'runner-setup/tools.json')).toEqual(pinnedToolTable());
  });

  it('pins every tool for linux-amd64 and linux-arm64 with a 64-hex sha256 behind an https URL', () => {
    const table = pinnedToolTable();
    expect(Object.keys(table).sort()).toEqual([...TOOL_NAMES].sort());
    for (const name of TOOL_NAMES) {
      expect(Object.keys(table[name].assets).sort()).toEqual([...PLATFORMS]);
      for (const platform of PLATFORMS) {
        const asset = table[name].assets[platform];
        expect(asset.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(new URL(asset.url).protocol).toBe('https:');
        expect(asset.url).toContain(table[name].version);
      }
    }
  });

  it('keeps the versions the project supports', () => {
    const table = pinnedToolTable();
    // upgrade-k8s of a v1.13 talosctl is the one that knows 1.34->1.35->1.36 (facts-13 §1)
    expect(table.talosctl.version).toMatch(/^v1\.13\.\d+$/);
    // kubectl within one minor of every Kubernetes the supported Talos releases take on the path (G.3)
    expect(table.kubectl.version).toMatch(/^v1\.35\.\d+$/);
    expect(table.helm.version).toMatch(/^v3\.\d+\.\d+$/);
    expect(table.helm.assets['linux-arm64'].archivePath).toBe('linux-arm64/helm');
  });
});

describe('parseToolTable', () => {
  it('names a missing platform', () => {
    const table = validTable() as unknown as { kubectl: { assets: Record<string, unknown> } };
    delete table.kubectl.assets['linux-arm64'];
    expect(problemsOf(table)).toMatch(/kubectl\.assets\.linux-arm64: /);
  });

  it('refuses a checksum that is not 64 lower-case hex digits', () => {
    const table = validTable();
    table.talosctl.assets['linux-amd64'].sha256 = table.talosctl.assets['linux-amd64'].sha256.toUpperCase();
    expect(problemsOf(table)).toContain('talosctl.assets.linux-amd64.sha256: must be the published sha256');
  });

  it('refuses plain http except for a loopback test server', () => {
    const table = validTable();
    table.helm.assets['linux-amd64'].url = 'http://get.helm.sh/helm-v3.19.0-linux-amd64.tar.gz';
    expect(problemsOf(table)).toContain('helm.assets.linux-amd64.url: must be an https:// URL');
    table.helm.assets['linux-amd64'].url = 'http://127.0.0.1:8080/helm-v3.19.0-linux-amd64.tar.gz';
    expect(() => parseToolTable(table, 'tools.json')).not.toThrow();
  });

  it('requires archivePath exactly for archives, and inside the archive', () => {
    const table = validTable();
    delete table.helm.assets['linux-arm64'].archivePath;
    expect(problemsOf(table)).toContain('helm.assets.linux-arm64: an archive (.tar.gz) needs "archivePath"');
    table.helm.assets['linux-arm64'].archivePath = '../../etc/passwd';
    expect(problemsOf(table)).toContain('helm.assets.linux-arm64.archivePath: must be a relative path');
  });

  it('catches a version bumped without its URL', () => {
    const table = validTable();
    table.talosctl.version = 'v1.11.7';
    expect(problemsOf(table)).toContain(
      'talosctl.assets.linux-amd64.url: does not name version v1.11.7: bump the URL and its sha256',
    );
  });

  it('refuses unknown tools and fields', () => {
    expect(problemsOf({ ...validTable(), kustomize: {} })).toMatch(/\(top level\): .*kustomize/);
  });
});

describe('resolvePlatform', () => {
  it('accepts the two pinned platforms and explains any other', () => {
    expect(resolvePlatform('linux-arm64')).toBe('linux-arm64');
    expect(() => resolvePlatform('darwin-arm64')).toThrow(
      'no pinned tools for platform "darwin-arm64": the table has linux-amd64 and linux-arm64',
    );
  });
});
