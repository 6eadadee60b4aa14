import { readFileSync } from 'node:fs';
import { checkRights, reportLines } from '../../proxmox/preflight.js';
import type { PveClient } from '../../proxmox/client.js';
import { formatIssue, loadSpec } from '../../spec/load.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseCommandLine, stringOption } from '../args.js';
import type { Parsed } from '../args.js';
import { connectWithLab } from '../connect.js';
import type { Io } from '../output.js';

export const DOCTOR_USAGE = `usage: twin doctor SPEC [--json] (--lab DIR | --endpoint URL ...)
  Asks Proxmox what the API token may do (GET /access/permissions) on every path a twin's apply and
  destroy act on: the slot pools and their parent, the image and disk storages, each node, each cluster's
  VLAN; and checks the storages' content types. One line per missing right, with the pveum command that
  grants it; exit 1 when something is missing. Changes nothing.
${CONNECTION_USAGE}`;

export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { json: { type: 'boolean' }, ...CONNECTION_OPTIONS },
    ['SPEC'],
    DOCTOR_USAGE,
  );
  const { spec, warnings } = loadSpec(parsed.positionals[0]!);
  for (const warning of warnings) io.err(formatIssue(warning));
  const { client, tokenId } = await connectWithTokenId(parsed);
  // apply needs every right destroy needs, and more.
  const report = await checkRights(client, spec, 'apply', tokenId);
  io.out(parsed.values.json === true ? JSON.stringify(report, null, 2) : reportLines(report).join('\n'));
  return report.findings.length === 0 ? 0 : 1;
}

/**
 * The client, and the id of the token it signs in with for the pveum commands the findings print (never
 * the secret): the lab's token, else the one from --token-file or PVE_TOKEN, as connect.ts reads it.
 * connectWithLab has checked its shape already.
 */
export async function connectWithTokenId(
  parsed: Parsed,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ client: PveClient; tokenId: string }> {
  const { client, lab } = await connectWithLab(parsed, env);
  const tokenFile = stringOption(parsed, 'token-file');
  const token = (lab?.token ?? (tokenFile ? readFileSync(tokenFile, 'utf8') : env.PVE_TOKEN) ?? '').trim();
  return { client, tokenId: token.slice(0, token.lastIndexOf('=')) };
}
