import { parse } from 'yaml';
import type { Doc } from '../talos/yaml-docs.js';
import { decodePem, get, getString, isMap } from '../talos/yaml-docs.js';
import type { KubeUser } from '../kube/rbac.js';
import { authenticate, clusterKeys } from './kube-authn.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';
import { sameCertificate } from './x509-checks.js';

/** A kubeconfig's current context resolved to the cluster the lab runs behind its server address. */
export interface KubeTarget {
  clusterId: string;
  server: string;
  namespace: string;
  /** Who the API server authenticated the kubeconfig's user as. */
  user: KubeUser;
}

/** How a client failed to reach the API, in Go's words; kubectl and helm wrap it their own way. */
export class ApiConnectError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'unreachable' | 'tls' | 'unauthorized' | 'config',
    readonly host: string,
  ) {
    super(message);
  }
}

function named(list: unknown, name: string): Doc | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.filter(isMap).find((entry) => entry.name === name);
}

/** The kubeconfig file the call uses: --kubeconfig, else the first of KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(call: ToolCall, flag: string | undefined): string | undefined {
  if (flag) return flag;
  const fromEnv = call
    .env('KUBECONFIG')
    ?.split(':')
    .find((path) => path !== '');
  if (fromEnv) return fromEnv;
  const home = call.env('HOME');
  return home && call.exists(`${home}/.kube/config`) ? `${home}/.kube/config` : undefined;
}

/** Connects as client-go does: server from the context, its CA pinned, the user's certificate or token presented. */
export async function connectKube(
  call: ToolCall,
  opts: { kubeconfig: string | undefined; context?: string; explicit: boolean },
): Promise<KubeTarget> {
  if (!opts.kubeconfig) throw new ApiConnectError('localhost:8080', 'refused', 'localhost:8080');
  if (!call.exists(opts.kubeconfig)) {
    if (opts.explicit)
      throw new ApiConnectError(`stat ${opts.kubeconfig}: no such file or directory`, 'config', '');
    throw new ApiConnectError('localhost:8080', 'refused', 'localhost:8080');
  }
  const doc = parse(call.read(opts.kubeconfig)) as unknown;
  const contextName = opts.context ?? getString(doc, 'current-context') ?? '';
  const context = named(get(doc, 'contexts'), contextName)?.context;
  if (!isMap(context)) {
    throw new ApiConnectError(`context was not found for specified context: ${contextName}`, 'config', '');
  }
  const cluster = named(get(doc, 'clusters'), String(context.cluster ?? ''))?.cluster;
  const user = named(get(doc, 'users'), String(context.user ?? ''))?.user;
  const server = getString(cluster, 'server') ?? '';
  const url = URL.canParse(server) ? new URL(server) : undefined;
  if (!url)
    throw new ApiConnectError(
      `invalid configuration: no server found for cluster "${String(context.cluster)}"`,
      'config',
      '',
    );
  const host = url.hostname;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const hostPort = `${host}:${port}`;
  const answer = call.kube.answerAt(host, port);
  if (answer.kind === 'unreachable') {
    await call.pause(call.talos.seconds.unreachableTimeout);
    throw new ApiConnectError(`dial tcp ${hostPort}: connect: no route to host`, 'unreachable', hostPort);
  }
  if (answer.kind === 'refused') throw new ApiConnectError(hostPort, 'refused', hostPort);
  const keys = clusterKeys(
    call.talos.all().find((node) => node.clusterId === answer.clusterId && node.role === 'controlplane')
      ?.config,
  );
  const offeredCa = decodePem(get(cluster, 'certificate-authority-data'));
  if (!sameCertificate(offeredCa, keys.caPem)) {
    throw new ApiConnectError(
      'tls: failed to verify certificate: x509: certificate signed by unknown authority',
      'tls',
      hostPort,
    );
  }
  const authenticated = authenticate(call, answer.clusterId, user, keys);
  if (!authenticated) throw new ApiConnectError('Unauthorized', 'unauthorized', hostPort);
  return {
    clusterId: answer.clusterId,
    server,
    namespace: typeof context.namespace === 'string' ? context.namespace : 'default',
    user: authenticated,
  };
}

/** kubectl's wording of a connection failure. */
export function kubectlConnectMessage(error: ApiConnectError): string {
  switch (error.kind) {
    case 'refused':
      return `The connection to the server ${error.host} was refused - did you specify the right host or port?`;
    case 'unauthorized':
      return 'error: You must be logged in to the server (Unauthorized)';
    case 'config':
      return `error: ${error.message}`;
    default:
      return `Unable to connect to the server: ${error.message}`;
  }
}

/** helm's wording: every failure before the release is "Kubernetes cluster unreachable". */
export function helmConnectMessage(error: ApiConnectError): string {
  if (error.kind === 'config') return `Error: ${error.message}`;
  if (error.kind === 'unauthorized')
    return 'Error: Kubernetes cluster unreachable: the server has asked for the client to provide credentials';
  const detail =
    error.kind === 'refused' ? `dial tcp ${error.host}: connect: connection refused` : error.message;
  return `Error: Kubernetes cluster unreachable: Get "https://${error.host}/version": ${detail}`;
}

export { ToolFailure };
