import { delimiter, join, resolve } from 'node:path';
import { execRunner } from '../exec/runner.js';
import { requireRights } from '../proxmox/preflight.js';
import type { PreflightOperation } from '../proxmox/preflight-rights.js';
import { resolveTwin } from '../spec/environment.js';
import type { ResolvedTwin } from '../spec/environment.js';
import { formatIssue, loadSpec } from '../spec/load.js';
import type { LabServerInfo } from '../lab/embedded.js';
import { dopplerAccessFromEnv, openStateStore, parseStoreKind } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import type { StepEvents } from '../plan/executor.js';
import type { PveClient } from '../proxmox/client.js';
import type { TwinSpec } from '../spec/schema.js';
import type { TwinContext } from '../twin/context.js';
import { paceFor } from '../twin/context.js';
import type { Parsed } from './args.js';
import { requiredOption, stringOption } from './args.js';
import { connectWithLab } from './connect.js';
import type { Io } from './output.js';

export const STATE_USAGE = `  --state-dir DIR            where secrets and credentials are kept (0600 files); default DIR/state with --lab DIR,
                             else .twin-state; with the doppler store, where its local copies go
  --state-store KIND         local (default) or doppler: one Doppler config per twin, shared by every runner;
                             DOPPLER_TOKEN (a service account token) and DOPPLER_PROJECT from the environment,
                             DOPPLER_ENVIRONMENT (default ci); with --lab DIR, the lab's Doppler stand-in`;

export const LAYOUT_USAGE = `  --layout-spec FILE         the production branch's twin.yaml: the lab's layout (project, proxmox, each cluster's
                             network, production's settings, the previews' TTL and quota) is taken from it`;

export const LAYOUT_OPTIONS = { 'layout-spec': { type: 'string' } } as const;

/** SPEC, with the lab's layout from --layout-spec when given; warnings go to stderr. */
export function specOf(parsed: Parsed, io: Io): TwinSpec {
  const { spec, warnings } = loadSpec(parsed.positionals[0]!, undefined, stringOption(parsed, 'layout-spec'));
  for (const warning of warnings) io.err(formatIssue(warning));
  return spec;
}

export const STATE_OPTIONS = {
  'state-dir': { type: 'string' },
  'state-store': { type: 'string' },
} as const;

/**
 * The one context up, down and status share: spec, twin, Proxmox, state store, tools and pace. With
 * `rights`, the preflight for that operation runs first: a missing right stops the command, named, before
 * anything changes (as action-provision does).
 */
export async function twinContext(
  parsed: Parsed,
  usage: string,
  io: Io,
  options: { events?: StepEvents; rights?: PreflightOperation } = {},
): Promise<TwinContext> {
  const { events, rights } = options;
  const spec = specOf(parsed, io);
  const twin = resolveTwin(spec, requiredOption(parsed, 'env', usage));
  const connection = await connectWithLab(parsed);
  if (rights) {
    const what = { operation: rights, environments: [twin.environment] };
    await requireRights(connection.client, spec, what, connection.tokenId, () => {});
  }
  return contextOn(parsed, twin, connection, io, events);
}

/** The context over a connection already made (plan connects first, for its own preflight). */
export function contextOn(
  parsed: Parsed,
  twin: ResolvedTwin,
  connection: Awaited<ReturnType<typeof connectWithLab>>,
  io: Io,
  events?: StepEvents,
): TwinContext {
  const { client, lab } = connection;
  if (lab?.binDir && !(process.env.PATH ?? '').startsWith(lab.binDir))
    process.env.PATH = `${lab.binDir}${delimiter}${process.env.PATH ?? ''}`; // the lab's talosctl/kubectl/helm first
  const stateDir = stateDirOf(parsed);
  return {
    twin,
    client,
    store: storeOf(parsed, stateDir, lab),
    runner: execRunner,
    tools: { talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' },
    // Inside the twin's state folder (0700), never in /tmp: generated configs carry the twin's secrets, and a
    // run killed half-way leaves them where its secrets already live, for the next run to reuse and remove.
    workDir: join(stateDir, twin.twin, 'work'),
    pace: paceFor(lab?.timeScale),
    log: (line) => io.out(line),
    ...(events ? { events } : {}),
  };
}

/** The spec, Proxmox and the state store, for commands about every twin of the project (no --env). */
export async function projectContext(
  parsed: Parsed,
  io: Io,
): Promise<{ spec: TwinSpec; client: PveClient; store: StateStore }> {
  const spec = specOf(parsed, io);
  const { client, lab } = await connectWithLab(parsed);
  return { spec, client, store: storeOf(parsed, stateDirOf(parsed), lab) };
}

/** --state-dir, else DIR/state with --lab DIR, else .twin-state; absolute. */
export function stateDirOf(parsed: Parsed): string {
  const labDir = stringOption(parsed, 'lab');
  return resolve(stringOption(parsed, 'state-dir') ?? (labDir ? join(labDir, 'state') : '.twin-state'));
}

/** The store --state-store names; with --lab and no DOPPLER_* of its own, the lab's Doppler stand-in. */
export function storeOf(parsed: Parsed, stateDir: string, lab: LabServerInfo | undefined): StateStore {
  const kind = parseStoreKind(stringOption(parsed, 'state-store'), '--state-store');
  if (kind === 'local') return openStateStore(kind, stateDir);
  const fallback = lab?.doppler && { ...lab.doppler, caFile: lab.caFile };
  return openStateStore(kind, stateDir, dopplerAccessFromEnv(process.env, fallback));
}
