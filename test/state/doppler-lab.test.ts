import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DopplerStandIn } from '../../src/lab/doppler/server.js';
import { DopplerStateStore } from '../../src/state/doppler.js';
import { labCa, useDopplerStandIns } from '../lab/doppler/helpers.js';

/**
 * The Doppler state store against the lab's stand-in over HTTPS, with the product's own retry policy:
 * every exchange is held to Doppler's contract after each test (useDopplerStandIns).
 */
const start = useDopplerStandIns();

async function storeOn(standIn: DopplerStandIn, dir: string, cache: string): Promise<DopplerStateStore> {
  const caFile = join(dir, 'lab-ca.pem');
  writeFileSync(caFile, (await labCa()).certPem);
  return new DopplerStateStore({
    apiUrl: standIn.url,
    token: standIn.serviceAccountToken,
    project: standIn.project,
    environment: 'ci',
    caFile,
    cacheDir: join(dir, cache),
  });
}

describe('Doppler state store on the lab stand-in', () => {
  it('names the twins it holds from one listing of several pages, not foreign configs', async () => {
    const { standIn, client, dir } = await start({ timeScale: 1 / 60 }); // the rate limit counts per second
    const store = await storeOn(standIn, dir, 'cache');
    const twins = Array.from({ length: 23 }, (_, i) => `pr-${i + 1}`);
    for (const twin of twins) await store.write({ twin, name: 'twin.json' }, `{"twin":"${twin}"}`);
    await client.createConfig(standIn.project, 'ci', 'ci_someone-else');
    await client.createConfig(standIn.project, 'ci', 'ci_twin-Not_A_Twin');
    await client.createConfig(standIn.project, 'prd', 'prd_twin-pr-50'); // another environment's
    const before = standIn.requests().length;
    expect(await store.twins()).toEqual([...twins].sort());
    const listings = standIn.requests().slice(before);
    expect(listings.map((one) => `${one.method} ${one.path} ${one.query.page}`)).toEqual([
      'GET /v3/configs 1',
      'GET /v3/configs 2',
    ]);
    await store.removeTwin('pr-7');
    expect(await store.twins()).not.toContain('pr-7');
    store.close();
  });

  it('survives a 429 storm: six runners share one token spent many times over, and every item lands', async () => {
    // A lab minute of two seconds with 10 requests each: the six runners need about 50 and ask at once, so
    // every window's allowance is spent and the rest of it answers 429.
    const { standIn, dir } = await start({ ratePerMinute: 10, timeScale: 1 / 30 });
    const runners = await Promise.all(
      Array.from({ length: 6 }, (_, i) => storeOn(standIn, dir, `runner-${i}`)),
    );
    await Promise.all(
      runners.map(async (store, i) => {
        const twin = `pr-${i + 1}`;
        await store.write({ twin, name: 'twin.json' }, `{"n":${i}}`);
        await store.write({ twin, cluster: 'east', name: 'kubeconfig' }, `kube ${i}`);
        await store.write({ twin, cluster: 'east', name: 'secrets.yaml' }, `secret ${i}`);
        expect(await store.list(twin)).toHaveLength(3);
      }),
    );
    const refused = standIn.requests().filter((one) => one.status === 429).length;
    expect(refused).toBeGreaterThanOrEqual(4); // at least one per spent window
    const reader = await storeOn(standIn, dir, 'reader');
    expect(await reader.twins()).toEqual(['pr-1', 'pr-2', 'pr-3', 'pr-4', 'pr-5', 'pr-6']);
    for (let i = 0; i < 6; i++) {
      expect(await reader.read({ twin: `pr-${i + 1}`, cluster: 'east', name: 'secrets.yaml' })).toBe(
        `secret ${i}`,
      );
    }
    for (const store of [...runners, reader]) store.close();
  }, 60_000);
});
