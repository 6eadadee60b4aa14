import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { LabServerInfo } from '../../src/lab/embedded.js';

/** GET /version with the lab's token and CA: its HTTP status. */
function version(info: LabServerInfo): Promise<number | undefined> {
  return new Promise((done, failed) => {
    const req = request(`${info.endpoint}/version`, {
      ca: readFileSync(info.caFile, 'utf8'),
      headers: { Authorization: `PVEAPIToken=${info.token}` },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode));
    });
    req.on('error', failed);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('twin lab serve --idle-timeout', () => {
  it('counts idle time from the start and from each request: serving at 1.5 s, stopped ~3 s after the last request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idle-lab-'));
    const printed: string[] = [];
    let stoppedAt: number | undefined;
    const serving = run(['lab', 'serve', '--dir', dir, '--idle-timeout', '3', '--time-scale', '0.001'], {
      out: (line) => void printed.push(line),
      err: () => {},
    }).then((code) => ((stoppedAt = Date.now()), code));
    while (printed.length === 0 && stoppedAt === undefined) await sleep(20);
    const info = JSON.parse(printed[0]!) as LabServerInfo;

    await sleep(1500);
    expect(stoppedAt).toBeUndefined();
    expect(await version(info)).toBe(200);
    const lastRequest = Date.now();

    expect(await serving).toBe(0);
    // Never before 3 s after the last request (counted from the start, it would stop 1.5 s after it).
    expect((stoppedAt! - lastRequest) / 1000).toBeGreaterThanOrEqual(2.5);
    expect((stoppedAt! - lastRequest) / 1000).toBeLessThan(8);
    expect(existsSync(join(dir, 'server.json'))).toBe(false);
  }, 20_000);
});
