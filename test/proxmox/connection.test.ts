import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import {
  normalizeFingerprint,
  parsePveConnection,
  type RawPveConnection,
} from '../../src/proxmox/connection.js';
import {
  createCertificateAuthority,
  sha256Fingerprint,
  type CertificateAndKey,
} from '../../src/util/x509.js';

const SECRET = '0b7e6c52-41a4-4c8e-9a3d-6f2d1c0e9b11';
const TOKEN = `ci@pve!gha=${SECRET}`;
const PIN = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

let ca: CertificateAndKey;
let dir: string;
let caFile: string;
beforeAll(async () => {
  ca = await createCertificateAuthority('PVE Cluster CA', 1);
  dir = mkdtempSync(join(tmpdir(), 'pve-connection-'));
  caFile = join(dir, 'pve-root-ca.pem');
  writeFileSync(caFile, ca.certPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configurationError(raw: RawPveConnection): ConfigurationError {
  try {
    parsePveConnection(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return err as ConfigurationError;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('parsePveConnection', () => {
  it('adds /api2/json to a bare https://host:port and splits the token', () => {
    const conn = parsePveConnection({
      endpoint: 'https://pve1.lab.example:8006',
      token: TOKEN,
      fingerprint: PIN,
    });
    expect(conn.endpoint.href).toBe('https://pve1.lab.example:8006/api2/json');
    expect(conn.tokenId).toBe('ci@pve!gha');
    expect(conn.tokenSecret).toBe(SECRET);
    expect(conn.tls).toEqual({ mode: 'fingerprint', sha256: PIN });
  });

  it('keeps a path that already ends in /api2/json, behind a reverse proxy too', () => {
    const conn = parsePveConnection({
      endpoint: 'https://proxy.example/pve/api2/json/',
      token: TOKEN,
      insecure: true,
    });
    expect(conn.endpoint.href).toBe('https://proxy.example/pve/api2/json');
  });

  it.each([
    [{ endpoint: undefined }, /^endpoint is missing/],
    [{ endpoint: 'pve1:8006' }, /^endpoint "pve1:8006" .*https/],
    [{ endpoint: 'http://pve1:8006' }, /^endpoint "http:\/\/pve1:8006\/" must use https:\/\//],
    [{ endpoint: 'https://pve1:8006/ui' }, /^endpoint .* has path "\/ui"/],
    [
      { endpoint: 'https://root:hunter2@pve1:8006' },
      /^endpoint "https:\/\/pve1:8006\/" must not carry credentials/,
    ],
  ])('names the endpoint field and the fix: %j', (raw, message) => {
    const err = configurationError({ token: TOKEN, insecure: true, ...raw });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('hunter2');
  });

  it.each([
    ['missing', undefined],
    ['no =', SECRET],
    ['secret before the id', `${SECRET}=ci@pve!gha`],
    ['no token id part', `ci@pve=${SECRET}`],
    ['no realm', `ci!gha=${SECRET}`],
    ['empty secret', 'ci@pve!gha='],
    ['space in secret', `ci@pve!gha=${SECRET.slice(0, 8)} ${SECRET.slice(9)}`],
  ])('refuses a token with %s, naming the field and shape but never the secret', (_why, token) => {
    const err = configurationError({ endpoint: 'https://pve1:8006', token, insecure: true });
    expect(err.message).toMatch(/^token/);
    expect(err.message).toContain('USER@REALM!TOKENID=SECRET');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(SECRET.slice(0, 8));
  });

  it('reads and checks a CA file', () => {
    const conn = parsePveConnection({ endpoint: 'https://pve1:8006', token: TOKEN, caFile });
    expect(conn.tls).toEqual({ mode: 'ca', caPem: ca.certPem });
  });

  it.each([
    [{}, /exactly one way .* none is set/],
    [{ caPem: 'x', fingerprint: PIN }, /caPem and fingerprint are all set/],
    [{ caFile: '/nonexistent/pve-root-ca.pem' }, /^caFile "\/nonexistent\/pve-root-ca.pem" cannot be read/],
    [
      { caFile: '/dev/zero' },
      /^caFile "\/dev\/zero" is a device; nothing was read or changed \(fix: name a regular file/,
    ],
    [{ caPem: 'just text' }, /^caPem holds no PEM certificate/],
    [
      { caPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      /^caPem is not a valid PEM certificate/,
    ],
    [{ fingerprint: 'AB:CD' }, /^fingerprint "AB:CD" is not a SHA-256 fingerprint/],
  ])('refuses TLS settings %j with the field named', (tls, message) => {
    const err = configurationError({ endpoint: 'https://pve1:8006', token: TOKEN, ...tls });
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(SECRET);
  });

  it('reads a caFile that is not PEM as a clear error', () => {
    const notPem = join(dir, 'ca.pem');
    writeFileSync(notPem, 'hello');
    expect(
      configurationError({ endpoint: 'https://pve1:8006', token: TOKEN, caFile: notPem }).message,
    ).toMatch(/^caFile .*ca\.pem holds no PEM certificate/);
  });

  it('treats insecure: false as not chosen', () => {
    expect(
      configurationError({ endpoint: 'https://pve1:8006', token: TOKEN, insecure: false }).message,
    ).toMatch(/none is set/);
  });
});

describe('normalizeFingerprint', () => {
  it('accepts any case, with or without colons, and returns the form Node and PVE show', () => {
    const real = sha256Fingerprint(ca.certPem);
    expect(normalizeFingerprint(real.toLowerCase())).toBe(real);
    expect(normalizeFingerprint(real.replaceAll(':', ''))).toBe(real);
    expect(normalizeFingerprint(` ${real} `)).toBe(real);
  });

  it.each(['', 'zz'.repeat(32), 'AB'.repeat(31), 'AB:'.repeat(32), 'ABC:DEF'])('refuses %j', (text) => {
    expect(() => normalizeFingerprint(text)).toThrow(ConfigurationError);
  });
});
