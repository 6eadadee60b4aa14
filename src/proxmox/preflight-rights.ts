import type { EnvironmentName, TwinSpec } from '../spec/schema.js';
import { slotPoolId } from '../spec/identity.js';
import { parentPoolOf, poolPrefixOf } from '../spec/pools.js';

/**
 * Which Proxmox privileges a twin's operations need, and on which ACL paths (PVE-PERMISSIONS.md P.6,
 * P.10; the layout of runner-setup/README.md). Pure: derived from the spec alone, so `twin doctor`, the
 * preflight of action-provision and `twin plan` all ask for exactly the same rights.
 */

/** The operations that change Proxmox and are checked before they start. */
export type PreflightOperation = 'apply' | 'destroy';

/** The PVE major release: PVE 8 names the guest-agent privilege VM.Monitor (P.1). */
export type PveRelease = 8 | 9;

export interface RightRequirement {
  privilege: string;
  /** A normalized ACL path, as GET /access/permissions?path= expects it (P.8). */
  path: string;
  /** What the twin does with it, in words. */
  neededFor: string;
  /** The role runner-setup/README.md puts the privilege in, named in the commands that grant it. */
  role: string;
  /**
   * The right must reach the paths below (the slot pools and their VMs), so it must be granted with
   * propagate; GET /access/permissions answers 0 for a right granted without it.
   */
  propagate: boolean;
}

export type RightsSpec = Pick<TwinSpec, 'proxmox' | 'clusters' | 'environments'>;

/**
 * What is checked: an operation on the twins of these environments. Each environment's twins act in the
 * parent pool of its own prefix (production's may be apart from the previews'), so a token is checked there.
 */
export interface RightsFor {
  operation: PreflightOperation;
  environments: readonly EnvironmentName[];
}

type Scope = 'pool' | 'images' | 'disks' | 'nodes' | 'network';

interface Rule {
  scope: Scope;
  privilege: string | ((release: PveRelease) => string);
  /** Per operation, what it does with the privilege; an operation not named does not need it. */
  uses: Partial<Record<PreflightOperation, string>>;
}

const ROLES: Record<Scope, string> = {
  pool: 'TwinGuests',
  images: 'TwinImages',
  disks: 'TwinDisks',
  nodes: 'TwinNodes',
  network: 'TwinNetwork',
};

const LIST_POOLS = 'list the slot pools (GET /pools)';
const READ_VMS = 'find and read the VMs (GET /cluster/resources, config, status)';

// P.10's table, narrowed to what the product sends (src/proxmox/vm-config.ts and vm-lifecycle.ts).
const RULES: Rule[] = [
  { scope: 'pool', privilege: 'Pool.Audit', uses: { apply: LIST_POOLS, destroy: LIST_POOLS } },
  {
    scope: 'pool',
    privilege: 'Pool.Allocate',
    uses: {
      apply:
        "claim a slot (create its pool, update its comment); take the twin's lock (pool <prefix>-lock-<twin>)",
      destroy: "release the slot (delete its pool); take the twin's lock (pool <prefix>-lock-<twin>)",
    },
  },
  {
    scope: 'pool',
    privilege: 'VM.Allocate',
    uses: { apply: 'create VMs in the slot pool, delete VMs the spec dropped', destroy: 'delete the VMs' },
  },
  { scope: 'pool', privilege: 'VM.Audit', uses: { apply: READ_VMS, destroy: READ_VMS } },
  {
    scope: 'pool',
    privilege: 'VM.PowerMgmt',
    uses: {
      apply: 'start VMs, power-cycle a hung one, reboot a resized one',
      destroy: 'shut down and stop the VMs',
    },
  },
  {
    scope: 'pool',
    privilege: 'VM.Config.CPU',
    uses: { apply: 'create VMs (cores, cpu), change their cores' },
  },
  {
    scope: 'pool',
    privilege: 'VM.Config.Memory',
    uses: { apply: 'create VMs (memory, balloon), change their memory' },
  },
  { scope: 'pool', privilege: 'VM.Config.Disk', uses: { apply: 'create VMs (boot), grow their disks' } },
  { scope: 'pool', privilege: 'VM.Config.Network', uses: { apply: 'create VMs (net0)' } },
  { scope: 'pool', privilege: 'VM.Config.HWType', uses: { apply: 'create VMs (scsihw, serial0)' } },
  {
    scope: 'pool',
    privilege: 'VM.Config.Cloudinit',
    uses: { apply: 'create VMs (ipconfig0, nameserver, citype)' },
  },
  {
    scope: 'pool',
    privilege: 'VM.Config.Options',
    uses: { apply: 'create VMs (name, ostype, agent, onboot, description), set their tags' },
  },
  {
    scope: 'pool',
    privilege: (release) => (release === 8 ? 'VM.Monitor' : 'VM.GuestAgent.Audit'),
    uses: { apply: "read a node's addresses from the guest agent" },
  },
  {
    scope: 'images',
    privilege: 'Datastore.AllocateTemplate',
    uses: { apply: 'download the Talos image (download-url, content import)' },
  },
  {
    scope: 'images',
    privilege: 'Datastore.Audit',
    uses: { apply: 'list the Talos image, import-from it at create, read its content types' },
  },
  {
    scope: 'disks',
    privilege: 'Datastore.AllocateSpace',
    uses: { apply: 'allocate the VM disks at create, grow them' },
  },
  {
    scope: 'disks',
    privilege: 'Datastore.Audit',
    uses: { apply: 'read its free space and content types (GET /cluster/resources)' },
  },
  {
    scope: 'nodes',
    privilege: 'Sys.AccessNetwork',
    uses: { apply: 'download the Talos image on this node (download-url)' },
  },
  {
    scope: 'nodes',
    privilege: 'Sys.Audit',
    uses: {
      apply: "read node memory for placement (GET /nodes) and other runners' creates in flight (task list)",
      destroy: "wait for other runners' creates in flight in the twin's VMIDs (task list)",
    },
  },
  { scope: 'network', privilege: 'SDN.Use', uses: { apply: 'attach the VMs of cluster {cluster} (net0)' } },
];

/** The ACL path that must grant the VM and pool rights, inherited by every pool of the prefix below it. */
export function slotPoolAclPath(poolPrefix: string): string {
  const parent = parentPoolOf(poolPrefix);
  return parent === undefined ? '/pool' : `/pool/${parent}`;
}

/** The distinct pool prefixes the twins of `environments` create their slot and lock pools under. */
export function poolPrefixesFor(spec: RightsSpec, environments: readonly EnvironmentName[]): string[] {
  return [...new Set(environments.map((environment) => poolPrefixOf(spec, environment)))];
}

/** Every slot pool's own ACL path under `poolPrefix`, slot 0 first. */
export function slotPoolPaths(spec: RightsSpec, poolPrefix: string): string[] {
  const { count } = spec.proxmox.slots;
  return Array.from({ length: count }, (_, slot) => `/pool/${slotPoolId(poolPrefix, slot)}`);
}

/** The paths of one scope, each with the words that fill the rule's `{cluster}`. */
function scopePaths(
  spec: RightsSpec,
  scope: Scope,
  environments: readonly EnvironmentName[],
): { path: string; cluster?: string }[] {
  const { proxmox } = spec;
  switch (scope) {
    case 'pool':
      return poolPrefixesFor(spec, environments).map((prefix) => ({ path: slotPoolAclPath(prefix) }));
    case 'images':
      return [{ path: `/storage/${proxmox.storage.images}` }];
    case 'disks':
      return [{ path: `/storage/${proxmox.storage.disks}` }];
    case 'nodes':
      return proxmox.nodes.map((node) => ({ path: `/nodes/${node}` }));
    case 'network':
      // check_vnet_access checks the NIC's VLAN path (P.6.1 item 9).
      return spec.clusters.map((cluster) => ({
        path: `/sdn/zones/localnetwork/${proxmox.network.bridge}/${cluster.network.vlan}`,
        cluster: cluster.name,
      }));
  }
}

/**
 * The rights the operation needs, one per privilege and path, sorted by path then privilege. Where two
 * rules meet on one path (images and disks on the same storage, clusters sharing a VLAN) their uses join.
 */
export function requiredRights(
  spec: RightsSpec,
  what: RightsFor,
  release: PveRelease = 9,
): RightRequirement[] {
  const byKey = new Map<string, RightRequirement>();
  for (const rule of RULES) {
    const use = rule.uses[what.operation];
    if (use === undefined) continue;
    const privilege = typeof rule.privilege === 'string' ? rule.privilege : rule.privilege(release);
    for (const { path, cluster } of scopePaths(spec, rule.scope, what.environments)) {
      const neededFor = use.replace('{cluster}', cluster ?? '');
      const key = `${path} ${privilege}`;
      const known = byKey.get(key);
      if (known && !known.neededFor.includes(neededFor)) known.neededFor += `; ${neededFor}`;
      if (!known) {
        byKey.set(key, {
          privilege,
          path,
          neededFor,
          role: ROLES[rule.scope],
          propagate: rule.scope === 'pool',
        });
      }
    }
  }
  return [...byKey.values()].sort(byPathThenPrivilege);
}

export function byPathThenPrivilege(
  a: { path: string; privilege: string },
  b: { path: string; privilege: string },
): number {
  return compareText(a.path, b.path) || compareText(a.privilege, b.privilege);
}

/** Code-point order: the same on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
