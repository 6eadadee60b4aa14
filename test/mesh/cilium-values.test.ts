import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigurationError } from '../../src/errors.js';
import { contractFile } from '../../src/lab/contracts-dir.js';
import {
  ciliumValues,
  valuesYaml,
  type CiliumInput,
  type CiliumValues,
} from '../../src/mesh/cilium-values.js';
import { commonPatch } from '../../src/talos/config.js';
import { createCertificateAuthority, type CertificateAndKey } from '../../src/util/x509.js';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
}

const schema = JSON.parse(readFileSync(contractFile('ciliumValues'), 'utf8')) as SchemaNode;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

/** The schema states types only (CONTRACTS corrections), so a misspelled key would pass: check every key path. */
function unknownKeys(values: unknown, node: SchemaNode, path = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values) || !node.properties) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const child = node.properties?.[key];
    const childPath = path ? `${path}.${key}` : key;
    return child ? unknownKeys(value, child, childPath) : [childPath];
  });
}

/** The rules the chart's templates/validate.yaml fails rendering on (CONTRACTS C.2). */
function validateYamlFailures(values: Record<string, unknown>): string[] {
  const cluster = (values.cluster ?? {}) as { name?: string; id?: number };
  const clustermesh = (values.clustermesh ?? {}) as { maxConnectedClusters?: number };
  const failures: string[] = [];
  const name = cluster.name ?? 'default';
  if (!/^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/.test(name)) failures.push('cluster.name does not match the pattern');
  if (name === 'default' && (cluster.id ?? 0) !== 0)
    failures.push('cluster.name default with a non-zero cluster.id');
  const max = clustermesh.maxConnectedClusters;
  if (max !== undefined && max !== 255 && max !== 511)
    failures.push('maxConnectedClusters is not 255 or 511');
  return failures;
}

let ca: CertificateAndKey;
let input: CiliumInput;
let values: CiliumValues;

beforeAll(async () => {
  ca = await createCertificateAuthority('Cilium CA', 1);
  input = { clusterName: 'east', clusterId: 1, ca, nodeCount: 5 };
  values = ciliumValues(input);
});

describe('ciliumValues', () => {
  it('passes the chart 1.19.6 values schema, with only keys the chart knows', () => {
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    expect(unknownKeys(values, schema)).toEqual([]);
  });

  it("passes the checks of the chart's validate.yaml", () => {
    expect(validateYamlFailures(values as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('holds the Talos guide values exactly (C.1)', () => {
    expect(values).toMatchObject({
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
      k8sServicePort: 7445,
    });
  });

  it('carries the mesh identity and the shared CA as base64 PEM, and turns on Hubble relay and UI', () => {
    expect(values.cluster).toEqual({ name: 'east', id: 1 });
    expect(Buffer.from(values.tls.ca.cert, 'base64').toString()).toBe(ca.certPem);
    expect(Buffer.from(values.tls.ca.key, 'base64').toString()).toBe(ca.keyPem);
    expect(values.hubble).toEqual({ relay: { enabled: true }, ui: { enabled: true } });
  });

  it('runs one operator replica on a one-node cluster, two otherwise', () => {
    expect(ciliumValues({ ...input, nodeCount: 1 }).operator.replicas).toBe(1);
    expect(ciliumValues({ ...input, nodeCount: 2 }).operator.replicas).toBe(2);
    expect(values.operator.replicas).toBe(2);
  });

  it("keeps bpf.masquerade off, which is what lets Talos keep hostDNS forwarding (the guide's known issue)", () => {
    expect(values).not.toHaveProperty('bpf');
    const talosPatch = parse(
      commonPatch({
        name: 'east',
        vip: '192.168.15.10',
        pods: '10.245.0.0/16',
        services: '10.97.0.0/16',
        installImage: 'factory.talos.dev/installer/x:v1.11.6',
        kubernetesVersion: '1.34.1',
        talosVersion: 'v1.11.6',
        workers: 1,
      }),
    ) as { machine: { features: Record<string, unknown> } };
    expect(talosPatch.machine.features).not.toHaveProperty('hostDNS');
  });

  it('writes YAML that reads back as the same values', () => {
    expect(parse(valuesYaml(values))).toEqual(values);
  });

  it.each<[string, Partial<CiliumInput>, RegExp]>([
    [
      'an upper-case name',
      { clusterName: 'East' },
      /cluster.name "East" is not valid: use at most 32 lower-case letters/,
    ],
    ['a name ending in a dash', { clusterName: 'east-' }, /cluster.name "east-" is not valid/],
    ['a 33-character name', { clusterName: 'a'.repeat(33) }, /is not valid: use at most 32/],
    [
      'the name default',
      { clusterName: 'default' },
      /"default" is refused with a cluster id: pick another name/,
    ],
    [
      'cluster id 0',
      { clusterId: 0 },
      /cluster.id 0 is out of range: give each cluster of the twin its own id from 1 to 255/,
    ],
    ['cluster id 256', { clusterId: 256 }, /cluster.id 256 is out of range/],
    ['a fractional cluster id', { clusterId: 1.5 }, /cluster.id 1.5 is out of range/],
    ['no nodes', { nodeCount: 0 }, /cluster east: nodeCount 0 must be 1 or more/],
  ])('refuses %s, naming the field and the fix', (_what, change, message) => {
    const build = () => ciliumValues({ ...input, ...change });
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });

  it('the validate.yaml check itself catches what the chart refuses', () => {
    expect(validateYamlFailures({ cluster: { name: 'default', id: 3 } })).toHaveLength(1);
    expect(validateYamlFailures({ cluster: { name: 'East', id: 3 } })).toHaveLength(1);
    expect(
      validateYamlFailures({ cluster: { name: 'east', id: 3 }, clustermesh: { maxConnectedClusters: 300 } }),
    ).toHaveLength(1);
    expect(
      validateYamlFailures({ cluster: { name: 'east', id: 3 }, clustermesh: { maxConnectedClusters: 511 } }),
    ).toEqual([]);
  });
});
