import { describe, expect, it } from 'vitest';
import {
  CHUNK_BYTES,
  base32,
  fromBase32,
  itemOfSecretName,
  joinParts,
  manifestOf,
  partNameOf,
  secretNameOf,
  storedFormOf,
} from '../../src/state/doppler-encoding.js';

describe('Doppler secret names', () => {
  it('uses RFC 4648 base32 without padding (the standard test vectors)', () => {
    const vectors = {
      f: 'MY',
      fo: 'MZXQ',
      foo: 'MZXW6',
      foob: 'MZXW6YQ',
      fooba: 'MZXW6YTB',
      foobar: 'MZXW6YTBOI',
    };
    for (const [text, encoded] of Object.entries(vectors)) {
      expect(base32(text)).toBe(encoded);
      expect(fromBase32(encoded)).toBe(text);
    }
  });

  it('names twin-wide and cluster items apart, only in [A-Z0-9_], and decodes them back', () => {
    expect(secretNameOf({ name: 'twin.json' })).toBe('TWIN__OR3WS3RONJZW63Q');
    expect(secretNameOf({ cluster: 'east', name: 'kubeconfig' })).toBe('CLUSTER__MVQXG5A__NN2WEZLDN5XGM2LH');
    for (const item of [{ name: 'mesh-ca.json' }, { cluster: 'west-2', name: 'Talos_Config.v1' }]) {
      const secret = secretNameOf(item);
      expect(secret).toMatch(/^[A-Z0-9_]+$/);
      expect(itemOfSecretName(secret)).toEqual(item);
    }
  });

  it('does not take parts, managed or foreign secrets, or non-canonical base32 for items', () => {
    const head = secretNameOf({ cluster: 'east', name: 'kubeconfig' });
    for (const name of [
      partNameOf(head, 1),
      'DOPPLER_CONFIG',
      'API_KEY',
      'TWIN__',
      'TWIN__MZ', // "f" is MY: the stray bits make MZ non-canonical
      'TWIN__MY__MY',
      'CLUSTER__MY',
    ]) {
      expect(itemOfSecretName(name), name).toBeUndefined();
    }
  });
});

describe('Doppler value chunking', () => {
  it('keeps small content as is', () => {
    expect(storedFormOf('apiVersion: v1\n')).toEqual({ head: 'apiVersion: v1\n', parts: [] });
  });

  it('splits large content into parts of at most CHUNK_BYTES bytes, never inside a character', () => {
    const content = 'x' + '€😀é'.repeat(20_000); // 3+4+2 byte characters, misaligned by the leading x
    const form = storedFormOf(content);
    expect(form.parts.length).toBeGreaterThan(1);
    for (const part of form.parts) {
      expect(Buffer.byteLength(part)).toBeLessThanOrEqual(CHUNK_BYTES);
      expect(part).not.toContain('\uFFFD');
    }
    const manifest = manifestOf(form.head);
    expect(manifest).toMatchObject({ parts: form.parts.length, bytes: Buffer.byteLength(content) });
    expect(joinParts(manifest!, form.parts)).toBe(content);
  });

  it('rejects parts that do not match the manifest', () => {
    const form = storedFormOf('a'.repeat(CHUNK_BYTES * 2 + 1));
    const manifest = manifestOf(form.head)!;
    expect(joinParts(manifest, form.parts.slice(1))).toBeUndefined();
    expect(
      joinParts(manifest, [form.parts[0]!, form.parts[1]!.replace('a', 'b'), form.parts[2]!]),
    ).toBeUndefined();
  });

  it('chunks small content that looks like a manifest, so a read never mistakes one for the other', () => {
    const lookalike = storedFormOf(storedFormOf('a'.repeat(CHUNK_BYTES + 1)).head);
    expect(lookalike.parts).toHaveLength(1);
    expect(joinParts(manifestOf(lookalike.head)!, lookalike.parts)).toMatch(/^#aggrik8s-twin chunked v1 /);
  });
});
