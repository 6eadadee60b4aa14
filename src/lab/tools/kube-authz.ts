import type { KindInfo } from '../kube/kinds.js';
import type { RequestAttributes, ResourceRequest } from '../kube/rbac.js';
import { authorize, forbiddenMessage } from '../kube/rbac.js';
import type { KubeTarget } from './kube-access.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * The API requests the lab's kubectl and helm make, put to the cluster's RBAC before they read or change
 * anything: each command asks for what the real client's requests would need (a get before a patch, a
 * list for `-l`, pods/exec for exec), and a refusal reads as the API server's 403.
 */

/** The request for `verb` on objects of a kind; the namespace only counts for namespaced kinds. */
export function resourceRequest(
  info: KindInfo,
  verb: string,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
): ResourceRequest {
  return {
    verb,
    group: info.group,
    resource: info.plural,
    ...(subresource === undefined ? {} : { subresource }),
    ...(info.namespaced && namespace !== undefined ? { namespace } : {}),
    ...(name === undefined ? {} : { name }),
  };
}

/** The API server's message when the target's user may not make `request`; undefined when it may. */
export function refusal(call: ToolCall, target: KubeTarget, request: RequestAttributes): string | undefined {
  return authorize(call.kube.objects(target.clusterId), target.user, request)
    ? undefined
    : forbiddenMessage(target.user, request);
}

/** Ends the command with kubectl's `Error from server (Forbidden): ...` when the request is refused. */
export function requireAllowed(call: ToolCall, target: KubeTarget, ...requests: RequestAttributes[]): void {
  for (const request of requests) {
    const message = refusal(call, target, request);
    if (message) throw new ToolFailure(`Error from server (Forbidden): ${message}`);
  }
}
