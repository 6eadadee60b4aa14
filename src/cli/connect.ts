import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../errors.js';
import { ensureLab } from '../lab/embedded.js';
import type { LabServerInfo } from '../lab/embedded.js';
import { PveClient } from '../proxmox/client.js';
import { parsePveConnection } from '../proxmox/connection.js';
import type { ConnectionFieldNames } from '../proxmox/connection.js';
import type { Parsed } from './args.js';
import { stringOption, UsageError } from './args.js';
import { readRegularFile } from '../util/regular-file.js';

/** The bundled CLI itself: the embedded lab runs as `node <this file> lab serve`. */
function cliPath(): string {
  return fileURLToPath(import.meta.url);
}

/** True when the command line names a Proxmox (lab or endpoint). */
export function wantsProxmox(parsed: Parsed): boolean {
  refuseLabLogWithoutLab(parsed);
  return stringOption(parsed, 'lab') !== undefined || stringOption(parsed, 'endpoint') !== undefined;
}

export async function connect(parsed: Parsed, env: NodeJS.ProcessEnv = process.env): Promise<PveClient> {
  return (await connectWithLab(parsed, env)).client;
}

/** A Proxmox client, the id of its token (for the pveum commands a finding prints; never the secret), and
 * with --lab the lab's details (its tools folder, its time scale). */
export interface Connected {
  client: PveClient;
  tokenId: string;
  lab?: LabServerInfo;
}

export async function connectWithLab(
  parsed: Parsed,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connected> {
  refuseLabLogWithoutLab(parsed);
  const labDir = stringOption(parsed, 'lab');
  const endpoint = stringOption(parsed, 'endpoint');
  if (labDir !== undefined && endpoint !== undefined) {
    throw new ConfigurationError('give either --lab DIR or --endpoint URL, not both');
  }
  if (labDir !== undefined) {
    const logFile = stringOption(parsed, 'lab-log');
    const lab = await ensureLab({ dir: labDir, cliPath: cliPath(), ...(logFile ? { logFile } : {}) });
    const connection = parsePveConnection({ endpoint: lab.endpoint, token: lab.token, caFile: lab.caFile });
    return { client: new PveClient(connection), tokenId: connection.tokenId, lab };
  }
  const tokenFile = stringOption(parsed, 'token-file');
  const token = tokenFile
    ? readRegularFile(tokenFile, '--token-file', {
        maxBytes: 4096,
        missingFix: 'name the file that holds the token',
      }).trim()
    : env.PVE_TOKEN;
  delete env.PVE_TOKEN; // read once: no child process, plugin or later reader finds it in the environment
  const connection = parsePveConnection(
    {
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(token === undefined ? {} : { token }),
      ...optional('caFile', stringOption(parsed, 'ca-file') ?? env.PVE_CA_FILE),
      ...optional('fingerprint', stringOption(parsed, 'fingerprint') ?? env.PVE_FINGERPRINT),
      ...(parsed.values.insecure === true ? { insecure: true } : {}),
    },
    CONNECTION_OPTIONS,
  );
  return { client: new PveClient(connection), tokenId: connection.tokenId };
}

/** --lab-log is the embedded lab's log: without --lab there is no lab to keep it, and it would be ignored. */
function refuseLabLogWithoutLab(parsed: Parsed): void {
  if (stringOption(parsed, 'lab-log') !== undefined && stringOption(parsed, 'lab') === undefined)
    throw new UsageError('--lab-log FILE is the log of the embedded lab: it needs --lab DIR');
}

/** Errors about the Proxmox connection name the command line's options and variables. */
const CONNECTION_OPTIONS: ConnectionFieldNames = {
  endpoint: '--endpoint',
  token: 'the token (PVE_TOKEN or --token-file)',
  caFile: '--ca-file (or PVE_CA_FILE)',
  caPem: 'the CA',
  fingerprint: '--fingerprint (or PVE_FINGERPRINT)',
  insecure: '--insecure',
};

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}
