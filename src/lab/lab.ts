import type { DopplerStandIn } from './doppler/index.js';
import { startDopplerStandIn } from './doppler/index.js';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import type { CertificateAndKey } from '../util/x509.js';
import { createCertificateAuthority, issueCertificate, sha256Fingerprint } from '../util/x509.js';
import { systemClock } from './clock.js';
import type { FaultConfig } from './faults.js';
import { FaultInjector } from './faults.js';
import { jsonLinesLog } from './lab-log.js';
import type { ProfileName } from './profile.js';
import { resolveTiming } from './profile.js';
import { OPERATOR_TOKEN_ID, PREVIEW_TOKEN_ID, ROOT_TOKEN_ID } from './pve/access/operator-setup.js';
import { PveContract } from './pve/contract.js';
import type { LabContext, QemuServerRelease } from './pve/handlers/context.js';
import { registerFinishers } from './pve/handlers/index.js';
import { LockTable } from './pve/locks.js';
import { PveApiServer } from './pve/server.js';
import type { LabNodeSpec } from './pve/state.js';
import { LabState, defaultNodes } from './pve/state.js';
import { TaskScheduler } from './pve/tasks.js';
import { talosDrainSeconds } from './kube/talos-drain.js';
import { DEFAULT_REACHABLE_TIME_SERVERS } from './talos/time-sync.js';
import { writeToolScripts } from './tools/bin.js';
import { LabToolService } from './tools/service.js';

export type { FaultConfig } from './faults.js';
export type { LabNodeSpec, LabStorageSpec } from './pve/state.js';

export interface LabOptions {
  /** Where the lab keeps its CA, certificate, token and state; a lab restarted on it continues. */
  dir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Multiplies every duration of the profile, lock timeouts included; default from the profile. */
  timeScale?: number;
  profile?: ProfileName;
  faults?: FaultConfig;
  /** Seed of the fault injector: the same seed gives the same faults. */
  seed?: number;
  /** The lab log (JSON lines): each Proxmox API request, and each talosctl, kubectl and helm call. */
  logFile?: string;
  /** Default: pve1..pve3, 64 GiB and 16 CPUs each, `local` (dir) and `local-lvm` (lvmthin). */
  nodes?: LabNodeSpec[];
  /**
   * Which qemu-server's VM create the lab keeps (PVE-PERMISSIONS.md P.6.1): 9.1 (PVE 9.1, tags not
   * checked at create) or 9.2 (default: tag rights checked on /vms/<vmid> inside the create task).
   */
  qemuServer?: QemuServerRelease;
  /**
   * The time servers (NTP on UDP 123) the lab's network reaches; default: public ones
   * (time.cloudflare.com, pool.ntp.org, ...). `[]` makes the lab offline (air-gapped): only the VMs'
   * PTP clocks (/dev/ptp0) keep time, and a node whose config names no reachable source never syncs.
   */
  reachableTimeServers?: string[];
}

export interface LabHandle {
  /** https://127.0.0.1:PORT/api2/json */
  endpoint: string;
  /** The least-privilege token runner-setup/README.md has an operator create: twin@pve!gha. */
  tokenId: string;
  tokenSecret: string;
  /** `twin@pve!gha=<secret>`, what `Authorization: PVEAPIToken=` takes. */
  token: string;
  /**
   * `twin@pve!preview=<secret>`: the preview tier's token of runner-setup/README.md, which has nothing on
   * production's parent pool; undefined in a lab DIR made before it existed.
   */
  previewToken: string | undefined;
  /** `root@pam!lab=<secret>`: a non-separated root token, only for tests that must act as the admin. */
  rootToken: string;
  /** The lab's CA (DIR/pve-root-ca.pem) to pin. */
  caFile: string;
  /** SHA-256 fingerprint of the API certificate. */
  fingerprint: string;
  nodes: string[];
  close(): Promise<void>;
  /** For tests: inspection, plus the hooks the rest of the lab uses (setGuestAgent). */
  state: LabState;
  /** When the last request arrived or was answered, whichever is later (ms since the epoch; 0 before the first). */
  lastRequestAt(): number;
  /** A request is being answered or a task is running. */
  busy(): boolean;
  /** Every lab duration is the profile's times this; clients scale their polls and waits alike. */
  timeScale: number;
  /** DIR/bin: the lab's talosctl, kubectl and helm, to put first on PATH. */
  binDir: string;
  qemuServer: QemuServerRelease;
  /** The Doppler stand-in (LIFECYCLE J) for the doppler state store, signed by the same CA. */
  doppler: LabDoppler;
  /** For tests: the stand-in itself (its exchanges, its configs). */
  dopplerStandIn: DopplerStandIn;
}

/** What a client needs to use the lab's Doppler: its URL, the project, a service account token. */
export interface LabDoppler {
  url: string;
  project: string;
  token: string;
}

const CA_FILE = 'pve-root-ca.pem';
const CA_KEY_FILE = 'pve-root-ca.key';
const CERT_FILE = 'pve-ssl.pem';
const CERT_KEY_FILE = 'pve-ssl.key';
const TOKEN_FILE = 'pve-token.json';

/** Starts the simulated Proxmox VE cluster: its API over HTTPS on 127.0.0.1, its state in DIR. */
export async function startLab(opts: LabOptions): Promise<LabHandle> {
  if (!opts.dir)
    throw new ConfigurationError('lab dir is empty: give a directory for the lab state, e.g. .twin-lab');
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const timing = resolveTiming(opts.profile, opts.timeScale);
  const tls = await ensureCertificates(dir);
  const clock = systemClock;
  const state = LabState.open(dir, opts.nodes ?? defaultNodes(), clock.now());
  const secret = tokenSecret(state, OPERATOR_TOKEN_ID);
  writeToolToken(dir, secret);
  const locks = new LockTable(state.data.locks);
  const tasks = new TaskScheduler(state, locks, clock);
  const fingerprint = sha256Fingerprint(tls.certPem);
  const lab: LabContext = {
    state,
    tasks,
    locks,
    timing,
    faults: new FaultInjector(opts.faults, opts.seed ?? 1),
    clock,
    contract: PveContract.load(),
    fingerprint,
    qemuServer: opts.qemuServer ?? '9.2',
  };
  registerFinishers(lab);
  // Tasks that ended while the lab was down take effect now; the rest get their timers.
  tasks.settle();
  state.save();

  const log = opts.logFile ? jsonLinesLog(opts.logFile) : undefined;
  const tools = new LabToolService(
    lab,
    dir,
    { reachableTimeServers: opts.reachableTimeServers ?? DEFAULT_REACHABLE_TIME_SERVERS },
    log,
  );
  // Talos' in-node drain (LIFECYCLE F.1) evicts through the cluster's eviction API (lab-talos' hook).
  tools.talos.setDrainHook((node, at) => talosDrainSeconds(tools.kube, node, at));
  const server = new PveApiServer({
    lab,
    tls,
    ...(log ? { log } : {}),
    labApi: (method, path, body) => tools.handle(method, path, body),
  });
  const port = await server.listen(opts.port ?? 0);
  const doppler = await startDopplerStandIn({
    dir,
    ca: {
      certPem: readFileSync(join(dir, CA_FILE), 'utf8'),
      keyPem: readFileSync(join(dir, CA_KEY_FILE), 'utf8'),
    },
    clock,
    timeScale: timing.timeScale,
  });
  const binDir = join(dir, 'bin');
  writeToolScripts(binDir, {
    execUrl: `https://127.0.0.1:${port}/lab/v1/exec`,
    caFile: join(dir, CA_FILE),
    tokenFile: join(dir, TOKEN_FILE),
  });
  return {
    endpoint: `https://127.0.0.1:${port}/api2/json`,
    tokenId: OPERATOR_TOKEN_ID,
    tokenSecret: secret,
    token: `${OPERATOR_TOKEN_ID}=${secret}`,
    previewToken: optionalToken(state, PREVIEW_TOKEN_ID),
    rootToken: `${ROOT_TOKEN_ID}=${tokenSecret(state, ROOT_TOKEN_ID)}`,
    caFile: join(dir, CA_FILE),
    fingerprint,
    nodes: state.nodeNames(),
    state,
    lastRequestAt: () => server.lastRequestAt(),
    busy: () => server.busy(),
    timeScale: timing.timeScale,
    binDir,
    qemuServer: lab.qemuServer,
    doppler: { url: doppler.url, project: doppler.project, token: doppler.serviceAccountToken },
    dopplerStandIn: doppler,
    close: async () => {
      tasks.close();
      tools.close();
      await doppler.close();
      await server.close();
      state.save();
    },
  };
}

function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The lab CA and the API certificate for 127.0.0.1/localhost, made once per DIR. */
async function ensureCertificates(dir: string): Promise<CertificateAndKey> {
  const caFile = join(dir, CA_FILE);
  const caKeyFile = join(dir, CA_KEY_FILE);
  const certFile = join(dir, CERT_FILE);
  const keyFile = join(dir, CERT_KEY_FILE);
  if (!existsSync(caFile) || !existsSync(caKeyFile)) {
    const ca = await createCertificateAuthority('Proxmox Virtual Environment (twin lab)');
    writeFileSync(caFile, ca.certPem);
    writeSecret(caKeyFile, ca.keyPem);
  }
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const ca = { certPem: readFileSync(caFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') };
    const server = await issueCertificate(ca, {
      commonName: '127.0.0.1',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    writeFileSync(certFile, server.certPem);
    writeSecret(keyFile, server.keyPem);
  }
  return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}

/** A token's secret from DIR/priv/token.cfg (made with the token, as `pveum user token add` does). */
function tokenSecret(state: LabState, tokenId: string): string {
  const secret = state.access.secret(tokenId);
  if (!secret) {
    throw new ConfigurationError(
      `the lab's priv/token.cfg has no secret for ${tokenId}: remove the lab dir to start afresh`,
    );
  }
  return secret;
}

function optionalToken(state: LabState, tokenId: string): string | undefined {
  const secret = state.access.secret(tokenId);
  return secret === undefined ? undefined : `${tokenId}=${secret}`;
}

/** The lab's tools reach /lab/v1 with the operator's token; they read it from DIR/pve-token.json. */
function writeToolToken(dir: string, secret: string): void {
  writeSecret(join(dir, TOKEN_FILE), `${JSON.stringify({ tokenId: OPERATOR_TOKEN_ID, secret })}\n`);
}
