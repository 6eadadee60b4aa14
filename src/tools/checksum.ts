import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The file's sha256 in lower-case hex, read in chunks so a large binary is never held in memory. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
