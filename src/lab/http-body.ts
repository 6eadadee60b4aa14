import type { IncomingMessage } from 'node:http';

/**
 * A request's body, refused with `tooLarge()` once it passes `maxBytes` (the connection is then dropped,
 * as a server that will not read the rest does). Shared by the lab's PVE and Doppler servers.
 */
export function readBoundedBody(
  req: IncomingMessage,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        failed(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', failed);
  });
}
