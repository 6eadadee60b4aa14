import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CURL_CLIENT_IMAGE, NGINX_IMAGE } from '../../src/addons/images.js';
import { countReplies } from '../../src/addons/starwars.js';
import { ConfigurationError } from '../../src/errors.js';
import { manifestsYaml, type KubeObject } from '../../src/kube/objects.js';
import {
  MESH_CHECK_NAMESPACE,
  echoMessage,
  echoServiceName,
  meshCheckManifests,
} from '../../src/mesh/mesh-check.js';
import { manifestProblems } from '../addons/manifest-rules.js';

const twin = ['east', 'west', 'north'];

function named(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

describe('meshCheckManifests', () => {
  it('lists, for cluster east, its own backend only and a global Service for every cluster', () => {
    const objects = meshCheckManifests('east', twin);
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Namespace/twin-mesh-check',
      'ConfigMap/echo-east',
      'Deployment/echo-east',
      'Deployment/mesh-probe',
      'Service/echo-east',
      'Service/echo-west',
      'Service/echo-north',
    ]);
    expect(objects.slice(1).every((object) => object.metadata.namespace === MESH_CHECK_NAMESPACE)).toBe(true);
  });

  it('keeps the manifest rules: names, selectors matching templates, pinned images, nothing privileged', () => {
    for (const local of twin) expect(manifestProblems(meshCheckManifests(local, twin))).toEqual([]);
  });

  it('enforces Pod Security baseline on the namespace', () => {
    expect(meshCheckManifests('west', twin)[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'twin-mesh-check', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
    });
  });

  it("serves the cluster's own name from a ConfigMap, through nginx with a readiness probe", () => {
    const objects = meshCheckManifests('west', twin);
    expect(named(objects, 'ConfigMap', 'echo-west')).toMatchObject({
      data: { message: '{"cluster":"west"}\n' },
    });
    expect(named(objects, 'Deployment', 'echo-west')).toMatchObject({
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'mesh-echo', cluster: 'west' } },
        template: {
          metadata: { labels: { app: 'mesh-echo', cluster: 'west' } },
          spec: {
            containers: [
              {
                image: NGINX_IMAGE,
                readinessProbe: { httpGet: { path: '/', port: 80 } },
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
                volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }],
              },
            ],
            volumes: [
              {
                name: 'html',
                configMap: { name: 'echo-west', items: [{ key: 'message', path: 'index.html' }] },
              },
            ],
          },
        },
      },
    });
  });

  it('runs the probe client in every cluster', () => {
    for (const local of twin) {
      expect(named(meshCheckManifests(local, twin), 'Deployment', 'mesh-probe')).toMatchObject({
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'mesh-probe' } },
          template: { spec: { containers: [{ name: 'probe', image: CURL_CLIENT_IMAGE }] } },
        },
      });
    }
  });

  it('makes every echo Service global, selecting only that cluster’s backend', () => {
    const service = named(meshCheckManifests('east', twin), 'Service', 'echo-north');
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'echo-north',
        namespace: 'twin-mesh-check',
        annotations: { 'service.cilium.io/global': 'true' },
      },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'mesh-echo', cluster: 'north' },
        ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
      },
    });
  });

  it('has no backend for a remote cluster, so only the mesh can answer for it', () => {
    const objects = meshCheckManifests('east', twin);
    const backends = objects.filter(
      (object) => object.kind === 'Deployment' && object.metadata.name.startsWith('echo-'),
    );
    expect(backends.map((object) => object.metadata.name)).toEqual(['echo-east']);
  });

  it('writes YAML that reads back as the same objects', () => {
    const objects = meshCheckManifests('east', twin);
    expect(parseAllDocuments(manifestsYaml(objects)).map((doc) => doc.toJS() as unknown)).toEqual(objects);
  });

  it('has a reply countReplies counts by cluster', () => {
    expect(countReplies(echoMessage('east') + echoMessage('west') + echoMessage('east'), '')).toEqual({
      answered: 3,
      byCluster: { east: 2, west: 1 },
      failures: [],
    });
  });

  it.each<[string, () => unknown, RegExp]>([
    [
      'a local cluster outside the twin',
      () => meshCheckManifests('south', twin),
      /cluster south is not one of the twin's clusters \(east, west, north\): pass a cluster declared in twin.yaml/,
    ],
    [
      'a cluster listed twice',
      () => meshCheckManifests('east', ['east', 'west', 'east']),
      /cluster east is listed twice for the mesh check: give each cluster its own name/,
    ],
    [
      'a name that cannot name an object',
      () => echoServiceName('East_1'),
      /cluster name "East_1" cannot name Kubernetes objects: use at most 32 lower-case letters/,
    ],
  ])('refuses %s', (_what, build, message) => {
    expect(build).toThrow(ConfigurationError);
    expect(build).toThrow(message);
  });

  it('names the echo Service after the cluster', () => {
    expect(echoServiceName('west-2')).toBe('echo-west-2');
  });
});
