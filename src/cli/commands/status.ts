import type { KnownTwin } from '../../twin/known-twins.js';
import { knownTwins } from '../../twin/known-twins.js';
import { twinStatus } from '../../twin/status.js';
import type { TwinStatus } from '../../twin/status.js';
import { CONNECTION_USAGE, parseCommandLine, UsageError } from '../args.js';
import type { Io } from '../output.js';
import { table } from '../output.js';
import { LAYOUT_USAGE, projectContext, STATE_USAGE, twinContext } from '../twin-context.js';
import { TWIN_OPTIONS } from './up.js';

export const STATUS_USAGE = `usage: twin status SPEC (--env TWIN | --all) [--json] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  --env TWIN   what exists of one twin: slot, VMs, node readiness
  --all        every twin of the project: slot pools, tagged VMs and the twins the state store holds state of;
               "state only" marks state whose twin no longer exists (the reaper removes it for previews)
${STATE_USAGE}
${LAYOUT_USAGE}
${CONNECTION_USAGE}`;

export const STATUS_OPTIONS = {
  ...TWIN_OPTIONS,
  json: { type: 'boolean' },
  all: { type: 'boolean' },
} as const;

export async function statusCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, STATUS_OPTIONS, ['SPEC'], STATUS_USAGE);
  const json = parsed.values.json === true;
  if (parsed.values.all === true) {
    if (parsed.values.env !== undefined)
      throw new UsageError(`give --env or --all, not both\n${STATUS_USAGE}`);
    const { spec, client, store } = await projectContext(parsed, io);
    const twins = await knownTwins(client, spec, store);
    io.out(json ? JSON.stringify(twins, null, 2) : describeAll(twins, store.describe()));
    return 0;
  }
  const ctx = await twinContext(parsed, STATUS_USAGE, io);
  const status = await twinStatus(ctx);
  io.out(json ? JSON.stringify(status, null, 2) : describeStatus(status));
  return 0;
}

function describeAll(twins: KnownTwin[], where: string): string {
  if (twins.length === 0) return `no twins: no slot pool, no tagged VM, and no state in ${where}`;
  const rows = twins.map((twin) => [
    twin.twin,
    twin.environment,
    twin.slot === undefined ? '-' : String(twin.slot),
    twin.claimedAt ?? '-',
    String(twin.vms),
    String(twin.stateItems),
    twin.orphanedState ? 'state only: the twin is gone' : twin.stateItems === 0 ? 'no state here' : 'ok',
  ]);
  return [
    `state store: ${where}`,
    table(['TWIN', 'ENVIRONMENT', 'SLOT', 'CLAIMED', 'VMS', 'STATE ITEMS', 'NOTE'], rows),
  ].join('\n');
}

function describeStatus(status: TwinStatus): string {
  if (!status.exists) return `twin ${status.twin} does not exist`;
  const rows = status.clusters.flatMap((cluster) =>
    cluster.nodes.map((node) => [
      cluster.name,
      node.name,
      node.role,
      node.pveNode,
      String(node.vmid),
      node.vm,
      node.kubernetes,
    ]),
  );
  return [
    `twin ${status.twin}: slot ${status.slot ?? '-'}, pool ${status.pool ?? '-'}`,
    ...status.clusters.map((c) => `  ${c.name}: ${c.ready}/${c.nodes.length} nodes Ready`),
    '',
    table(['CLUSTER', 'NODE', 'ROLE', 'PVE NODE', 'VMID', 'VM', 'KUBERNETES'], rows),
  ].join('\n');
}
