import { describe, expect, it } from 'vitest';
import type { DopplerClient } from './helpers.js';
import { errorBody, useDopplerStandIns } from './helpers.js';

const start = useDopplerStandIns();
const PROJECT = 'aggrik8s-twin';

async function raws(client: DopplerClient, config = 'ci'): Promise<Record<string, string>> {
  const listed = await client.listSecrets(PROJECT, config);
  const secrets = listed.body.secrets as Record<string, { raw: string }>;
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, value.raw]));
}

describe('Doppler stand-in: secrets-update by map', () => {
  it('stores each value raw and answers the config secrets with raw and computed', async () => {
    const { client } = await start();
    const updated = await client.setSecrets(PROJECT, 'ci', { USER: 'twin', DATABASE: '${USER}@db:5432' });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({
      secrets: {
        DATABASE: { raw: '${USER}@db:5432', computed: 'twin@db:5432', note: '' },
        USER: { raw: 'twin', computed: 'twin', note: '' },
      },
    });
    await client.setSecrets(PROJECT, 'ci', { USER: 'other' });
    expect(await raws(client)).toEqual({ USER: 'other', DATABASE: '${USER}@db:5432' });
  });

  it.each(['lower_case', '1STARTS_WITH_DIGIT', 'HAS-DASH', 'HAS SPACE'])(
    'refuses the secret name %s (400) and stores nothing of the batch',
    async (name) => {
      const { client } = await start();
      const refused = await client.setSecrets(PROJECT, 'ci', { GOOD: 'x', [name]: 'y' });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(errorBody(/uppercase letters, numbers and underscores/));
      expect(await raws(client)).toEqual({});
    },
  );

  it('refuses a body with both secrets and change_requests, or with neither (400)', async () => {
    const { client } = await start();
    const both = await client.call('POST', '/v3/configs/config/secrets', {
      body: { project: PROJECT, config: 'ci', secrets: { A: '1' }, change_requests: [] },
    });
    expect(both.status).toBe(400);
    expect(both.body).toEqual(errorBody(/can't use both/));
    const neither = await client.call('POST', '/v3/configs/config/secrets', {
      body: { project: PROJECT, config: 'ci' },
    });
    expect(neither.status).toBe(400);
    expect(await raws(client)).toEqual({});
  });
});

describe('Doppler stand-in: secrets-update by change_requests', () => {
  it('sets, renames and deletes (shouldDelete) in one batch', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', { OLD_NAME: 'kept', DOOMED: 'x', OTHER: 'o' });
    const changed = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'NEW_SECRET', originalName: null, value: 'n' },
      { name: 'NEW_NAME', originalName: 'OLD_NAME', value: null },
      { name: 'DOOMED', originalName: 'DOOMED', value: null, shouldDelete: true },
    ]);
    expect(changed.status).toBe(200);
    expect(Object.keys(changed.body.secrets)).toEqual(['NEW_NAME', 'NEW_SECRET', 'OTHER']);
    expect(await raws(client)).toEqual({ NEW_NAME: 'kept', NEW_SECRET: 'n', OTHER: 'o' });
  });

  it('applies a compare-and-set whose originalValue matches the current raw value', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', { TWIN_STATE: 'v1' });
    const changed = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'TWIN_STATE', originalName: 'TWIN_STATE', value: 'v2', originalValue: 'v1' },
    ]);
    expect(changed.status).toBe(200);
    expect(await raws(client)).toEqual({ TWIN_STATE: 'v2' });
  });

  it('refuses the whole batch (409) when one originalValue differs, and changes nothing', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', { TWIN_STATE: 'v2', LOCK: 'held', DOOMED: 'x' });
    const refused = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'LOCK', originalName: 'LOCK', value: 'free', originalValue: 'held' },
      { name: 'DOOMED', originalName: 'DOOMED', value: null, shouldDelete: true },
      { name: 'ADDED', originalName: null, value: 'a' },
      { name: 'TWIN_STATE', originalName: 'TWIN_STATE', value: 'v3', originalValue: 'v1' },
    ]);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual(errorBody(/do not match.*TWIN_STATE.*nothing was changed/));
    expect(await raws(client)).toEqual({ TWIN_STATE: 'v2', LOCK: 'held', DOOMED: 'x' });
  });

  it('refuses a compare-and-set on a secret that does not exist (409)', async () => {
    const { client } = await start();
    const refused = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'TWIN_STATE', originalName: null, value: 'v1', originalValue: '' },
    ]);
    expect(refused.status).toBe(409);
    expect(await raws(client)).toEqual({});
  });

  it('refuses deleting a secret that does not exist (404) and leaves the batch unapplied', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', { KEEP: 'k' });
    const refused = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'KEEP', originalName: 'KEEP', value: 'changed' },
      { name: 'MISSING', originalName: 'MISSING', value: null, shouldDelete: true },
    ]);
    expect(refused.status).toBe(404);
    expect(await raws(client)).toEqual({ KEEP: 'k' });
  });

  it('validates JSON values when valueType is json', async () => {
    const { client } = await start();
    const bad = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'TWIN_STATE', originalName: null, value: '{not json', valueType: { type: 'json' } },
    ]);
    expect(bad.status).toBe(400);
    const good = await client.changeSecrets(PROJECT, 'ci', [
      { name: 'TWIN_STATE', originalName: null, value: '{"slot":7}', valueType: { type: 'json' } },
    ]);
    expect(good.status).toBe(200);
  });
});

describe('Doppler stand-in: reading secrets', () => {
  it('keeps raw values and expands ${NAME} references only in computed ones', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', {
      HOST: 'db.lab',
      URL: 'postgres://${HOST}/${UNKNOWN}',
      STATE: '{"script":"echo ${HOME}"}',
    });
    const listed = await client.listSecrets(PROJECT, 'ci');
    expect(listed.body.secrets.URL).toEqual({
      raw: 'postgres://${HOST}/${UNKNOWN}',
      computed: 'postgres://db.lab/${UNKNOWN}',
      note: '',
      rawVisibility: 'masked',
      computedVisibility: 'masked',
    });
    expect(listed.body.secrets.STATE.raw).toBe('{"script":"echo ${HOME}"}');

    const one = await client.call('GET', '/v3/configs/config/secret', {
      query: { project: PROJECT, config: 'ci', name: 'URL' },
    });
    expect(one.body).toEqual({
      name: 'URL',
      value: { raw: 'postgres://${HOST}/${UNKNOWN}', computed: 'postgres://db.lab/${UNKNOWN}', note: '' },
    });
    const download = await client.call('GET', '/v3/configs/config/secrets/download', {
      query: { project: PROJECT, config: 'ci', format: 'json' },
    });
    expect(download.body).toEqual({
      HOST: 'db.lab',
      STATE: '{"script":"echo ${HOME}"}',
      URL: 'postgres://db.lab/${UNKNOWN}',
    });
  });

  it('filters by the secrets parameter and lists names', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', { A: '1', B: '2', C: '3' });
    const some = await client.call('GET', '/v3/configs/config/secrets', {
      query: { project: PROJECT, config: 'ci', secrets: 'A,C', include_managed_secrets: 'false' },
    });
    expect(Object.keys(some.body.secrets)).toEqual(['A', 'C']);
    const names = await client.call('GET', '/v3/configs/config/secrets/names', {
      query: { project: PROJECT, config: 'ci' },
    });
    expect(names.body).toEqual({ names: ['A', 'B', 'C'] });
  });

  it('deletes one secret with 204 and no body; a missing secret is 404', async () => {
    const { client } = await start();
    await client.setSecrets(PROJECT, 'ci', { A: '1', B: '2' });
    const query = { project: PROJECT, config: 'ci', name: 'A' };
    const deleted = await client.call('DELETE', '/v3/configs/config/secret', { query });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect(await raws(client)).toEqual({ B: '2' });
    expect((await client.call('DELETE', '/v3/configs/config/secret', { query })).status).toBe(404);
    expect((await client.call('GET', '/v3/configs/config/secret', { query })).status).toBe(404);
  });

  it('serves only the json download format, and refuses a mistyped parameter (400)', async () => {
    const { client } = await start();
    const env = await client.call('GET', '/v3/configs/config/secrets/download', {
      query: { project: PROJECT, config: 'ci', format: 'env' },
    });
    expect(env.status).toBe(400);
    expect(env.body).toEqual(errorBody(/unsupported in the lab/));
    const typo = await client.call('GET', '/v3/configs/config/secrets', {
      query: { project: PROJECT, config: 'ci', include_managed_secrets: 'yes' },
    });
    expect(typo.status).toBe(400);
    expect(typo.body).toEqual(errorBody(/include_managed_secrets: not a boolean/));
  });
});
