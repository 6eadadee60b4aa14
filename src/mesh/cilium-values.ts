import { stringify } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { KUBEPRISM_PORT } from '../talos/config.js';
import type { CertificateAndKey } from '../util/x509.js';

/** The chart's validate.yaml pattern for cluster.name (CONTRACTS C.2). */
const CLUSTER_NAME = /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/;
const CLUSTER_NAME_MAX = 32;
/** With the default clustermesh.maxConnectedClusters (255), ids run 1-255; the chart itself does not check. */
const CLUSTER_ID_MAX = 255;

export interface CiliumInput {
  clusterName: string;
  /** Unique among the twin's clusters. */
  clusterId: number;
  /** The twin's shared CA (mesh/ca.ts). */
  ca: CertificateAndKey;
  /** Control planes plus workers: the operator runs one replica per node, at most two. */
  nodeCount: number;
}

/** The chart values we set; anything not here keeps the chart's default. */
export interface CiliumValues {
  ipam: { mode: 'kubernetes' };
  kubeProxyReplacement: true;
  securityContext: { capabilities: { ciliumAgent: string[]; cleanCiliumState: string[] } };
  cgroup: { autoMount: { enabled: false }; hostRoot: string };
  k8sServiceHost: string;
  k8sServicePort: number;
  operator: { replicas: number };
  cluster: { name: string; id: number };
  tls: { ca: { cert: string; key: string } };
  hubble: { relay: { enabled: true }; ui: { enabled: true } };
}

/**
 * Cilium as the cluster's CNI and kube-proxy replacement on Talos, with its mesh identity from the start
 * (name, id and the shared CA are fixed at install: changing them later means restarting every workload).
 * From the Talos guide (C.1): pod CIDRs from Kubernetes (ipam kubernetes, so each cluster's Talos
 * podSubnets apply and never overlap), no SYS_MODULE (Talos refuses module loading), Talos's own cgroup
 * mount, and the API server through KubePrism on localhost since no kube-proxy exists. bpf.masquerade stays
 * at its default (off): on, it would also need Talos hostDNS forwardKubeDNSToHost off (talos/config.ts).
 */
export function ciliumValues(input: CiliumInput): CiliumValues {
  requireClusterName(input.clusterName);
  requireClusterId(input.clusterId);
  if (!Number.isInteger(input.nodeCount) || input.nodeCount < 1) {
    throw new ConfigurationError(
      `cluster ${input.clusterName}: nodeCount ${input.nodeCount} must be 1 or more`,
    );
  }
  return {
    ipam: { mode: 'kubernetes' },
    kubeProxyReplacement: true,
    securityContext: {
      capabilities: {
        ciliumAgent: [
          'CHOWN',
          'KILL',
          'NET_ADMIN',
          'NET_RAW',
          'IPC_LOCK',
          'SYS_ADMIN',
          'SYS_RESOURCE',
          'DAC_OVERRIDE',
          'FOWNER',
          'SETGID',
          'SETUID',
        ],
        cleanCiliumState: ['NET_ADMIN', 'SYS_ADMIN', 'SYS_RESOURCE'],
      },
    },
    cgroup: { autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' },
    k8sServiceHost: 'localhost',
    k8sServicePort: KUBEPRISM_PORT,
    // The chart's two replicas must sit on different nodes: on a one-node cluster the second never schedules.
    operator: { replicas: Math.min(2, input.nodeCount) },
    cluster: { name: input.clusterName, id: input.clusterId },
    tls: { ca: { cert: base64(input.ca.certPem), key: base64(input.ca.keyPem) } },
    hubble: { relay: { enabled: true }, ui: { enabled: true } },
  };
}

/** The values file for `helm --values`. It holds the CA key: store it 0600 (state store), never log it. */
export function valuesYaml(values: CiliumValues | Record<string, unknown>): string {
  return stringify(values, { lineWidth: 0 });
}

function requireClusterName(name: string): void {
  if (name.length > CLUSTER_NAME_MAX || !CLUSTER_NAME.test(name)) {
    throw new ConfigurationError(
      `Cilium cluster.name "${name}" is not valid: use at most ${CLUSTER_NAME_MAX} lower-case letters, digits ` +
        'and "-", starting and ending with a letter or digit',
    );
  }
  if (name === 'default') {
    throw new ConfigurationError(
      'Cilium cluster.name "default" is refused with a cluster id: pick another name',
    );
  }
}

function requireClusterId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > CLUSTER_ID_MAX) {
    throw new ConfigurationError(
      `Cilium cluster.id ${id} is out of range: give each cluster of the twin its own id from 1 to ${CLUSTER_ID_MAX}`,
    );
  }
}

function base64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}
