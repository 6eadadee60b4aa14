import { X509Certificate } from 'node:crypto';
import { byKind } from '../kube/kinds.js';
import type { KubeUser } from '../kube/rbac.js';
import { AUTHENTICATED_GROUP } from '../kube/rbac.js';
import type { ServiceAccountClaims } from '../kube/service-account-tokens.js';
import { API_AUDIENCE, verifiedClaims } from '../kube/service-account-tokens.js';
import type { Doc } from '../talos/yaml-docs.js';
import { decodePem, get, getString } from '../talos/yaml-docs.js';
import type { ToolCall } from './runtime.js';
import { signedBy } from './x509-checks.js';

/**
 * Who a kubeconfig's user is to the lab's API server, as kube-apiserver's authenticators decide: a client
 * certificate signed by the cluster CA is the user its subject names (CN the name, each O a group); a bearer
 * token is a service account's while the cluster's service account key signed it, its audience is the API
 * server's, it has not expired and the account still exists with the uid it names. Anything else is 401.
 */

/** What the cluster's control-plane config holds for authentication: the CA and the service account key. */
export interface ClusterKeys {
  caPem: string;
  serviceAccountKeyPem: string;
}

export function clusterKeys(config: Doc | undefined): ClusterKeys {
  return {
    caPem: decodePem(get(config, 'cluster.ca.crt')),
    serviceAccountKeyPem: decodePem(get(config, 'cluster.serviceAccount.key')),
  };
}

/** The user a kubeconfig `user:` entry authenticates as, or undefined (the API server answers 401). */
export function authenticate(
  call: ToolCall,
  clusterId: string,
  user: unknown,
  keys: ClusterKeys,
): KubeUser | undefined {
  const certificate = decodePem(get(user, 'client-certificate-data'));
  if (certificate && signedBy(certificate, keys.caPem)) return certificateUser(certificate);
  const token = getString(user, 'token');
  return token ? serviceAccountUser(call, clusterId, token, keys.serviceAccountKeyPem) : undefined;
}

/** The x509 authenticator: CommonName is the user, each Organization a group. */
function certificateUser(pem: string): KubeUser {
  const subject = new X509Certificate(pem).subject.split('\n');
  const field = (name: string) =>
    subject.filter((line) => line.startsWith(`${name}=`)).map((line) => line.slice(name.length + 1));
  return { name: field('CN')[0] ?? '', groups: [...field('O'), AUTHENTICATED_GROUP] };
}

function serviceAccountUser(
  call: ToolCall,
  clusterId: string,
  token: string,
  keyPem: string,
): KubeUser | undefined {
  const claims = verifiedClaims(keyPem, token);
  if (!claims || !claims.aud.includes(API_AUDIENCE) || expired(call, claims)) return undefined;
  const { namespace, serviceaccount } = claims['kubernetes.io'];
  const account = call.kube.objects(clusterId).get(byKind('ServiceAccount'), namespace, serviceaccount.name);
  if (account?.uid !== serviceaccount.uid) return undefined;
  return {
    name: `system:serviceaccount:${namespace}:${serviceaccount.name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, AUTHENTICATED_GROUP],
  };
}

/**
 * Past `exp` on the lab's clock: the claims count in seconds of the real system, which the lab runs at its
 * time scale, so the token's lifetime is scaled from when it was issued, as every other lab duration is.
 */
function expired(call: ToolCall, claims: ServiceAccountClaims): boolean {
  return call.now() >= claims.iat * 1000 + call.talos.ms(claims.exp - claims.iat);
}
