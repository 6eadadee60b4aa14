import type { ParsedArgs } from './flags.js';
import { boolFlag, stringFlag } from './flags.js';
import type { KubeTarget } from './kube-access.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * `kubectl version` and the API server's /version: the client is the kubectl the lab stands in for, the
 * server the kube-apiserver release of the control plane that answers (lab-talos' TalosNode.kubernetes).
 */

/** The kubectl the lab stands in for: the version runner-setup/tools.json pins on a lab runner. */
export const KUBECTL_VERSION = 'v1.35.0';
const KUSTOMIZE_VERSION = 'v5.7.1';
/** What a control plane runs before lab-talos gives its versions (Talos v1.11.6's default Kubernetes). */
const DEFAULT_API_SERVER = '1.34.1';

interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitTreeState: string;
  compiler: string;
  platform: string;
}

function versionInfo(gitVersion: string): VersionInfo {
  const [, major = '', minor = ''] = /^v(\d+)\.(\d+)/.exec(gitVersion) ?? [];
  return { major, minor, gitVersion, gitTreeState: 'clean', compiler: 'gc', platform: 'linux/amd64' };
}

/**
 * The kube-apiserver version behind the kubeconfig's server: the control plane at that address, else (the
 * VIP) the first control plane up by name.
 */
export function serverVersion(call: ToolCall, target: KubeTarget): VersionInfo {
  const now = call.now();
  const host = URL.canParse(target.server) ? new URL(target.server).hostname : '';
  const planes = call.kube
    .nodes(target.clusterId, now)
    .filter(
      (node) =>
        node.talos.role === 'controlplane' && !node.notReady.some((w) => w.from <= now && now < w.until),
    );
  const answering = planes.find((node) => node.talos.addresses.includes(host)) ?? planes[0];
  return versionInfo(`v${answering?.talos.kubernetes?.apiServer ?? DEFAULT_API_SERVER}`);
}

/** kubectl's warning when the server is more than one minor away (LIFECYCLE G.3). */
function skewWarning(client: VersionInfo, server: VersionInfo): string | undefined {
  if (client.major !== server.major || Math.abs(Number(client.minor) - Number(server.minor)) <= 1)
    return undefined;
  return `WARNING: version difference between client (${client.major}.${client.minor}) and server (${server.major}.${server.minor}) exceeds the supported minor version skew of +/-1`;
}

/** `kubectl version [--client] [-o json|yaml]`. */
export async function version(
  call: ToolCall,
  args: ParsedArgs,
  cluster: () => Promise<KubeTarget>,
): Promise<void> {
  const output = stringFlag(args, 'output');
  if (output !== undefined && output !== 'json' && output !== 'yaml')
    throw new ToolFailure(`error: --output must be 'yaml' or 'json'`);
  const clientVersion = versionInfo(KUBECTL_VERSION);
  // kubectl prints the client's part even when the server cannot be reached, then the error.
  let server: VersionInfo | undefined;
  let failure: unknown;
  if (!boolFlag(args, 'client')) {
    try {
      server = serverVersion(call, await cluster());
    } catch (error) {
      failure = error;
    }
  }
  const warning = server && skewWarning(clientVersion, server);
  if (output === 'json') {
    const body = {
      clientVersion,
      kustomizeVersion: KUSTOMIZE_VERSION,
      ...(server ? { serverVersion: server } : {}),
    };
    call.out(`${JSON.stringify(body, null, 2)}\n`);
  } else if (output === 'yaml') {
    const lines = [
      'clientVersion:',
      ...Object.entries(clientVersion).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
      `kustomizeVersion: ${KUSTOMIZE_VERSION}`,
      ...(server
        ? [
            'serverVersion:',
            ...Object.entries(server).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
          ]
        : []),
    ];
    call.out(`${lines.join('\n')}\n`);
  } else {
    call.out(`Client Version: ${KUBECTL_VERSION}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`);
    if (server) call.out(`Server Version: ${server.gitVersion}\n`);
  }
  if (warning) call.err(`${warning}\n`);
  if (failure) throw failure;
}
