import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalStateStore } from '../../src/state/store.js';
import { STATE_FILE_FORMAT, exportState, importState } from '../../src/state/transfer.js';

let dir: string;
let from: LocalStateStore;
let to: LocalStateStore;
const NOW = new Date('2026-12-03T10:00:00Z');
const ITEMS = [
  { key: { twin: 'production', name: 'twin.json' }, content: '{"slot":0}\n' },
  {
    key: { twin: 'production', cluster: 'east', name: 'secrets.yaml' },
    content: 'cluster:\n  secret: s3cr3t-east\n',
  },
  { key: { twin: 'production', cluster: 'west', name: 'kubeconfig' }, content: 'apiVersion: v1\n' },
];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'state-transfer-'));
  from = new LocalStateStore(join(dir, 'from'));
  to = new LocalStateStore(join(dir, 'to'));
  for (const item of ITEMS) await from.write(item.key, item.content);
});

describe('twin state export and import', () => {
  it('moves every item to another store through a new 0600 file, content for content', async () => {
    const file = join(dir, 'production.state.json');
    expect(await exportState(from, 'production', file, NOW)).toBe(3);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toMatchObject({
      format: STATE_FILE_FORMAT,
      twin: 'production',
      exportedAt: NOW.toISOString(),
    });
    expect(written.from).toBe(from.describe());

    expect(await importState(to, 'production', file)).toBe(3);
    expect(await to.list('production')).toEqual(await from.list('production'));
    for (const item of ITEMS) expect(await to.read(item.key)).toBe(item.content);
    // An import that ran before (or stopped half-way) runs again without harm.
    expect(await importState(to, 'production', file)).toBe(0);
  });

  it('never writes to a stream or over an existing file, and refuses a twin with no state', async () => {
    for (const target of ['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/2']) {
      await expect(exportState(from, 'production', target, NOW)).rejects.toThrow(
        /never written to a terminal or a pipe/,
      );
    }
    const existing = join(dir, 'taken.json');
    writeFileSync(existing, 'keep me');
    await expect(exportState(from, 'production', existing, NOW)).rejects.toThrow(/exists already/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    await expect(exportState(from, 'pr-1', join(dir, 'pr-1.json'), NOW)).rejects.toThrow(
      /holds no state of twin pr-1: nothing was exported/,
    );
    await expect(exportState(from, 'production', join(dir, 'no-such', 'f.json'), NOW)).rejects.toThrow(
      /does not exist/,
    );
  });

  it('refuses a readable-by-others file, another twin, and a store holding a different identity', async () => {
    const file = join(dir, 'p.json');
    await exportState(from, 'production', file, NOW);
    chmodSync(file, 0o644);
    await expect(importState(to, 'production', file)).rejects.toThrow(
      /can be read by other users \(mode 644\)/,
    );
    chmodSync(file, 0o600);
    await expect(importState(to, 'pr-2', file)).rejects.toThrow(
      /holds the state of twin production, not of pr-2/,
    );

    await to.write(
      { twin: 'production', cluster: 'east', name: 'secrets.yaml' },
      'cluster:\n  secret: other\n',
    );
    await expect(importState(to, 'production', file)).rejects.toThrow(
      /already holds state of twin production that differs .* \(east\/secrets.yaml\): nothing was imported/,
    );
    expect(await to.list('production')).toHaveLength(1);
  });

  it('refuses a file that is not a state export, naming what is wrong', async () => {
    const file = join(dir, 'bad.json');
    const write = (value: unknown) => writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
    write({ format: 'other', twin: 'production', items: [] });
    await expect(importState(to, 'production', file)).rejects.toThrow(/format is not aggrik8s-twin-state\/1/);
    write({ format: STATE_FILE_FORMAT, twin: 'production', items: [{ name: '../x', content: 'x' }] });
    await expect(importState(to, 'production', file)).rejects.toThrow(/cannot be used in the state store/);
    writeFileSync(file, 'not json', { mode: 0o600 });
    await expect(importState(to, 'production', file)).rejects.toThrow(/is not JSON/);
    expect(await to.twins()).toEqual([]);
  });
});
