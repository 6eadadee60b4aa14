import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { CertificateAndKey } from '../../util/x509.js';
import { createCertificateAuthority, issueCertificate } from '../../util/x509.js';
import type { Doc } from './yaml-docs.js';
import { decodePem, encodePem, get, getString, isMap } from './yaml-docs.js';

/** What `talosctl gen secrets` writes (Talos secrets.Bundle), PEM blocks base64-encoded. */
export interface SecretsBundle {
  cluster: { id: string; secret: string };
  secrets: { bootstraptoken: string; secretboxencryptionsecret: string };
  trustdinfo: { token: string };
  certs: {
    etcd: { crt: string; key: string };
    k8s: { crt: string; key: string };
    k8saggregator: { crt: string; key: string };
    k8sserviceaccount: { key: string };
    os: { crt: string; key: string };
  };
}

/**
 * The lab talosctl's own release (its client tag, its default installer and version contract): the one
 * runner-setup/tools.json pins, v1.13.7 (Sidero's Homebrew tap has its checksums; v1.13.9's were not found).
 * It behaves as the v1.13.9 client the lab models: same go-kubernetes v0.2.38 paths and talos113 bounds
 * (TALOS v1.13.7 go.mod l.148, talos113.go l.16-28, read in the mirror).
 */
export const TALOS_VERSION = 'v1.13.7';
/** `constants.DefaultKubernetesVersion` of talosctl v1.13.7 (TALOS v1.13.7 constants.go l.366). */
export const DEFAULT_KUBERNETES_VERSION = '1.36.2';

/** A token like kubeadm's: 6 and 16 characters of [a-z0-9]. */
function token(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const pick = (count: number) =>
    Array.from(randomBytes(count), (byte) => alphabet[byte % alphabet.length]).join('');
  return `${pick(6)}.${pick(16)}`;
}

const random32 = () => randomBytes(32).toString('base64');

function pair(ca: CertificateAndKey): { crt: string; key: string } {
  return { crt: encodePem(ca.certPem), key: encodePem(ca.keyPem) };
}

export async function generateSecrets(): Promise<SecretsBundle> {
  const [etcd, k8s, aggregator, os] = await Promise.all([
    createCertificateAuthority('etcd'),
    createCertificateAuthority('kubernetes'),
    createCertificateAuthority('front-proxy'),
    createCertificateAuthority('talos'),
  ]);
  const serviceAccount = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return {
    cluster: { id: random32(), secret: random32() },
    secrets: { bootstraptoken: token(), secretboxencryptionsecret: random32() },
    trustdinfo: { token: token() },
    certs: {
      etcd: pair(etcd),
      k8s: pair(k8s),
      k8saggregator: pair(aggregator),
      k8sserviceaccount: { key: encodePem(serviceAccount) },
      os: pair(os),
    },
  };
}

/** Reads a secrets bundle; `what` names the file in errors. */
export function readSecrets(doc: unknown, what: string): SecretsBundle {
  const required = [
    'cluster.id',
    'cluster.secret',
    'secrets.bootstraptoken',
    'trustdinfo.token',
    'certs.etcd.crt',
    'certs.etcd.key',
    'certs.k8s.crt',
    'certs.k8s.key',
    'certs.k8saggregator.crt',
    'certs.k8saggregator.key',
    'certs.k8sserviceaccount.key',
    'certs.os.crt',
    'certs.os.key',
  ];
  const missing = required.filter((path) => !getString(doc, path));
  if (missing.length > 0) {
    throw new Error(`failed to load secrets bundle from ${what}: missing ${missing.join(', ')}`);
  }
  return doc as SecretsBundle;
}

export interface GenerateInput {
  clusterName: string;
  endpoint: string;
  secrets: SecretsBundle;
  kubernetesVersion: string;
  installDisk: string;
  installImage: string;
  dnsDomain: string;
  additionalSans: string[];
  withClusterDiscovery: boolean;
  /** The version contract's minor (`--talos-version v1.<minor>`); 11 when not given. */
  contractMinor?: number;
}

/**
 * The documents `gen config` writes for a role (no docs or examples): the v1alpha1 document, and from the
 * v1.12 contract on a HostnameConfig (TALOS v1.13.9 `pkg/machinery/config/generate/network.go` l.35-44).
 */
export function machineConfigDocs(input: GenerateInput, type: 'controlplane' | 'worker'): Doc[] {
  const v1alpha1 = machineConfig(input, type);
  if ((input.contractMinor ?? 11) <= 11) return [v1alpha1];
  return [v1alpha1, { apiVersion: 'v1alpha1', kind: 'HostnameConfig', auto: 'stable' }];
}

/**
 * The v1alpha1 document for a role, by version contract (TALOS v1.13.9 `config/contract.go` l.182-210,
 * `generate/init.go`, `generate.go`): after v1.11 the rbac/apidCheckExtKeyUsage/stableHostname and
 * disablePodSecurityPolicy fields are hidden, grubUseUKICmdline is set and the API server SANs no longer
 * take the endpoint's host; after v1.12 the empty `machine.network` is gone.
 */
export function machineConfig(input: GenerateInput, type: 'controlplane' | 'worker'): Doc {
  const doc = machineConfigV111(input, type);
  const minor = input.contractMinor ?? 11;
  if (minor <= 11) return doc;
  const machine = doc.machine as Doc;
  const features = machine.features as Doc;
  delete features.rbac;
  delete features.apidCheckExtKeyUsage;
  delete features.stableHostname;
  machine.install = { ...(machine.install as Doc), grubUseUKICmdline: true };
  if (minor > 12) delete machine.network;
  const apiServer = get(doc, 'cluster.apiServer');
  if (isMap(apiServer)) {
    delete apiServer.disablePodSecurityPolicy;
    if (input.additionalSans.length > 0) apiServer.certSANs = [...new Set(input.additionalSans)];
    else delete apiServer.certSANs;
  }
  return doc;
}

function machineConfigV111(input: GenerateInput, type: 'controlplane' | 'worker'): Doc {
  const { secrets } = input;
  const controlPlane = type === 'controlplane';
  const host = new URL(input.endpoint).hostname;
  const k = input.kubernetesVersion.replace(/^v?/, 'v');
  const machine: Doc = {
    type,
    token: secrets.trustdinfo.token,
    ca: { crt: secrets.certs.os.crt, key: controlPlane ? secrets.certs.os.key : '' },
    certSANs: [],
    kubelet: {
      image: `ghcr.io/siderolabs/kubelet:${k}`,
      defaultRuntimeSeccompProfileEnabled: true,
      disableManifestsDirectory: true,
    },
    network: {},
    install: { disk: input.installDisk, image: input.installImage, wipe: false },
    registries: {},
    features: {
      rbac: true,
      stableHostname: true,
      apidCheckExtKeyUsage: true,
      diskQuotaSupport: true,
      kubePrism: { enabled: true, port: 7445 },
      hostDNS: { enabled: true, forwardKubeDNSToHost: true },
    },
    ...(controlPlane
      ? { nodeLabels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }
      : {}),
  };
  const cluster: Doc = {
    id: secrets.cluster.id,
    secret: secrets.cluster.secret,
    controlPlane: { endpoint: input.endpoint },
    clusterName: input.clusterName,
    network: { dnsDomain: input.dnsDomain, podSubnets: ['10.244.0.0/16'], serviceSubnets: ['10.96.0.0/12'] },
    token: secrets.secrets.bootstraptoken,
    ...(controlPlane ? { secretboxEncryptionSecret: secrets.secrets.secretboxencryptionsecret } : {}),
    ca: { crt: secrets.certs.k8s.crt, key: controlPlane ? secrets.certs.k8s.key : '' },
    ...(controlPlane ? controlPlaneSections(input, host, k) : {}),
    discovery: {
      enabled: input.withClusterDiscovery,
      registries: { kubernetes: { disabled: true }, service: {} },
    },
    ...(controlPlane ? { extraManifests: [], inlineManifests: [] } : {}),
  };
  return { version: 'v1alpha1', debug: false, persist: true, machine, cluster };
}

function controlPlaneSections(input: GenerateInput, host: string, k: string): Doc {
  const { secrets } = input;
  return {
    aggregatorCA: pairOf(secrets.certs.k8saggregator),
    serviceAccount: { key: secrets.certs.k8sserviceaccount.key },
    apiServer: {
      image: `registry.k8s.io/kube-apiserver:${k}`,
      certSANs: [...new Set([host, ...input.additionalSans])],
      disablePodSecurityPolicy: true,
      admissionControl: [
        {
          name: 'PodSecurity',
          configuration: {
            apiVersion: 'pod-security.admission.config.k8s.io/v1alpha1',
            defaults: {
              audit: 'restricted',
              'audit-version': 'latest',
              enforce: 'baseline',
              'enforce-version': 'latest',
              warn: 'restricted',
              'warn-version': 'latest',
            },
            exemptions: { namespaces: ['kube-system'], runtimeClasses: [], usernames: [] },
            kind: 'PodSecurityConfiguration',
          },
        },
      ],
      auditPolicy: { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] },
    },
    controllerManager: { image: `registry.k8s.io/kube-controller-manager:${k}` },
    proxy: { image: `registry.k8s.io/kube-proxy:${k}` },
    scheduler: { image: `registry.k8s.io/kube-scheduler:${k}` },
    etcd: { ca: pairOf(secrets.certs.etcd) },
  };
}

function pairOf(value: { crt: string; key: string }): { crt: string; key: string } {
  return { crt: value.crt, key: value.key };
}

/** A talosconfig (clientconfig.Config) with one context, its admin certificate from the OS CA. */
export async function talosconfig(clusterName: string, secrets: SecretsBundle): Promise<Doc> {
  const ca = { certPem: decodePem(secrets.certs.os.crt), keyPem: decodePem(secrets.certs.os.key) };
  const admin = await issueCertificate(ca, { commonName: 'admin', usage: 'client', days: 365 });
  return {
    context: clusterName,
    contexts: {
      [clusterName]: {
        endpoints: [],
        ca: secrets.certs.os.crt,
        crt: encodePem(admin.certPem),
        key: encodePem(admin.keyPem),
      },
    },
  };
}

/** The admin kubeconfig `talosctl kubeconfig` writes, signed by the cluster's Kubernetes CA. */
export async function adminKubeconfig(config: Doc): Promise<Doc> {
  const clusterName = getString(config, 'cluster.clusterName') ?? 'kubernetes';
  const endpoint = getString(config, 'cluster.controlPlane.endpoint') ?? '';
  const ca = {
    certPem: decodePem(get(config, 'cluster.ca.crt')),
    keyPem: decodePem(get(config, 'cluster.ca.key')),
  };
  // Talos' admin kubeconfig: CN admin in group system:masters, the API server's superuser group.
  const admin = await issueCertificate(ca, {
    commonName: 'admin',
    organization: 'system:masters',
    usage: 'client',
    days: 365,
  });
  const user = `admin@${clusterName}`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterName,
        cluster: { server: endpoint, 'certificate-authority-data': encodePem(ca.certPem) },
      },
    ],
    users: [
      {
        name: user,
        user: {
          'client-certificate-data': encodePem(admin.certPem),
          'client-key-data': encodePem(admin.keyPem),
        },
      },
    ],
    contexts: [{ context: { cluster: clusterName, namespace: 'default', user }, name: user }],
    'current-context': user,
  };
}

/** The current context of a talosconfig. */
export function talosContext(doc: unknown, override?: string): { name: string; context: Doc } | undefined {
  const name = override ?? getString(doc, 'context');
  const contexts = get(doc, 'contexts');
  if (!name || !isMap(contexts)) return undefined;
  const context = contexts[name];
  return isMap(context) ? { name, context } : undefined;
}
