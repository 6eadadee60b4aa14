import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tarGzip } from '../../src/diagnostics/tar.js';

/** The tar writer, read back by the system's tar: names, sizes, modes, contents. */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function written(entries: Parameters<typeof tarGzip>[0]): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
  dirs.push(dir);
  const file = join(dir, 'bundle.tar.gz');
  writeFileSync(file, tarGzip(entries, new Date('2026-01-02T03:04:05Z')));
  return { dir, file };
}

const LONG = `${'deep/'.repeat(30)}kubelet.log`;

describe('tarGzip', () => {
  it('writes an archive tar lists and extracts: every file, its bytes, mode 0600 and the mtime', () => {
    const entries = [
      { name: 'b/manifest.json', content: '{"items":[]}\n' },
      { name: 'b/empty.txt', content: '' },
      { name: 'b/exact.txt', content: 'x'.repeat(512) },
      { name: 'b/ünïcode.txt', content: 'Grüße, ✓\n' },
      { name: `b/${LONG}`, content: Buffer.from([0, 1, 2, 255]) },
    ];
    const { dir, file } = written(entries);
    const listed = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trimEnd().split('\n');
    expect(listed).toEqual(entries.map((entry) => entry.name));
    const verbose = execFileSync('tar', ['-tvzf', file], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    for (const line of verbose.trimEnd().split('\n'))
      expect(line).toMatch(/^-rw------- .* 2026-01-02 03:04 /);
    const out = join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    for (const entry of entries) {
      const path = join(out, entry.name);
      expect(readFileSync(path)).toEqual(Buffer.from(entry.content));
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
  });

  it('an empty list is a valid empty archive', () => {
    const { file } = written([]);
    expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })).toBe('');
  });

  it('refuses absolute paths, `..` and names no ustar header can hold', () => {
    expect(() => written([{ name: '/etc/passwd', content: '' }])).toThrow(/not a relative path/);
    expect(() => written([{ name: 'a/../../x', content: '' }])).toThrow(/not a relative path/);
    expect(() => written([{ name: 'x'.repeat(101), content: '' }])).toThrow(/too long/);
  });
});
