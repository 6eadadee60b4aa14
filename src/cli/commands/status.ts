import { twinStatus } from '../../twin/status.js';
import type { TwinStatus } from '../../twin/status.js';
import { CONNECTION_USAGE, parseCommandLine, UsageError } from '../args.js';
import type { Io } from '../output.js';
import { table } from '../output.js';
import { LAYOUT_USAGE, STATE_USAGE, twinContext } from '../twin-context.js';
import { printListing } from './list.js';
import { TWIN_OPTIONS } from './up.js';

export const STATUS_USAGE = `usage: twin status SPEC (--env TWIN | --all) [--json] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  --env TWIN   what exists of one twin: slot, VMs, node readiness
  --all        the same as twin list: every twin of the project (slot pools, tagged VMs and the twins the state
               store holds state of) with its share of the lab and expiry, and the PVE nodes' free capacity;
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
    return printListing(parsed, io);
  }
  const ctx = await twinContext(parsed, STATUS_USAGE, io);
  const status = await twinStatus(ctx);
  io.out(json ? JSON.stringify(status, null, 2) : describeStatus(status));
  return 0;
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
