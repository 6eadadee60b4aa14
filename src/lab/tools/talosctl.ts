import { parse } from 'yaml';
import type { TalosNode } from '../talos/nodes.js';
import { TALOS_VERSION, adminKubeconfig, talosContext } from '../talos/generate.js';
import { applyPatches } from '../talos/patch.js';
import type { Doc } from '../talos/yaml-docs.js';
import { isMap, parseDocuments, renderDocuments } from '../talos/yaml-docs.js';
import type { CommandNode, FlagSpec, ParsedArgs } from './flags.js';
import { UsageError, boolFlag, findCommand, listFlag, parseFlags, stringFlag } from './flags.js';
import type { ExecResult, ToolCall } from './runtime.js';
import { ToolFailure, humanBytes, table } from './runtime.js';
import { applyConfig } from './talosctl-apply.js';
import { exactArgs, genConfig, genSecrets, readPatch } from './talosctl-gen.js';
import { UPGRADE_K8S_FLAGS, upgradeK8s } from './talosctl-k8s.js';
import { REBOOT_FLAGS, UPGRADE_FLAGS, reboot, upgrade } from './talosctl-upgrade.js';
import { dialInsecure, dialSecure, loadTalosconfig, proxyTo, singleNode } from './talos-dial.js';
import { LOGS_FLAGS, logs, services } from './talosctl-services.js';
import { TIME_RESOURCES, bootstrap, etcdMembers, etcdStatus, timeResourceTable } from './talosctl-etcd.js';

/**
 * The lab's talosctl (v1.13.9, the client the product pins: only its upgrade-k8s knows 1.35->1.36, LIFECYCLE
 * F.2, facts-13 §1): the subcommands the product runs, with talosctl's flags and its error texts (gRPC status
 * codes as the client prints them), against the lab's Talos nodes, each of which runs its own release.
 */

type Run = (call: ToolCall, args: ParsedArgs) => Promise<void>;

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'talosconfig', kind: 'string' },
  { name: 'nodes', short: 'n', kind: 'stringSlice' },
  { name: 'endpoints', short: 'e', kind: 'stringSlice' },
  { name: 'context', kind: 'string' },
  { name: 'cluster', kind: 'string' },
];

const GEN_FLAGS: FlagSpec[] = [{ name: 'force', short: 'f', kind: 'bool' }];

const ROOT: CommandNode<Run> = {
  name: 'talosctl',
  children: [
    {
      name: 'gen',
      children: [
        {
          name: 'secrets',
          flags: [
            ...GEN_FLAGS,
            { name: 'output-file', short: 'o', kind: 'string' },
            { name: 'talos-version', kind: 'string' },
          ],
          run: genSecrets,
        },
        {
          name: 'config',
          flags: [
            ...GEN_FLAGS,
            { name: 'with-secrets', kind: 'string' },
            { name: 'config-patch', kind: 'stringArray' },
            { name: 'config-patch-control-plane', kind: 'stringArray' },
            { name: 'config-patch-worker', kind: 'stringArray' },
            { name: 'kubernetes-version', kind: 'string' },
            { name: 'talos-version', kind: 'string' },
            { name: 'install-image', kind: 'string' },
            { name: 'install-disk', kind: 'string' },
            { name: 'with-docs', kind: 'bool' },
            { name: 'with-examples', kind: 'bool' },
            { name: 'with-cluster-discovery', kind: 'bool' },
            { name: 'output-types', short: 't', kind: 'stringSlice' },
            { name: 'output', short: 'o', kind: 'string' },
            { name: 'additional-sans', kind: 'stringSlice' },
            { name: 'dns-domain', kind: 'string' },
          ],
          run: genConfig,
        },
      ],
    },
    {
      name: 'machineconfig',
      children: [
        {
          name: 'patch',
          flags: [
            { name: 'patch', short: 'p', kind: 'stringArray' },
            { name: 'output', short: 'o', kind: 'string' },
          ],
          run: machineconfigPatch,
        },
      ],
    },
    {
      name: 'config',
      children: [
        { name: 'endpoint', run: (call, args) => setContextList(call, args, 'endpoints') },
        { name: 'node', run: (call, args) => setContextList(call, args, 'nodes') },
      ],
    },
    {
      name: 'get',
      flags: [
        { name: 'insecure', short: 'i', kind: 'bool' },
        { name: 'output', short: 'o', kind: 'string' },
        { name: 'namespace', kind: 'string' },
      ],
      run: getResource,
    },
    {
      name: 'apply-config',
      flags: [
        { name: 'file', short: 'f', kind: 'string' },
        { name: 'insecure', short: 'i', kind: 'bool' },
        { name: 'mode', short: 'm', kind: 'string' },
        { name: 'dry-run', kind: 'bool' },
        { name: 'config-patch', short: 'p', kind: 'stringArray' },
      ],
      run: (call, args) => applyConfig(call, args, readPatch),
    },
    { name: 'bootstrap', run: bootstrap },
    { name: 'upgrade', flags: UPGRADE_FLAGS, run: upgrade },
    { name: 'read', run: readFile },
    { name: 'service', run: services },
    { name: 'services', run: services },
    { name: 'logs', flags: LOGS_FLAGS, run: logs },
    { name: 'upgrade-k8s', flags: UPGRADE_K8S_FLAGS, run: upgradeK8s },
    { name: 'reboot', flags: REBOOT_FLAGS, run: reboot },
    {
      name: 'etcd',
      children: [
        { name: 'members', run: etcdMembers },
        { name: 'status', run: etcdStatus },
      ],
    },
    {
      name: 'kubeconfig',
      flags: [
        { name: 'force', short: 'f', kind: 'bool' },
        { name: 'merge', short: 'm', kind: 'bool' },
        { name: 'force-context-name', kind: 'string' },
      ],
      run: kubeconfig,
    },
    {
      name: 'version',
      flags: [
        { name: 'client', kind: 'bool' },
        { name: 'short', kind: 'bool' },
        { name: 'insecure', short: 'i', kind: 'bool' },
      ],
      run: version,
    },
  ],
};

export async function runTalosctl(call: ToolCall): Promise<ExecResult> {
  try {
    const found = findCommand(ROOT, call.request.args, GLOBAL_FLAGS);
    if (found.unknown !== undefined || !found.node.run) {
      const where = ['talosctl', ...found.path].join(' ');
      throw new ToolFailure(
        found.unknown === undefined
          ? `${where} requires a subcommand\nRun '${where} --help' for usage.`
          : `unknown command "${found.unknown}" for "${where}"\nRun '${where} --help' for usage.`,
      );
    }
    const args = parseFlags(found.rest, [...GLOBAL_FLAGS, ...(found.node.flags ?? [])]);
    await found.node.run(call, args);
    return call.result(0);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ToolFailure) {
      // An empty message: the command printed its errors already (the tracker's SuppressErrors).
      if (error.message !== '') call.err(`${error.message}\n`);
      return call.result(1);
    }
    throw error;
  }
}

async function machineconfigPatch(call: ToolCall, args: ParsedArgs): Promise<void> {
  exactArgs(args, 1);
  const file = args.positionals[0] ?? '';
  const docs = parseDocuments(call.read(file), file);
  const patched = applyPatches(
    docs,
    listFlag(args, 'patch').map((patch) => readPatch(call, patch)),
  );
  const text = renderDocuments(patched);
  const output = stringFlag(args, 'output');
  if (output === undefined || output === '-') call.out(text);
  else call.write(output, text);
}

async function setContextList(call: ToolCall, args: ParsedArgs, field: 'endpoints' | 'nodes'): Promise<void> {
  if (args.positionals.length === 0) throw new ToolFailure('requires at least 1 arg(s), only received 0');
  const { path, doc } = loadTalosconfig(call, args);
  const context = talosContext(doc, stringFlag(args, 'context'));
  if (!context) throw new ToolFailure('no context is set');
  context.context[field] = args.positionals;
  call.write(path, renderDocuments([doc]));
}

async function getResource(call: ToolCall, args: ParsedArgs): Promise<void> {
  const resource = args.positionals[0];
  if (resource === undefined) throw new ToolFailure('requires at least 1 arg(s), only received 0');
  const timeResource = TIME_RESOURCES[resource];
  if (!timeResource && !['disks', 'disk', 'Disks', 'block.Disks'].includes(resource)) {
    throw new ToolFailure(`error getting resource: resource type "${resource}" is not registered`);
  }
  try {
    let node: TalosNode;
    let ip: string;
    if (boolFlag(args, 'insecure')) ({ node, ip } = await dialInsecure(call, args));
    else {
      const target = await dialSecure(call, args);
      ip = target.nodes[0] ?? target.endpoint.addresses[0] ?? '';
      node = await proxyTo(call, target.endpoint, ip);
    }
    if (timeResource) call.out(timeResourceTable(call, timeResource, ip, node));
    else printDisks(call, node, boolFlag(args, 'insecure') ? '' : ip, stringFlag(args, 'output') ?? 'table');
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error getting resource: ${error.message}`);
    throw error;
  }
}

function printDisks(call: ToolCall, node: TalosNode, nodeColumn: string, output: string): void {
  const disks = call.talos.disks(node.vm);
  if (output === 'json') {
    for (const disk of disks) {
      call.out(
        `${JSON.stringify({ node: nodeColumn, metadata: { namespace: 'runtime', type: 'Disks.block.talos.dev', id: disk.id, version: 1 }, spec: { size: disk.sizeBytes, pretty_size: humanBytes(disk.sizeBytes), readonly: disk.readOnly, transport: disk.transport, rotational: true, model: disk.model } }, null, 4)}\n`,
      );
    }
    return;
  }
  const rows = [
    [
      'NODE',
      'NAMESPACE',
      'TYPE',
      'ID',
      'VERSION',
      'SIZE',
      'READ ONLY',
      'TRANSPORT',
      'ROTATIONAL',
      'WWID',
      'MODEL',
      'SERIAL',
    ],
  ];
  for (const disk of disks) {
    rows.push([
      nodeColumn,
      'runtime',
      'Disk',
      disk.id,
      '1',
      humanBytes(disk.sizeBytes),
      String(disk.readOnly),
      disk.transport,
      'true',
      '',
      disk.model,
      '',
    ]);
  }
  call.out(table(rows));
}

/**
 * `talosctl read <path>`: the lab's nodes have one file to read, the kernel's boot id (what the upgrade
 * tracker compares, F.1). Any other path: the error of a missing file (UNCONFIRMED wording).
 */
async function readFile(call: ToolCall, args: ParsedArgs): Promise<void> {
  exactArgs(args, 1);
  const path = args.positionals[0] ?? '';
  const node = await singleNode(call, args);
  if (path !== '/proc/sys/kernel/random/boot_id') {
    throw new ToolFailure(`rpc error: code = Unknown desc = lstat ${path}: no such file or directory`);
  }
  call.out(`${node.bootId}\n`);
}

async function kubeconfig(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (args.positionals.length > 1)
    throw new ToolFailure(`accepts at most 1 arg(s), received ${args.positionals.length}`);
  const merge = boolFlag(args, 'merge', true);
  const path = args.positionals[0] ?? (merge ? `${call.env('HOME') ?? '~'}/.kube/config` : '.');
  let node: TalosNode;
  try {
    node = await singleNode(call, args);
    if (node.role !== 'controlplane') {
      throw new ToolFailure(
        'rpc error: code = Unimplemented desc = kubeconfig is only available on control plane nodes',
      );
    }
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error copying: ${error.message}`);
    throw error;
  }
  const generated = await adminKubeconfig(node.config ?? {});
  if (path === '-') {
    if (merge) throw new ToolFailure('--merge is not supported for stdout');
    return call.out(renderDocuments([generated]));
  }
  const file = !merge && call.isDirectory(path) ? `${path}/kubeconfig` : path;
  if (!merge) {
    if (call.exists(file) && !boolFlag(args, 'force'))
      throw new ToolFailure(`kubeconfig file already exists, use --force to overwrite: ${file}`);
    call.write(file, renderDocuments([generated]));
    return;
  }
  const merged = call.exists(file)
    ? mergeKubeconfig(parse(call.read(file)) as unknown, generated)
    : generated;
  call.write(file, renderDocuments([merged]));
}

/** Merging as talosctl does: entries of the same name are replaced, the new context becomes current. */
function mergeKubeconfig(existing: unknown, added: Doc): Doc {
  if (!isMap(existing)) return added;
  const mergeList = (key: string) => {
    const old = Array.isArray(existing[key]) ? (existing[key] as Doc[]) : [];
    const fresh = (added[key] as Doc[]) ?? [];
    const names = new Set(fresh.map((entry) => entry.name));
    return [...old.filter((entry) => !names.has(entry.name)), ...fresh];
  };
  return {
    ...existing,
    clusters: mergeList('clusters'),
    users: mergeList('users'),
    contexts: mergeList('contexts'),
    'current-context': added['current-context'],
  };
}

/** Each release's commit (tag -> SHA, 8 hex) and Go version (facts-13: v1.13.9 = 3ebd10a7, go 1.26.6). */
const BUILDS: Record<string, { sha: string; go: string }> = {
  'v1.11.6': { sha: '6dd14300', go: 'go1.24.11' },
  'v1.12.11': { sha: '2e80771b', go: 'go1.25.12' }, // go.mod's go line; the build toolchain is UNCONFIRMED
  'v1.13.7': { sha: 'b0039b71', go: 'go1.26.5' }, // the client: tag v1.13.7 = b0039b71, go.mod `go 1.26.5`
  'v1.13.9': { sha: '3ebd10a7', go: 'go1.26.6' },
};

function versionBlock(tag: string): string {
  const build = BUILDS[tag] ?? { sha: '', go: '' };
  return `\tTag:         ${tag}\n\tSHA:         ${build.sha}\n\tBuilt:       \n\tGo version:  ${build.go}\n\tOS/Arch:     linux/amd64\n`;
}

const CLIENT_VERSION = `Client:\n${versionBlock(TALOS_VERSION)}`;

async function version(call: ToolCall, args: ParsedArgs): Promise<void> {
  if (boolFlag(args, 'short')) call.out(`Client:\nTalos ${TALOS_VERSION}\n`);
  else call.out(CLIENT_VERSION);
  if (boolFlag(args, 'client')) return;
  try {
    const nodes: TalosNode[] = [];
    const names: string[] = [];
    if (boolFlag(args, 'insecure')) {
      const { node, ip } = await dialInsecure(call, args);
      nodes.push(node);
      names.push(ip);
    } else {
      const target = await dialSecure(call, args);
      const wanted = target.nodes.length > 0 ? target.nodes : [target.endpoint.addresses[0] ?? ''];
      const failures: string[] = [];
      for (const ip of wanted) {
        try {
          nodes.push(await proxyTo(call, target.endpoint, ip));
          names.push(ip);
        } catch (error) {
          if (!(error instanceof ToolFailure)) throw error;
          failures.push(`${ip}: ${error.message}`);
        }
      }
      printServers(
        call,
        names.map((name, index) => ({ name, release: nodes[index]?.release ?? '' })),
      );
      if (failures.length > 0) {
        const head = failures.length === 1 ? '1 error occurred:' : `${failures.length} errors occurred:`;
        throw new ToolFailure(`${head}\n${failures.map((failure) => `\t* ${failure}`).join('\n')}\n`);
      }
      return;
    }
    printServers(
      call,
      names.map((name, index) => ({ name, release: nodes[index]?.release ?? '' })),
    );
  } catch (error) {
    if (error instanceof ToolFailure) throw new ToolFailure(`error getting version: ${error.message}`);
    throw error;
  }
}

/** One block per node, its Tag the release that node runs. */
function printServers(call: ToolCall, servers: { name: string; release: string }[]): void {
  for (const server of servers) {
    call.out(`Server:\n\tNODE:        ${server.name}\n${versionBlock(server.release)}\tEnabled:     RBAC\n`);
  }
}
