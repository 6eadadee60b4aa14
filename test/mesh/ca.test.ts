import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { createMeshCa, ensureMeshCa, meshCaKey, parseMeshCa } from '../../src/mesh/ca.js';
import { LocalStateStore } from '../../src/state/store.js';
import { createCertificateAuthority, issueCertificate, type CertificateAndKey } from '../../src/util/x509.js';

let dir: string;
let store: LocalStateStore;
let meshCa: CertificateAndKey;

beforeAll(async () => {
  meshCa = await createMeshCa();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twin-mesh-ca-'));
  store = new LocalStateStore(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mesh CA', () => {
  it('is a ten-year CA named Cilium CA', () => {
    const cert = new X509Certificate(meshCa.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=Cilium CA');
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(10);
  });

  it('is created once per twin and then read back, so every cluster gets the same one', async () => {
    const first = await ensureMeshCa(store, 'pr-42');
    const again = await ensureMeshCa(store, 'pr-42');
    const otherTwin = await ensureMeshCa(store, 'pr-7');
    expect(again).toEqual(first);
    expect(otherTwin.certPem).not.toBe(first.certPem);
    expect(JSON.parse((await store.read(meshCaKey('pr-42'))) ?? '')).toEqual(first);
  });

  it('refuses a stored file it cannot trust, naming the file and never its content', async () => {
    const leaf = await issueCertificate(meshCa, { commonName: 'not-a-ca' });
    const stranger = await createCertificateAuthority('Cilium CA', 1);
    const source = '/state/pr-42/files/mesh-ca.json';
    const cases: [string, string, RegExp][] = [
      ['not json', `{"keyPem": "${meshCa.keyPem.slice(0, 40)}`, /is not JSON/],
      ['no key', JSON.stringify({ certPem: meshCa.certPem }), /lacks certPem or keyPem/],
      [
        'garbage certificate',
        JSON.stringify({ certPem: 'x', keyPem: meshCa.keyPem }),
        /holds no readable certificate/,
      ],
      ['a leaf certificate', JSON.stringify(leaf), /is not a CA certificate/],
      [
        'garbage key',
        JSON.stringify({ certPem: meshCa.certPem, keyPem: 'x' }),
        /holds no readable private key/,
      ],
      [
        "another CA's key",
        JSON.stringify({ certPem: meshCa.certPem, keyPem: stranger.keyPem }),
        /holds a key that does not belong/,
      ],
    ];
    for (const [, text, reason] of cases) {
      const read = () => parseMeshCa(text, source);
      expect(read).toThrow(ConfigurationError);
      expect(read).toThrow(reason);
      expect(read).toThrow(
        /^the mesh CA in \/state\/pr-42\/files\/mesh-ca.json .*: restore the file from a backup, or delete it/,
      );
      try {
        read();
      } catch (error) {
        expect((error as Error).message).not.toContain('PRIVATE KEY');
      }
    }
  });

  it('refuses an expired CA', async () => {
    const short = await createCertificateAuthority('Cilium CA', 1);
    const later = new Date(Date.now() + 2 * 86_400_000);
    expect(() => parseMeshCa(JSON.stringify(short), 'mesh-ca.json', later)).toThrow(/expired on/);
    await store.write(meshCaKey('pr-42'), JSON.stringify(short));
    await expect(ensureMeshCa(store, 'pr-42', later)).rejects.toThrow(ConfigurationError);
  });
});
