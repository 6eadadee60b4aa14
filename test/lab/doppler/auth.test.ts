import { describe, expect, it } from 'vitest';
import { errorBody, useDopplerStandIns } from './helpers.js';

const start = useDopplerStandIns();

describe('Doppler stand-in: authentication', () => {
  it('answers 401 with the error body to a request without a token, with an unknown one, or not as Bearer', async () => {
    const { standIn, client } = await start();
    const query = { project: standIn.project, config: 'ci' };
    const anonymous = await client.as(null).call('GET', '/v3/configs/config/secrets', { query });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual(errorBody(/token/));
    const unknown = await client.as('dp.sa.0123456789abcdef').listSecrets(standIn.project, 'ci');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(errorBody(/token/));
    const basic = await client.call('GET', '/v3/configs/config/secrets', {
      query,
      authorization: `Basic ${Buffer.from(`${standIn.serviceAccountToken}:`).toString('base64')}`,
    });
    expect(basic.status).toBe(401);
    expect((await client.listSecrets(standIn.project, 'ci')).status).toBe(200);
  });

  it('issues lab-made token prefixes: dp.sa. for the service account, dp.st. for service tokens', async () => {
    const { standIn } = await start();
    expect(standIn.serviceAccountToken).toMatch(/^dp\.sa\.[0-9a-f]{48}$/);
    expect(standIn.serviceToken('ci', 'read')).toMatch(/^dp\.st\.[0-9a-f]{48}$/);
    expect(() => standIn.serviceToken('ci_nope', 'read')).toThrow(/ci_nope/);
  });

  it('is served over HTTPS only, with a certificate the lab CA signed', async () => {
    const { standIn } = await start();
    expect(standIn.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('Doppler stand-in: the two token kinds', () => {
  it('lets the service account create and delete configs and read and write any config of the project', async () => {
    const { standIn, client } = await start();
    expect((await client.createConfig(standIn.project, 'ci', 'ci_twin-pr-7')).status).toBe(200);
    expect((await client.setSecrets(standIn.project, 'prd', { A: '1' })).status).toBe(200);
    expect((await client.setSecrets(standIn.project, 'ci_twin-pr-7', { B: '2' })).status).toBe(200);
    expect((await client.deleteConfig(standIn.project, 'ci_twin-pr-7')).body).toEqual({ success: true });
  });

  it('keeps a read service token to reading its own config', async () => {
    const { standIn, client } = await start();
    await client.setSecrets(standIn.project, 'ci', { STATE: 'v1' });
    await client.setSecrets(standIn.project, 'prd', { STATE: 'prod' });
    const reader = client.as(standIn.serviceToken('ci', 'read'));

    const own = await reader.listSecrets(standIn.project, 'ci');
    expect(own.status).toBe(200);
    expect(own.body.secrets.STATE.raw).toBe('v1');
    expect(
      (await reader.call('GET', '/v3/configs/config', { query: { project: standIn.project, config: 'ci' } }))
        .status,
    ).toBe(200);

    const write = await reader.setSecrets(standIn.project, 'ci', { STATE: 'v2' });
    expect(write.status).toBe(403);
    expect(write.body).toEqual(errorBody(/read-only/));
    const other = await reader.listSecrets(standIn.project, 'prd');
    expect(other.status).toBe(403);
    expect(other.body).toEqual(errorBody("This token does not have access to requested config 'prd'"));
    expect((await client.listSecrets(standIn.project, 'ci')).body.secrets.STATE.raw).toBe('v1');
  });

  it('lets a read/write service token write its config and nothing else, and never manage configs or projects', async () => {
    const { standIn, client } = await start();
    const writer = client.as(standIn.serviceToken('ci', 'read/write'));
    expect((await writer.setSecrets(standIn.project, 'ci', { STATE: 'v1' })).status).toBe(200);
    expect((await writer.setSecrets(standIn.project, 'prd', { STATE: 'v1' })).status).toBe(403);
    const deleteOther = await writer.call('DELETE', '/v3/configs/config/secret', {
      query: { project: standIn.project, config: 'prd', name: 'STATE' },
    });
    expect(deleteOther.status).toBe(403);

    const create = await writer.createConfig(standIn.project, 'ci', 'ci_sneaky');
    expect(create.status).toBe(403);
    expect(create.body).toEqual(errorBody(/service token cannot create configs/));
    expect((await writer.deleteConfig(standIn.project, 'ci')).status).toBe(403);
    expect((await writer.call('POST', '/v3/projects', { body: { name: 'other' } })).status).toBe(403);
    expect(
      (await writer.call('GET', '/v3/projects/project', { query: { project: standIn.project } })).status,
    ).toBe(403);
    expect(
      (await writer.call('DELETE', '/v3/projects/project', { body: { project: standIn.project } })).status,
    ).toBe(403);
    expect(standIn.configs()).toEqual(['ci', 'prd']);
  });

  it('lets a service token download its config without naming it, as the spec allows', async () => {
    const { standIn, client } = await start();
    await client.setSecrets(standIn.project, 'ci', { STATE: 'v1' });
    const reader = client.as(standIn.serviceToken('ci', 'read'));
    const download = await reader.call('GET', '/v3/configs/config/secrets/download', {
      query: { format: 'json' },
    });
    expect(download.status).toBe(200);
    expect(download.body).toEqual({ STATE: 'v1' });
    // The service account has no config of its own to imply.
    const missing = await client.call('GET', '/v3/configs/config/secrets/download', {
      query: { format: 'json' },
    });
    expect(missing.status).toBe(400);
  });

  it('stops authenticating a service token once its config is deleted, even if the name is made again', async () => {
    const { standIn, client } = await start();
    await client.createConfig(standIn.project, 'ci', 'ci_twin-pr-7');
    const token = standIn.serviceToken('ci_twin-pr-7', 'read/write');
    expect((await client.as(token).listSecrets(standIn.project, 'ci_twin-pr-7')).status).toBe(200);
    await client.deleteConfig(standIn.project, 'ci_twin-pr-7');
    await client.createConfig(standIn.project, 'ci', 'ci_twin-pr-7');
    expect((await client.as(token).listSecrets(standIn.project, 'ci_twin-pr-7')).status).toBe(401);
  });
});
