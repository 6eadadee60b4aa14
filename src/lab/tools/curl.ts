import type { Connection } from '../kube/traffic.js';
import { answer, connect } from '../kube/traffic.js';
import type { PodExec, ProgramResult } from './program.js';

/**
 * curl inside a container: each URL is one transfer; a transfer to the host:port of the previous one reuses
 * its connection (and so its backend) unless `Connection: close` was sent. The exit code is the last
 * transfer's, as curl's is; errors go to stderr only when not silenced (-s) or when shown again (-S).
 */

interface CurlOptions {
  silent: boolean;
  showError: boolean;
  fail: boolean;
  closeConnection: boolean;
  writeOut: string;
  discardBody: boolean;
  urls: string[];
}

export async function runCurl(exec: PodExec): Promise<ProgramResult> {
  const parsed = parseCurl(exec.argv.slice(1));
  if (typeof parsed === 'string')
    return {
      exitCode: 2,
      stdout: '',
      stderr: `curl: ${parsed}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`,
    };
  const { call, clusterId, pod } = exec;
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  let kept: { target: string; connection: Connection } | undefined;
  for (const url of parsed.urls) {
    const { host, port, path } = splitUrl(url);
    const target = `${host}:${port}`;
    const connection =
      kept?.target === target && kept.connection.kind === 'connected'
        ? kept.connection
        : connect(call.kube, { clusterId, namespace: pod.namespace }, host, port, call.now());
    kept = parsed.closeConnection ? undefined : { target, connection };
    const result = transfer(exec, connection, host, port, path, parsed);
    stdout += result.stdout;
    exitCode = result.code;
    if (result.code !== 0 && (!parsed.silent || parsed.showError))
      stderr += `curl: (${result.code}) ${result.message}\n`;
  }
  return { exitCode, stdout, stderr };
}

function transfer(
  exec: PodExec,
  connection: Connection,
  host: string,
  port: number,
  path: string,
  options: CurlOptions,
): { code: number; message?: string; stdout: string } {
  const written = (status: number) => expandWriteOut(options.writeOut, status);
  if (connection.kind === 'unresolved')
    return { code: 6, message: `Could not resolve host: ${host}`, stdout: written(0) };
  const reply =
    connection.kind === 'connected'
      ? answer(exec.call.kube, connection.backend, connection.port, path)
      : undefined;
  if (!reply) {
    return {
      code: 7,
      message: `Failed to connect to ${host} port ${port} after 1 ms: Couldn't connect to server`,
      stdout: written(0),
    };
  }
  if (options.fail && reply.status >= 400) {
    return {
      code: 22,
      message: `The requested URL returned error: ${reply.status}`,
      stdout: written(reply.status),
    };
  }
  return { code: 0, stdout: (options.discardBody ? '' : reply.body) + written(reply.status) };
}

function expandWriteOut(format: string, status: number): string {
  return format
    .replace(/%\{http_code\}/g, String(status).padStart(3, '0'))
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t');
}

function splitUrl(url: string): { host: string; port: number; path: string } {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  const parsed = new URL(withScheme);
  return { host: parsed.hostname, port: Number(parsed.port || 80), path: parsed.pathname || '/' };
}

function parseCurl(args: string[]): CurlOptions | string {
  const options: CurlOptions = {
    silent: false,
    showError: false,
    fail: false,
    closeConnection: false,
    writeOut: '',
    discardBody: false,
    urls: [],
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`option ${arg}: requires parameter`);
      return next;
    };
    try {
      if (arg === '--silent') options.silent = true;
      else if (arg === '--show-error') options.showError = true;
      else if (arg === '--fail') options.fail = true;
      else if (arg === '--max-time' || arg === '-m' || arg === '--connect-timeout') value();
      else if (arg === '--header' || arg === '-H')
        options.closeConnection ||= /^connection:\s*close$/i.test(value().trim());
      else if (arg === '--write-out' || arg === '-w') options.writeOut = value();
      else if (arg === '--output' || arg === '-o') options.discardBody = value() === '/dev/null';
      else if (/^-[a-zA-Z]+$/.test(arg)) {
        for (const flag of arg.slice(1)) {
          if (flag === 's') options.silent = true;
          else if (flag === 'S') options.showError = true;
          else if (flag === 'f') options.fail = true;
          else return `option -${flag}: is unknown`;
        }
      } else if (arg.startsWith('-')) return `option ${arg}: is unknown`;
      else options.urls.push(arg);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return options.urls.length > 0 ? options : 'no URL specified';
}
