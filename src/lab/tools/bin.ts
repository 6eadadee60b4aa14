import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LAB_TOOLS = ['talosctl', 'kubectl', 'helm'] as const;

export interface ToolScriptTarget {
  /** https://127.0.0.1:PORT/lab/v1/exec */
  execUrl: string;
  /** The lab CA to pin. */
  caFile: string;
  /** The lab token's file (0600); read at each call, never copied into the scripts. */
  tokenFile: string;
}

/**
 * Writes DIR/bin/{talosctl,kubectl,helm}: tiny node scripts that forward argv, cwd, the env vars
 * that matter and (for `-` arguments) stdin to the lab server and replay its answer. The folder's
 * package.json pins CommonJS so the extensionless scripts load the same way under any parent package.
 */
export function writeToolScripts(binDir: string, target: ToolScriptTarget): void {
  mkdirSync(binDir, { recursive: true });
  writeFileSync(join(binDir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const tool of LAB_TOOLS) {
    const file = join(binDir, tool);
    writeFileSync(file, script(tool, target));
    chmodSync(file, 0o755);
  }
}

function script(tool: string, target: ToolScriptTarget): string {
  return `#!/usr/bin/env node
// The twin lab's ${tool}: forwards this call to the lab server, which holds the simulated nodes and clusters.
const TOOL = ${JSON.stringify(tool)};
const EXEC_URL = ${JSON.stringify(target.execUrl)};
const CA_FILE = ${JSON.stringify(target.caFile)};
const TOKEN_FILE = ${JSON.stringify(target.tokenFile)};

function fail(message) {
  process.stderr.write(TOOL + ': ' + message + '\\n');
  process.exitCode = 1;
}

(async () => {
  const fs = await import('node:fs');
  const https = await import('node:https');
  const args = process.argv.slice(2);
  // Only a file flag given '-' reads stdin (as the real tools do); a stdin nobody closes must not hang us.
  const FILE_FLAGS = ['-f', '--file', '--filename', '--values', '--from-file'];
  const readsStdin = args.some(
    (arg, i) => (arg === '-' && FILE_FLAGS.includes(args[i - 1])) || FILE_FLAGS.some((flag) => arg === flag + '=-'),
  );
  const env = {};
  for (const name of ['TALOSCONFIG', 'KUBECONFIG', 'HOME']) {
    if (process.env[name] !== undefined) env[name] = process.env[name];
  }
  let token;
  let ca;
  try {
    token = JSON.parse(fs.readFileSync(TOKEN_FILE, 'utf8'));
    ca = fs.readFileSync(CA_FILE);
  } catch (error) {
    return fail('cannot read the lab credentials (' + error.message + '): start the lab with "twin lab serve"');
  }
  const body = JSON.stringify({
    tool: TOOL,
    args,
    cwd: process.cwd(),
    env,
    ...(readsStdin ? { stdin: fs.readFileSync(0, 'utf8') } : {}),
  });
  const request = https.request(EXEC_URL, {
    method: 'POST',
    ca,
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Authorization: 'PVEAPIToken=' + token.tokenId + '=' + token.secret,
    },
  });
  request.on('response', (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (response.statusCode !== 200) {
        return fail('the lab refused the call: ' + response.statusCode + ' ' + response.statusMessage);
      }
      const result = JSON.parse(text);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
  });
  request.on('error', (error) => {
    fail('the lab at ' + EXEC_URL + ' does not answer (' + error.message + '): start it with "twin lab serve"');
  });
  request.end(body);
})();
`;
}
