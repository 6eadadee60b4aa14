import type { Expiry } from '../../twin/expiry.js';
import { hoursSince } from '../../twin/expiry.js';
import type { ListedTwin, NodeRoom, TwinListing, TwinShare } from '../../twin/twin-list.js';
import { listTwins } from '../../twin/twin-list.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseCommandLine } from '../args.js';
import type { Parsed } from '../args.js';
import type { Io } from '../output.js';
import { table } from '../output.js';
import { LAYOUT_OPTIONS, LAYOUT_USAGE, projectContext, STATE_OPTIONS, STATE_USAGE } from '../twin-context.js';

export const LIST_USAGE = `usage: twin list SPEC [--json] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  Every twin of the project (slot pools, tagged VMs, and the twins the state store holds state of): slot,
  environment, age, last apply, when the reaper destroys it (environments.preview.ttlHours from the last
  apply), its VMs with the cores, memory and disk they take and how many run, and its state items ("state
  only" marks state whose twin no longer exists); then each PVE node's free memory and disk after what twins
  being built reserved, as admission counts them. Changes nothing. --json prints the same as one object.
${STATE_USAGE}
${LAYOUT_USAGE}
${CONNECTION_USAGE}`;

export const LIST_OPTIONS = {
  json: { type: 'boolean' },
  ...STATE_OPTIONS,
  ...LAYOUT_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const;

export async function listCommand(args: string[], io: Io): Promise<number> {
  return printListing(parseCommandLine(args, LIST_OPTIONS, ['SPEC'], LIST_USAGE), io);
}

/** `twin list`, and `twin status --all`, which is the same listing. */
export async function printListing(parsed: Parsed, io: Io): Promise<number> {
  const { spec, client, store } = await projectContext(parsed, io);
  const listing = await listTwins(client, spec, store);
  io.out(
    parsed.values.json === true ? JSON.stringify(listing, null, 2) : describeListing(listing, new Date()),
  );
  return 0;
}

export function describeListing(listing: TwinListing, now: Date): string {
  const twins =
    listing.twins.length === 0
      ? `no twins: no slot pool, no tagged VM, and no state in ${listing.store}`
      : table(
          [
            'TWIN',
            'ENVIRONMENT',
            'SLOT',
            'CREATED',
            'LAST APPLY',
            'EXPIRES',
            'VMS',
            'CORES',
            'MEMORY',
            'DISK',
            'HEALTH',
            'STATE',
          ],
          listing.twins.map((twin) => twinRow(twin, now)),
        );
  return [
    `state store: ${listing.store}`,
    twins,
    '',
    'free capacity of the PVE nodes (what admission counts: after what twins being built reserved):',
    table(
      ['PVE NODE', 'STATUS', 'MEMORY FREE', 'MEMORY TOTAL', `DISK FREE (${listing.diskStorage})`, 'RESERVED'],
      listing.nodes.map(nodeRow),
    ),
  ].join('\n');
}

function twinRow(twin: ListedTwin, now: Date): string[] {
  const { share } = twin;
  return [
    twin.twin,
    twin.environment,
    twin.slot === undefined ? '-' : String(twin.slot),
    ago(twin.claimedAt, now),
    ago(twin.activeAt ?? twin.claimedAt, now),
    expiryCell(twin.expiry, now),
    String(share.vms),
    String(share.cores),
    gib(share.memoryMiB),
    share.diskGiB === undefined ? '? (volumes not visible)' : `${share.diskGiB} GiB`,
    health(share),
    twin.orphanedState
      ? 'state only: the twin is gone'
      : twin.stateItems === 0
        ? 'none here'
        : `${twin.stateItems} item(s)`,
  ];
}

function nodeRow(node: NodeRoom): string[] {
  const reserved =
    node.reservedMemoryMiB === 0 && node.reservedDiskGiB === 0
      ? '-'
      : `${gib(node.reservedMemoryMiB)}, ${node.reservedDiskGiB} GiB`;
  return [
    node.name,
    node.online ? 'online' : 'offline',
    gib(node.freeMemoryMiB),
    gib(node.totalMemoryMiB),
    `${node.freeDiskGiB} GiB`,
    reserved,
  ];
}

function health(share: TwinShare): string {
  if (share.vms === 0) return '-';
  return share.running === share.vms ? 'all running' : `${share.running}/${share.vms} running`;
}

/** When the reaper would destroy the twin for its age; a pull request's keep label is GitHub's, not seen here. */
function expiryCell(expiry: Expiry, now: Date): string {
  if (expiry.kind === 'never') return 'never (production)';
  if (expiry.kind === 'long-lived') return 'kept (long-lived)';
  if (expiry.at === undefined) return '-';
  const left = -hoursSince(expiry.at, now);
  const when = left > 0 ? `in ${duration(left)}` : 'due (past the TTL)';
  return expiry.keepLabel === undefined ? when : `${when} unless labelled ${expiry.keepLabel}`;
}

function ago(time: string | undefined, now: Date): string {
  const hours = hoursSince(time, now);
  return Number.isNaN(hours) ? '-' : `${duration(Math.max(0, hours))} ago`;
}

/** `45m`, `5h 03m`, `3d 04h`: as much as a glance needs. */
function duration(hours: number): string {
  const minutes = Math.floor(hours * 60);
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(minutes / 1440)}d ${String(Math.floor((minutes % 1440) / 60)).padStart(2, '0')}h`;
}

function gib(mib: number): string {
  return `${(mib / 1024).toFixed(1)} GiB`;
}
