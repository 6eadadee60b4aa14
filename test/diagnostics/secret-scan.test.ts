import { describe, expect, it } from 'vitest';
import { scanForSecrets, secretMaterial, withEncodings } from '../../src/diagnostics/secret-scan.js';

/** What counts as a twin's secret material, and finding it raw or base64-encoded at any offset. */
const KEY_BODY = 'MC4CAQAwBQYDK2VwBCIEIAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh';
const TALOS_SECRETS = `cluster:
  id: 0123456789abcdef0123456789abcdef
  secret: s3cr3t-cluster-secret-value-123
trustdinfo:
  token: abcdef.0123456789abcdef
certs:
  os:
    crt: LS0tLS1CRUdJTi1QVUJMSUMtQ0VSVElGSUNBVEUtLS0tLQ
    key: ${Buffer.from(`-----BEGIN ED25519 PRIVATE KEY-----\n${KEY_BODY}\n-----END ED25519 PRIVATE KEY-----\n`).toString('base64')}
`;

describe('secretMaterial', () => {
  it('takes secret-named fields and the lines of private keys inside them, never certificates or short values', () => {
    const found = secretMaterial([TALOS_SECRETS, '{"keyPem": "short"}']);
    expect(found).toContain('s3cr3t-cluster-secret-value-123');
    expect(found).toContain('abcdef.0123456789abcdef');
    expect(found).toContain(KEY_BODY);
    expect([...found].some((value) => value.startsWith('LS0tLS1CRUdJTi1QVUJMSUMt'))).toBe(false);
    expect(found).not.toContain('short');
  });

  it('reads nothing from text that is no YAML or JSON, except PEM private keys', () => {
    const pem = `noise\n-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----\n`;
    expect([...secretMaterial(['{ not: [yaml', pem])]).toEqual([KEY_BODY]);
  });
});

describe('scanForSecrets with withEncodings', () => {
  it('finds a secret as it is and base64-encoded at each byte offset, naming the source', () => {
    const needles = withEncodings(['s3cr3t-cluster-secret-value-123']);
    for (const prefix of ['', 'a', 'ab']) {
      const encoded = Buffer.from(`${prefix}s3cr3t-cluster-secret-value-123 and more`).toString('base64');
      const hits = scanForSecrets({ 'east/events.txt': `x ${encoded} y` }, needles);
      expect(hits.length).toBeGreaterThan(0);
      for (const hit of hits) expect(hit).toMatch(/^east\/events\.txt: \S{8}…$/);
    }
    expect(scanForSecrets({ clean: 'nothing secret here' }, needles)).toEqual([]);
  });
});
