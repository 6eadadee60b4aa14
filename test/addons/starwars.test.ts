import { describe, expect, it } from 'vitest';
import { CURL_CLIENT_IMAGE, NGINX_IMAGE } from '../../src/addons/images.js';
import {
  STARWARS_NAMESPACE,
  countReplies,
  rebelBaseMessage,
  starwarsManifests,
} from '../../src/addons/starwars.js';
import { ConfigurationError } from '../../src/errors.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { manifestProblems } from './manifest-rules.js';

function named(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

describe('starwarsManifests', () => {
  const objects = starwarsManifests('east');

  it('lists the demo objects in apply order, all in the starwars namespace', () => {
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([
      'Namespace/starwars',
      'ConfigMap/rebel-base-response',
      'Deployment/rebel-base',
      'Deployment/x-wing',
      'Service/rebel-base',
    ]);
    expect(STARWARS_NAMESPACE).toBe('starwars');
    expect(objects.slice(1).every((object) => object.metadata.namespace === 'starwars')).toBe(true);
  });

  it('keeps the manifest rules: names, selectors matching templates, pinned images, nothing privileged', () => {
    expect(manifestProblems(objects)).toEqual([]);
  });

  it("answers with the cluster's name (CONTRACTS E)", () => {
    expect(rebelBaseMessage('east')).toBe('{"Galaxy": "Alderaan", "Cluster": "east"}\n');
    expect(named(objects, 'ConfigMap', 'rebel-base-response')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'rebel-base-response', namespace: 'starwars' },
      data: { message: '{"Galaxy": "Alderaan", "Cluster": "east"}\n' },
    });
  });

  it('serves it from two nginx replicas labelled name: rebel-base, ready once they answer', () => {
    expect(named(objects, 'Deployment', 'rebel-base')).toMatchObject({
      apiVersion: 'apps/v1',
      spec: {
        replicas: 2,
        selector: { matchLabels: { name: 'rebel-base' } },
        template: {
          metadata: { labels: { name: 'rebel-base' } },
          spec: {
            containers: [
              {
                image: NGINX_IMAGE,
                readinessProbe: { httpGet: { path: '/', port: 80 } },
                volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }],
              },
            ],
            volumes: [
              {
                name: 'html',
                configMap: { name: 'rebel-base-response', items: [{ key: 'message', path: 'index.html' }] },
              },
            ],
          },
        },
      },
    });
  });

  it('runs two x-wings with curl', () => {
    expect(named(objects, 'Deployment', 'x-wing')).toMatchObject({
      spec: {
        replicas: 2,
        selector: { matchLabels: { name: 'x-wing' } },
        template: { spec: { containers: [{ name: 'x-wing-container', image: CURL_CLIENT_IMAGE }] } },
      },
    });
  });

  it('makes rebel-base a global ClusterIP Service', () => {
    expect(named(objects, 'Service', 'rebel-base')).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'rebel-base',
        namespace: 'starwars',
        annotations: { 'service.cilium.io/global': 'true' },
      },
      spec: {
        type: 'ClusterIP',
        selector: { name: 'rebel-base' },
        ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
      },
    });
  });

  it('differs between clusters only in the reply', () => {
    const west = starwarsManifests('west');
    const differing = objects.filter((object, i) => JSON.stringify(object) !== JSON.stringify(west[i]));
    expect(differing.map((object) => object.metadata.name)).toEqual(['rebel-base-response']);
  });

  it('refuses a cluster name that cannot go into a reply or an object', () => {
    expect(() => starwarsManifests('East')).toThrow(ConfigurationError);
    expect(() => rebelBaseMessage('a"b')).toThrow(/cluster name "a"b" cannot name Kubernetes objects/);
  });
});

describe('countReplies', () => {
  const reply = (cluster: string) => rebelBaseMessage(cluster);

  it('counts replies from both clusters', () => {
    const stdout = [reply('east'), reply('west'), reply('east'), reply('east')].join('');
    expect(countReplies(stdout, '')).toEqual({ answered: 4, byCluster: { east: 3, west: 1 }, failures: [] });
  });

  it("reads the mesh check's lower-case key too, and replies run together without a newline", () => {
    expect(countReplies('{"cluster":"east"}{"cluster":"west"}\n{"Cluster": "west"}\n', '')).toEqual({
      answered: 3,
      byCluster: { east: 1, west: 2 },
      failures: [],
    });
  });

  it("lists curl's errors, and counts only what was answered", () => {
    const stderr =
      'curl: (28) Connection timed out after 3001 milliseconds\n' +
      "curl: (7) Failed to connect to rebel-base port 80 after 2 ms: Couldn't connect to server\n";
    expect(countReplies(reply('west'), stderr)).toEqual({
      answered: 1,
      byCluster: { west: 1 },
      failures: [
        'curl: (28) Connection timed out after 3001 milliseconds',
        "curl: (7) Failed to connect to rebel-base port 80 after 2 ms: Couldn't connect to server",
      ],
    });
  });

  it('reports what is not a reply: an nginx error page, JSON without a cluster, broken JSON', () => {
    const stdout =
      '<html><head><title>503 Service Temporarily Unavailable</title></head></html>\n' +
      '{"Galaxy": "Alderaan"}\n' +
      '{"Cluster": 7}\n' +
      '{"Cluster": "east", }\n' +
      reply('east');
    const counted = countReplies(stdout, '');
    expect(counted.answered).toBe(1);
    expect(counted.byCluster).toEqual({ east: 1 });
    expect(counted.failures).toEqual([
      'unexpected reply: {"Galaxy": "Alderaan"}',
      'unexpected reply: {"Cluster": 7}',
      'unexpected reply: {"Cluster": "east", }',
      'unexpected reply: <html><head><title>503 Service Temporarily Unavailable</title></head></html>',
    ]);
  });

  it('clips a long garbled line', () => {
    const { failures } = countReplies('x'.repeat(500), '');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.length).toBeLessThan(230);
  });

  it('counts nothing for no output', () => {
    expect(countReplies('', '')).toEqual({ answered: 0, byCluster: {}, failures: [] });
    expect(countReplies('\n\n', '  \n')).toEqual({ answered: 0, byCluster: {}, failures: [] });
  });
});

describe('the manifest rules the tests hold manifests to', () => {
  it('catch a bad name, a selector that misses its template, an unpinned image and a privileged container', () => {
    const broken: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'Rebel_Base' },
      spec: {
        selector: { matchLabels: { name: 'rebel-base' } },
        template: {
          metadata: { labels: { name: 'x-wing' } },
          spec: {
            containers: [{ name: 'nginx', image: 'nginx:latest', securityContext: { privileged: true } }],
          },
        },
      },
    };
    expect(manifestProblems([broken])).toEqual([
      'Deployment/Rebel_Base: name is not a DNS-1123 label',
      'Deployment/Rebel_Base: selector name=rebel-base does not match the template',
      'Deployment/Rebel_Base: image nginx:latest is not pinned',
      'Deployment/Rebel_Base: container nginx is privileged',
    ]);
  });
});
