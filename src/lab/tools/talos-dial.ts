import { parse } from 'yaml';
import type { TalosNode } from '../talos/nodes.js';
import { talosContext } from '../talos/generate.js';
import type { Doc } from '../talos/yaml-docs.js';
import { decodePem, get, isMap } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { listFlag, stringFlag } from './flags.js';
import { sameCertificate, signedBy } from './x509-checks.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * How the lab's talosctl reaches a node's apid on :50000: the maintenance service (--insecure), or mTLS
 * with the talosconfig's credentials through an endpoint that proxies to the target node; failures as
 * talosctl prints them (gRPC status codes).
 */

export const APID_PORT = 50000;

/** The talosconfig the call uses: --talosconfig, TALOSCONFIG, or ~/.talos/config. */
export function talosconfigPath(call: ToolCall, args: ParsedArgs): string {
  return (
    stringFlag(args, 'talosconfig') ?? call.env('TALOSCONFIG') ?? `${call.env('HOME') ?? '~'}/.talos/config`
  );
}

export function loadTalosconfig(call: ToolCall, args: ParsedArgs): { path: string; doc: Doc } {
  const path = talosconfigPath(call, args);
  if (!call.exists(path)) return { path, doc: { context: '', contexts: {} } };
  const doc = parse(call.read(path)) as unknown;
  if (!isMap(doc)) throw new ToolFailure(`failed to parse config: ${path} is not a talosconfig`);
  return { path, doc };
}

/** gRPC's "Unavailable" as talosctl prints a failed dial. */
export function unavailable(detail: string): string {
  return `rpc error: code = Unavailable desc = connection error: desc = "${detail}"`;
}

/** Dials ip:50000: who answers, or the Go error a dial there gives. */
export async function dial(call: ToolCall, ip: string): Promise<TalosNode> {
  const node = call.talos.at(ip);
  if (!node) {
    await call.pause(call.talos.seconds.unreachableTimeout);
    throw new ToolFailure(
      unavailable(`transport: Error while dialing: dial tcp ${ip}:${APID_PORT}: connect: no route to host`),
    );
  }
  if (node.phase === 'booting' || node.phase === 'rebooting') {
    throw new ToolFailure(
      unavailable(`transport: Error while dialing: dial tcp ${ip}:${APID_PORT}: connect: connection refused`),
    );
  }
  return node;
}

/** The maintenance service: self-signed, no client auth; a configured apid wants a client certificate. */
export async function dialInsecure(
  call: ToolCall,
  args: ParsedArgs,
): Promise<{ ip: string; node: TalosNode }> {
  const ip = listFlag(args, 'nodes')[0];
  if (!ip) {
    throw new ToolFailure(
      'nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against',
    );
  }
  const node = await dial(call, ip);
  if (node.phase === 'running')
    throw new ToolFailure(
      unavailable('error reading server preface: remote error: tls: certificate required'),
    );
  return { ip, node };
}

export interface SecureTarget {
  endpoint: TalosNode;
  nodes: string[];
  context: Doc;
}

/** mTLS to the first endpoint that answers: its CA must be the talosconfig's, our certificate signed by it. */
export async function dialSecure(call: ToolCall, args: ParsedArgs): Promise<SecureTarget> {
  const { doc } = loadTalosconfig(call, args);
  const found = talosContext(doc, stringFlag(args, 'context'));
  const context = found?.context ?? {};
  const flagged = listFlag(args, 'endpoints');
  const endpoints = flagged.length > 0 ? flagged : ((context.endpoints as string[] | undefined) ?? []);
  if (endpoints.length === 0)
    throw new ToolFailure('error constructing client: failed to determine endpoints');
  const nodeFlags = listFlag(args, 'nodes');
  const nodes = nodeFlags.length > 0 ? nodeFlags : ((context.nodes as string[] | undefined) ?? []);
  let lastError: unknown;
  for (const endpoint of endpoints) {
    try {
      const node = await dial(call, endpoint);
      const nodeCa = decodePem(get(node.config, 'machine.ca.crt'));
      if (node.phase !== 'running' || !sameCertificate(decodePem(context.ca), nodeCa)) {
        throw new ToolFailure(
          unavailable(
            'transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority',
          ),
        );
      }
      if (!signedBy(decodePem(context.crt), nodeCa))
        throw new ToolFailure(
          unavailable('error reading server preface: remote error: tls: bad certificate'),
        );
      return { endpoint: node, nodes, context };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** apid proxies a call to `ip` inside the cluster: the target must run a config of the same machine CA. */
export async function proxyTo(call: ToolCall, via: TalosNode, ip: string): Promise<TalosNode> {
  if (via.addresses.includes(ip)) return via;
  const node = await dial(call, ip);
  const sameCa = sameCertificate(
    decodePem(get(node.config, 'machine.ca.crt')),
    decodePem(get(via.config, 'machine.ca.crt')),
  );
  if (node.phase !== 'running' || !sameCa) {
    throw new ToolFailure(
      unavailable(
        'transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority',
      ),
    );
  }
  return node;
}

/** bootstrap, kubeconfig: one node, talked to through an endpoint. */
export async function singleNode(call: ToolCall, args: ParsedArgs): Promise<TalosNode> {
  const target = await dialSecure(call, args);
  if (target.nodes.length > 1)
    throw new ToolFailure('this command can only be run against a single node, use --nodes to pick one');
  return proxyTo(call, target.endpoint, target.nodes[0] ?? target.endpoint.addresses[0] ?? '');
}
