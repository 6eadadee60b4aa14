import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DopplerStateStore } from '../../src/state/doppler.js';
import { dopplerAccessFromEnv, openStateStore, parseStoreKind } from '../../src/state/open.js';
import { LocalStateStore } from '../../src/state/store.js';

describe('choosing the state store', () => {
  it('is local by default and refuses an unknown kind, naming the field and the choices', () => {
    expect(parseStoreKind(undefined, 'input state-store')).toBe('local');
    expect(parseStoreKind(' doppler ', 'input state-store')).toBe('doppler');
    expect(() => parseStoreKind('vault', '--state-store')).toThrow(
      '--state-store must be one of local, doppler, not "vault"',
    );
  });

  it('takes Doppler access from the environment, naming what is missing and never the token', () => {
    expect(() => dopplerAccessFromEnv({})).toThrow(
      /needs DOPPLER_TOKEN and DOPPLER_PROJECT in the environment/,
    );
    expect(() => dopplerAccessFromEnv({ DOPPLER_TOKEN: 'dp.sa.x' })).toThrow(/needs DOPPLER_PROJECT in/);
    const env: NodeJS.ProcessEnv = { DOPPLER_TOKEN: 'dp.sa.x', DOPPLER_PROJECT: 'twins' };
    expect(dopplerAccessFromEnv(env)).toEqual({
      token: 'dp.sa.x',
      project: 'twins',
      environment: 'ci',
      apiUrl: 'https://api.doppler.com',
    });
    expect(env).toEqual({ DOPPLER_PROJECT: 'twins' }); // the token left the environment children inherit
    const lab = {
      url: 'https://127.0.0.1:9',
      project: 'aggrik8s-twin',
      token: 'dp.sa.lab',
      caFile: '/lab/ca.pem',
    };
    expect(dopplerAccessFromEnv({ DOPPLER_ENVIRONMENT: 'prd' }, lab)).toEqual({
      token: 'dp.sa.lab',
      project: 'aggrik8s-twin',
      environment: 'prd',
      apiUrl: 'https://127.0.0.1:9',
      caFile: '/lab/ca.pem',
    });
  });

  it('opens the store of the kind asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'open-store-'));
    expect(openStateStore('local', dir)).toBeInstanceOf(LocalStateStore);
    const access = { token: 'dp.sa.x', project: 'twins', environment: 'ci' };
    const doppler = openStateStore('doppler', dir, access);
    expect(doppler).toBeInstanceOf(DopplerStateStore);
    expect(doppler.describe()).toBe(
      'Doppler project twins, configs ci_twin-<twin> at https://api.doppler.com',
    );
    expect(doppler.describe()).not.toContain('dp.sa.x');
  });
});
