import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { contractFile } from '../contracts-dir.js';
import type { Release } from './releases.js';
import { DEFAULT_RELEASE, SCHEMA_OF } from './releases.js';
import type { Doc } from './yaml-docs.js';
import { get, getString, isMap, mainDocument } from './yaml-docs.js';

/**
 * A machine config checked as Talos does it: each document against the config schema of the release
 * that checks it (CONTRACTS B.1; v1.11.6, v1.12.11, v1.13.9 in contracts/), then Talos's own rules the schema lacks (v1alpha1_validation.go: machine type,
 * CAs and keys by role, a VIP only on control planes, the cluster endpoint, addresses).
 */

/** Written by `gen config` v1.11.6 and accepted by Talos, but absent from the schema (CONTRACTS Corrections). */
const FIELDS_THE_SCHEMA_LACKS = ['persist'];

const UNKNOWN_KEYS = 'unknown keys found during decoding: ';

interface Validators {
  document: ValidateFunction;
  v1alpha1: ValidateFunction;
}

const compiled = new Map<Release, Validators>();

function validators(release: Release): Validators {
  let found = compiled.get(release);
  if (!found) {
    const schema = JSON.parse(readFileSync(contractFile(SCHEMA_OF[release]), 'utf8')) as { $id: string };
    const ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      formats: { uri: (text: string) => URL.canParse(text) },
    });
    found = {
      document: ajv.compile(schema),
      v1alpha1: ajv.compile({ $ref: `${schema.$id}#/$defs/v1alpha1.Config` }),
    };
    compiled.set(release, found);
  }
  return found;
}

/** Go's multierror text: "2 errors occurred:\n\t* a\n\t* b\n\n". */
export function multierror(errors: string[]): string {
  const head = errors.length === 1 ? '1 error occurred:' : `${errors.length} errors occurred:`;
  return `${head}\n${errors.map((error) => `\t* ${error}`).join('\n')}\n\n`;
}

function schemaMessage(error: ErrorObject): string {
  const path = error.instancePath.split('/').filter(Boolean).join('.') || '(root)';
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty ?? '';
    return `${UNKNOWN_KEYS}${path === '(root)' ? '' : `${path}.`}${extra}`;
  }
  return `${path}: ${error.message ?? 'is invalid'}`;
}

/** Schema problems of every document, deduplicated, in document order. */
export function schemaErrors(docs: Doc[], release: Release = DEFAULT_RELEASE): string[] {
  const errors = releaseSchemaErrors(docs, release);
  if (release === DEFAULT_RELEASE) return errors;
  // Fields v1.12+ deprecated are gone from their schemas but still decoded ("still supported for backwards
  // compatibility", LIFECYCLE F.9; rbac/apidCheckExtKeyUsage are locked, not refused): a key the v1.11 schema
  // knows is not unknown to a newer release.
  const legacy = new Set(releaseSchemaErrors(docs, DEFAULT_RELEASE));
  return errors.filter((error) => !error.startsWith(UNKNOWN_KEYS) || legacy.has(error));
}

function releaseSchemaErrors(docs: Doc[], release: Release): string[] {
  const { document, v1alpha1 } = validators(release);
  const errors: string[] = [];
  for (const doc of docs) {
    const checked: Doc = Object.fromEntries(
      Object.entries(doc).filter(([key]) => !FIELDS_THE_SCHEMA_LACKS.includes(key)),
    );
    const valid: boolean = document(structuredClone(checked));
    if (valid) continue;
    const isV1alpha1 = checked.version === 'v1alpha1' && checked.kind === undefined;
    const explained = isV1alpha1 && !v1alpha1(checked) ? v1alpha1.errors : document.errors;
    errors.push(...(explained ?? []).map(schemaMessage));
  }
  return [...new Set(errors)];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function validIpv4(text: string): boolean {
  const match = IPV4.exec(text);
  return match !== null && match.slice(1).every((part) => Number(part) <= 255);
}

function validCidr(text: string): boolean {
  const match = CIDR.exec(text);
  return match !== null && match.slice(1, 5).every((part) => Number(part) <= 255) && Number(match[5]) <= 32;
}

function devices(config: Doc): Doc[] {
  const interfaces = get(config, 'machine.network.interfaces');
  return Array.isArray(interfaces) ? interfaces.filter(isMap) : [];
}

function hasKey(value: unknown): boolean {
  return isMap(value) && typeof value.key === 'string' && value.key !== '';
}

function hasCrt(value: unknown): boolean {
  return isMap(value) && typeof value.crt === 'string' && value.crt !== '';
}

/** Talos's (*Config).Validate for the rules the schema cannot state. */
export function talosRuleErrors(config: Doc): string[] {
  const errors: string[] = [];
  if (!isMap(config.machine)) return ['machine instructions are required'];
  errors.push(...clusterErrors(config));
  const type = getString(config, 'machine.type') ?? '';
  const machineCa = get(config, 'machine.ca');
  const acceptedCas = get(config, 'machine.acceptedCAs');
  const someAccepted = Array.isArray(acceptedCas) && acceptedCas.length > 0;
  if (!isMap(machineCa) && !someAccepted) {
    errors.push('issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)');
  }
  if (type === 'controlplane' || type === 'init') {
    const cni = getString(config, 'cluster.network.cni.name');
    if (cni !== undefined && !['flannel', 'custom', 'none'].includes(cni)) {
      errors.push(`cni name should be one of [flannel custom none]: unsupported CNI driver`);
    }
    if (!isMap(machineCa)) errors.push('issuing CA is required (.machine.ca)');
    else if (!hasKey(machineCa))
      errors.push('issuing CA key is required for controlplane nodes (.machine.ca.key)');
  } else if (type === 'worker') {
    for (const device of devices(config)) {
      if (device.vip !== undefined)
        errors.push('virtual (shared) IP is not allowed on non-controlplane nodes');
      const vlans = Array.isArray(device.vlans) ? device.vlans.filter(isMap) : [];
      for (const vlan of vlans) {
        if (vlan.vip !== undefined)
          errors.push('virtual (shared) IP is not allowed on non-controlplane nodes');
      }
    }
    if (isMap(machineCa)) {
      if (hasKey(machineCa)) {
        errors.push('issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)');
      }
      if (!hasCrt(machineCa) && !someAccepted) {
        errors.push(
          'trusted CA certificates are required on non-controlplane nodes (.machine.ca.crt, .machine.acceptedCAs)',
        );
      }
    }
    if (hasKey(get(config, 'cluster.ca'))) {
      errors.push('issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)');
    }
    if (get(config, 'cluster.etcd') !== undefined)
      errors.push('etcd config is only allowed on control plane machines');
  } else {
    errors.push(`unknown machine type ${JSON.stringify(type)}`);
  }
  errors.push(...deviceErrors(config));
  if (config.persist === false) errors.push('.persist should be enabled');
  return errors;
}

function clusterErrors(config: Doc): string[] {
  if (!isMap(config.cluster)) return ['cluster instructions are required'];
  const endpoint = getString(config, 'cluster.controlPlane.endpoint');
  if (endpoint === undefined) return ['cluster controlplane endpoint is required'];
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  if (!url || !url.hostname || !/^https?:$/.test(url.protocol)) {
    return [`invalid controlplane endpoint: ${JSON.stringify(endpoint)} is not a valid URL with a host`];
  }
  return [];
}

function deviceErrors(config: Doc): string[] {
  const errors: string[] = [];
  for (const device of devices(config)) {
    const name = typeof device.interface === 'string' ? device.interface : '';
    if (name === '' && device.deviceSelector === undefined) {
      errors.push(
        '[networking.os.device.interface], [networking.os.device.deviceSelector]: required either config section to be set',
      );
    }
    const addresses = Array.isArray(device.addresses) ? device.addresses : [];
    for (const address of addresses) {
      const text = String(address);
      if (!validCidr(text) && !validIpv4(text)) {
        errors.push(
          `[networking.os.device.addresses] ${JSON.stringify(name)}: invalid CIDR address: ${text}`,
        );
      }
    }
    const vip = isMap(device.vip) ? device.vip.ip : undefined;
    if (vip !== undefined && !validIpv4(String(vip))) {
      errors.push(`[networking.os.device.vip] failed to parse ${JSON.stringify(String(vip))} as IP address`);
    }
  }
  return errors;
}

/**
 * Everything wrong with a machine config, as Talos's config loader and validator would put it;
 * empty when the config is accepted.
 */
export function configProblems(docs: Doc[], release: Release = DEFAULT_RELEASE): string | undefined {
  const schema = schemaErrors(docs, release);
  if (schema.length > 0) return `failed to decode config: ${multierror(schema).trimEnd()}`;
  const config = mainDocument(docs);
  if (!config)
    return 'configuration validation failed: 1 error occurred:\n\t* v1alpha1.Config: machine instructions are required';
  const rules = talosRuleErrors(config);
  const errors = [
    ...(rules.length > 0 ? [`v1alpha1.Config: ${multierror(rules).trimEnd()}`] : []),
    ...conflictErrors(docs, config),
  ];
  if (errors.length === 0) return undefined;
  return `configuration validation failed: ${multierror(errors).trimEnd()}`;
}

/**
 * The container's cross-validation of newer documents against the v1alpha1 one (TALOS v1.13.9 and v1.12.11
 * `config/container/container.go` Validate; `types/network/hostname.go` V1Alpha1ConflictValidate l.151-160):
 * a HostnameConfig beside a v1alpha1 hostname, or beside the stableHostname feature, is refused.
 */
function conflictErrors(docs: Doc[], config: Doc): string[] {
  if (!docs.some((doc) => doc.kind === 'HostnameConfig')) return [];
  if (getString(config, 'machine.network.hostname'))
    return ['static hostname is already set in v1alpha1 config'];
  if (get(config, 'machine.features.stableHostname') === true)
    return ['stable hostname is already set in v1alpha1 config'];
  return [];
}
