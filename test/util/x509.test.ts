import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate, sha256Fingerprint } from '../../src/util/x509.js';

describe('x509', () => {
  it('issues a server certificate that verifies against its CA and serves TLS by IP', async () => {
    const ca = await createCertificateAuthority('Test CA', 1);
    const leaf = await issueCertificate(ca, {
      commonName: 'lab',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(leaf.certPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);

    const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, ca: ca.certPem }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    server.close();
    expect(body).toBe('ok');
  });

  it('gives the PVE-style SHA-256 fingerprint', async () => {
    const ca = await createCertificateAuthority('Test CA', 1);
    expect(sha256Fingerprint(ca.certPem)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const other = await createCertificateAuthority('Test CA', 1);
    expect(sha256Fingerprint(other.certPem)).not.toBe(sha256Fingerprint(ca.certPem));
  });
});
