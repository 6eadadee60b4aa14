import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';

/**
 * The chart versions of https://helm.cilium.io the lab serves (CONTRACTS C, chart 1.19.6; LIFECYCLE I.1 and
 * contracts/cilium-1.20.0-values.schema.json for 1.20.0).
 */
export const CILIUM_CHART_VERSIONS = [
  '1.19.0',
  '1.19.1',
  '1.19.2',
  '1.19.3',
  '1.19.4',
  '1.19.5',
  '1.19.6',
  '1.20.0',
];
export const CILIUM_REPO = 'https://helm.cilium.io';
/** The release the lab's agents and operator follow (the cluster models them from it). */
export const CILIUM_RELEASE = 'cilium';

/**
 * The chart defaults the lab's rules read (cilium 1.19.6 values.yaml). Each chart release pins its own
 * images in values.yaml (`image.tag: v<version>`), so the tags follow the chart version; a release's
 * other changed defaults come from CHANGED_DEFAULTS.
 */
export function chartDefaults(chartVersion = '1.19.6'): Doc {
  const tag = `v${chartVersion}`;
  return coalesce(baseDefaults(tag), CHANGED_DEFAULTS[minorOf(chartVersion)] ?? {}) as Doc;
}

/**
 * Defaults a minor release changed among the keys the lab renders or reads (/work/facts-13.md section 4,
 * a values.yaml diff of chart 1.19.7 and 1.20.1: 1.20.0's own values.yaml was not found). The 1.20
 * schema adds and drops keys besides (cilium-values-schema.ts); the default `upgradeCompatibility`
 * guards in 1.20 is Envoy's xDS mode (envoyXdsMode below).
 */
const CHANGED_DEFAULTS: Record<string, Doc> = {
  '1.20': { clustermesh: { apiserver: { tls: { auto: { certValidityDuration: 365 } } } } },
};

export function minorOf(chartVersion: string): string {
  return chartVersion.split('.').slice(0, 2).join('.');
}

function baseDefaults(tag: string): Doc {
  const image = (repository: string) => ({ repository, tag, pullPolicy: 'IfNotPresent' });
  return {
    image: image('quay.io/cilium/cilium'),
    // The agent DaemonSet's strategy (values line 440, LIFECYCLE I.2).
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
    agent: true,
    preflight: {
      enabled: false,
      validateCNPs: true,
      image: image('quay.io/cilium/cilium'),
      tolerations: [{ operator: 'Exists' }],
      priorityClassName: '',
      terminationGracePeriodSeconds: 1,
      updateStrategy: { type: 'RollingUpdate' },
    },
    cluster: { name: 'default', id: 0 },
    clustermesh: {
      maxConnectedClusters: 255,
      useAPIServer: false,
      config: { enabled: false, domain: 'mesh.cilium.io' },
      apiserver: {
        replicas: 1,
        image: image('quay.io/cilium/clustermesh-apiserver'),
        kvstoremesh: { enabled: true },
        tls: { auto: { enabled: true, method: 'helm', certValidityDuration: 1095 } },
        service: { type: 'NodePort', nodePort: 32379 },
      },
    },
    ipam: { mode: 'cluster-pool' },
    kubeProxyReplacement: 'false',
    k8sServiceHost: '',
    k8sServicePort: '',
    cgroup: { autoMount: { enabled: true }, hostRoot: '/run/cilium/cgroupv2' },
    securityContext: {
      capabilities: {
        ciliumAgent: [
          'CHOWN',
          'KILL',
          'NET_ADMIN',
          'NET_RAW',
          'IPC_LOCK',
          'SYS_MODULE',
          'SYS_ADMIN',
          'SYS_RESOURCE',
          'DAC_OVERRIDE',
          'FOWNER',
          'SETGID',
          'SETUID',
          'SYSLOG',
        ],
        cleanCiliumState: ['NET_ADMIN', 'SYS_MODULE', 'SYS_ADMIN', 'SYS_RESOURCE'],
      },
    },
    operator: { enabled: true, replicas: 2, image: image('quay.io/cilium/operator') },
    // The agent's install-cni-binaries init container (values.yaml 831–843): the agent pod's effective
    // request, the agent container itself requesting nothing (LIFECYCLE I.3).
    cni: { resources: { requests: { cpu: '100m', memory: '10Mi' }, limits: { cpu: 1, memory: '1Gi' } } },
  };
}

/**
 * What templates/clustermesh-apiserver renders when `clustermesh.useAPIServer` is true: the Deployment
 * (etcd, apiserver and, with KVStoreMesh, kvstoremesh; hostAliases for the peers listed with `ips`) and
 * its Service on port 2379. The agents' DaemonSet is modelled by the cluster itself, not rendered.
 */
export function renderClustermeshApiserver(
  values: Doc,
  release: { namespace: string; chartVersion: string },
): Doc[] {
  if (get(values, 'clustermesh.useAPIServer') !== true) return [];
  const apiserver = (path: string) => get(values, `clustermesh.apiserver.${path}`);
  const image = `${String(apiserver('image.repository'))}:${String(apiserver('image.tag') ?? `v${release.chartVersion}`)}`;
  const kvstoremesh = apiserver('kvstoremesh.enabled') !== false;
  const labels = { 'k8s-app': 'clustermesh-apiserver', 'app.kubernetes.io/part-of': 'cilium' };
  const container = (name: string, command: string[], args: string[] = []) => ({
    name,
    image,
    command,
    args,
  });
  const aliases =
    kvstoremesh && get(values, 'clustermesh.config.enabled') === true ? hostAliases(values) : [];
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'clustermesh-apiserver', namespace: release.namespace, labels },
    spec: {
      replicas: Number(apiserver('replicas') ?? 1),
      selector: { matchLabels: { 'k8s-app': 'clustermesh-apiserver' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'clustermesh-apiserver',
          containers: [
            container('etcd', ['/usr/bin/etcd'], ['--listen-client-urls=https://0.0.0.0:2379']),
            container('apiserver', ['/usr/bin/clustermesh-apiserver'], ['clustermesh']),
            ...(kvstoremesh
              ? [container('kvstoremesh', ['/usr/bin/clustermesh-apiserver'], ['kvstoremesh'])]
              : []),
          ],
          ...(aliases.length > 0 ? { hostAliases: aliases } : {}),
        },
      },
    },
  };
  const type = String(apiserver('service.type') ?? 'NodePort');
  const nodePort = apiserver('service.nodePort');
  const exposesNodePort = (type === 'NodePort' || type === 'LoadBalancer') && nodePort !== undefined;
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'clustermesh-apiserver', namespace: release.namespace, labels },
    spec: {
      type,
      selector: { 'k8s-app': 'clustermesh-apiserver' },
      ports: [{ port: 2379, targetPort: 2379, protocol: 'TCP', ...(exposesNodePort ? { nodePort } : {}) }],
    },
  };
  return [deployment, service];
}

/** One alias per peer IP to `<name>.<domain>`, so TLS verifies the `*.mesh.cilium.io` SAN (CONTRACTS C.3). */
function hostAliases(values: Doc): Doc[] {
  const domain = String(get(values, 'clustermesh.config.domain') ?? 'mesh.cilium.io');
  const clusters = get(values, 'clustermesh.config.clusters');
  const entries = Array.isArray(clusters)
    ? clusters.filter(isMap).map((entry) => [String(entry.name), entry] as const)
    : Object.entries(isMap(clusters) ? clusters : {}).filter((pair): pair is [string, Doc] => isMap(pair[1]));
  return entries.flatMap(([name, entry]) =>
    (Array.isArray(entry.ips) ? entry.ips : []).map((ip) => ({
      ip: String(ip),
      hostnames: [`${name}.${domain}`],
    })),
  );
}

/**
 * The chart's `envoyXdsMode` helper (1.20 _helpers.tpl, facts-13 section 4): `envoy.xdsMode` when set,
 * else `ads` for a 1.20+ chart unless `upgradeCompatibility` names a release below 1.20 (the agent then
 * keeps its legacy `split` mode); 1.19 charts render no `envoy-xds-mode` at all.
 */
export function envoyXdsMode(values: Doc, chartVersion: string): string | undefined {
  if (minorOf(chartVersion) === '1.19') return undefined;
  const explicit = get(values, 'envoy.xdsMode');
  if (typeof explicit === 'string') return explicit;
  const compatibility = get(values, 'upgradeCompatibility');
  const since = typeof compatibility === 'string' && compatibility !== '' ? compatibility : '1.20';
  return compareMinor(since, '1.20') >= 0 ? 'ads' : undefined;
}

/** Orders "1.19" and "1.20.1" by major, then minor (helm's semverCompare on the helper's versions). */
function compareMinor(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * The agent's ConfigMap `cilium-config` (templates/cilium-configmap.yaml, rendered with the agent and
 * not for a preflight), with the keys the lab models: the cluster's identity and Envoy's xDS mode.
 */
export function renderCiliumConfig(values: Doc, release: { namespace: string; chartVersion: string }): Doc[] {
  if (get(values, 'agent') === false || get(values, 'preflight.enabled') === true) return [];
  const xdsMode = envoyXdsMode(values, release.chartVersion);
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cilium-config', namespace: release.namespace },
      data: {
        'cluster-name': String(get(values, 'cluster.name') ?? 'default'),
        'cluster-id': String(get(values, 'cluster.id') ?? 0),
        ...(xdsMode ? { 'envoy-xds-mode': xdsMode } : {}),
      },
    },
  ];
}

/** Helm's coalescing: maps merge, anything else (lists included) is replaced by the user's value. */
export function coalesce(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const merged: Doc = { ...base };
  for (const [key, value] of Object.entries(over))
    merged[key] = value === null ? undefined : coalesce(base[key], value);
  return merged;
}

/** templates/validate.yaml's `fail` calls (CONTRACTS C.2), with those a chart release added. */
export function validateTemplateError(values: Doc, chartVersion = '1.19.6'): string | undefined {
  const fail = (message: string) => `execution error at (cilium/templates/validate.yaml): ${message}`;
  if (minorOf(chartVersion) === '1.20' && providesMeshCerts(values)) {
    // /work/facts-13.md section 4 (chart 1.20.1's validate.yaml; 1.20.0's not found, taken as the same).
    return fail(
      'The support for providing Cluster Mesh certs and keys as helm values has been removed. You must enable auto-generation or pre-create the corresponding secrets',
    );
  }
  const name = String(get(values, 'cluster.name') ?? '');
  const id = Number(get(values, 'cluster.id') ?? 0);
  if (!/^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/.test(name) || name.length > 32) {
    return fail(
      `The cluster name is invalid: must be at most 32 characters long, consist of lower case alphanumeric characters and '-', and start and end with an alphanumeric character`,
    );
  }
  if (name === 'default' && id !== 0) {
    return fail('The cluster name must be set to a non-default value when cluster.id is not 0');
  }
  const max = Number(get(values, 'clustermesh.maxConnectedClusters') ?? 255);
  if (max !== 255 && max !== 511) return fail('max-connected-clusters must be set to 255 or 511');
  if (get(values, 'clustermesh.apiserver.tls.ca') !== undefined) {
    return fail(
      'clustermesh.apiserver.tls.ca.cert and clustermesh.apiserver.tls.ca.key were removed in v1.15, use tls.ca.cert and tls.ca.key instead',
    );
  }
  const tlsAuto = get(values, 'clustermesh.apiserver.tls.auto');
  if (isMap(tlsAuto) && tlsAuto.method === 'certmanager' && tlsAuto.certManagerIssuerRef === undefined) {
    return fail('clustermesh.apiserver.tls.auto.certManagerIssuerRef must be set when method is certmanager');
  }
  return undefined;
}

/** 1.19's `clustermesh.apiserver.tls.{server,admin,remote}.cert` given without auto-generation. */
function providesMeshCerts(values: Doc): boolean {
  if (get(values, 'clustermesh.useAPIServer') !== true) return false;
  if (get(values, 'clustermesh.apiserver.tls.auto.enabled') === true) return false;
  return ['server', 'admin', 'remote'].some((cert) => {
    const given = get(values, `clustermesh.apiserver.tls.${cert}.cert`);
    return typeof given === 'string' && given !== '';
  });
}

/** How a pod fails on a node: the pod STATUS kubectl shows and why. */
export interface PodFailure {
  status: string;
  container: string;
  reason: string;
}

export interface TalosFacts {
  /** cluster.proxy.disabled in the nodes' configs. */
  kubeProxyDisabled: boolean;
  /** machine.features.kubePrism on the nodes, with its port. */
  kubePrismPort: number | undefined;
  /** Host:port pairs where the API server answers (the endpoint and the control planes). */
  apiEndpoints: string[];
}

/**
 * Whether the agent can run on Talos (CONTRACTS C.1); the first failure its pods hit, in the order
 * the pod starts its containers. undefined when the values fit.
 */
export function agentFailure(values: Doc, talos: TalosFacts): PodFailure | undefined {
  const caps = (path: string) => {
    const list = get(values, `securityContext.capabilities.${path}`);
    return Array.isArray(list) ? list.map(String) : [];
  };
  const capsRefused =
    'failed to create containerd task: OCI runtime create failed: runc create failed: unable to start container process: ' +
    'error during container init: unable to apply caps: operation not permitted (Talos refuses SYS_MODULE to workloads)';
  if (
    get(values, 'cgroup.autoMount.enabled') !== false ||
    get(values, 'cgroup.hostRoot') !== '/sys/fs/cgroup'
  ) {
    return {
      status: 'Init:CrashLoopBackOff',
      container: 'mount-cgroup',
      reason:
        'mount-cgroup exited 1: Talos mounts cgroup2 itself at /sys/fs/cgroup (cgroup.autoMount.enabled must be false, cgroup.hostRoot /sys/fs/cgroup)',
    };
  }
  if (caps('cleanCiliumState').includes('SYS_MODULE')) {
    return { status: 'Init:CrashLoopBackOff', container: 'clean-cilium-state', reason: capsRefused };
  }
  if (caps('ciliumAgent').includes('SYS_MODULE'))
    return { status: 'CrashLoopBackOff', container: 'cilium-agent', reason: capsRefused };
  const apiProblem = apiServerProblem(values, talos);
  if (apiProblem) return { status: 'CrashLoopBackOff', container: 'cilium-agent', reason: apiProblem };
  if (talos.kubeProxyDisabled && !isTrue(get(values, 'kubeProxyReplacement'))) {
    return {
      status: 'CrashLoopBackOff',
      container: 'cilium-agent',
      reason:
        'kube-proxy is disabled on this cluster and kubeProxyReplacement is not true: no one serves ClusterIP services, the agent health check fails',
    };
  }
  return undefined;
}

/** The operator talks to the API server the same way the agent does. */
export function operatorFailure(values: Doc, talos: TalosFacts): PodFailure | undefined {
  const apiProblem = apiServerProblem(values, talos);
  return apiProblem
    ? { status: 'CrashLoopBackOff', container: 'cilium-operator', reason: apiProblem }
    : undefined;
}

function apiServerProblem(values: Doc, talos: TalosFacts): string | undefined {
  const host = String(get(values, 'k8sServiceHost') ?? '');
  const port = String(get(values, 'k8sServicePort') ?? '');
  if (host === '') {
    return talos.kubeProxyDisabled
      ? 'Unable to contact k8s api-server: dial tcp 10.96.0.1:443: i/o timeout (kube-proxy is disabled: set k8sServiceHost/k8sServicePort, e.g. KubePrism localhost:7445)'
      : undefined;
  }
  const target = `${host}:${port || '443'}`;
  const kubePrism =
    talos.kubePrismPort !== undefined &&
    ['localhost', '127.0.0.1'].includes(host) &&
    port === String(talos.kubePrismPort);
  if (kubePrism || talos.apiEndpoints.includes(target)) return undefined;
  return `Unable to contact k8s api-server: Get "https://${target}/version": dial tcp ${target}: connect: connection refused`;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
