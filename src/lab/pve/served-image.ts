import { createHash } from 'node:crypto';

/**
 * The bytes the lab's network serves at a URL. The lab fetches nothing from the Internet: the file at any
 * URL (the Talos Image Factory's included) is the text `lab-image:<url>`, so its digest is known and a
 * download-url with a checksum is checked against it as PVE checks the bytes wget saved.
 */
export function servedImageBytes(url: string): Buffer {
  return Buffer.from(`lab-image:${url}`);
}

/** The served file's digest in lower-case hex, for one of download-url's checksum algorithms. */
export function servedImageDigest(url: string, algorithm: string): string {
  return createHash(algorithm).update(servedImageBytes(url)).digest('hex');
}
