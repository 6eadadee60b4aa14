import { mkdtemp, readdir, rm, stat, writeFile, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { LocalStateStore, type StateKey } from '../../src/state/store.js';

let base: string;
let root: string;
let store: LocalStateStore;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'twin-state-'));
  root = join(base, 'state');
  store = new LocalStateStore(root);
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('LocalStateStore', () => {
  it('writes, reads back and returns the local path tools can use', async () => {
    const key: StateKey = { twin: 'pr-42', cluster: 'east', name: 'kubeconfig' };
    const path = await store.write(key, 'apiVersion: v1\n');
    expect(path).toBe(join(root, 'pr-42', 'clusters', 'east', 'kubeconfig'));
    expect(path).toBe(store.pathOf(key));
    expect(await store.read(key)).toBe('apiVersion: v1\n');
    expect(await store.read({ twin: 'pr-42', cluster: 'west', name: 'kubeconfig' })).toBeUndefined();
  });

  it('keeps twin-wide and per-cluster items apart', async () => {
    await store.write({ twin: 'pr-42', name: 'mesh-ca.json' }, '{}');
    await store.write({ twin: 'pr-42', cluster: 'east', name: 'mesh-ca.json' }, 'other');
    expect(await store.read({ twin: 'pr-42', name: 'mesh-ca.json' })).toBe('{}');
    expect(store.pathOf({ twin: 'pr-42', name: 'mesh-ca.json' })).toBe(
      join(root, 'pr-42', 'files', 'mesh-ca.json'),
    );
  });

  it('makes folders 0700 and files 0600, even under the loosest umask', async () => {
    const previous = process.umask(0o000);
    try {
      const path = await store.write({ twin: 'pr-42', cluster: 'east', name: 'secrets.yaml' }, 'secret');
      expect(await mode(path)).toBe(0o600);
      for (const dir of [
        root,
        join(root, 'pr-42'),
        join(root, 'pr-42', 'clusters'),
        join(root, 'pr-42', 'clusters', 'east'),
      ]) {
        expect(await mode(dir), dir).toBe(0o700);
      }
    } finally {
      process.umask(previous);
    }
  });

  it('leaves an existing root folder alone but makes existing twin folders private', async () => {
    await mkdir(join(root, 'production'), { recursive: true });
    await chmod(root, 0o755);
    await chmod(join(root, 'production'), 0o755);
    await store.write({ twin: 'production', name: 'talosconfig' }, 'x');
    expect(await mode(root)).toBe(0o755);
    expect(await mode(join(root, 'production'))).toBe(0o700);
    expect(await mode(join(root, 'production', 'files'))).toBe(0o700);
  });

  it('replaces a file atomically: a loose old file becomes 0600 and no temp file is left', async () => {
    const key: StateKey = { twin: 'pr-42', cluster: 'east', name: 'kubeconfig' };
    const path = store.pathOf(key);
    await mkdir(join(root, 'pr-42', 'clusters', 'east'), { recursive: true });
    await writeFile(path, 'old', { mode: 0o644 });
    await store.write(key, 'new');
    expect(await store.read(key)).toBe('new');
    expect(await mode(path)).toBe(0o600);
    expect(await readdir(join(root, 'pr-42', 'clusters', 'east'))).toEqual(['kubeconfig']);
  });

  it('lists what exists, ignoring leftovers of an interrupted write', async () => {
    await store.write({ twin: 'pr-42', name: 'mesh-ca.json' }, '{}');
    await store.write({ twin: 'pr-42', cluster: 'west', name: 'kubeconfig' }, 'w');
    await store.write({ twin: 'pr-42', cluster: 'east', name: 'talosconfig' }, 't');
    await store.write({ twin: 'pr-42', cluster: 'east', name: 'kubeconfig' }, 'k');
    await store.write({ twin: 'pr-7', name: 'mesh-ca.json' }, '{}');
    await writeFile(join(root, 'pr-42', 'clusters', 'east', '.kubeconfig.abc.tmp'), 'half');
    expect(await store.list('pr-42')).toEqual([
      { twin: 'pr-42', name: 'mesh-ca.json' },
      { twin: 'pr-42', cluster: 'east', name: 'kubeconfig' },
      { twin: 'pr-42', cluster: 'east', name: 'talosconfig' },
      { twin: 'pr-42', cluster: 'west', name: 'kubeconfig' },
    ]);
    expect(await store.list('pr-99')).toEqual([]);
  });

  it('names the twins it holds items of: not a folder with only a work folder, not a stray file', async () => {
    expect(await store.twins()).toEqual([]);
    await store.write({ twin: 'pr-9', cluster: 'east', name: 'kubeconfig' }, 'k');
    await store.write({ twin: 'production', name: 'twin.json' }, '{}');
    await mkdir(join(root, 'pr-3', 'work'), { recursive: true });
    await writeFile(join(root, 'notes.txt'), 'x');
    expect(await store.twins()).toEqual(['pr-9', 'production']);
    await store.removeTwin('pr-9');
    expect(await store.twins()).toEqual(['production']);
  });

  it('removes items and whole twins, and succeeds when there is nothing to remove', async () => {
    const key: StateKey = { twin: 'pr-42', cluster: 'east', name: 'kubeconfig' };
    await store.write(key, 'k');
    await store.write({ twin: 'pr-7', name: 'mesh-ca.json' }, '{}');
    await store.remove(key);
    await store.remove(key);
    expect(await store.read(key)).toBeUndefined();
    await store.write(key, 'k');
    await store.removeTwin('pr-42');
    await store.removeTwin('pr-42');
    expect(await store.list('pr-42')).toEqual([]);
    expect(await store.read({ twin: 'pr-7', name: 'mesh-ca.json' })).toBe('{}');
  });

  it.each<[string, StateKey]>([
    ['a parent reference as name', { twin: 'pr-42', name: '..' }],
    ['a path as name', { twin: 'pr-42', name: 'east/kubeconfig' }],
    ['an empty name', { twin: 'pr-42', name: '' }],
    ['a hidden name', { twin: 'pr-42', name: '.kubeconfig' }],
    ['dots inside a name', { twin: 'pr-42', name: 'a..b' }],
    ['a traversing twin', { twin: '../etc', name: 'passwd' }],
    ['a traversing cluster', { twin: 'pr-42', cluster: '..', name: 'kubeconfig' }],
    ['an absolute cluster', { twin: 'pr-42', cluster: '/tmp', name: 'kubeconfig' }],
  ])('refuses %s, saying what is allowed', async (_what, key) => {
    expect(() => store.pathOf(key)).toThrow(ConfigurationError);
    expect(() => store.pathOf(key)).toThrow(
      /cannot be used in the state store: use letters, digits, "\.", "-" and "_"/,
    );
    await expect(store.write(key, 'x')).rejects.toThrow(ConfigurationError);
    expect(await readdir(base)).toEqual([]);
  });

  it('names the offending value in the refusal', async () => {
    expect(() => store.pathOf({ twin: 'pr-42', cluster: 'east', name: '../../x' })).toThrow(
      'state item name "../../x" cannot be used',
    );
    await expect(store.removeTwin('a/b')).rejects.toThrow('twin name "a/b" cannot be used');
    await expect(store.list('..')).rejects.toThrow('twin name ".." cannot be used');
  });
});
