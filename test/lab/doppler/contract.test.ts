import { describe, expect, it } from 'vitest';
import type { DopplerExchange } from '../../../src/lab/doppler/contract.js';
import { DopplerContract } from '../../../src/lab/doppler/contract.js';
import { HANDLERS } from '../../../src/lab/doppler/handlers.js';

const contract = DopplerContract.load();

function exchange(overrides: Partial<DopplerExchange>): DopplerExchange {
  return {
    method: 'GET',
    path: '/v3/configs/config/secrets',
    query: { project: 'p', config: 'ci' },
    body: undefined,
    status: 200,
    response: {
      secrets: {
        A: { raw: 'x', computed: 'x', note: '', rawVisibility: 'masked', computedVisibility: 'masked' },
      },
    },
    ...overrides,
  };
}

describe('Doppler contract (contracts/doppler-api-subset.json and -extra.json)', () => {
  it('holds exactly the thirteen operations, and the stand-in serves each', () => {
    const ids = contract
      .operations()
      .map((op) => op.operationId)
      .sort();
    expect(ids).toEqual([
      'configs-create',
      'configs-delete',
      'configs-get',
      'configs-list',
      'projects-create',
      'projects-delete',
      'projects-get',
      'secrets-delete',
      'secrets-download',
      'secrets-get',
      'secrets-list',
      'secrets-names',
      'secrets-update',
    ]);
    expect(Object.keys(HANDLERS).sort()).toEqual(ids);
  });

  it('accepts an exchange that keeps to it', () => {
    expect(contract.check(exchange({}))).toEqual([]);
  });

  it('finds a missing required parameter, a mistyped one, an enum miss and an undeclared one', () => {
    expect(contract.check(exchange({ query: { project: 'p' } }))).toEqual([
      'secrets-list: query parameter config is required',
    ]);
    expect(
      contract.check(exchange({ query: { project: 'p', config: 'ci', include_managed_secrets: '1' } })),
    ).toEqual(['secrets-list: query parameter include_managed_secrets=1: not a boolean']);
    const download = { path: '/v3/configs/config/secrets/download', response: {} };
    expect(contract.check(exchange({ ...download, query: { format: 'xml' } }))).toEqual([
      'secrets-download: query parameter format=xml: not one of json, dotnet-json, env, yaml, docker, env-no-quotes',
    ]);
    expect(contract.check(exchange({ query: { project: 'p', config: 'ci', confg: 'x' } }))).toEqual([
      'secrets-list: query parameter confg is not a parameter of the operation',
    ]);
  });

  it('checks request bodies by the schema, with the nulls the descriptions allow', () => {
    const update = (body: unknown) =>
      contract.check({
        method: 'POST',
        path: '/v3/configs/config/secrets',
        query: {},
        body,
        status: 200,
        response: { secrets: {} },
      });
    expect(
      update({
        project: 'p',
        config: 'ci',
        change_requests: [{ name: 'A', originalName: null, value: null }],
      }),
    ).toEqual([]);
    expect(update({ project: 'p', config: 'ci', change_requests: [{ name: 'A', value: 'x' }] })).toEqual([]);
    expect(update({ project: 'p', change_requests: [{ name: 'A', value: 1 }] })).toEqual([
      "secrets-update: request body must have required property 'config'",
      'secrets-update: request body/change_requests/0/value must be string,null',
    ]);
    expect(update(undefined)).toEqual(['secrets-update: the request body is missing']);
  });

  it('checks 2xx bodies by the schema and the documented status, and errors by Doppler shape', () => {
    expect(contract.check(exchange({ response: { secrets: { STRIPE: { raw: 1 } } } }))).toEqual([
      'secrets-list: response 200/secrets/STRIPE/raw must be string',
    ]);
    expect(contract.check(exchange({ status: 201 }))).toEqual([
      'secrets-list: status 201 is not a documented response',
    ]);
    const remove = {
      method: 'DELETE',
      path: '/v3/configs/config/secret',
      query: { project: 'p', config: 'ci', name: 'A' },
    };
    expect(contract.check(exchange({ ...remove, status: 204, response: undefined }))).toEqual([]);
    expect(contract.check(exchange({ ...remove, status: 204, response: {} }))).toEqual([
      'secrets-delete: a 204 answer must have no body',
    ]);
    expect(contract.check(exchange({ status: 403, response: { messages: ['no'], success: false } }))).toEqual(
      [],
    );
    expect(contract.check(exchange({ status: 403, response: { message: 'no' } }))).toEqual([
      'secrets-list: error 403: body is not {messages, success:false}',
    ]);
    expect(contract.check(exchange({ path: '/v3/nope', status: 200 }))).toEqual([
      'GET /v3/nope: not an operation of the contract',
    ]);
  });
});
