import { byKind } from '../kube/kinds.js';
import {
  API_AUDIENCE,
  DEFAULT_EXPIRATION_SECONDS,
  MAX_EXPIRATION_SECONDS,
  MIN_EXPIRATION_SECONDS,
  signToken,
  tokenClaims,
} from '../kube/service-account-tokens.js';
import { UsageError, listFlag, parseDurationSeconds, stringFlag } from './flags.js';
import { refusal, resourceRequest } from './kube-authz.js';
import { clusterKeys } from './kube-authn.js';
import type { Run } from './kubectl-common.js';
import { namespaceOf } from './kubectl-common.js';
import { ToolFailure } from './runtime.js';

/**
 * `kubectl create token NAME [--duration D] [--audience A]...`: a TokenRequest for the service account, its
 * token printed (no newline: kubectl adds one only on a terminal). kubectl checks its flags first
 * (create_token.go Validate), then the API server checks the account, RBAC (create serviceaccounts/token)
 * and the TokenRequest (ValidateTokenRequest: at least 10 minutes). The lab's API server sets no
 * --service-account-max-token-expiration, so it grants the duration asked for.
 */
export const createToken: Run = async (call, args, cluster) => {
  if (args.positionals.length !== 1)
    throw new ToolFailure(
      `error: exactly one NAME is required, got ${args.positionals.length}\nSee 'kubectl create token -h' for help and examples`,
    );
  const [name = ''] = args.positionals;
  const seconds = requestedSeconds(stringFlag(args, 'duration'));
  const audiences = listFlag(args, 'audience');
  if (audiences.some((audience) => audience === ''))
    throw new ToolFailure('error: --audience must not be an empty string');
  const target = await cluster();
  const namespace = namespaceOf(args, target);
  const fail = (reason: string) => new ToolFailure(`error: failed to create token: ${reason}`);
  const account = byKind('ServiceAccount');
  const forbidden = refusal(call, target, resourceRequest(account, 'create', namespace, name, 'token'));
  if (forbidden) throw fail(forbidden);
  const stored = call.kube.objects(target.clusterId).get(account, namespace, name);
  if (!stored) throw fail(`serviceaccounts "${name}" not found`);
  const expirationSeconds = seconds ?? DEFAULT_EXPIRATION_SECONDS;
  const invalid = invalidExpiration(expirationSeconds);
  if (invalid) throw fail(`TokenRequest.authentication.k8s.io "" is invalid: ${invalid}`);
  const config = call.talos
    .all()
    .find((node) => node.clusterId === target.clusterId && node.role === 'controlplane')?.config;
  const claims = tokenClaims({
    namespace,
    name,
    uid: stored.uid,
    audiences: audiences.length > 0 ? audiences : [API_AUDIENCE],
    expirationSeconds,
    now: call.now(),
  });
  call.out(signToken(clusterKeys(config).serviceAccountKeyPem, claims));
};

/** --duration as pflag parses a Go duration; undefined for none or 0 (the server's default applies). */
function requestedSeconds(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '0') return undefined;
  if (raw.startsWith('-') && parseDurationSeconds(raw.slice(1)) !== undefined)
    throw new ToolFailure('error: --duration must be greater than or equal to 0');
  const seconds = /^\d+$/.test(raw) ? undefined : parseDurationSeconds(raw);
  if (seconds === undefined) {
    const reason = /^\d+$/.test(raw) ? `missing unit in duration "${raw}"` : `invalid duration "${raw}"`;
    throw new UsageError(`invalid argument "${raw}" for "--duration" flag: time: ${reason}`);
  }
  if (!Number.isInteger(seconds))
    throw new ToolFailure('error: --duration cannot be expressed in units less than seconds');
  return seconds === 0 ? undefined : seconds;
}

function invalidExpiration(seconds: number): string | undefined {
  const field = `spec.expirationSeconds: Invalid value: ${seconds}`;
  if (seconds < MIN_EXPIRATION_SECONDS) return `${field}: may not specify a duration less than 10 minutes`;
  if (seconds > MAX_EXPIRATION_SECONDS)
    return `${field}: may not specify a duration larger than 2^32 seconds`;
  return undefined;
}
