import { parse } from 'yaml';
import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';

/**
 * The resources Rook v1.18.8's charts give their pods (LIFECYCLE H.1): the operator's `resources`, the CSI
 * drivers' `csi.*Resource` YAML strings (Rook carries them into the driver pods by container name), and the
 * CephCluster's `spec.resources` per daemon key, merged over Rook's defaults one key at a time as helm does.
 */

type ResourceBlock = { requests?: Doc; limits?: Doc };

const block = (cpu: string | undefined, memory: string, limit: string, cpuLimit?: string): ResourceBlock => ({
  requests: { ...(cpu ? { cpu } : {}), memory },
  limits: { ...(cpuLimit ? { cpu: cpuLimit } : {}), memory: limit },
});

/** rook-ceph values.yaml lines 23–29. */
export const OPERATOR_RESOURCES = block('200m', '128Mi', '512Mi');

const SIDECAR = block('100m', '128Mi', '256Mi');
const REGISTRAR = block('50m', '128Mi', '256Mi');
const PLUGIN = block('250m', '512Mi', '1Gi');

/** The `csi.*Resource` defaults (rook-ceph values.yaml lines 231–377), as name -> resources. */
export const CSI_RESOURCE_DEFAULTS: Record<string, Record<string, ResourceBlock>> = {
  csiRBDProvisionerResource: {
    'csi-provisioner': SIDECAR,
    'csi-resizer': SIDECAR,
    'csi-attacher': SIDECAR,
    'csi-snapshotter': SIDECAR,
    // The RBD plugin in the provisioner asks for memory only.
    'csi-rbdplugin': block(undefined, '512Mi', '1Gi'),
  },
  csiRBDPluginResource: { 'driver-registrar': REGISTRAR, 'csi-rbdplugin': PLUGIN },
  csiCephFSProvisionerResource: {
    'csi-provisioner': SIDECAR,
    'csi-resizer': SIDECAR,
    'csi-attacher': SIDECAR,
    'csi-snapshotter': SIDECAR,
    'csi-cephfsplugin': PLUGIN,
  },
  csiCephFSPluginResource: { 'driver-registrar': REGISTRAR, 'csi-cephfsplugin': PLUGIN },
};

/**
 * The resources for a CSI pod's containers: the value's YAML string (a list of `{name, resource}`) when set,
 * else the default. Rook maps a container to the entry whose name it contains (operator_driver.go 378–450).
 */
export function csiResources(
  values: Doc,
  key: keyof typeof CSI_RESOURCE_DEFAULTS,
): Record<string, ResourceBlock> {
  const text = get(values, `csi.${key}`);
  if (typeof text !== 'string' || text.trim() === '') return CSI_RESOURCE_DEFAULTS[key]!;
  const parsed: unknown = parse(text);
  const entries = Array.isArray(parsed) ? parsed.filter(isMap) : [];
  return Object.fromEntries(
    entries.map((entry) => [
      String(entry.name),
      (isMap(entry.resource) ? entry.resource : {}) as ResourceBlock,
    ]),
  );
}

/** Gives each container the resources of its entry (by name), leaving containers without one as they are. */
export function withContainerResources(containers: Doc[], resources: Record<string, ResourceBlock>): Doc[] {
  return containers.map((container) => {
    const entry = resources[String(container.name)];
    return entry ? { ...container, resources: entry } : container;
  });
}

/** rook-ceph-cluster values.yaml `cephClusterSpec.resources` (lines 300–360). */
export const CEPH_RESOURCE_DEFAULTS: Record<string, ResourceBlock> = {
  mgr: block('500m', '512Mi', '1Gi'),
  mon: block('1000m', '1Gi', '2Gi'),
  osd: block('1000m', '4Gi', '4Gi'),
  prepareosd: { requests: { cpu: '500m', memory: '50Mi' } },
  'mgr-sidecar': block('100m', '40Mi', '100Mi'),
  crashcollector: block('100m', '60Mi', '60Mi'),
  logcollector: block('100m', '100Mi', '1Gi'),
  cleanup: block('500m', '100Mi', '1Gi'),
  exporter: block('50m', '50Mi', '128Mi'),
};

/** The CephCluster's resources for a daemon key: what the spec sets (after the chart's defaults), else none. */
export function cephResources(clusterSpec: Doc, key: string): ResourceBlock {
  const value = get(clusterSpec, `resources.${key}`);
  return isMap(value) ? (value as ResourceBlock) : {};
}
