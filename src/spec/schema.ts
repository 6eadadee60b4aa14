import { z } from 'zod';
import {
  explain,
  patterned,
  integer,
  ipv4,
  cidr,
  addressRange,
  PVE_NODE,
  PVE_STORAGE_ID,
  PVE_BRIDGE_ID,
  poolPrefix,
  PROJECT_REGEX,
  CLUSTER_NAME_REGEX,
  TALOS_VERSION_REGEX,
  CILIUM_VERSION_REGEX,
  KUBERNETES_VERSION_REGEX,
  SCHEMATIC_REGEX,
  SHA256_REGEX,
  EXTENSION_REGEX,
  CHART_VERSION_REGEX,
  RELATIVE_PATH_REGEX,
  RELEASE_NAME_REGEX,
} from './schema-fields.js';
import { echoed } from '../util/echo.js';

/**
 * The shape of twin.yaml (version 1) and every rule that needs only one field. Rules that compare
 * fields live in rules.ts. The JSON Schema for editors is generated from this file (scripts/write-schema.ts).
 */

const ExtraReleaseSchema = z.strictObject({
  name: patterned(RELEASE_NAME_REGEX, 'a helm release name', 'use lower-case letters, digits and "-"').max(
    53,
  ),
  chart: patterned(/^[a-z0-9][a-z0-9-]*$/, 'a chart name', 'write the chart name as the repository lists it'),
  repo: patterned(/^https:\/\/[^\s]+$/, 'an https chart repository URL', 'write e.g. https://helm.cilium.io'),
  version: patterned(CHART_VERSION_REGEX, 'a chart version', 'pin a version, e.g. 1.5.0'),
  namespace: patterned(RELEASE_NAME_REGEX, 'a namespace name', 'use lower-case letters, digits and "-"').max(
    63,
  ),
  values: patterned(
    RELATIVE_PATH_REGEX,
    'a values file path inside the repository',
    'write a relative path without "..", e.g. deploy/values/app.yaml',
  ).optional(),
});
const BRANCH_REGEX = /^[A-Za-z0-9._/-]+$/;

const HOST_NAME =
  '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*';
/** An NTP server (host name or IPv4 address) or a PTP clock device such as /dev/ptp0 (Talos machine.time.servers). */
const TIME_SERVER_REGEX = new RegExp(`^(?:${HOST_NAME}|/dev/ptp[A-Za-z0-9_]*)$`);
/** A registry as the first segment of an image reference, with an optional port; `*` is every registry. */
const REGISTRY_HOST_REGEX = new RegExp(`^(?:\\*|${HOST_NAME}(?::\\d{1,5})?)$`);
/** A mirror endpoint: an http(s) URL, without spaces, user info or a query. */
const MIRROR_ENDPOINT_REGEX = /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[^\s?#@]*)?$/;

const TimeServersSchema = z
  .array(
    patterned(
      TIME_SERVER_REGEX,
      'a time server: an NTP host name or IPv4 address, or a PTP device such as /dev/ptp0',
      'write e.g. time.cloudflare.com, 192.168.15.1, or /dev/ptp0 (the Proxmox VM clock, which needs no network)',
    ),
  )
  .min(
    1,
    explain(
      'timeServers is empty',
      'list at least one server, or leave timeServers out for time.cloudflare.com',
    ),
  )
  .optional()
  .describe(
    "Time sources of every node (Talos machine.time.servers). Default: Talos' own, time.cloudflare.com. " +
      'Talos starts neither etcd nor the kubelet before time is in sync, so nodes that reach no server never get Ready. ' +
      'On Proxmox, /dev/ptp0 syncs to the host clock (KVM PTP) without any network.',
  );

const RegistryMirrorSchema = z.strictObject({
  endpoints: z
    .array(
      patterned(
        MIRROR_ENDPOINT_REGEX,
        'a mirror endpoint: an http(s) URL',
        'write e.g. https://registry-cache.lab.internal:5000 (path /v2 is added unless overridePath is true)',
      ),
    )
    .min(
      1,
      explain('a mirror needs at least one endpoint', 'list the mirror URLs, e.g. [https://cache.lab:5000]'),
    ),
  overridePath: z.boolean().optional(),
  skipFallback: z.boolean().optional(),
});

const RegistryMirrorsSchema = z
  .record(z.string(), RegistryMirrorSchema)
  .superRefine((mirrors, ctx) => {
    // A refused key is reported at the key itself (zod's own record-key issue names no rule).
    for (const host of Object.keys(mirrors).filter((key) => !REGISTRY_HOST_REGEX.test(key))) {
      ctx.addIssue({
        code: 'custom',
        path: [host],
        message: explain(
          `${echoed(host)} is not a registry host (host[:port], the first segment of an image name, or * for every registry)`,
          'write e.g. docker.io, ghcr.io, registry.k8s.io or *',
        ),
      });
    }
  })
  .optional()
  .describe(
    'Pull-through mirrors per registry (Talos machine.registries.mirrors): endpoints tried in order, then the ' +
      'registry itself unless skipFallback is true.',
  );

const ExtraDiskSchema = z.strictObject({
  sizeGiB: integer(1, 65536, 'an extra disk size (GiB)'),
});

/** A node group's fields without defaults, so an overlay's partial group never resets a base field. */
function nodeGroupFields(role: string, minCount: number, maxCount: number) {
  const tooFew =
    minCount > 0
      ? explain(
          `a cluster needs at least ${minCount} ${role}`,
          `set count to ${minCount} or more (3 for high availability)`,
        )
      : explain(`${role} count cannot be negative`, 'set count to 0 or more');
  const tooMany = explain(
    `at most ${maxCount} ${role}s per cluster are supported`,
    `set count to ${maxCount} or less`,
  );
  return {
    count: z.int().min(minCount, tooFew).max(maxCount, tooMany),
    cores: integer(1, 128, 'cores'),
    memoryMiB: integer(1024, 1048576, 'memoryMiB'),
    diskGiB: integer(10, 65536, 'diskGiB (Talos needs at least 10 GiB)'),
    extraDisks: z
      .array(ExtraDiskSchema)
      .max(8, explain('at most 8 extra disks per VM', 'remove some extraDisks')),
  };
}

const controlPlaneFields = nodeGroupFields('control plane', 1, 9);
const workerFields = nodeGroupFields('worker', 0, 99);
const ControlPlanesSchema = z.strictObject({
  ...controlPlaneFields,
  extraDisks: controlPlaneFields.extraDisks.default([]),
});
const WorkersSchema = z.strictObject({ ...workerFields, extraDisks: workerFields.extraDisks.default([]) });

const ClusterSchema = z.strictObject({
  name: z
    .string()
    .max(32, explain('a cluster name is at most 32 characters (Cilium cluster.name)', 'shorten the name'))
    .regex(
      CLUSTER_NAME_REGEX,
      explain(
        'a cluster name must be lower-case letters, digits and "-", starting and ending with a letter or digit (Cilium cluster.name)',
        'use a name like east or west-2',
      ),
    )
    .refine(
      (name) => name !== 'default',
      explain('"default" is reserved by Cilium', 'pick another name, e.g. east'),
    ),
  id: integer(1, 255, 'a Cilium cluster id'),
  network: z.strictObject({
    vlan: integer(1, 4094, 'vlan'),
    cidr: cidr(),
    gateway: ipv4(),
    dns: z
      .array(ipv4())
      .min(1, explain('dns needs at least one server', 'list a resolver, e.g. [192.168.15.1]')),
    addressPool: addressRange(),
  }),
  pods: cidr(),
  services: cidr(),
  controlPlanes: ControlPlanesSchema,
  workers: WorkersSchema,
});

const ClusterOverlaySchema = z.strictObject({
  vip: ipv4().optional(),
  controlPlanes: z.strictObject(controlPlaneFields).partial().optional(),
  workers: z.strictObject(workerFields).partial().optional(),
});

const slotIndex = () =>
  z.int().min(0, explain('a slot is a number from 0', 'write 0 or a higher slot number below slots.count'));

const EnvironmentFields = {
  /** Pins the slot: stable VMIDs and addresses. Only production may pin (rules.ts explains why). */
  slot: slotIndex().optional(),
  clusters: z.record(z.string(), ClusterOverlaySchema).optional(),
};

const ProductionSchema = z.strictObject({
  branch: patterned(
    BRANCH_REGEX,
    'a branch name',
    'write the branch whose pushes converge production, e.g. main',
  ),
  /**
   * Production's slot and lock pools in a parent pool of their own, where the preview tier's token has no
   * ACL: the boundary between the tiers (runner-setup/README.md "Two trust tiers"). Unset: proxmox.slots.poolPrefix.
   */
  poolPrefix: poolPrefix(
    "write e.g. aggrik8s-production/slot (production's slot in its own parent pool aggrik8s-production, which the operator creates)",
  )
    .optional()
    .describe(
      "Pool id prefix of production's slot and lock pools, in a parent pool of its own that the preview token " +
        'cannot reach, e.g. aggrik8s-production/slot. Unset: production shares proxmox.slots.poolPrefix with the previews.',
    ),
  ...EnvironmentFields,
});

/** The most one preview twin may take, summed over its VMs; each limit is optional (quota.ts enforces it). */
const QuotaSchema = z
  .strictObject({
    vms: integer(1, 10000, 'quota.vms').optional(),
    cores: integer(1, 1000000, 'quota.cores').optional(),
    memoryMiB: integer(1024, 1073741824, 'quota.memoryMiB').optional(),
    diskGiB: integer(10, 1073741824, 'quota.diskGiB').optional(),
  })
  .optional()
  .describe(
    'The most one preview twin may take, summed over all its VMs: vms, cores, memoryMiB, diskGiB (system and ' +
      'extra disks). A preview that asks more is refused at admission, before any change.',
  );

const PreviewSchema = z.strictObject({
  ttlHours: integer(1, 8760, 'ttlHours'),
  quota: QuotaSchema,
  keepLabel: patterned(
    /^[^\s,](?:[^,\n]{0,48}[^\s,])?$/,
    'a GitHub label name (1-50 characters, no comma, no blank at either end)',
    'write the label, e.g. keep',
  )
    .default('keep')
    .describe(
      'A pull request carrying this label keeps its preview past ttlHours (it still goes when the PR closes).',
    ),
  longLived: z
    .array(
      patterned(
        /^(?!production$)[a-z][a-z0-9-]{0,22}[a-z0-9]$/,
        'a preview twin name (lower-case letters, digits and "-", 2-24 characters, not production)',
        'write the name the twin is dispatched with, e.g. demo',
      ),
    )
    .default([])
    .describe('Preview twins the reaper never destroys for their age, e.g. a demo: named, long-lived twins.'),
  ...EnvironmentFields,
});

export const TwinSpecSchema = z.strictObject({
  version: z.literal(1, explain('version must be 1', 'write version: 1')),
  project: patterned(
    PROJECT_REGEX,
    'a project name: lower-case letters, digits and "-", at most 24 characters, starting with a letter or digit',
    'use a short tag-safe name, e.g. aggrik8s',
  ),
  proxmox: z.strictObject({
    nodes: z
      .array(patterned(PVE_NODE, 'a Proxmox node name', 'write the node name as Proxmox shows it, e.g. pve1'))
      .min(1, explain('nodes needs at least one Proxmox node', 'list the nodes twins may use, e.g. [pve1]')),
    storage: z.strictObject({
      images: patterned(PVE_STORAGE_ID, 'a Proxmox storage id', 'write a storage id, e.g. local'),
      disks: patterned(PVE_STORAGE_ID, 'a Proxmox storage id', 'write a storage id, e.g. local-lvm'),
    }),
    network: z.strictObject({
      bridge: patterned(PVE_BRIDGE_ID, 'a Proxmox bridge name', 'write a bridge, e.g. vmbr0'),
    }),
    slots: z.strictObject({
      count: integer(1, 64, 'slots.count'),
      poolPrefix: poolPrefix(
        'write e.g. aggrik8s/slot (slots nested in the parent pool aggrik8s, which the operator creates)',
      ),
      vmidBase: integer(100, 999999999, 'vmidBase (a Proxmox VMID)'),
      vmidsPerSlot: integer(1, 1000000, 'vmidsPerSlot'),
    }),
  }),
  talos: z.strictObject({
    version: patterned(
      TALOS_VERSION_REGEX,
      'a supported Talos version: the v1.11, v1.12 and v1.13 series',
      'write e.g. v1.13.9 (the latest v1.13 release this toolkit knows)',
    ),
    kubernetesVersion: patterned(
      KUBERNETES_VERSION_REGEX,
      'a Kubernetes version some supported Talos release takes (1.29 to 1.36)',
      'write e.g. 1.36.3 (the Talos v1.13.9 default)',
    ),
    schematic: patterned(
      SCHEMATIC_REGEX,
      'an Image Factory schematic id (64 lower-case hex characters)',
      'copy the id that factory.talos.dev shows for your extensions',
    ),
    extensions: z.array(
      patterned(
        EXTENSION_REGEX,
        'an extension name',
        'write it as Image Factory lists it, e.g. siderolabs/qemu-guest-agent',
      ),
    ),
    arch: z.enum(['amd64', 'arm64'], explain('arch must be amd64 or arm64', 'write amd64 or arm64')),
    /** sha256 of the nocloud image of this version, schematic and arch: PVE's download-url checks it. */
    imageSha256: patterned(
      SHA256_REGEX,
      'the sha256 of the Talos nocloud image of this version, schematic and arch (64 lower-case hex characters)',
      'compute it from the image you checked, e.g. curl -fsSL <image URL> | sha256sum',
    ).optional(),
    timeServers: TimeServersSchema,
    registryMirrors: RegistryMirrorsSchema,
  }),
  cilium: z.strictObject({
    version: patterned(
      CILIUM_VERSION_REGEX,
      'a supported Cilium version: the 1.19 and 1.20 series',
      'write e.g. 1.20.0',
    ),
  }),
  clusters: z
    .array(ClusterSchema)
    .min(1, explain('clusters needs at least one cluster', 'declare a cluster (two for a mesh)')),
  addons: z.strictObject({
    rook: z.strictObject({
      enabled: z.boolean(),
      version: patterned(CHART_VERSION_REGEX, 'a chart version', 'write e.g. v1.18.8'),
    }),
    starwars: z.strictObject({
      enabled: z.boolean(),
      /** Optional Cilium global-service checks beyond reach and failover (CONTRACTS C.5). */
      extraChecks: z
        .array(
          z.enum(['shared', 'affinity'], {
            error: explain('an extra check is shared or affinity', 'write shared and/or affinity'),
          }),
        )
        .default([]),
    }),
    tetragon: z
      .strictObject({
        enabled: z.boolean(),
        version: patterned(CHART_VERSION_REGEX, 'a chart version', 'write e.g. 1.5.0'),
      })
      .optional(),
    extras: z
      .strictObject({
        releases: z.array(ExtraReleaseSchema).default([]),
        manifests: z
          .array(
            patterned(
              RELATIVE_PATH_REGEX,
              'a path inside the repository',
              'write a relative path without "..", e.g. deploy/apps',
            ),
          )
          .default([]),
      })
      .default({ releases: [], manifests: [] }),
  }),
  environments: z.strictObject({
    production: ProductionSchema,
    preview: PreviewSchema,
  }),
});

export type TwinSpec = z.output<typeof TwinSpecSchema>;
export type ClusterSpec = TwinSpec['clusters'][number];
export type NodeGroupSpec = ClusterSpec['controlPlanes'];
export type ClusterOverlay = z.output<typeof ClusterOverlaySchema>;
export type EnvironmentName = 'production' | 'preview';
export type EnvironmentSpec = TwinSpec['environments'][EnvironmentName];
export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ['production', 'preview'];
