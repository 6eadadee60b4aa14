import { ConfigurationError } from '../errors.js';
import type { KubeObject } from '../kube/objects.js';
import { CURL_CLIENT_IMAGE, NGINX_IMAGE } from './images.js';

/**
 * The building blocks the Star Wars demo and the mesh check share: a reply served by nginx from a
 * ConfigMap, a curl client to exec into, and a Cilium global Service (CONTRACTS C.5, E).
 */

export const GLOBAL_SERVICE_ANNOTATION = 'service.cilium.io/global';
/** The key of the reply ConfigMaps; nginx serves it as index.html. */
export const MESSAGE_KEY = 'message';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HTML_DIR = '/usr/share/nginx/html';
const HTTP_PORT = 80;
const SMALL_REQUESTS = { requests: { cpu: '10m', memory: '16Mi' } };

/** A cluster name that goes into object names and replies: the twin's names always pass (twin.yaml rules). */
export function requireClusterLabel(cluster: string): void {
  if (cluster.length > 32 || !DNS_LABEL.test(cluster)) {
    throw new ConfigurationError(
      `cluster name "${cluster}" cannot name Kubernetes objects: use at most 32 lower-case letters, digits and "-", ` +
        'starting and ending with a letter or digit (twin.yaml clusters[].name)',
    );
  }
}

/** Pod Security "baseline" enforced: these workloads need no privileges, so none can slip in. */
export function workloadNamespace(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
  };
}

export function messageConfigMap(name: string, namespace: string, message: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { [MESSAGE_KEY]: message },
  };
}

export interface DeploymentInput {
  name: string;
  namespace: string;
  /** The pod labels, also the selector. */
  labels: Record<string, string>;
  replicas: number;
}

/** nginx answering every GET / with the ConfigMap's message; ready once it answers. */
export function nginxDeployment(input: DeploymentInput & { configMap: string }): KubeObject {
  return deployment(input, {
    containers: [
      {
        name: 'nginx',
        image: NGINX_IMAGE,
        ports: [{ containerPort: HTTP_PORT, name: 'http' }],
        readinessProbe: { httpGet: { path: '/', port: HTTP_PORT }, periodSeconds: 5 },
        resources: SMALL_REQUESTS,
        volumeMounts: [{ name: 'html', mountPath: HTML_DIR, readOnly: true }],
      },
    ],
    volumes: [
      {
        name: 'html',
        configMap: { name: input.configMap, items: [{ key: MESSAGE_KEY, path: 'index.html' }] },
      },
    ],
  });
}

/** json-mock, which carries curl; its probe is the demo's own (curl localhost). */
export function curlClientDeployment(input: DeploymentInput & { container: string }): KubeObject {
  return deployment(input, {
    containers: [
      {
        name: input.container,
        image: CURL_CLIENT_IMAGE,
        readinessProbe: {
          exec: { command: ['curl', '-sS', '-o', '/dev/null', 'localhost'] },
          periodSeconds: 5,
        },
        resources: SMALL_REQUESTS,
      },
    ],
  });
}

/** A ClusterIP Service Cilium load-balances across the backends of every cluster that has it (C.5). */
export function globalService(name: string, namespace: string, selector: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, annotations: { [GLOBAL_SERVICE_ANNOTATION]: 'true' } },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: HTTP_PORT, targetPort: HTTP_PORT, protocol: 'TCP' }],
    },
  };
}

function deployment(input: DeploymentInput, podSpec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: input.name, namespace: input.namespace, labels: { ...input.labels } },
    spec: {
      replicas: input.replicas,
      selector: { matchLabels: { ...input.labels } },
      template: { metadata: { labels: { ...input.labels } }, spec: podSpec },
    },
  };
}
