import { checkRights, reportLines } from '../../proxmox/preflight.js';
import { formatIssue, loadSpec } from '../../spec/load.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseCommandLine } from '../args.js';
import { connectWithLab } from '../connect.js';
import type { Io } from '../output.js';

export const DOCTOR_USAGE = `usage: twin doctor SPEC [--json] (--lab DIR | --endpoint URL ...)
  Asks Proxmox what the API token may do (GET /access/permissions) on every path a twin's apply and
  destroy act on: the slot pools and their parent, the image and disk storages, each node, each cluster's
  VLAN; and checks the storages' content types. One line per missing right, with the pveum command that
  grants it; exit 1 when something is missing. Changes nothing.
${CONNECTION_USAGE}`;

export const DOCTOR_OPTIONS = { json: { type: 'boolean' }, ...CONNECTION_OPTIONS } as const;

export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, DOCTOR_OPTIONS, ['SPEC'], DOCTOR_USAGE);
  const { spec, warnings } = loadSpec(parsed.positionals[0]!);
  for (const warning of warnings) io.err(formatIssue(warning));
  const { client, tokenId } = await connectWithLab(parsed);
  // apply needs every right destroy needs, and more.
  const report = await checkRights(client, spec, 'apply', tokenId);
  io.out(parsed.values.json === true ? JSON.stringify(report, null, 2) : reportLines(report).join('\n'));
  return report.findings.length === 0 ? 0 : 1;
}
