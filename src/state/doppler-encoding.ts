import { createHash } from 'node:crypto';

/**
 * How state items become Doppler secrets, whose names allow only upper-case letters, digits and `_` (J).
 *
 * Names: `TWIN__<b32(name)>` for a twin-wide item, `CLUSTER__<b32(cluster)>__<b32(name)>` for a cluster's,
 * where b32 is RFC 4648 base32 (alphabet A-Z 2-7) of the UTF-8 bytes, without padding. Base32 never
 * produces `_`, so `__` separates the fields unambiguously and every name decodes back to its key.
 *
 * Values: content up to CHUNK_BYTES is stored as is under its name. Larger content (and any content that
 * itself looks like a manifest, so a read can never mistake one for the other) goes into numbered parts
 * `<NAME>__PART_<i>` (i from 1), while `<NAME>` holds a one-line manifest with the part count, the byte length
 * and the SHA-256 of the whole, checked on read.
 */

/**
 * Doppler's limit on one secret value is UNCONFIRMED (LIFECYCLE J.3: no published number was found), so
 * parts stay well below any plausible limit.
 */
export const CHUNK_BYTES = 24 * 1024;

const TWIN_PREFIX = 'TWIN';
const CLUSTER_PREFIX = 'CLUSTER';
const PART_PREFIX = 'PART_';
const SEPARATOR = '__';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const MANIFEST_PREFIX = '#aggrik8s-twin chunked v1 ';
const MANIFEST = /^#aggrik8s-twin chunked v1 parts=([1-9]\d{0,5}) bytes=(\d{1,12}) sha256=([0-9a-f]{64})$/;

/** The item part of a state key: cluster absent for twin-wide items. */
export interface ItemName {
  cluster?: string;
  name: string;
}

export function secretNameOf(item: ItemName): string {
  return item.cluster === undefined
    ? [TWIN_PREFIX, base32(item.name)].join(SEPARATOR)
    : [CLUSTER_PREFIX, base32(item.cluster), base32(item.name)].join(SEPARATOR);
}

export function partNameOf(secretName: string, index: number): string {
  return `${secretName}${SEPARATOR}${PART_PREFIX}${index}`;
}

/** The item a secret name stands for; undefined for parts and for secrets this store did not write. */
export function itemOfSecretName(secretName: string): ItemName | undefined {
  const fields = secretName.split(SEPARATOR);
  if (fields.length === 2 && fields[0] === TWIN_PREFIX) {
    const name = fromBase32(fields[1] ?? '');
    return name === undefined ? undefined : { name };
  }
  if (fields.length === 3 && fields[0] === CLUSTER_PREFIX) {
    const cluster = fromBase32(fields[1] ?? '');
    const name = fromBase32(fields[2] ?? '');
    return cluster === undefined || name === undefined ? undefined : { cluster, name };
  }
  return undefined;
}

/** What goes to Doppler for one content: the value of `<NAME>` and, when chunked, the parts in order. */
export interface StoredForm {
  head: string;
  parts: string[];
}

export function storedFormOf(content: string): StoredForm {
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.length <= CHUNK_BYTES && !content.startsWith(MANIFEST_PREFIX))
    return { head: content, parts: [] };
  const parts = splitUtf8(bytes, CHUNK_BYTES);
  const head = `${MANIFEST_PREFIX}parts=${parts.length} bytes=${bytes.length} sha256=${sha256(bytes)}`;
  return { head, parts };
}

export interface Manifest {
  parts: number;
  bytes: number;
  sha256: string;
}

/** The manifest a head value holds, or undefined when the head is the content itself. */
export function manifestOf(head: string): Manifest | undefined {
  const match = MANIFEST.exec(head);
  if (!match) return undefined;
  return { parts: Number(match[1]), bytes: Number(match[2]), sha256: match[3] ?? '' };
}

/** The whole content from its parts, or undefined when they do not match the manifest. */
export function joinParts(manifest: Manifest, parts: string[]): string | undefined {
  if (parts.length !== manifest.parts) return undefined;
  const bytes = Buffer.from(parts.join(''), 'utf8');
  if (bytes.length !== manifest.bytes || sha256(bytes) !== manifest.sha256) return undefined;
  return bytes.toString('utf8');
}

/** How many parts a head value says exist (0 for plain content). */
export function partCountOf(head: string | undefined): number {
  return head === undefined ? 0 : (manifestOf(head)?.parts ?? 0);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Splits at most `limit` bytes per part, never inside a UTF-8 sequence, so every part is valid text. */
function splitUtf8(bytes: Buffer, limit: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // 0b10xxxxxx is a continuation byte: the cut would fall inside a character, so move it back.
    while (end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return parts;
}

export function base32(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Decodes unpadded base32; undefined unless the text is exactly what `base32` makes of some UTF-8 text. */
export function fromBase32(encoded: string): string | undefined {
  if (encoded === '') return undefined;
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of encoded) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    buffer = (buffer << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  const text = Buffer.from(bytes).toString('utf8');
  return base32(text) === encoded ? text : undefined; // rejects stray bits, bad lengths and invalid UTF-8
}
