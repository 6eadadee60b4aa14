import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ConfigurationError } from '../errors.js';
import type { StateKey, StateStore } from '../state/store.js';
import type { CertificateAndKey } from '../util/x509.js';

/**
 * The twin's Cilium CA. Every cluster of a twin gets the same one as `tls.ca` (CONTRACTS C.2-C.3): each
 * cluster's clustermesh certificates are signed by it, so every peer trusts them and no secret is ever
 * copied between clusters. Two CAs in one twin means a mesh that never connects.
 */

export const MESH_CA_COMMON_NAME = 'Cilium CA';
/** Ten years: replacing the CA means reinstalling Cilium on every cluster of the twin. */
const MESH_CA_DAYS = 3650;

export function meshCaKey(twin: string): StateKey {
  return { twin, name: 'mesh-ca.json' };
}

/** The x509 library (and its dependency injection container) loads only when a CA is made: it is slow to load. */
export async function createMeshCa(): Promise<CertificateAndKey> {
  const { createCertificateAuthority } = await import('../util/x509.js');
  return createCertificateAuthority(MESH_CA_COMMON_NAME, MESH_CA_DAYS);
}

/**
 * What `twin render` puts in the Cilium values it writes: a CA made for that render alone, so the values work
 * as they stand with helm (the chart's buildCustomCert refuses a placeholder). Never a twin's CA, never stored;
 * its name and short life say so to anyone who finds it in a cluster.
 */
export const THROWAWAY_CA_COMMON_NAME = 'throw-away Cilium CA made by twin render - not a twin mesh CA';
export const THROWAWAY_CA_DAYS = 30;

export async function createThrowawayCa(): Promise<CertificateAndKey> {
  const { createCertificateAuthority } = await import('../util/x509.js');
  return createCertificateAuthority(THROWAWAY_CA_COMMON_NAME, THROWAWAY_CA_DAYS);
}

/**
 * The twin's CA from the store, created and stored on first use. Call it once per twin before its clusters
 * are provisioned in parallel: two first uses at once would each create a CA.
 */
export async function ensureMeshCa(
  store: StateStore,
  twin: string,
  now: Date = new Date(),
): Promise<CertificateAndKey> {
  const key = meshCaKey(twin);
  const stored = await store.read(key);
  if (stored !== undefined) return parseMeshCa(stored, store.pathOf(key), now);
  const ca = await createMeshCa();
  await store.write(key, JSON.stringify(ca));
  return ca;
}

/**
 * Checks a stored CA before it goes into every cluster: a CA certificate, the key that belongs to it, and
 * not expired. Messages name the file, never its content.
 */
export function parseMeshCa(text: string, source: string, now: Date = new Date()): CertificateAndKey {
  const unusable = (why: string) =>
    new ConfigurationError(
      `the mesh CA in ${source} ${why}: restore the file from a backup, or delete it to create a new CA ` +
        '(then Cilium must be reinstalled on every cluster of the twin)',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unusable('is not JSON');
  }
  const { certPem, keyPem } = (parsed ?? {}) as Partial<Record<keyof CertificateAndKey, unknown>>;
  if (typeof certPem !== 'string' || typeof keyPem !== 'string') throw unusable('lacks certPem or keyPem');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw unusable('holds no readable certificate');
  }
  if (!cert.ca) throw unusable('is not a CA certificate');
  let keyMatches: boolean;
  try {
    keyMatches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw unusable('holds no readable private key');
  }
  if (!keyMatches) throw unusable("holds a key that does not belong to the CA's certificate");
  if (new Date(cert.validTo).getTime() <= now.getTime()) throw unusable(`expired on ${cert.validTo}`);
  return { certPem, keyPem };
}
