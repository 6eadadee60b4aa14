import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeClusters } from './clusters.js';
import { byKind } from './kinds.js';
import { labelsOf } from './objects.js';

/**
 * Pod Security Admission as the cluster's kube-apiserver runs it: the PodSecurity plugin configured in
 * the Talos machine config (`cluster.apiServer.admissionControl`; Talos 1.11 enforces `baseline` and warns
 * for `restricted` by default, kube-system exempt), overridden per namespace by the
 * `pod-security.kubernetes.io/<mode>` labels. The checks and their texts are pod-security-admission's.
 */

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface LevelVersion {
  level: PodSecurityLevel;
  version: string;
}

export interface NamespacePolicy {
  enforce: LevelVersion;
  warn: LevelVersion;
  /** Listed in the plugin's exemptions: nothing is checked. */
  exempt: boolean;
}

const LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];
const LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** The policy pods in `namespace` are admitted under: from the namespace's labels now, or the `labels` given. */
export function namespacePolicy(
  kube: KubeClusters,
  clusterId: string,
  namespace: string,
  labels = namespaceLabels(kube, clusterId, namespace),
): NamespacePolicy {
  const plugin = admissionPlugin(kube, clusterId);
  const defaults = isMap(plugin?.defaults) ? plugin.defaults : {};
  const exempted = get(plugin, 'exemptions.namespaces');
  const mode = (name: 'enforce' | 'warn'): LevelVersion => ({
    level: asLevel(labels[`${LABEL_PREFIX}${name}`]) ?? asLevel(defaults[name]) ?? 'privileged',
    version: labels[`${LABEL_PREFIX}${name}-version`] ?? String(defaults[`${name}-version`] ?? 'latest'),
  });
  return {
    enforce: mode('enforce'),
    warn: mode('warn'),
    exempt: Array.isArray(exempted) && exempted.map(String).includes(namespace),
  };
}

function namespaceLabels(kube: KubeClusters, clusterId: string, namespace: string): Record<string, string> {
  const stored = kube.objects(clusterId).get(byKind('Namespace'), undefined, namespace);
  return stored ? labelsOf(stored.object) : {};
}

/** The PodSecurity plugin's configuration from the control planes' machine config, if it is configured. */
function admissionPlugin(kube: KubeClusters, clusterId: string): Doc | undefined {
  const controlPlane = kube.talos
    .all()
    .find((node) => node.clusterId === clusterId && node.role === 'controlplane' && node.config);
  const plugins = get(controlPlane?.config, 'cluster.apiServer.admissionControl');
  const entry = (Array.isArray(plugins) ? plugins.filter(isMap) : []).find(
    (plugin) => plugin.name === 'PodSecurity',
  );
  return isMap(entry?.configuration) ? entry.configuration : undefined;
}

function asLevel(value: unknown): PodSecurityLevel | undefined {
  return LEVELS.find((level) => level === value);
}

/** The API server's refusal of a pod (`violates PodSecurity ...`), if the enforced level forbids it. */
export function enforcementError(policy: NamespacePolicy, podSpec: Doc): string | undefined {
  if (policy.exempt) return undefined;
  const found = violations(policy.enforce.level, podSpec);
  if (found.length === 0) return undefined;
  return `violates PodSecurity "${policy.enforce.level}:${policy.enforce.version}": ${found.join(', ')}`;
}

/** The warning kubectl prints when a pod (or a workload's pod template) breaks the namespace's warn level. */
export function warning(policy: NamespacePolicy, podSpec: Doc): string | undefined {
  if (policy.exempt) return undefined;
  const found = violations(policy.warn.level, podSpec);
  if (found.length === 0) return undefined;
  return `would violate PodSecurity "${policy.warn.level}:${policy.warn.version}": ${found.join(', ')}`;
}

interface Container {
  name: string;
  securityContext: Doc;
  ports: Doc[];
}

interface Check {
  /** pod-security-admission reports failed checks in the order of their ids. */
  id: string;
  level: 'baseline' | 'restricted';
  /** The baseline checks a restricted one replaces. */
  overrides?: string[];
  run(spec: Doc, containers: Container[]): string | undefined;
}

/** `reason (detail)` for every check of `level` the pod spec fails. */
export function violations(level: PodSecurityLevel, podSpec: Doc): string[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((check) => check.level === 'baseline' || level === 'restricted');
  const overridden = new Set(active.flatMap((check) => check.overrides ?? []));
  const containers = containersOf(podSpec);
  return active
    .filter((check) => !overridden.has(check.id))
    .map((check) => check.run(podSpec, containers))
    .filter((failure): failure is string => failure !== undefined);
}

/** Init containers first, as pod-security-admission visits them. */
function containersOf(spec: Doc): Container[] {
  const list = (field: string) =>
    Array.isArray(spec[field]) ? (spec[field] as unknown[]).filter(isMap) : [];
  return [...list('initContainers'), ...list('containers'), ...list('ephemeralContainers')].map(
    (container) => ({
      name: String(container.name),
      securityContext: isMap(container.securityContext) ? container.securityContext : {},
      ports: Array.isArray(container.ports) ? container.ports.filter(isMap) : [],
    }),
  );
}

const joinQuote = (items: string[]) => items.map((item) => `"${item}"`).join(', ');
const plural = (singular: string, many: string, count: number) => (count === 1 ? singular : many);
const containersPhrase = (names: string[]) =>
  `${plural('container', 'containers', names.length)} ${joinQuote(names)}`;

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const RESTRICTED_VOLUME_SOURCES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

const capabilities = (container: Container, field: 'add' | 'drop'): string[] => {
  const list = get(container.securityContext, `capabilities.${field}`);
  return Array.isArray(list) ? list.map(String) : [];
};
const volumesOf = (spec: Doc): Doc[] => (Array.isArray(spec.volumes) ? spec.volumes.filter(isMap) : []);
const podContext = (spec: Doc): Doc => (isMap(spec.securityContext) ? spec.securityContext : {});
const uniqueSorted = (items: string[]) => [...new Set(items)].sort();

const CHECKS: readonly Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run: (_spec, containers) => {
      const bad = containers.filter((c) => c.securityContext.allowPrivilegeEscalation !== false);
      return bad.length === 0
        ? undefined
        : `allowPrivilegeEscalation != false (${containersPhrase(bad.map((c) => c.name))} must set securityContext.allowPrivilegeEscalation=false)`;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run: (_spec, containers) => {
      const added = (c: Container) => capabilities(c, 'add').filter((cap) => !BASELINE_CAPABILITIES.has(cap));
      const bad = containers.filter((c) => added(c).length > 0);
      if (bad.length === 0) return undefined;
      const caps = uniqueSorted(bad.flatMap(added));
      return `non-default capabilities (${containersPhrase(bad.map((c) => c.name))} must not include ${joinQuote(caps)} in securityContext.capabilities.add)`;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: ['capabilities_baseline'],
    run: (_spec, containers) => {
      const missingDrop = containers.filter((c) => !capabilities(c, 'drop').includes('ALL'));
      const forbidden = (c: Container) => capabilities(c, 'add').filter((cap) => cap !== 'NET_BIND_SERVICE');
      const adding = containers.filter((c) => forbidden(c).length > 0);
      const details = [
        ...(missingDrop.length > 0
          ? [
              `${containersPhrase(missingDrop.map((c) => c.name))} must set securityContext.capabilities.drop=["ALL"]`,
            ]
          : []),
        ...(adding.length > 0
          ? [
              `${containersPhrase(adding.map((c) => c.name))} must not include ${joinQuote(uniqueSorted(adding.flatMap(forbidden)))} in securityContext.capabilities.add`,
            ]
          : []),
      ];
      return details.length === 0 ? undefined : `unrestricted capabilities (${details.join('; ')})`;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run: (spec) => {
      const used = ['hostIPC', 'hostNetwork', 'hostPID'].filter((field) => spec[field] === true);
      return used.length === 0 ? undefined : `host namespaces (${used.join(', ')})`;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run: (spec) => {
      const bad = volumesOf(spec).filter((volume) => isMap(volume.hostPath));
      return bad.length === 0
        ? undefined
        : `hostPath volumes (${plural('volume', 'volumes', bad.length)} ${joinQuote(bad.map((v) => String(v.name)))})`;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run: (_spec, containers) => {
      const ports = (c: Container) =>
        c.ports.map((port) => Number(port.hostPort ?? 0)).filter((port) => port !== 0);
      const bad = containers.filter((c) => ports(c).length > 0);
      if (bad.length === 0) return undefined;
      const used = uniqueSorted(bad.flatMap(ports).map(String));
      return `hostPort (${containersPhrase(bad.map((c) => c.name))} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', used.length)} ${used.join(', ')})`;
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run: (_spec, containers) => {
      const bad = containers.filter((c) => c.securityContext.privileged === true);
      return bad.length === 0
        ? undefined
        : `privileged (${containersPhrase(bad.map((c) => c.name))} must not set securityContext.privileged=true)`;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: ['hostPathVolumes'],
    run: (spec) => {
      const typeOf = (volume: Doc) => Object.keys(volume).find((field) => field !== 'name') ?? 'unknown';
      const bad = volumesOf(spec).filter((volume) => !RESTRICTED_VOLUME_SOURCES.includes(typeOf(volume)));
      if (bad.length === 0) return undefined;
      const types = uniqueSorted(bad.map(typeOf));
      return `restricted volume types (${plural('volume', 'volumes', bad.length)} ${joinQuote(bad.map((v) => String(v.name)))} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.length)} ${joinQuote(types)})`;
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run: (spec, containers) => {
      const pod = podContext(spec).runAsNonRoot;
      const explicit = containers.filter((c) => c.securityContext.runAsNonRoot === false);
      const setters = [
        ...(pod === false ? ['pod'] : []),
        ...(explicit.length > 0 ? [containersPhrase(explicit.map((c) => c.name))] : []),
      ];
      if (setters.length > 0)
        return `runAsNonRoot != true (${setters.join(' and ')} must not set securityContext.runAsNonRoot=false)`;
      const implicit = containers.filter((c) => c.securityContext.runAsNonRoot === undefined && pod !== true);
      return implicit.length === 0
        ? undefined
        : `runAsNonRoot != true (pod or ${containersPhrase(implicit.map((c) => c.name))} must set securityContext.runAsNonRoot=true)`;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run: (spec, containers) => {
      const setters = [
        ...(podContext(spec).runAsUser === 0 ? ['pod'] : []),
        ...(containers.some((c) => c.securityContext.runAsUser === 0)
          ? [containersPhrase(containers.filter((c) => c.securityContext.runAsUser === 0).map((c) => c.name))]
          : []),
      ];
      return setters.length === 0
        ? undefined
        : `runAsUser=0 (${setters.join(' and ')} must not set runAsUser=0)`;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    run: (spec, containers) => {
      const valid = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
      const podType = get(podContext(spec), 'seccompProfile.type');
      const podSet = podType !== undefined && valid(podType);
      const explicit = containers.filter((c) => {
        const type = get(c.securityContext, 'seccompProfile.type');
        return type !== undefined && !valid(type);
      });
      const setters = [
        ...(podType !== undefined && !valid(podType) ? ['pod'] : []),
        ...(explicit.length > 0 ? [containersPhrase(explicit.map((c) => c.name))] : []),
      ];
      if (setters.length > 0) {
        const values = uniqueSorted(
          [podType, ...explicit.map((c) => get(c.securityContext, 'seccompProfile.type'))]
            .filter((type) => type !== undefined && !valid(type))
            .map(String),
        );
        return `seccompProfile (${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(values)})`;
      }
      const implicit = containers.filter(
        (c) => get(c.securityContext, 'seccompProfile.type') === undefined && !podSet,
      );
      return implicit.length === 0
        ? undefined
        : `seccompProfile (pod or ${containersPhrase(implicit.map((c) => c.name))} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;
    },
  },
];
