import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  CHUNK_BYTES,
  DopplerStateStore,
  StateConflictError,
  type DopplerSettings,
} from '../../src/state/doppler.js';
import type { StateKey } from '../../src/state/store.js';
import { FakeDoppler, type SeenRequest } from './doppler-fake.js';

const TOKEN = 'dp.sa.TOKEN-7f3c9a1be24d48c0a9e1f00d';
const PROJECT = 'twins';
const TWIN_CONFIG = 'ci_twin-pr-7';
const KUBECONFIG: StateKey = { twin: 'pr-7', cluster: 'east', name: 'kubeconfig' };
const KUBECONFIG_SECRET = 'CLUSTER__MVQXG5A__NN2WEZLDN5XGM2LH';
const SECRET_VALUE = 'client-key-data: c2VjcmV0LWtleS1ieXRlcy00Mg==\n';

let base: string;
let fake: FakeDoppler;
let caches = 0;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'twin-doppler-'));
  fake = await FakeDoppler.start({ dir: base, project: PROJECT, token: TOKEN, environments: ['ci'] });
});
afterEach(async () => {
  await fake.close();
  await rm(base, { recursive: true, force: true });
});

/** A store as one runner would have it: its own cache folder and memory. */
function runner(overrides: Partial<DopplerSettings> = {}): DopplerStateStore {
  return new DopplerStateStore({
    apiUrl: fake.apiUrl,
    token: TOKEN,
    project: PROJECT,
    environment: 'ci',
    caFile: fake.caFile,
    cacheDir: join(base, `cache-${++caches}`),
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 4, rateLimitBudgetMs: 12 },
    ...overrides,
  });
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const requestsTo = (method: string, path: string) =>
  fake.requests.filter((req) => req.method === method && req.path === path);
const updates = () => requestsTo('POST', '/v3/configs/config/secrets');

/** The error a promise rejects with, checked for leaks of the token and of any given content. */
async function failureOf(pending: Promise<unknown>, ...contents: string[]): Promise<Error> {
  const error = await pending.then(
    () => undefined,
    (err: unknown) => err as Error,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  for (const text of [
    error.message,
    String(error.stack),
    String((error.cause as Error | undefined)?.message),
  ]) {
    expect(text).not.toContain(TOKEN);
    for (const content of contents) expect(text).not.toContain(content.trim());
  }
  return error;
}

describe('DopplerStateStore keeps the StateStore contract', () => {
  it('write stores in Doppler and returns a 0600 mirror in 0700 folders holding exactly the content', async () => {
    const store = runner();
    const previous = process.umask(0o000);
    let path: string;
    try {
      path = await store.write(KUBECONFIG, SECRET_VALUE);
    } finally {
      process.umask(previous);
    }
    expect(path).toBe(store.pathOf(KUBECONFIG));
    expect(await readFile(path, 'utf8')).toBe(SECRET_VALUE);
    expect(await mode(path)).toBe(0o600);
    expect(await mode(dirname(path))).toBe(0o700);
    expect(await mode(dirname(dirname(path)))).toBe(0o700);
    expect(fake.secretsOf(TWIN_CONFIG)?.get(KUBECONFIG_SECRET)).toBe(SECRET_VALUE);
    expect(await runner().read(KUBECONFIG)).toBe(SECRET_VALUE); // durable: another runner sees it
  });

  it('round-trips opaque UTF-8 text exactly, ${...} included, because raw values are read', async () => {
    const contents = [
      '',
      'line 1\nline 2\n',
      'ünïcødé ✓ 😀',
      'url: https://${USER}@host:${PORT}/x',
      '  padded  ',
    ];
    const writer = runner();
    for (const [i, content] of contents.entries())
      await writer.write({ twin: 'pr-7', name: `v${i}` }, content);
    fake.secretsOf(TWIN_CONFIG)!.set('USER', 'expanded'); // would change the computed value
    const reader = runner();
    for (const [i, content] of contents.entries())
      expect(await reader.read({ twin: 'pr-7', name: `v${i}` })).toBe(content);
  });

  it('read resolves undefined for absence, with or without the twin config, and drops a stale mirror', async () => {
    const store = runner();
    expect(await store.read({ twin: 'pr-99', name: 'twin.json' })).toBeUndefined();
    await store.write({ twin: 'pr-7', name: 'twin.json' }, '{}');
    const stale = store.pathOf(KUBECONFIG);
    await mkdir(dirname(stale), { recursive: true });
    await writeFile(stale, 'old');
    expect(await store.read(KUBECONFIG)).toBeUndefined();
    await expect(stat(stale)).rejects.toThrow(/ENOENT/);
  });

  it('read leaves the local copy at pathOf', async () => {
    await runner().write(KUBECONFIG, SECRET_VALUE);
    const reader = runner();
    expect(await reader.read(KUBECONFIG)).toBe(SECRET_VALUE);
    expect(await readFile(reader.pathOf(KUBECONFIG), 'utf8')).toBe(SECRET_VALUE);
    expect(await mode(reader.pathOf(KUBECONFIG))).toBe(0o600);
  });

  it('pathOf is pure: the same path before and after a write, no file, no request', async () => {
    const store = runner();
    const before = store.pathOf(KUBECONFIG);
    expect(store.pathOf({ ...KUBECONFIG })).toBe(before);
    expect(await readdir(base)).toEqual(['doppler-ca.pem']);
    expect(fake.requests).toEqual([]);
    expect(await store.write(KUBECONFIG, 'k')).toBe(before);
  });

  it('remove and removeTwin succeed when there is nothing to remove', async () => {
    const store = runner();
    await store.remove(KUBECONFIG); // no config at all
    await store.removeTwin('pr-7');
    await store.write({ twin: 'pr-7', name: 'twin.json' }, '{}');
    await store.remove(KUBECONFIG); // config, no such item
    await store.remove(KUBECONFIG);
    await store.removeTwin('pr-7');
    await store.removeTwin('pr-7');
  });

  it('remove deletes the item in Doppler, its parts and its mirror', async () => {
    const store = runner();
    const path = await store.write(KUBECONFIG, 'k'.repeat(CHUNK_BYTES * 2));
    await store.write({ twin: 'pr-7', name: 'twin.json' }, '{}');
    await store.remove(KUBECONFIG);
    expect([...fake.secretsOf(TWIN_CONFIG)!.keys()]).toEqual(['TWIN__OR3WS3RONJZW63Q']);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect(await runner().read(KUBECONFIG)).toBeUndefined();
  });

  it("list gives one twin's keys in a stable order, leaving out parts, managed and foreign secrets", async () => {
    const store = runner();
    await store.write({ twin: 'pr-7', cluster: 'west', name: 'kubeconfig' }, 'w');
    await store.write({ twin: 'pr-7', cluster: 'east', name: 'talosconfig' }, 't'.repeat(CHUNK_BYTES * 3));
    await store.write(KUBECONFIG, 'k');
    await store.write({ twin: 'pr-7', name: 'mesh-ca.json' }, '{}');
    await store.write({ twin: 'pr-8', name: 'twin.json' }, '{}');
    fake.secretsOf(TWIN_CONFIG)!.set('API_KEY', 'someone else put this here');
    const expected = [
      { twin: 'pr-7', name: 'mesh-ca.json' },
      { twin: 'pr-7', cluster: 'east', name: 'kubeconfig' },
      { twin: 'pr-7', cluster: 'east', name: 'talosconfig' },
      { twin: 'pr-7', cluster: 'west', name: 'kubeconfig' },
    ];
    expect(await store.list('pr-7')).toEqual(expected);
    expect(await runner().list('pr-7')).toEqual(expected);
    expect(await store.list('pr-99')).toEqual([]);
  });

  it.each<[string, StateKey, RegExp]>([
    ['a parent reference as name', { twin: 'pr-7', name: '..' }, /state item name "\.\." cannot be used/],
    ['a path as name', { twin: 'pr-7', name: 'east/kubeconfig' }, /state item name "east\/kubeconfig"/],
    ['an empty name', { twin: 'pr-7', name: '' }, /state item name ""/],
    ['a traversing cluster', { twin: 'pr-7', cluster: '..', name: 'k' }, /cluster name "\.\."/],
    [
      'a traversing twin',
      { twin: '../etc', name: 'passwd' },
      /twin name "\.\.\/etc" is not a valid twin name/,
    ],
    ['an upper-case twin', { twin: 'PR-7', name: 'k' }, /twin name "PR-7" is not a valid twin name/],
    ['an underscore twin', { twin: 'pr_7', name: 'k' }, /twin name "pr_7" is not a valid twin name/],
  ])('refuses %s, naming the field, before any request', async (_what, key, message) => {
    const store = runner();
    expect(() => store.pathOf(key)).toThrow(message);
    await expect(store.write(key, 'x')).rejects.toThrow(ConfigurationError);
    await expect(store.read(key)).rejects.toThrow(message);
    await expect(store.remove(key)).rejects.toThrow(message);
    expect(fake.requests).toEqual([]);
    expect(await readdir(base)).toEqual(['doppler-ca.pem']);
  });

  it('list and removeTwin refuse a twin name that makes no valid config name', async () => {
    await expect(runner().list('Pr 7')).rejects.toThrow('twin name "Pr 7" is not a valid twin name');
    await expect(runner().removeTwin('../ci')).rejects.toThrow('twin name "../ci" is not a valid twin name');
    expect(fake.requests).toEqual([]);
  });
});

describe('DopplerStateStore configs', () => {
  it('creates the branch config <environment>_twin-<twin> on the first write, once', async () => {
    const store = runner();
    await store.write(KUBECONFIG, 'a');
    await store.write({ twin: 'pr-7', name: 'twin.json' }, 'b');
    expect(fake.configs.get(TWIN_CONFIG)?.environment).toBe('ci');
    expect(requestsTo('POST', '/v3/configs')).toHaveLength(1);
  });

  it('tolerates a config another runner already made', async () => {
    await runner().write(KUBECONFIG, 'a');
    await runner().write({ twin: 'pr-7', name: 'twin.json' }, 'b');
    expect(await runner().list('pr-7')).toHaveLength(2);
  });

  it('removeTwin deletes the config and the mirrors, and leaves other twins and the root config alone', async () => {
    const store = runner();
    const path = await store.write(KUBECONFIG, SECRET_VALUE);
    await store.write({ twin: 'pr-8', name: 'twin.json' }, '{}');
    await store.removeTwin('pr-7');
    expect([...fake.configs.keys()].sort()).toEqual(['ci', 'ci_twin-pr-8']);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect(await store.list('pr-7')).toEqual([]);
    expect(await store.read(KUBECONFIG)).toBeUndefined();
    await store.write(KUBECONFIG, 'again'); // the config comes back with the next write
    expect(await runner().read(KUBECONFIG)).toBe('again');
  });

  it('describes where state lives without the token', () => {
    const words = runner().describe();
    expect(words).toBe(`Doppler project twins, configs ci_twin-<twin> at ${fake.apiUrl}`);
    expect(words).not.toContain(TOKEN);
  });

  it('refuses settings it cannot work with, naming the setting', () => {
    expect(() => runner({ apiUrl: fake.apiUrl.replace('https:', 'http:') })).toThrow(/must use https:\/\//);
    expect(() => runner({ environment: 'CI' })).toThrow(/Doppler environment "CI" must match/);
    expect(() => runner({ project: '' })).toThrow(/Doppler project "" must match/);
    expect(() =>
      runner({ retry: { attempts: 50, baseDelayMs: 1, maxDelayMs: 1, rateLimitBudgetMs: 0 } }),
    ).toThrow(/from 1 to 10/);
    expect(() =>
      runner({ retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, rateLimitBudgetMs: 3_600_000 } }),
    ).toThrow(/rateLimitBudgetMs must be from 0 to 600000 ms/);
  });

  it('refuses a server its CA does not vouch for, before sending the token', async () => {
    const error = await failureOf(runner({ caFile: undefined }).read(KUBECONFIG));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/not trusted .*caFile/);
    expect(fake.requests).toEqual([]);
  });
});

describe('DopplerStateStore chunking', () => {
  it('round-trips a 200 KiB value through parts no larger than the chunk size', async () => {
    const line = 'certificate-authority-data: ünï€😀 ${NOT_A_REF}\n';
    const content = line.repeat(Math.ceil((200 * 1024) / Buffer.byteLength(line))).slice(0, 200 * 1024);
    const path = await runner().write(KUBECONFIG, content);
    const stored = fake.secretsOf(TWIN_CONFIG)!;
    expect(stored.size).toBeGreaterThanOrEqual(1 + Math.ceil(Buffer.byteLength(content) / CHUNK_BYTES));
    for (const value of stored.values()) expect(Buffer.byteLength(value)).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(stored.get(KUBECONFIG_SECRET)).toMatch(/^#aggrik8s-twin chunked v1 parts=\d+ bytes=\d+ sha256=/);
    expect(await readFile(path, 'utf8')).toBe(content);
    const reader = runner();
    expect(await reader.read(KUBECONFIG)).toBe(content);
    expect(await readFile(reader.pathOf(KUBECONFIG), 'utf8')).toBe(content);
  });

  it('drops parts a shorter value no longer needs, in the same batch', async () => {
    const store = runner();
    await store.write(KUBECONFIG, 'a'.repeat(CHUNK_BYTES * 4));
    expect(fake.secretsOf(TWIN_CONFIG)!.size).toBe(5);
    await store.write(KUBECONFIG, 'b'.repeat(CHUNK_BYTES * 2));
    expect(fake.secretsOf(TWIN_CONFIG)!.size).toBe(3);
    await store.write(KUBECONFIG, 'small');
    expect([...fake.secretsOf(TWIN_CONFIG)!]).toEqual([[KUBECONFIG_SECRET, 'small']]);
    expect(updates()).toHaveLength(3);
  });

  it('refuses parts that do not match their manifest, without showing the content', async () => {
    const content = 'z'.repeat(CHUNK_BYTES * 2);
    await runner().write(KUBECONFIG, content);
    fake.secretsOf(TWIN_CONFIG)!.set(`${KUBECONFIG_SECRET}__PART_2`, 'y'.repeat(CHUNK_BYTES));
    const error = await failureOf(runner().read(KUBECONFIG), content.slice(0, 64), 'y'.repeat(64));
    expect(error.message).toMatch(
      /twin pr-7: state item east\/kubeconfig in Doppler config ci_twin-pr-7 is damaged: its 2 parts do not match/,
    );
  });
});

describe('DopplerStateStore writes are compare-and-set', () => {
  it('refuses the write of a runner whose last read is stale, naming twin and item but no value', async () => {
    await runner().write(KUBECONFIG, 'v0-original-content');
    const first = runner();
    const second = runner();
    expect(await first.read(KUBECONFIG)).toBe('v0-original-content');
    expect(await second.read(KUBECONFIG)).toBe('v0-original-content');
    await first.write(KUBECONFIG, 'v1-first-runner-content');
    const before = updates().length;
    const error = await failureOf(
      second.write(KUBECONFIG, 'v2-second-runner-content'),
      'v0-original-content',
      'v1-first-runner-content',
      'v2-second-runner-content',
    );
    expect(error).toBeInstanceOf(StateConflictError);
    expect(error.message).toMatch(
      /^twin pr-7: state item east\/kubeconfig in Doppler config ci_twin-pr-7 was changed/,
    );
    expect(error.message).toContain('another runner wrote it first');
    expect(updates().length - before).toBe(1); // refused once, not retried
    expect(fake.secretsOf(TWIN_CONFIG)?.get(KUBECONFIG_SECRET)).toBe('v1-first-runner-content');
    await expect(second.write(KUBECONFIG, 'v2-second-runner-content')).rejects.toThrow(StateConflictError);
    expect(await second.read(KUBECONFIG)).toBe('v1-first-runner-content'); // reading acknowledges it
    await second.write(KUBECONFIG, 'v2-second-runner-content');
    expect(fake.secretsOf(TWIN_CONFIG)?.get(KUBECONFIG_SECRET)).toBe('v2-second-runner-content');
  });

  it('refuses to create an item another runner created after this one saw it absent', async () => {
    const first = runner();
    const second = runner();
    expect(await first.read(KUBECONFIG)).toBeUndefined();
    expect(await second.read(KUBECONFIG)).toBeUndefined();
    await first.write(KUBECONFIG, 'secrets-from-first');
    await expect(second.write(KUBECONFIG, 'secrets-from-second')).rejects.toThrow(StateConflictError);
    expect(fake.secretsOf(TWIN_CONFIG)?.get(KUBECONFIG_SECRET)).toBe('secrets-from-first');
  });

  it('guards a chunked item by its manifest', async () => {
    const big = (c: string) => c.repeat(CHUNK_BYTES * 2);
    await runner().write(KUBECONFIG, big('a'));
    const [first, second] = [runner(), runner()];
    await first.read(KUBECONFIG);
    await second.read(KUBECONFIG);
    await first.write(KUBECONFIG, big('b'));
    await expect(second.write(KUBECONFIG, big('c'))).rejects.toThrow(StateConflictError);
    expect(await runner().read(KUBECONFIG)).toBe(big('b'));
  });

  it('lets a fresh runner overwrite an item it never read, conditional on what it finds', async () => {
    await runner().write({ twin: 'pr-7', name: 'twin.json' }, '{"run":1}');
    await runner().write({ twin: 'pr-7', name: 'twin.json' }, '{"run":2}');
    const body = JSON.parse(updates().at(-1)!.body) as { change_requests: Array<Record<string, unknown>> };
    expect(body.change_requests).toEqual([
      {
        name: 'TWIN__OR3WS3RONJZW63Q',
        originalName: 'TWIN__OR3WS3RONJZW63Q',
        value: '{"run":2}',
        originalValue: '{"run":1}',
      },
    ]);
    expect(await runner().read({ twin: 'pr-7', name: 'twin.json' })).toBe('{"run":2}');
  });

  it('does not take its own write, applied but answered with a 502 and retried, for a conflict', async () => {
    const store = runner();
    await store.write(KUBECONFIG, 'before');
    let lost = 0;
    fake.interceptor = (req) =>
      req.method === 'POST' && req.path === '/v3/configs/config/secrets' && lost++ === 0
        ? { status: 502, messages: ['Bad Gateway'], applyFirst: true }
        : undefined;
    await store.write(KUBECONFIG, 'after');
    expect(fake.secretsOf(TWIN_CONFIG)?.get(KUBECONFIG_SECRET)).toBe('after');
    await store.write(KUBECONFIG, 'after that'); // and it remembers 'after' as the stored value
  });
});

describe('DopplerStateStore retries and errors', () => {
  const rateLimited = (times: number) => {
    let seen = 0;
    return (req: SeenRequest) =>
      req.path === '/v3/configs/config/secrets' && seen++ < times
        ? { status: 429, messages: ['Too many requests. Please slow down.'] }
        : undefined;
  };

  it('survives a storm of three 429s within its bounded attempts', async () => {
    const store = runner();
    await store.write(KUBECONFIG, SECRET_VALUE);
    fake.interceptor = rateLimited(3);
    expect(await store.read(KUBECONFIG)).toBe(SECRET_VALUE);
    expect(requestsTo('GET', '/v3/configs/config/secrets').length).toBe(1 + 4);
  });

  it('gives up on a permanent 429 once its wait budget is spent, naming the endpoint and Doppler message', async () => {
    fake.interceptor = rateLimited(Infinity);
    const error = await failureOf(runner().read(KUBECONFIG));
    expect(error.message).toMatch(
      new RegExp(
        '^Doppler GET /v3/configs/config/secrets \\(config ci_twin-pr-7\\) answered 429: Too many requests\\. ' +
          `Please slow down\\.; still rate limited after ${fake.requests.length} attempts over 0 s$`,
      ),
    );
    // Equal jitter waits 1-2, 2-4, then 2-4 ms: the 12 ms budget allows four to six tries, never fewer.
    expect(fake.requests.length).toBeGreaterThanOrEqual(4);
    expect(fake.requests.length).toBeLessThanOrEqual(7);
  });

  it('retries a connection that drops without an answer', async () => {
    await runner().write(KUBECONFIG, SECRET_VALUE);
    let drops = 2;
    fake.interceptor = (req) => (req.method === 'GET' && drops-- > 0 ? 'reset' : undefined);
    const before = fake.requests.length;
    expect(await runner().read(KUBECONFIG)).toBe(SECRET_VALUE);
    expect(fake.requests.length - before).toBe(3);
    fake.interceptor = () => 'reset';
    const error = await failureOf(runner().read(KUBECONFIG));
    expect(error.message).toMatch(
      /^Doppler GET \/v3\/configs\/config\/secrets \(config ci_twin-pr-7\) failed: .*; gave up after 4 attempts$/,
    );
  });

  it('retries 5xx but not other 4xx', async () => {
    let fails = 2;
    fake.interceptor = (req) =>
      req.method === 'POST' && req.path === '/v3/configs' && fails-- > 0
        ? { status: 503, messages: ['Service Unavailable'] }
        : undefined;
    const store = runner();
    await store.write(KUBECONFIG, 'x');
    expect(requestsTo('POST', '/v3/configs')).toHaveLength(3);
    fake.interceptor = (req) =>
      req.method === 'POST' ? { status: 400, messages: ['Secret value is not valid'] } : undefined;
    const error = await failureOf(store.write(KUBECONFIG, 'y'));
    expect(error.message).toMatch(
      /^Doppler POST \/v3\/configs\/config\/secrets \(config ci_twin-pr-7\) answered 400: Secret value is not valid$/,
    );
    expect(updates()).toHaveLength(2);
  });

  it.each([
    [
      '401',
      () => runner({ token: 'dp.sa.not-the-right-token-123' }),
      /answered 401: Invalid Auth token - check the Doppler token/,
    ],
    [
      '403',
      () => (
        fake.forbiddenTokens.add('dp.sa.other-project-token-456'),
        runner({ token: 'dp.sa.other-project-token-456' })
      ),
      /answered 403: You do not have access to this project - the token lacks access/,
    ],
  ])("surfaces Doppler's message on %s, once, without the token", async (_status, make, message) => {
    const store = make();
    const error = await failureOf(
      store.write(KUBECONFIG, SECRET_VALUE),
      SECRET_VALUE,
      'dp.sa.not-the-right-token-123',
      'dp.sa.other-project-token-456',
    );
    expect(error.message).toMatch(message);
    expect(fake.requests).toHaveLength(1);
  });

  it('blanks the token and sent values out of Doppler messages that echo them', async () => {
    fake.interceptor = (req) =>
      req.method === 'POST' && req.path === '/v3/configs/config/secrets'
        ? {
            status: 400,
            messages: [`Invalid value "${SECRET_VALUE.trim()}" for token ${TOKEN}\nsecond line`],
          }
        : undefined;
    const error = await failureOf(runner().write(KUBECONFIG, SECRET_VALUE), SECRET_VALUE);
    expect(error.message).toContain(
      'answered 400: Invalid value "[redacted]" for token [redacted] second line',
    );
  });

  it('sends the token only in the Authorization header', async () => {
    const store = runner();
    await store.write(KUBECONFIG, SECRET_VALUE);
    await store.read(KUBECONFIG);
    await store.list('pr-7');
    await store.removeTwin('pr-7');
    expect(fake.requests.length).toBeGreaterThan(4);
    for (const req of fake.requests) {
      expect(req.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.url + req.body).not.toContain(TOKEN);
    }
  });
});
