import { describe, expect, it } from 'vitest';
import { errorBody, useDopplerStandIns, type Started } from './helpers.js';

const start = useDopplerStandIns();

describe('Doppler stand-in: configs', () => {
  it('starts with the lab project and a root config per environment', async () => {
    const { standIn, client } = await start();
    expect(standIn.project).toBe('aggrik8s-twin');
    expect(standIn.configs()).toEqual(['ci', 'prd']);
    const root = await client.call('GET', '/v3/configs/config', {
      query: { project: standIn.project, config: 'ci' },
    });
    expect(root.body.config).toMatchObject({
      name: 'ci',
      root: true,
      environment: 'ci',
      project: standIn.project,
    });
  });

  it('creates a branch config whose name starts with its environment slug and an underscore', async () => {
    const { standIn, client } = await start();
    const created = await client.createConfig(standIn.project, 'ci', 'ci_twin-pr-7');
    expect(created.status).toBe(200);
    expect(created.body.config).toMatchObject({
      name: 'ci_twin-pr-7',
      root: false,
      environment: 'ci',
      project: standIn.project,
    });
    expect(standIn.configs()).toEqual(['ci', 'ci_twin-pr-7', 'prd']);
    const fetched = await client.call('GET', '/v3/configs/config', {
      query: { project: standIn.project, config: 'ci_twin-pr-7' },
    });
    expect(fetched.body).toEqual(created.body);
  });

  it.each([
    ['no environment prefix', 'ci', 'twin-pr-7'],
    ['the prefix without the underscore', 'ci', 'citwin-pr-7'],
    ['another environment prefix', 'ci', 'prd_twin-pr-7'],
    ['nothing after the prefix', 'ci', 'ci_'],
  ])('refuses a branch config name with %s (400)', async (_case, environment, name) => {
    const { standIn, client } = await start();
    const refused = await client.createConfig(standIn.project, environment, name);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(
      errorBody(/must start with the environment's slug followed by an underscore/),
    );
    expect(standIn.configs()).toEqual(['ci', 'prd']);
  });

  it('refuses a config in a missing environment (404) or project (404), or twice the same name (409)', async () => {
    const { standIn, client } = await start();
    expect((await client.createConfig(standIn.project, 'stg', 'stg_x')).status).toBe(404);
    expect((await client.createConfig('no-such-project', 'ci', 'ci_x')).status).toBe(404);
    expect((await client.createConfig(standIn.project, 'ci', 'ci_x')).status).toBe(200);
    const again = await client.createConfig(standIn.project, 'ci', 'ci_x');
    expect(again.status).toBe(409);
    expect(again.body).toEqual(errorBody(/already exists/));
  });

  it('deletes a branch config with its secrets: a config made again under the name starts empty', async () => {
    const { standIn, client } = await start();
    await client.createConfig(standIn.project, 'ci', 'ci_twin-pr-7');
    await client.setSecrets(standIn.project, 'ci_twin-pr-7', { TWIN_STATE: '{"slot":7}' });
    const deleted = await client.deleteConfig(standIn.project, 'ci_twin-pr-7');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true });
    expect(standIn.configs()).toEqual(['ci', 'prd']);
    const gone = await client.listSecrets(standIn.project, 'ci_twin-pr-7');
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(errorBody("Could not find requested config 'ci_twin-pr-7'"));

    await client.createConfig(standIn.project, 'ci', 'ci_twin-pr-7');
    expect((await client.listSecrets(standIn.project, 'ci_twin-pr-7')).body).toEqual({ secrets: {} });
    expect((await client.deleteConfig(standIn.project, 'ci_nope')).status).toBe(404);
  });

  it('keeps root configs: deleting one is refused', async () => {
    const { standIn, client } = await start();
    const refused = await client.deleteConfig(standIn.project, 'ci');
    expect(refused.status).toBe(400);
    expect(standIn.configs()).toEqual(['ci', 'prd']);
  });

  it('shows a branch config its root config secrets, overridden by its own', async () => {
    const { standIn, client } = await start();
    await client.setSecrets(standIn.project, 'ci', { SHARED: 'root', OVERRIDDEN: 'root' });
    await client.createConfig(standIn.project, 'ci', 'ci_b');
    await client.setSecrets(standIn.project, 'ci_b', { OVERRIDDEN: 'branch' });
    const branch = await client.listSecrets(standIn.project, 'ci_b');
    expect(branch.body.secrets.SHARED.raw).toBe('root');
    expect(branch.body.secrets.OVERRIDDEN.raw).toBe('branch');
    expect((await client.listSecrets(standIn.project, 'ci')).body.secrets.OVERRIDDEN.raw).toBe('root');
    const inherited = await client.call('DELETE', '/v3/configs/config/secret', {
      query: { project: standIn.project, config: 'ci_b', name: 'SHARED' },
    });
    expect(inherited.status).toBe(400);
  });
});

describe('Doppler stand-in: configs-list', () => {
  const list = (client: Started['client'], query: Record<string, string>) =>
    client.call('GET', '/v3/configs', { query });

  it('lists the configs of a project, of one environment when asked, a page at a time (20 by default)', async () => {
    const { standIn, client } = await start();
    for (let i = 1; i <= 22; i++) await client.createConfig(standIn.project, 'ci', `ci_twin-pr-${i}`);
    const all = await list(client, { project: standIn.project });
    expect(all.status).toBe(200);
    expect(all.body.page).toBe(1);
    expect(all.body.configs).toHaveLength(20);
    expect(all.body.configs[0]).toMatchObject({ name: 'ci', root: true, environment: 'ci' });
    const names = async (query: Record<string, string>) =>
      ((await list(client, { project: standIn.project, ...query })).body.configs as { name: string }[]).map(
        (config) => config.name,
      );
    expect(await names({ environment: 'prd' })).toEqual(['prd']);
    const ci = [...(await names({ environment: 'ci', per_page: '10' }))];
    ci.push(...(await names({ environment: 'ci', per_page: '10', page: '2' })));
    ci.push(...(await names({ environment: 'ci', per_page: '10', page: '3' })));
    expect(ci).toHaveLength(23);
    expect(new Set(ci).size).toBe(23);
    expect(await names({ environment: 'ci', per_page: '10', page: '4' })).toEqual([]);
  });

  it('refuses a service token (403), an unknown environment or project (404), and page 0 (400)', async () => {
    const { standIn, client } = await start();
    const token = client.as(standIn.serviceToken('ci', 'read/write'));
    expect((await list(token, { project: standIn.project })).body).toEqual(
      errorBody('A service token cannot list configs: use a service account token'),
    );
    expect((await list(client, { project: standIn.project, environment: 'stg' })).status).toBe(404);
    expect((await list(client, { project: 'nope' })).status).toBe(404);
    expect((await list(client, { project: standIn.project, page: '0' })).status).toBe(400);
    expect((await list(client, { project: standIn.project, page: 'x' })).status).toBe(400);
  });
});

describe('Doppler stand-in: projects', () => {
  it('creates a project with the default dev, stg and prd configs, reads it and deletes it', async () => {
    const { standIn, client } = await start();
    const created = await client.call('POST', '/v3/projects', {
      body: { name: 'scratch', description: 'tmp' },
    });
    expect(created.status).toBe(200);
    expect(created.body.project).toMatchObject({ name: 'scratch', description: 'tmp' });
    for (const config of ['dev', 'stg', 'prd']) {
      expect((await client.listSecrets('scratch', config)).status).toBe(200);
    }
    const read = await client.call('GET', '/v3/projects/project', { query: { project: 'scratch' } });
    expect(read.body).toEqual(created.body);
    const deleted = await client.call('DELETE', '/v3/projects/project', { body: { project: 'scratch' } });
    expect(deleted.body).toEqual({ success: true });
    expect((await client.call('GET', '/v3/projects/project', { query: { project: 'scratch' } })).status).toBe(
      404,
    );
    expect(standIn.configs()).toEqual(['ci', 'prd']);
  });
});
