import { stringify } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { CIDR_REGEX, isIpv4 } from '../util/ipv4.js';
import { echoed } from '../util/echo.js';

/**
 * The Talos machine-config patches of a twin's cluster, as data (CONTRACTS B.2). `talosctl gen config` lays
 * the common, control-plane and worker patches over its output; `talosctl machineconfig patch` then adds
 * each node's own patch. Patches are strategic merges: maps merge, lists append (except pod and service
 * subnets, which replace), and `machine.network.interfaces` merge by `interface`.
 */

/** KubePrism's port: Talos's default, and where Cilium reaches the API server without kube-proxy (C.1). */
export const KUBEPRISM_PORT = 7445;
/** The VMs' boot disk is scsi0 on virtio-scsi, which Talos sees as /dev/sda (B.2). */
export const INSTALL_DISK = '/dev/sda';
/**
 * Labels every node with its role. `node-role.kubernetes.io/*` cannot be used: NodeRestriction refuses it to
 * a worker's kubelet, and Talos then applies none of the node's labels (siderolabs/talos#6750).
 */
export const ROLE_LABEL = 'aggrik8s.io/role';

export type TalosRole = 'controlplane' | 'worker';

/** Talos' own time server (`constants.DefaultNTPServer`, LIFECYCLE F.6), used when the spec names none. */
export const DEFAULT_TIME_SERVER = 'time.cloudflare.com';

/** One registry's pull-through mirrors (machine.registries.mirrors.<host>, LIFECYCLE F.6). */
export interface RegistryMirror {
  endpoints: string[];
  overridePath?: boolean;
  skipFallback?: boolean;
}

/** The time servers a cluster's nodes use: the spec's, else Talos' default. */
export function timeServersOf(talos: { timeServers?: string[] | undefined }): string[] {
  return talos.timeServers ?? [DEFAULT_TIME_SERVER];
}

export interface TalosClusterInput {
  name: string;
  /** The control planes' shared virtual IP: the Kubernetes API endpoint. */
  vip: string;
  /** Pod CIDR; must differ between clusters of a mesh (C.4). */
  pods: string;
  services: string;
  /** `factory.talos.dev/nocloud-installer/<schematic>:<version>`, the same schematic as the boot image. */
  installImage: string;
  kubernetesVersion: string;
  /** A full release, e.g. v1.11.6. */
  talosVersion: string;
  /**
   * The version contract `gen config --talos-version` targets (e.g. v1.11); the release's own minor when
   * unset. machine-configs.ts keeps it at CONFIG_CONTRACT for every release.
   */
  versionContract?: string | undefined;
  /** Worker count; with none, control planes must take workloads. */
  workers: number;
  /** machine.time.servers; unset leaves Talos' default (time.cloudflare.com). */
  timeServers?: string[] | undefined;
  /** machine.registries.mirrors by registry host; unset pulls from the registries themselves. */
  registryMirrors?: Record<string, RegistryMirror> | undefined;
}

export interface TalosNodeInput {
  /** The VM name, which becomes the hostname and the Kubernetes node name. */
  name: string;
  role: TalosRole;
  address: string;
  prefixLength: number;
  gateway: string;
  dns: string[];
  /** The cluster VIP: required on control planes, refused on workers (Talos rejects a VIP there). */
  vip?: string;
}

/** The Kubernetes API endpoint `gen config` writes into every node's config. */
export function clusterEndpoint(cluster: Pick<TalosClusterInput, 'vip'>): string {
  return `https://${cluster.vip}:6443`;
}

/**
 * For every node. Cilium replaces both the CNI and kube-proxy, so Talos installs neither. hostDNS is left
 * at its default (forwardKubeDNSToHost on): the Talos guide's known issue with it needs Cilium's
 * bpf.masquerade, which our Cilium values leave off.
 */
export function commonPatch(cluster: TalosClusterInput): string {
  requireCidr(cluster.pods, `cluster ${cluster.name}: pods`);
  requireCidr(cluster.services, `cluster ${cluster.name}: services`);
  requireText(cluster.installImage, `cluster ${cluster.name}: installImage`);
  return toYaml({
    machine: {
      install: { disk: INSTALL_DISK, image: cluster.installImage },
      features: { kubePrism: { enabled: true, port: KUBEPRISM_PORT } },
      ...timeAndRegistries(cluster),
    },
    cluster: {
      network: { cni: { name: 'none' }, podSubnets: [cluster.pods], serviceSubnets: [cluster.services] },
      proxy: { disabled: true },
    },
  });
}

/**
 * Time servers and registry mirrors, when the spec sets them (LIFECYCLE F.6). Both apply without a reboot,
 * except registry auth, which we never set (F.3).
 */
function timeAndRegistries(cluster: TalosClusterInput): Record<string, unknown> {
  const field = (name: string) => `cluster ${cluster.name}: ${name}`;
  const patch: Record<string, unknown> = {};
  if (cluster.timeServers !== undefined) {
    if (cluster.timeServers.length === 0) {
      throw new ConfigurationError(
        `${field('timeServers')} is empty: list a server, or leave it out for ${DEFAULT_TIME_SERVER}`,
      );
    }
    patch.time = { servers: [...cluster.timeServers] };
  }
  const mirrors = Object.entries(cluster.registryMirrors ?? {});
  if (mirrors.length > 0) {
    for (const [host, mirror] of mirrors) {
      mirror.endpoints.forEach((endpoint, i) =>
        requireHttpUrl(endpoint, field(`registryMirrors.${host}.endpoints[${i}]`)),
      );
    }
    patch.registries = {
      mirrors: Object.fromEntries(mirrors.map(([host, mirror]) => [host, { ...mirror }])),
    };
  }
  return patch;
}

/**
 * For control planes. Holds nothing that waits on pods (no inline manifests, no kubelet serving-certificate
 * rotation): until Cilium runs, no pod network exists, and such settings would stall the bootstrap.
 */
export function controlPlanePatch(cluster: TalosClusterInput): string {
  requireCount(cluster.workers, `cluster ${cluster.name}: workers`);
  return toYaml({
    machine: { nodeLabels: { [ROLE_LABEL]: 'control-plane' } },
    cluster: { allowSchedulingOnControlPlanes: cluster.workers === 0 },
  });
}

/** For workers. */
export function workerPatch(cluster: TalosClusterInput): string {
  requireCount(cluster.workers, `cluster ${cluster.name}: workers`);
  return toYaml({ machine: { nodeLabels: { [ROLE_LABEL]: 'worker' } } });
}

/**
 * One node's identity: hostname and a static eth0 (the nocloud image names the first NIC eth0), the same
 * address the cloud-init drive gave it, so the node keeps its address once configured. Control planes also
 * carry the VIP, which Talos elects through etcd after bootstrap.
 */
export function nodePatch(node: TalosNodeInput): string {
  const field = (name: string) => `node ${node.name}: ${name}`;
  requireText(node.name, 'node name');
  requireIpv4(node.address, field('address'));
  requireIpv4(node.gateway, field('gateway'));
  if (!Number.isInteger(node.prefixLength) || node.prefixLength < 1 || node.prefixLength > 32) {
    throw new ConfigurationError(
      `${field('prefixLength')} ${node.prefixLength} is not a prefix length: use 1-32`,
    );
  }
  if (node.dns.length === 0) {
    throw new ConfigurationError(`${field('dns')} is empty: list at least one resolver`);
  }
  node.dns.forEach((server, i) => requireIpv4(server, field(`dns[${i}]`)));
  const eth0: Record<string, unknown> = {
    interface: 'eth0',
    dhcp: false,
    addresses: [`${node.address}/${node.prefixLength}`],
    routes: [{ network: '0.0.0.0/0', gateway: node.gateway }],
  };
  if (node.role === 'controlplane') {
    if (node.vip === undefined) {
      throw new ConfigurationError(`${field('vip')} is missing: a control plane carries the cluster VIP`);
    }
    requireIpv4(node.vip, field('vip'));
    eth0.vip = { ip: node.vip };
  } else if (node.vip !== undefined) {
    throw new ConfigurationError(
      `${field('vip')} is set on a worker: Talos accepts a VIP on control planes only`,
    );
  }
  return toYaml({ machine: { network: { hostname: node.name, nameservers: node.dns, interfaces: [eth0] } } });
}

function toYaml(patch: object): string {
  return stringify(patch, { lineWidth: 0 });
}

function requireText(value: string, field: string): void {
  if (value.trim() === '') throw new ConfigurationError(`${field} is empty: give a value`);
}

function requireIpv4(value: string, field: string): void {
  if (!isIpv4(value)) {
    throw new ConfigurationError(
      `${field} ${echoed(value)} is not an IPv4 address: write e.g. 192.168.15.10`,
    );
  }
}

function requireHttpUrl(value: string, field: string): void {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigurationError(
      `${field} ${echoed(value)} is not an http(s) URL: write e.g. https://cache.lab:5000`,
    );
  }
}

function requireCidr(value: string, field: string): void {
  if (!CIDR_REGEX.test(value)) {
    throw new ConfigurationError(`${field} ${echoed(value)} is not an IPv4 CIDR: write e.g. 10.244.0.0/16`);
  }
}

function requireCount(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`${field} ${value} is not a count: use 0 or more`);
  }
}
