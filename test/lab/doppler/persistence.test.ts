import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDopplerStandIns } from './helpers.js';

const start = useDopplerStandIns();

describe('Doppler stand-in: persistence', () => {
  it('keeps configs, secrets and tokens across a restart on the same dir', async () => {
    const first = await start();
    const { dir } = first;
    await first.client.createConfig(first.standIn.project, 'ci', 'ci_twin-pr-7');
    await first.client.setSecrets(first.standIn.project, 'ci_twin-pr-7', { TWIN_STATE: '${X}' });
    const serviceToken = first.standIn.serviceToken('ci_twin-pr-7', 'read');
    await first.standIn.close();
    // The file holds the tokens: owner-only.
    expect(statSync(join(dir, 'doppler-state.json')).mode & 0o077).toBe(0);

    const second = await start({ dir });
    expect(second.standIn.serviceAccountToken).toBe(first.standIn.serviceAccountToken);
    expect(second.standIn.configs()).toEqual(['ci', 'ci_twin-pr-7', 'prd']);
    const read = await second.client.as(serviceToken).listSecrets(second.standIn.project, 'ci_twin-pr-7');
    expect(read.status).toBe(200);
    expect(read.body.secrets.TWIN_STATE.raw).toBe('${X}');
  });

  it('starts afresh on another dir', async () => {
    const first = await start();
    await first.client.createConfig(first.standIn.project, 'ci', 'ci_a');
    const second = await start();
    expect(second.standIn.configs()).toEqual(['ci', 'prd']);
    expect(second.standIn.serviceAccountToken).not.toBe(first.standIn.serviceAccountToken);
  });
});
