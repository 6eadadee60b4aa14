import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { childEnv } from '../exec/child-env.js';
import type { LabDoppler, LabHandle, LabOptions } from './lab.js';
import { startLab } from './lab.js';
import { contractsDir } from './contracts-dir.js';

/** What a client needs to reach a running lab; kept in DIR/server.json (0600: it holds the token). */
export interface LabServerInfo {
  endpoint: string;
  /** The least-privilege token runner-setup/README.md has an operator create (`twin@pve!gha=<secret>`). */
  token: string;
  /** `twin@pve!preview=<secret>`: the preview tier's token, with nothing on production's parent pool. */
  previewToken?: string;
  /** `root@pam!lab=<secret>`: the lab's admin token, for tests that must act as root; never give it to the product. */
  rootToken: string;
  /** DIR/user.cfg: users, tokens, roles, pools and ACLs in PVE's format; edits take effect at the next request. */
  userCfg: string;
  /** The qemu-server behaviour the lab keeps: 9.1 (tags unchecked at create) or 9.2 (checked in the task). */
  qemuServer: string;
  caFile: string;
  fingerprint: string;
  nodes: string[];
  pid: number;
  dir: string;
  /** The lab's talosctl, kubectl and helm: put it first on PATH. */
  binDir?: string;
  /** Lab durations are the real ones times this; callers scale their waits and polls alike. */
  timeScale: number;
  /** The Doppler stand-in for `--state-store doppler`: URL, project and a service account token. */
  doppler?: LabDoppler;
  /** The absolute path of its --lab-log, when it keeps one. */
  logFile?: string;
}

const SERVER_FILE = 'server.json';
/**
 * The lab that `--lab DIR` starts runs the realistic durations at this scale: a full twin (about seven
 * minutes of real lab time) converges in about a minute of wall time.
 */
export const EMBEDDED_TIME_SCALE = 0.15;
const START_LOCK = 'server.lock';

function serverFile(dir: string): string {
  return join(dir, SERVER_FILE);
}

function readServerInfo(dir: string): LabServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(serverFile(dir), 'utf8')) as LabServerInfo;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when the lab at `info` answers GET /version with its own CA. */
async function answers(info: LabServerInfo): Promise<boolean> {
  const ca = readFileSync(info.caFile, 'utf8');
  return new Promise((done) => {
    const req = request(`${info.endpoint}/version`, {
      ca,
      headers: { Authorization: `PVEAPIToken=${info.token}` },
      timeout: 5000,
    });
    req.on('response', (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
    req.end();
  });
}

export interface ServeOptions extends LabOptions {
  /** Stop after this many seconds without a request (0 = never). */
  idleTimeoutSeconds?: number;
}

/**
 * Runs the lab in this process until SIGINT/SIGTERM or the idle timeout, and publishes DIR/server.json.
 * Returns the handle once it is listening.
 */
export async function serveLab(
  opts: ServeOptions,
): Promise<{ info: LabServerInfo; handle: LabHandle; closed: Promise<void> }> {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const running = readServerInfo(dir);
  if (running && running.pid !== process.pid && processAlive(running.pid) && (await answers(running))) {
    throw new ConfigurationError(
      `a lab already serves ${dir} (pid ${running.pid}, ${running.endpoint}): use it, or stop it with \`twin lab stop --dir ${dir}\``,
    );
  }
  const logFile = opts.logFile === undefined ? undefined : resolve(opts.logFile);
  const handle = await startLab({ ...opts, dir, ...(logFile ? { logFile } : {}) });
  const info: LabServerInfo = {
    endpoint: handle.endpoint,
    token: handle.token,
    ...(handle.previewToken === undefined ? {} : { previewToken: handle.previewToken }),
    rootToken: handle.rootToken,
    userCfg: join(dir, 'user.cfg'),
    qemuServer: handle.qemuServer,
    caFile: handle.caFile,
    fingerprint: handle.fingerprint,
    nodes: handle.nodes,
    pid: process.pid,
    dir,
    binDir: handle.binDir,
    timeScale: handle.timeScale,
    doppler: handle.doppler,
    ...(logFile ? { logFile } : {}),
  };
  writeFileSync(serverFile(dir), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  const closed = new Promise<void>((done) => {
    let stopping = false;
    const stop = async (): Promise<void> => {
      if (stopping) return;
      stopping = true;
      idle?.stop();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      if (readServerInfo(dir)?.pid === process.pid) rmSync(serverFile(dir), { force: true });
      await handle.close();
      done();
    };
    const onSignal = (): void => void stop();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    const idle = opts.idleTimeoutSeconds
      ? watchIdle(handle, opts.idleTimeoutSeconds * 1000, stop)
      : undefined;
  });
  return { info, handle, closed };
}

/**
 * Calls `stop` once the lab has been idle `idleMs` of wall-clock time: no request answered and nothing
 * running since it started, since its last request, or since it was last seen busy (a task that ran long
 * after the request that started it). Checked a few times per period, so it stops soon after, never before.
 */
function watchIdle(handle: LabHandle, idleMs: number, stop: () => Promise<void>): { stop(): void } {
  let lastActive = Date.now();
  const timer = setInterval(
    () => {
      const now = Date.now();
      if (handle.busy()) lastActive = now;
      if (now - Math.max(lastActive, handle.lastRequestAt()) >= idleMs) void stop();
    },
    Math.min(1000, Math.max(50, idleMs / 10)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The CLI entry that `ensureLab` starts in the background: `node <cli> lab serve --dir DIR ...`. */
export interface BackgroundLabOptions {
  dir: string;
  cliPath: string;
  /** The --lab-log the lab should keep: given to the one started; a running one must already keep it. */
  logFile?: string;
  startTimeoutMs?: number;
}

/**
 * Connects to the lab serving DIR, starting one in the background when none is running.
 * One server per DIR, so that several processes (two runners, a test and a CLI) share one lab.
 */
export async function ensureLab(opts: BackgroundLabOptions): Promise<LabServerInfo> {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const logFile = opts.logFile === undefined ? undefined : resolve(opts.logFile);
  const current = readServerInfo(dir);
  if (current && processAlive(current.pid) && (await answers(current))) return keepsLog(current, logFile);

  contractsDir(); // a clone without contracts/ is told so now, not after the start timeout
  const lockFile = join(dir, START_LOCK);
  let lock: number | undefined;
  try {
    lock = openSync(lockFile, 'wx');
  } catch {
    // Another process is starting it: wait for its server.json below.
  }
  try {
    if (lock !== undefined) {
      rmSync(serverFile(dir), { force: true });
      const log = openSync(join(dir, 'lab.log'), 'a', 0o600); // its first line carries the lab token
      const args = [
        'lab',
        'serve',
        '--dir',
        dir,
        '--time-scale',
        String(EMBEDDED_TIME_SCALE),
        '--idle-timeout',
        '300',
      ];
      const child = spawn(
        process.execPath,
        [opts.cliPath, ...args, ...(logFile ? ['--lab-log', logFile] : [])],
        {
          detached: true,
          stdio: ['ignore', log, log],
          // The lab needs no token of the job; it reads only where the contracts are.
          env: childEnv(process.env, contractsOverride()),
        },
      );
      child.unref();
      closeSync(log);
    }
    return keepsLog(await waitForServer(dir, opts.startTimeoutMs ?? 30_000), logFile);
  } finally {
    if (lock !== undefined) {
      closeSync(lock);
      rmSync(lockFile, { force: true });
    }
  }
}

/**
 * A lab already serving DIR cannot be re-pointed to another log: it is shared by every process using DIR (a
 * second log would hold their calls too, and outlive this one's), and it was started with the log it keeps.
 * So a --lab-log it does not keep is refused before anything is asked of it, saying where its log is.
 */
function keepsLog(info: LabServerInfo, logFile: string | undefined): LabServerInfo {
  if (logFile === undefined || info.logFile === logFile) return info;
  const where = info.logFile ? `logs to ${info.logFile}` : 'keeps no log';
  const read = info.logFile ? `read ${info.logFile}, or ` : '';
  throw new ConfigurationError(
    `--lab-log ${logFile}: the lab already serving ${info.dir} (pid ${info.pid}, ${info.endpoint}) ${where}, ` +
      `and a running lab cannot be re-pointed; nothing was changed: ${read}stop it with ` +
      `\`twin lab stop --dir ${info.dir}\` and run this again (the lab it starts logs to ${logFile})`,
  );
}

function contractsOverride(): Record<string, string> {
  const dir = process.env.TWIN_CONTRACTS_DIR;
  return dir ? { TWIN_CONTRACTS_DIR: dir } : {};
}

async function waitForServer(dir: string, timeoutMs: number): Promise<LabServerInfo> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = readServerInfo(dir);
    if (info && processAlive(info.pid) && (await answers(info))) return info;
    await new Promise((done) => setTimeout(done, 100));
  }
  const logFile = join(dir, 'lab.log');
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-10).join('\n') : '';
  throw new ConfigurationError(
    `the embedded lab in ${dir} did not start within ${timeoutMs} ms. Its log:\n${tail}`,
  );
}

/** Stops the lab serving DIR, if any. Returns whether one was running. */
export async function stopLab(dir: string): Promise<boolean> {
  const info = readServerInfo(resolve(dir));
  if (!info || !processAlive(info.pid)) return false;
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (processAlive(info.pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
  return true;
}
