import { parse } from 'yaml';
import type { SecretsBundle } from '../talos/generate.js';
import {
  DEFAULT_KUBERNETES_VERSION,
  TALOS_VERSION,
  generateSecrets,
  machineConfigDocs,
  readSecrets,
  talosconfig,
} from '../talos/generate.js';
import { applyPatches } from '../talos/patch.js';
import type { Release } from '../talos/releases.js';
import { configProblems } from '../talos/validate.js';
import type { Doc } from '../talos/yaml-docs.js';
import { parseDocuments, renderDocuments } from '../talos/yaml-docs.js';
import type { ParsedArgs } from './flags.js';
import { boolFlag, listFlag, stringFlag } from './flags.js';
import type { ToolCall } from './runtime.js';
import { ToolFailure } from './runtime.js';

/**
 * `talosctl gen secrets` and `gen config` of the v1.13.9 client: version contracts v1.11 to v1.13 (TALOS
 * v1.13.9 `pkg/machinery/config/contract.go`), each config checked with the schema of its contract's release.
 */

export function exactArgs(args: ParsedArgs, count: number): void {
  if (args.positionals.length !== count) {
    throw new ToolFailure(`accepts ${count} arg(s), received ${args.positionals.length}`);
  }
}

/** Which release's schema checks what a version contract generates. */
const CONTRACT_SCHEMA: Record<number, Release> = { 11: 'v1.11.6', 12: 'v1.12.11', 13: 'v1.13.9' };

/** `v1.12` or `v1.12.11` (a version contract up to the client's own, v1.13); its minor. */
function talosVersion(args: ParsedArgs): number {
  const value = stringFlag(args, 'talos-version') ?? TALOS_VERSION;
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:-[\w.]+)?$/.exec(value);
  if (!match) throw new ToolFailure(`invalid talos-version: error parsing version "${value}"`);
  if (Number(match[1]) !== 1 || Number(match[2]) > 13) {
    throw new ToolFailure(
      `version contract ${value} is newer than this talosctl (${TALOS_VERSION}) supports`,
    );
  }
  return Number(match[2]);
}

export async function genSecrets(call: ToolCall, args: ParsedArgs): Promise<void> {
  exactArgs(args, 0);
  talosVersion(args);
  const output = stringFlag(args, 'output-file') ?? 'secrets.yaml';
  if (call.exists(output) && !boolFlag(args, 'force')) {
    throw new ToolFailure(
      `failed to write secrets file: file "${output}" already exists, use --force to overwrite`,
    );
  }
  call.write(output, renderDocuments([(await generateSecrets()) as unknown as Doc]));
}

/** A `--config-patch` value: `@file` or inline YAML (strategic merge; JSON 6902 lists are refused). */
export function readPatch(call: ToolCall, value: string): Doc[] {
  const text = value.startsWith('@') ? call.read(value.slice(1)) : value;
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    throw new ToolFailure('JSON6902 patches are not supported for multi-document machine configuration');
  }
  try {
    return parseDocuments(text, value);
  } catch (error) {
    throw new ToolFailure(`failed to load patch ${value}: ${(error as Error).message}`);
  }
}

/** The endpoint as talosctl normalizes it: a scheme and port 6443 added when missing. */
function clusterEndpoint(raw: string): string {
  const withScheme = /^[a-z]+:\/\//.test(raw) ? raw : `https://${raw}`;
  if (!URL.canParse(withScheme) || !new URL(withScheme).hostname) {
    throw new ToolFailure(`error validating endpoint: "${raw}" is not a valid URL`);
  }
  const url = new URL(withScheme);
  return `${url.protocol}//${url.hostname}:${url.port || '6443'}`;
}

export async function genConfig(call: ToolCall, args: ParsedArgs): Promise<void> {
  exactArgs(args, 2);
  const [clusterName = '', rawEndpoint = ''] = args.positionals;
  const contractMinor = talosVersion(args);
  const types = listFlag(args, 'output-types');
  const outputTypes = types.length > 0 ? types : ['controlplane', 'worker', 'talosconfig'];
  for (const type of outputTypes) {
    if (!['controlplane', 'worker', 'talosconfig'].includes(type))
      throw new ToolFailure(`invalid output type: "${type}"`);
  }
  const output = stringFlag(args, 'output') ?? '.';
  if (output === '-' && outputTypes.length > 1) {
    throw new ToolFailure("can't use stdout for multiple output types, please specify a single output type");
  }
  const files: Record<string, string> = {};
  for (const type of outputTypes) {
    const single = outputTypes.length === 1 && !call.isDirectory(output);
    files[type] = single ? output : `${output}/${type === 'talosconfig' ? 'talosconfig' : `${type}.yaml`}`;
    if (output !== '-' && call.exists(files[type]) && !boolFlag(args, 'force')) {
      throw new ToolFailure(`${call.path(files[type])} already exists, use --force to overwrite`);
    }
  }
  const secretsFile = stringFlag(args, 'with-secrets');
  let secrets: SecretsBundle;
  if (secretsFile) {
    secrets = readSecrets(parse(call.read(secretsFile)) as unknown, secretsFile);
  } else {
    call.err('generating PKI and tokens\n');
    secrets = await generateSecrets();
  }
  const input = {
    clusterName,
    endpoint: clusterEndpoint(rawEndpoint),
    secrets,
    kubernetesVersion: stringFlag(args, 'kubernetes-version') ?? DEFAULT_KUBERNETES_VERSION,
    installDisk: stringFlag(args, 'install-disk') ?? '/dev/sda',
    installImage: stringFlag(args, 'install-image') ?? `ghcr.io/siderolabs/installer:${TALOS_VERSION}`,
    dnsDomain: stringFlag(args, 'dns-domain') ?? 'cluster.local',
    additionalSans: listFlag(args, 'additional-sans'),
    withClusterDiscovery: boolFlag(args, 'with-cluster-discovery', true),
    contractMinor,
  };
  const common = listFlag(args, 'config-patch').map((patch) => readPatch(call, patch));
  for (const type of outputTypes) {
    const target = files[type] ?? '';
    if (type === 'talosconfig') {
      const doc = await talosconfig(clusterName, secrets);
      writeOrPrint(call, output === '-' ? '-' : target, renderDocuments([doc]));
      continue;
    }
    const role = type as 'controlplane' | 'worker';
    const rolePatches = listFlag(
      args,
      role === 'controlplane' ? 'config-patch-control-plane' : 'config-patch-worker',
    );
    const docs = applyPatches(machineConfigDocs(input, role), [
      ...common,
      ...rolePatches.map((patch) => readPatch(call, patch)),
    ]);
    const problem = configProblems(docs, CONTRACT_SCHEMA[contractMinor] ?? 'v1.13.9');
    if (problem) throw new ToolFailure(`failed to generate config for ${role}: ${problem}`);
    writeOrPrint(call, output === '-' ? '-' : target, renderDocuments(docs));
  }
}

function writeOrPrint(call: ToolCall, target: string, text: string): void {
  if (target === '-') return call.out(text);
  call.err(`Created ${call.write(target, text)}\n`);
}
