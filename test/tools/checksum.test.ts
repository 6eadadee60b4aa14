import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256OfFile } from '../../src/tools/checksum.js';

describe('sha256OfFile', () => {
  it('hashes a file read in many chunks to the same digest as the whole buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twin-sha-'));
    const bytes = randomBytes(1024 * 1024 + 17);
    writeFileSync(join(dir, 'asset'), bytes);
    try {
      expect(await sha256OfFile(join(dir, 'asset'))).toBe(createHash('sha256').update(bytes).digest('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('matches the published test vector for "abc"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twin-sha-'));
    writeFileSync(join(dir, 'abc'), 'abc');
    try {
      expect(await sha256OfFile(join(dir, 'abc'))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
