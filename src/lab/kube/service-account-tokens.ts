import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isMap } from '../talos/yaml-docs.js';

/**
 * Service account tokens as the API server issues them for a TokenRequest
 * (POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token, what `kubectl create token` sends): a JWT
 * signed with the cluster's service account key (Talos' cluster.serviceAccount.key), naming the account and
 * its uid, for the API server's audience, with `exp` = `iat` + the granted seconds. The API server accepts
 * one while its signature holds, it is not expired, and the account still exists with that uid: deleting the
 * ServiceAccount is the one way to revoke its tokens before they expire.
 */

/** The issuer and default audience (kube-apiserver's --service-account-issuer / --api-audiences). */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
/** TokenRequest's default expirationSeconds (SetDefaults_TokenRequestSpec). */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** ValidateTokenRequest's bounds: 10 minutes to 2^32 seconds. */
export const MIN_EXPIRATION_SECONDS = 600;
export const MAX_EXPIRATION_SECONDS = 2 ** 32;

export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
  nbf: number;
  sub: string;
}

export interface TokenGrant {
  namespace: string;
  name: string;
  uid: string;
  audiences: string[];
  expirationSeconds: number;
  /** Milliseconds since the epoch. */
  now: number;
}

export function tokenClaims(grant: TokenGrant): ServiceAccountClaims {
  const iat = Math.floor(grant.now / 1000);
  return {
    aud: grant.audiences,
    exp: iat + grant.expirationSeconds,
    iat,
    iss: API_AUDIENCE,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace: grant.namespace,
      serviceaccount: { name: grant.name, uid: grant.uid },
    },
    nbf: iat,
    sub: `system:serviceaccount:${grant.namespace}:${grant.name}`,
  };
}

/** The compact JWT: ES256 for Talos' P-256 key (RS256 for an RSA key), `kid` from the public key. */
export function signToken(keyPem: string, claims: ServiceAccountClaims): string {
  const key = createPrivateKey(keyPem);
  const header = { alg: key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256', kid: keyId(key) };
  const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signed), { key, dsaEncoding: 'ieee-p1363' });
  return `${signed}.${signature.toString('base64url')}`;
}

/** The claims of a token this key signed, or undefined for anything else (the authenticator says 401). */
export function verifiedClaims(keyPem: string, token: string): ServiceAccountClaims | undefined {
  const [header, payload, signature, ...rest] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0)
    return undefined;
  try {
    const key = createPublicKey(createPrivateKey(keyPem));
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return valid && isClaims(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

function isClaims(value: unknown): value is ServiceAccountClaims {
  if (!isMap(value)) return false;
  const account = isMap(value['kubernetes.io']) ? value['kubernetes.io'] : undefined;
  return (
    Array.isArray(value.aud) &&
    typeof value.exp === 'number' &&
    typeof value.iat === 'number' &&
    typeof account?.namespace === 'string' &&
    isMap(account.serviceaccount)
  );
}

/** kube-apiserver's keyIDFromPublicKey: the SHA-256 of the DER public key, base64url without padding. */
function keyId(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
