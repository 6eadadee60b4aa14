import { gzipSync } from 'node:zlib';

/**
 * A gzip-compressed POSIX ustar archive of regular files, built in memory: enough for a diagnostics bundle,
 * without a dependency. Each entry is a 512-byte header (name, mode, size, mtime, checksum, "ustar\0" "00")
 * followed by the content padded to 512 bytes; two zero blocks end the archive (POSIX.1-1988 ustar).
 */

export interface ArchiveEntry {
  /** A relative path with `/` separators; at most 100 bytes, or a prefix of 155 and a name of 100. */
  name: string;
  content: string | Buffer;
}

const BLOCK = 512;
const FILE_MODE = 0o600;

export function tarGzip(entries: ArchiveEntry[], mtime: Date): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : entry.content;
    blocks.push(header(entry.name, content.length, mtime), content, Buffer.alloc(padding(content.length)));
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(blocks));
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function header(path: string, size: number, mtime: Date): Buffer {
  const { prefix, name } = splitPath(path);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, FILE_MODE, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, size, 124, 12);
  writeOctal(block, Math.floor(mtime.getTime() / 1000), 136, 12);
  block.fill(' ', 148, 156); // the checksum counts its own field as spaces
  block.write('0', 156, 1, 'ascii'); // a regular file
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** Octal digits, zero-padded, NUL-terminated, filling the field. */
function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new RangeError(`${value} does not fit a ${length}-byte tar field`);
  block.write(`${digits.padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

/** ustar keeps long paths as prefix + name, split at a `/`; a path that fits neither is refused. */
function splitPath(path: string): { prefix: string; name: string } {
  if (path === '' || path.startsWith('/') || path.split('/').includes('..'))
    throw new RangeError(`"${path}" is not a relative path inside the archive`);
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
    const prefix = path.slice(0, at);
    const name = path.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { prefix, name };
  }
  throw new RangeError(`"${path}" is too long for a ustar archive`);
}
