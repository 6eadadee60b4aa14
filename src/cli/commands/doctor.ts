import { checkRights, reportLines } from '../../proxmox/preflight.js';
import { environmentOf } from '../../spec/environment.js';
import { validateTwinName } from '../../spec/identity.js';
import { formatIssue, loadSpec } from '../../spec/load.js';
import { ENVIRONMENT_NAMES } from '../../spec/schema.js';
import type { EnvironmentName } from '../../spec/schema.js';
import type { Parsed } from '../args.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseCommandLine, stringOption } from '../args.js';
import { connectWithLab } from '../connect.js';
import type { Io } from '../output.js';

export const DOCTOR_USAGE = `usage: twin doctor SPEC [--env TWIN] [--json] (--lab DIR | --endpoint URL ...)
  Asks Proxmox what the API token may do (GET /access/permissions) on every path a twin's apply and
  destroy act on: the slot pools and their parent, the image and disk storages, each node, each cluster's
  VLAN; and checks the storages' content types. One line per missing right, with the pveum command that
  grants it; exit 1 when something is missing. Changes nothing.
  --env TWIN   check only for this twin's environment: production, or a preview such as pr-1 (the token of
               that tier; production's pools may have a parent of their own). Default: every environment.
${CONNECTION_USAGE}`;

export const DOCTOR_OPTIONS = {
  env: { type: 'string' },
  json: { type: 'boolean' },
  ...CONNECTION_OPTIONS,
} as const;

export async function doctorCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, DOCTOR_OPTIONS, ['SPEC'], DOCTOR_USAGE);
  const { spec, warnings } = loadSpec(parsed.positionals[0]!);
  for (const warning of warnings) io.err(formatIssue(warning));
  const { client, tokenId } = await connectWithLab(parsed);
  // apply needs every right destroy needs, and more.
  const report = await checkRights(
    client,
    spec,
    { operation: 'apply', environments: environmentsOf(parsed) },
    tokenId,
  );
  io.out(parsed.values.json === true ? JSON.stringify(report, null, 2) : reportLines(report).join('\n'));
  return report.findings.length === 0 ? 0 : 1;
}

/** The environment of --env's twin; without it, every environment (one token that serves both tiers). */
function environmentsOf(parsed: Parsed): EnvironmentName[] {
  const twin = stringOption(parsed, 'env');
  return twin === undefined ? [...ENVIRONMENT_NAMES] : [environmentOf(validateTwinName(twin, '--env'))];
}
