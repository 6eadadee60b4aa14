import { talosSeriesOf, talosSupportsKubernetes } from './releases.js';
import {
  formatRange,
  parseCidr,
  parseIpv4,
  parseRange,
  rangeContains,
  rangeIncludes,
  rangeSize,
  rangesOverlap,
} from '../util/ipv4.js';
import type { Ipv4Cidr, Ipv4Range } from '../util/ipv4.js';
import { PROXMOX_MAX_VMID, addressesNeeded, highestVmid, maxVmsPerTwin, slotBlockSize } from './derived.js';
import { applyOverlay } from './environment.js';
import { nodeSizingIssues } from './node-sizing-rules.js';
import { productionPoolRules } from './pool-rules.js';
import { ENVIRONMENT_NAMES } from './schema.js';
import type { ClusterSpec, EnvironmentName, TwinSpec } from './schema.js';

/** Rules that compare fields. They run only on a spec whose shape already passed the schema. */

export type SpecPath = (string | number)[];

export interface RuleIssue {
  severity: 'error' | 'warning';
  path: SpecPath;
  message: string;
  fix: string;
  /** Point at the key rather than its value (e.g. an overlay naming an unknown cluster). */
  at?: 'key';
}

const error = (path: SpecPath, message: string, fix: string, at?: 'key'): RuleIssue => ({
  severity: 'error',
  path,
  message,
  fix,
  ...(at ? { at } : {}),
});

const warning = (path: SpecPath, message: string, fix: string): RuleIssue => ({
  severity: 'warning',
  path,
  message,
  fix,
});

export function checkSpecRules(spec: TwinSpec): RuleIssue[] {
  return [
    ...uniqueNodes(spec),
    ...uniqueClusters(spec),
    ...spec.clusters.flatMap((cluster, index) => nodeNetworkRules(cluster, index)),
    ...cidrOverlapRules(spec),
    ...ENVIRONMENT_NAMES.flatMap((environment) => environmentRules(spec, environment)),
    ...capacityRules(spec),
    ...releaseRules(spec),
    ...nodeSizingIssues(spec),
    ...productionPoolRules(spec),
    ...warnings(spec),
  ];
}

/** The Kubernetes release must be one the Talos release runs (LIFECYCLE F.2 support matrix). */
function releaseRules(spec: TwinSpec): RuleIssue[] {
  const { version, kubernetesVersion } = spec.talos;
  const series = talosSeriesOf(version);
  if (!series || talosSupportsKubernetes(version, kubernetesVersion)) return [];
  return [
    error(
      ['talos', 'kubernetesVersion'],
      `Kubernetes ${kubernetesVersion} is not a release Talos ${series.series} runs (${series.kubernetesMin} to ${series.kubernetesMax})`,
      `write a ${series.kubernetesMin}-${series.kubernetesMax} release, e.g. ${series.defaultKubernetes} (the ${series.latest} default), or a talos.version that runs ${kubernetesVersion}`,
    ),
  ];
}

function duplicates<T>(values: T[]): number[] {
  return values.flatMap((value, index) => (values.indexOf(value) < index ? [index] : []));
}

function uniqueNodes(spec: TwinSpec): RuleIssue[] {
  return duplicates(spec.proxmox.nodes).map((index) =>
    error(
      ['proxmox', 'nodes', index],
      `node ${spec.proxmox.nodes[index]} is listed twice`,
      'remove the repeat',
    ),
  );
}

function uniqueClusters(spec: TwinSpec): RuleIssue[] {
  const names = duplicates(spec.clusters.map((cluster) => cluster.name)).map((index) =>
    error(
      ['clusters', index, 'name'],
      `cluster name ${spec.clusters[index]?.name} is used twice; Cluster Mesh needs a unique name per cluster`,
      'rename one of the clusters',
    ),
  );
  const ids = duplicates(spec.clusters.map((cluster) => cluster.id)).map((index) =>
    error(
      ['clusters', index, 'id'],
      `cluster id ${spec.clusters[index]?.id} is used twice; Cluster Mesh needs a unique id (1-255) per cluster`,
      `give this cluster an unused id, e.g. ${Math.max(...spec.clusters.map((cluster) => cluster.id)) + 1}`,
    ),
  );
  return [...names, ...ids];
}

/** Addresses a host may take: a /31 or /32 has no network and broadcast address to exclude. */
function hostAddresses(network: Ipv4Cidr): Ipv4Range {
  return network.prefix <= 30 ? { first: network.first + 1, last: network.last - 1 } : network;
}

/** What is wrong with using `address` as a single host address in `cluster`'s node network, if anything. */
function hostAddressProblem(cluster: ClusterSpec, address: number): string | undefined {
  const network = parseCidr(cluster.network.cidr);
  if (!rangeIncludes(network, address)) return `is outside the node network ${cluster.network.cidr}`;
  if (!rangeIncludes(hostAddresses(network), address)) {
    return `is the network or broadcast address of ${cluster.network.cidr}`;
  }
  return undefined;
}

function nodeNetworkRules(cluster: ClusterSpec, index: number): RuleIssue[] {
  const at = (field: string): SpecPath => ['clusters', index, 'network', field];
  const { gateway, addressPool, cidr } = cluster.network;
  const hosts = formatRange(hostAddresses(parseCidr(cidr)));
  const issues: RuleIssue[] = [];
  const gatewayProblem = hostAddressProblem(cluster, parseIpv4(gateway));
  if (gatewayProblem) {
    issues.push(
      error(at('gateway'), `gateway ${gateway} ${gatewayProblem}`, `use the router's address in ${hosts}`),
    );
  }
  const pool = parseRange(addressPool);
  if (!rangeContains(hostAddresses(parseCidr(cidr)), pool)) {
    issues.push(
      error(
        at('addressPool'),
        `addressPool ${addressPool} is not inside the host addresses of ${cidr} (${hosts})`,
        `choose a range within ${hosts}`,
      ),
    );
  } else if (rangeIncludes(pool, parseIpv4(gateway))) {
    issues.push(
      error(
        at('gateway'),
        `gateway ${gateway} lies inside addressPool ${addressPool}; a slot would hand it to a VM`,
        'start or end the addressPool so that it leaves the gateway out',
      ),
    );
  }
  return issues;
}

interface NamedCidr {
  path: SpecPath;
  /** e.g. "pods 10.244.0.0/16 of cluster east", for messages. */
  label: string;
  range: Ipv4Cidr;
}

function clusterCidrs(spec: TwinSpec, field: 'pods' | 'services' | 'network'): NamedCidr[] {
  return spec.clusters.map((cluster, index) => {
    const text = field === 'network' ? cluster.network.cidr : cluster[field];
    const path = field === 'network' ? ['clusters', index, 'network', 'cidr'] : ['clusters', index, field];
    const label = `${field === 'network' ? 'network.cidr' : field} ${text} of cluster ${cluster.name}`;
    return { path, label, range: parseCidr(text) };
  });
}

function cidrOverlapRules(spec: TwinSpec): RuleIssue[] {
  const pods = clusterCidrs(spec, 'pods');
  const services = clusterCidrs(spec, 'services');
  const networks = clusterCidrs(spec, 'network');
  const overlap = (subject: NamedCidr, other: NamedCidr, why: string, fix: string): RuleIssue[] =>
    rangesOverlap(subject.range, other.range)
      ? [error(subject.path, `${subject.label} overlaps ${other.label}${why}`, fix)]
      : [];
  const pickAnother = 'choose a range that overlaps no node network, pod or service CIDR';
  return [
    ...services.flatMap((service, index) => {
      const ownPods = pods[index];
      return ownPods ? overlap(service, ownPods, '', `${pickAnother}, e.g. 10.96.0.0/12`) : [];
    }),
    ...[...pods, ...services].flatMap((cidr) =>
      networks.flatMap((network) =>
        overlap(cidr, network, '; nodes and pods would route to each other', pickAnother),
      ),
    ),
    ...pods.flatMap((cidr, index) =>
      pods
        .slice(0, index)
        .flatMap((other) =>
          overlap(
            cidr,
            other,
            '; Cluster Mesh requires distinct pod CIDRs',
            `${pickAnother}, e.g. the next /16`,
          ),
        ),
    ),
    ...networks.flatMap((cidr, index) =>
      networks
        .slice(0, index)
        .flatMap((other) =>
          overlap(
            cidr,
            other,
            '; each cluster needs its own node network',
            'give each cluster its own subnet',
          ),
        ),
    ),
  ];
}

function environmentRules(spec: TwinSpec, environment: EnvironmentName): RuleIssue[] {
  const settings = spec.environments[environment];
  const base: SpecPath = ['environments', environment];
  const issues: RuleIssue[] = [];
  if (settings.slot !== undefined) {
    if (environment === 'preview') {
      issues.push(
        error(
          [...base, 'slot'],
          'a preview cannot pin a slot: previews take any free slot, and two previews pinned to one slot would collide',
          'remove slot from environments.preview',
        ),
      );
    } else if (settings.slot >= spec.proxmox.slots.count) {
      issues.push(
        error(
          [...base, 'slot'],
          `slot ${settings.slot} does not exist: proxmox.slots.count is ${spec.proxmox.slots.count} (slots 0-${spec.proxmox.slots.count - 1})`,
          `pin a slot below ${spec.proxmox.slots.count}, e.g. 0`,
        ),
      );
    }
  }
  const pinnedVips = Object.entries(settings.clusters ?? {}).filter(
    ([, overlay]) => overlay.vip !== undefined,
  );
  if (settings.slot === undefined && pinnedVips.length > 0) {
    issues.push(
      error(
        base,
        `pins the vip of ${pinnedVips.map(([name]) => name).join(', ')} but not a slot; ` +
          "without a pinned slot the twin's addresses move with whichever slot it gets",
        environment === 'preview'
          ? 'remove vip from the preview overlays; a preview takes its VIP from its slot'
          : `add slot: 0 to environments.${environment}, or remove the vips`,
        'key',
      ),
    );
  }
  for (const [name, overlay] of Object.entries(settings.clusters ?? {})) {
    const path: SpecPath = [...base, 'clusters', name];
    const cluster = spec.clusters.find((candidate) => candidate.name === name);
    if (!cluster) {
      const known = spec.clusters.map((candidate) => candidate.name).join(', ');
      issues.push(
        error(
          path,
          `the overlay names cluster ${name}, which clusters does not declare`,
          `use one of: ${known}`,
          'key',
        ),
      );
      continue;
    }
    if (overlay.vip !== undefined)
      issues.push(...vipRules(cluster, overlay.vip, environment, [...path, 'vip']));
  }
  return issues;
}

function vipRules(
  cluster: ClusterSpec,
  vip: string,
  environment: EnvironmentName,
  path: SpecPath,
): RuleIssue[] {
  const fix = `pick a free address in ${cluster.network.cidr} outside addressPool ${cluster.network.addressPool}`;
  const address = parseIpv4(vip);
  const problem = hostAddressProblem(cluster, address);
  if (problem) return [error(path, `${environment} vip ${vip} ${problem}`, fix)];
  if (vip === cluster.network.gateway) return [error(path, `${environment} vip ${vip} is the gateway`, fix)];
  if (rangeIncludes(parseRange(cluster.network.addressPool), address)) {
    return [
      error(
        path,
        `${environment} vip ${vip} lies inside addressPool ${cluster.network.addressPool}, where it would collide with a slot's addresses`,
        fix,
      ),
    ];
  }
  return [];
}

function capacityRules(spec: TwinSpec): RuleIssue[] {
  const slots = spec.proxmox.slots;
  const issues = spec.clusters.flatMap((cluster, index) => {
    const needed = addressesNeeded(spec, cluster.name);
    const perSlot = slotBlockSize(cluster, slots);
    if (perSlot >= needed) return [];
    const poolSize = rangeSize(parseRange(cluster.network.addressPool));
    const slotsThatFit = Math.floor(poolSize / needed);
    return [
      error(
        ['clusters', index, 'network', 'addressPool'],
        `addressPool ${cluster.network.addressPool} is too small: ${poolSize} addresses over ${slots.count} slots ` +
          `is ${perSlot} per slot, but cluster ${cluster.name} needs ${needed} (1 VIP + the most control planes and workers of any environment)`,
        `widen addressPool to at least ${needed * slots.count} addresses` +
          (slotsThatFit >= 1 ? ` or lower proxmox.slots.count to ${slotsThatFit}` : ''),
      ),
    ];
  });
  const vms = maxVmsPerTwin(spec);
  if (slots.vmidsPerSlot < vms) {
    issues.push(
      error(
        ['proxmox', 'slots', 'vmidsPerSlot'],
        `vmidsPerSlot ${slots.vmidsPerSlot} is fewer than the ${vms} VMs a twin has`,
        `set vmidsPerSlot to at least ${vms} (e.g. 100)`,
      ),
    );
  }
  const highest = highestVmid(slots);
  if (highest > PROXMOX_MAX_VMID) {
    issues.push(
      error(
        ['proxmox', 'slots', 'vmidBase'],
        `the last slot would use VMID ${highest}, above Proxmox's limit ${PROXMOX_MAX_VMID}`,
        `lower vmidBase to at most ${PROXMOX_MAX_VMID + 1 - slots.count * slots.vmidsPerSlot}, or lower slots.count or vmidsPerSlot`,
      ),
    );
  }
  return issues;
}

function warnings(spec: TwinSpec): RuleIssue[] {
  const evenCount = (path: SpecPath, count: number): RuleIssue[] =>
    count % 2 === 0
      ? [
          warning(
            path,
            `${count} control planes tolerate no more failures than ${count - 1} (etcd needs a majority)`,
            `use an odd count, e.g. ${count - 1} or ${count + 1}`,
          ),
        ]
      : [];
  const base = spec.clusters.flatMap((cluster, index) =>
    evenCount(['clusters', index, 'controlPlanes', 'count'], cluster.controlPlanes.count),
  );
  const overlays = ENVIRONMENT_NAMES.flatMap((environment) =>
    Object.entries(spec.environments[environment].clusters ?? {}).flatMap(([name, overlay]) =>
      overlay.controlPlanes?.count === undefined
        ? []
        : evenCount(
            ['environments', environment, 'clusters', name, 'controlPlanes', 'count'],
            overlay.controlPlanes.count,
          ),
    ),
  );
  const guestAgent = spec.talos.extensions.includes('siderolabs/qemu-guest-agent')
    ? []
    : [
        warning(
          ['talos', 'extensions'],
          'the schematic does not list siderolabs/qemu-guest-agent: Proxmox cannot shut the VMs down cleanly or read their addresses',
          'build a schematic with siderolabs/qemu-guest-agent at factory.talos.dev and list it here',
        ),
      ];
  const rookDisks = spec.addons.rook.enabled
    ? spec.clusters.flatMap((cluster, index) =>
        ENVIRONMENT_NAMES.some((environment) => {
          const workers = applyOverlay(
            cluster,
            spec.environments[environment].clusters?.[cluster.name],
          ).workers;
          return workers.count > 0 && workers.extraDisks.length === 0;
        })
          ? [
              warning(
                ['clusters', index, 'workers'],
                `rook is enabled but cluster ${cluster.name} has workers without extraDisks: Ceph has no raw disk for an OSD`,
                'add extraDisks: [{ sizeGiB: 100 }] to the workers',
              ),
            ]
          : [],
      )
    : [];
  return [...base, ...overlays, ...guestAgent, ...rookDisks];
}
