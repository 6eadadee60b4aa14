import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { contractFile } from '../../src/lab/contracts-dir.js';
import { coalesce, validateTemplateError } from '../../src/lab/kube/cilium-chart.js';
import { ciliumValues } from '../../src/mesh/cilium-values.js';
import {
  CLUSTERMESH_NODE_PORT,
  MAX_CONNECTED_CLUSTERS,
  clustermeshValues,
  meshPrerequisiteProblems,
  type MeshMember,
  type MeshPeer,
} from '../../src/mesh/clustermesh.js';
import { createCertificateAuthority, type CertificateAndKey } from '../../src/util/x509.js';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

const schema = JSON.parse(readFileSync(contractFile('ciliumValues'), 'utf8')) as SchemaNode;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

/** The schema states types only, so a misspelled key would pass: check every key path the schema names. */
function unknownKeys(values: unknown, node: SchemaNode, path = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values) || !node.properties) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const child = node.properties?.[key];
    const childPath = path ? `${path}.${key}` : key;
    return child ? unknownKeys(value, child, childPath) : [childPath];
  });
}

const east: MeshPeer = { name: 'east', id: 1, addresses: ['192.168.15.21', '192.168.15.22'] };
const west: MeshPeer = { name: 'west', id: 2, addresses: ['192.168.16.21'] };

let ca: CertificateAndKey;
let otherCa: CertificateAndKey;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([
    createCertificateAuthority('Cilium CA', 1),
    createCertificateAuthority('Cilium CA', 1),
  ]);
});

describe('clustermeshValues', () => {
  it('gives the exact values, with the clusters as a dict sorted by name', () => {
    expect(CLUSTERMESH_NODE_PORT).toBe(32379);
    expect(MAX_CONNECTED_CLUSTERS).toBe(255);
    const values = clustermeshValues([west, east]);
    expect(values).toEqual({
      clustermesh: {
        useAPIServer: true,
        maxConnectedClusters: 255,
        apiserver: {
          service: { type: 'NodePort', nodePort: 32379 },
          tls: { auto: { enabled: true, method: 'helm' } },
        },
        config: {
          enabled: true,
          domain: 'mesh.cilium.io',
          clusters: {
            east: { port: 32379, ips: ['192.168.15.21', '192.168.15.22'] },
            west: { port: 32379, ips: ['192.168.16.21'] },
          },
        },
      },
    });
    expect(Object.keys(values.clustermesh.config.clusters)).toEqual(['east', 'west']);
  });

  it('is the same for every cluster, whatever the order of the peers', () => {
    const third: MeshPeer = { name: 'north', id: 3, addresses: ['192.168.17.21'] };
    expect(clustermeshValues([east, west, third])).toEqual(clustermeshValues([third, west, east]));
  });

  it("merged over a cluster's Cilium values, passes the chart schema and validate.yaml", () => {
    for (const [peer, nodeCount] of [
      [east, 2],
      [west, 1],
    ] as const) {
      const merged = coalesce(
        ciliumValues({ clusterName: peer.name, clusterId: peer.id, ca, nodeCount }),
        clustermeshValues([east, west]),
      ) as Record<string, unknown>;
      expect(validate(merged), JSON.stringify(validate.errors)).toBe(true);
      expect(unknownKeys(merged, schema)).toEqual([]);
      expect(validateTemplateError(merged)).toBeUndefined();
      expect(merged).toMatchObject({
        cluster: { name: peer.name, id: peer.id },
        clustermesh: { useAPIServer: true },
      });
    }
  });

  it.each<[string, MeshPeer[], RegExp]>([
    [
      'one cluster',
      [east],
      /a cluster mesh needs at least 2 clusters, the twin has 1: declare another cluster/,
    ],
    ['no clusters', [], /the twin has 0/],
    [
      'a peer without addresses',
      [east, { ...west, addresses: [] }],
      /cluster west has no node addresses for the mesh: provision the cluster first \(action-provision\)/,
    ],
    [
      'an address that is not IPv4',
      [east, { ...west, addresses: ['west-1.lab'] }],
      /cluster west: node address "west-1.lab" is not an IPv4 address/,
    ],
    [
      'two peers with one name',
      [east, { ...west, name: 'east' }],
      /cluster name "east" appears twice in the mesh: give each cluster its own name in twin.yaml \(clusters\[\].name\)/,
    ],
    [
      'two peers with one id',
      [east, { ...west, id: 1 }],
      /cluster west: cluster.id 1 is also used by east: give each cluster its own id in twin.yaml \(clusters\[\].id\)/,
    ],
    ['an id out of range', [east, { ...west, id: 256 }], /cluster west: cluster.id 256 is out of range/],
  ])('refuses %s, naming the value and the fix', (_what, peers, message) => {
    const build = () => clustermeshValues(peers);
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });
});

describe('meshPrerequisiteProblems', () => {
  function member(
    cluster: string,
    id: number,
    podCidr: string,
    extra: Record<string, unknown> = {},
  ): MeshMember {
    return {
      cluster,
      podCidr,
      ciliumDeployed: true,
      values: { ...ciliumValues({ clusterName: cluster, clusterId: id, ca, nodeCount: 3 }), ...extra },
    };
  }
  const good = () => [member('east', 1, '10.244.0.0/16'), member('west', 2, '10.245.0.0/16')];

  it('finds nothing when the mesh can be built', () => {
    expect(meshPrerequisiteProblems(good())).toEqual([]);
    expect(
      meshPrerequisiteProblems([
        ...good(),
        member('north', 3, '10.246.0.0/16', {
          clustermesh: { maxConnectedClusters: 255 },
          routingMode: 'tunnel',
        }),
      ]),
    ).toEqual([]);
  });

  it('needs two clusters', () => {
    expect(meshPrerequisiteProblems([member('east', 1, '10.244.0.0/16')])).toEqual([
      'a cluster mesh needs at least 2 clusters, the twin has 1: declare another cluster in twin.yaml (clusters)',
    ]);
  });

  it('needs Cilium deployed by action-provision on every cluster', () => {
    const [eastMember, westMember] = good();
    const problems = meshPrerequisiteProblems([
      eastMember!,
      { ...westMember!, ciliumDeployed: false, values: undefined },
    ]);
    expect(problems).toEqual([
      "cluster west: Cilium is not deployed: run action-provision first (it installs Cilium with the cluster's mesh identity)",
    ]);
    expect(meshPrerequisiteProblems([eastMember!, { ...westMember!, ciliumDeployed: false }])).toHaveLength(
      1,
    );
  });

  it('finds two CAs, printing short fingerprints and never the certificate', () => {
    const foreign = member('west', 2, '10.245.0.0/16', {
      tls: { ca: { cert: base64(otherCa.certPem), key: base64(otherCa.keyPem) } },
    });
    const problems = meshPrerequisiteProblems([good()[0]!, foreign]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^cluster west: tls\.ca\.cert \(sha256 [0-9a-f]{16}\) differs from east's \(sha256 [0-9a-f]{16}\): every cluster must share one CA, run action-provision/,
    );
    for (const secret of [ca.certPem, ca.keyPem, otherCa.certPem, otherCa.keyPem]) {
      expect(problems[0]).not.toContain(base64(secret).slice(0, 24));
      expect(problems[0]).not.toContain(secret.split('\n')[1]);
    }
  });

  it('finds a missing or unreadable CA', () => {
    const noCa = member('west', 2, '10.245.0.0/16', { tls: {} });
    const garbage = member('west', 2, '10.245.0.0/16', { tls: { ca: { cert: 'bm90IGEgY2VydA==' } } });
    expect(meshPrerequisiteProblems([good()[0]!, noCa])).toEqual([
      "cluster west: tls.ca.cert is not set in its Cilium release: run action-provision to reinstall Cilium with the twin's shared CA",
    ]);
    expect(meshPrerequisiteProblems([good()[0]!, garbage])).toEqual([
      "cluster west: tls.ca.cert is not a base64 PEM certificate in its Cilium release: run action-provision to reinstall Cilium with the twin's shared CA",
    ]);
  });

  it('finds overlapping pod CIDRs, and an unreadable one', () => {
    expect(
      meshPrerequisiteProblems([member('east', 1, '10.244.0.0/16'), member('west', 2, '10.244.128.0/17')]),
    ).toEqual([
      "cluster west: pod CIDR 10.244.128.0/17 overlaps east's 10.244.0.0/16: give each cluster its own pods range in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16 and 10.245.0.0/16",
    ]);
    expect(
      meshPrerequisiteProblems([member('east', 1, '10.244.0.0/16'), member('west', 2, '10.245.0.0')]),
    ).toEqual([
      'cluster west: pod CIDR "10.245.0.0" is not an IPv4 CIDR: write it as address/prefix in twin.yaml (clusters[].pods), e.g. 10.244.0.0/16',
    ]);
  });

  it('finds duplicate ids and ids out of range', () => {
    expect(
      meshPrerequisiteProblems([member('east', 1, '10.244.0.0/16'), member('west', 1, '10.245.0.0/16')]),
    ).toEqual([
      'cluster west: cluster.id 1 is also used by east: give each cluster its own id in twin.yaml (clusters[].id)',
    ]);
    const unset = member('west', 2, '10.245.0.0/16', { cluster: { name: 'west' } });
    expect(meshPrerequisiteProblems([good()[0]!, unset])).toEqual([
      "cluster west: cluster.id is not set in its Cilium release: give each cluster its own id in twin.yaml (clusters[].id), then run action-provision to reinstall Cilium with the twin's ids",
    ]);
    const tooBig = member('west', 2, '10.245.0.0/16', { cluster: { name: 'west', id: 300 } });
    expect(meshPrerequisiteProblems([good()[0]!, tooBig])[0]).toMatch(
      /^cluster west: cluster.id 300 is not 1-255/,
    );
  });

  it('finds duplicate, default, missing and foreign cluster names', () => {
    const sameName = member('west', 2, '10.245.0.0/16', { cluster: { name: 'east', id: 2 } });
    expect(meshPrerequisiteProblems([good()[0]!, sameName])).toEqual([
      'cluster west: cluster.name "east" is also used by east: give each cluster its own name in twin.yaml (clusters[].name)',
    ]);
    const defaultName = member('west', 2, '10.245.0.0/16', { cluster: { name: 'default', id: 2 } });
    expect(meshPrerequisiteProblems([good()[0]!, defaultName])).toEqual([
      'cluster west: cluster.name is "default" in its Cilium release: run action-provision to reinstall Cilium with the twin\'s cluster names (twin.yaml clusters[].name)',
    ]);
    const noName = member('west', 2, '10.245.0.0/16', { cluster: { id: 2 } });
    expect(meshPrerequisiteProblems([good()[0]!, noName])[0]).toMatch(
      /^cluster west: cluster.name is not set/,
    );
    const foreign = member('west', 2, '10.245.0.0/16', { cluster: { name: 'lab-b', id: 2 } });
    expect(meshPrerequisiteProblems([good()[0]!, foreign])).toEqual([
      'cluster west: cluster.name is "lab-b" in its Cilium release, not "west": run action-provision to reinstall Cilium with the twin\'s cluster names (twin.yaml clusters[].name)',
    ]);
  });

  it('finds a different maxConnectedClusters (unset means 255) and a value the chart refuses', () => {
    const wide = member('west', 2, '10.245.0.0/16', { clustermesh: { maxConnectedClusters: 511 } });
    expect(meshPrerequisiteProblems([good()[0]!, wide])).toEqual([
      "cluster west: clustermesh.maxConnectedClusters is 511 but east has 255: it cannot change on a running cluster: run action-provision to reinstall Cilium with the twin's default (255)",
    ]);
    const odd = member('west', 2, '10.245.0.0/16', { clustermesh: { maxConnectedClusters: 300 } });
    expect(meshPrerequisiteProblems([good()[0]!, odd])).toEqual([
      "cluster west: clustermesh.maxConnectedClusters 300 is not 255 or 511: run action-provision to reinstall Cilium with the twin's default (255)",
    ]);
  });

  it('finds a different routingMode (unset means tunnel)', () => {
    const native = member('west', 2, '10.245.0.0/16', { routingMode: 'native' });
    expect(meshPrerequisiteProblems([good()[0]!, native])).toEqual([
      'cluster west: routingMode is "native" but east has "tunnel": all clusters need the same datapath mode: run action-provision to reinstall Cilium with the twin\'s values (default tunnel)',
    ]);
  });

  it('reports every problem at once, each naming its cluster', () => {
    const problems = meshPrerequisiteProblems([
      member('east', 1, '10.244.0.0/16'),
      member('west', 1, '10.244.0.0/16', { routingMode: 'native' }),
      { cluster: 'north', podCidr: '10.246.0.0/16', ciliumDeployed: false },
    ]);
    expect(problems).toHaveLength(4);
    expect(problems.every((line) => /^cluster (east|west|north): /.test(line))).toBe(true);
  });
});

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
