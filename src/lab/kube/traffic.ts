import type { Doc } from '../talos/yaml-docs.js';
import { get, isMap } from '../talos/yaml-docs.js';
import type { KubeClusters } from './clusters.js';
import { byKind } from './kinds.js';
import { meshView } from './mesh.js';
import { annotationsOf } from './objects.js';
import type { StoredObject } from './objects.js';
import type { PodView } from './pods.js';
import { podsOf } from './workloads.js';

/**
 * How a request from a pod to a Service travels: Cilium's kube-proxy replacement picks one backend per
 * connection among the Service's ready local endpoints and, for a global Service (CONTRACTS C.5), the
 * endpoints the connected remote clusters share, as the mesh last synced them. The backend answers as its
 * container would: nginx serves the files mounted into its html root.
 */

export interface Backend {
  clusterId: string;
  pod: PodView;
}

export type Connection =
  { kind: 'connected'; backend: Backend; port: number } | { kind: 'unresolved' } | { kind: 'refused' };

export interface HttpReply {
  status: number;
  body: string;
}

const NGINX_ROOT = '/usr/share/nginx/html';
const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The Service a host name means from a pod in `namespace`: name, name.ns, name.ns.svc[.cluster.local]. */
export function resolveService(
  kube: KubeClusters,
  clusterId: string,
  namespace: string,
  host: string,
): StoredObject | undefined {
  const parts = host.replace(/\.$/, '').split('.');
  const suffix = parts.slice(2).join('.');
  if (parts.length > 2 && !CLUSTER_DOMAIN.startsWith(suffix)) return undefined;
  const [name = '', ns = namespace] = parts;
  return kube.objects(clusterId).get(byKind('Service'), ns, name);
}

/** The endpoints a connection to the Service may land on, after Cilium's global-service rules. */
export function serviceBackends(
  kube: KubeClusters,
  clusterId: string,
  service: StoredObject,
  now: number,
): Backend[] {
  const local = readyPods(kube, clusterId, service, now).map((pod) => ({ clusterId, pod }));
  const annotations = annotationsOf(service.object);
  if (annotations['service.cilium.io/global'] !== 'true') return local;
  const remote = meshView(kube, clusterId, now)
    .filter((view) => view.ready && view.clusterId !== undefined)
    .flatMap((view) =>
      remoteBackends(
        kube,
        view.clusterId!,
        service,
        now - kube.talos.ms(kube.talos.seconds.meshPropagate),
        view.readyAt ?? now,
      ),
    );
  const affinity = annotations['service.cilium.io/affinity'] ?? 'none';
  if (affinity === 'local' && local.length > 0) return local;
  if (affinity === 'remote' && remote.length > 0) return remote;
  return [...local, ...remote];
}

/** A remote cluster's shared endpoints of the same Service, as they were when the mesh last propagated them. */
function remoteBackends(
  kube: KubeClusters,
  remoteId: string,
  service: StoredObject,
  seenAt: number,
  syncedAt: number,
): Backend[] {
  const metadata = service.object.metadata as Doc;
  const twin = kube
    .objects(remoteId)
    .get(byKind('Service'), String(metadata.namespace), String(metadata.name));
  if (!twin) return [];
  const annotations = annotationsOf(twin.object);
  if (
    annotations['service.cilium.io/global'] !== 'true' ||
    annotations['service.cilium.io/shared'] === 'false'
  )
    return [];
  return readyPods(kube, remoteId, twin, Math.max(seenAt, syncedAt)).map((pod) => ({
    clusterId: remoteId,
    pod,
  }));
}

function readyPods(kube: KubeClusters, clusterId: string, service: StoredObject, at: number): PodView[] {
  const selector = get(service.object, 'spec.selector');
  if (!isMap(selector) || Object.keys(selector).length === 0) return [];
  const namespace = String((service.object.metadata as Doc).namespace);
  return podsOf(kube, clusterId, at).filter(
    (pod) =>
      pod.namespace === namespace &&
      pod.phase === 'Running' &&
      pod.ready &&
      Object.entries(selector).every(([key, value]) => pod.labels[key] === value),
  );
}

/** A new connection to host:port from a pod: one backend picked at random, as Cilium's LB does per connection. */
export function connect(
  kube: KubeClusters,
  from: { clusterId: string; namespace: string },
  host: string,
  port: number,
  now: number,
  random: () => number = Math.random,
): Connection {
  const service = resolveService(kube, from.clusterId, from.namespace, host);
  if (!service) return { kind: 'unresolved' };
  const servicePort = (
    Array.isArray(get(service.object, 'spec.ports')) ? (get(service.object, 'spec.ports') as unknown[]) : []
  )
    .filter(isMap)
    .find((entry) => Number(entry.port) === port);
  if (!servicePort) return { kind: 'refused' };
  const backends = serviceBackends(kube, from.clusterId, service, now);
  if (backends.length === 0) return { kind: 'refused' }; // Cilium rejects connections to a Service without backends
  const backend = backends[Math.min(backends.length - 1, Math.floor(random() * backends.length))]!;
  return { kind: 'connected', backend, port: Number(servicePort.targetPort ?? port) };
}

/** What the backend's container answers to GET path on the target port, or undefined when nothing listens there. */
export function answer(
  kube: KubeClusters,
  backend: Backend,
  targetPort: number,
  path: string,
): HttpReply | undefined {
  const spec = backend.pod.spec;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isMap);
  const nginx = containers.find((container) => /(^|\/)nginx(:|@|$)/.test(String(container.image)));
  if (!nginx || targetPort !== 80) return undefined;
  const mount = (Array.isArray(nginx.volumeMounts) ? nginx.volumeMounts : [])
    .filter(isMap)
    .find((entry) => entry.mountPath === NGINX_ROOT || entry.mountPath === `${NGINX_ROOT}/`);
  if (!mount) return { status: 200, body: NGINX_WELCOME };
  const files = mountedFiles(kube, backend, String(mount.name));
  const file = path === '/' || path === '' ? 'index.html' : path.replace(/^\//, '');
  const body = files[file];
  return body === undefined ? { status: 404, body: NGINX_404 } : { status: 200, body };
}

/** The files a configMap volume puts in the container: every key, or the listed items at their paths. */
function mountedFiles(kube: KubeClusters, backend: Backend, volumeName: string): Record<string, string> {
  const volumes = (Array.isArray(backend.pod.spec.volumes) ? backend.pod.spec.volumes : []).filter(isMap);
  const source = volumes.find((volume) => volume.name === volumeName)?.configMap;
  if (!isMap(source)) return {};
  const configMap = kube
    .objects(backend.clusterId)
    .get(byKind('ConfigMap'), backend.pod.namespace, String(source.name));
  const data = isMap(configMap?.object.data) ? (configMap.object.data as Record<string, string>) : {};
  if (!Array.isArray(source.items)) return { ...data };
  return Object.fromEntries(
    source.items
      .filter(isMap)
      .filter((item) => data[String(item.key)] !== undefined)
      .map((item) => [String(item.path), data[String(item.key)]!]),
  );
}

const NGINX_WELCOME =
  '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n';
const NGINX_404 =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.1</center>\r\n</body>\r\n</html>\r\n';
