import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage } from '../errors.js';
import type { CommandRunner } from '../exec/runner.js';
import { withDeadline } from '../exec/runner.js';
import type { StateStore } from '../state/store.js';
import type { ClusterWorkContext, Pace, ToolPaths } from '../twin/context.js';
import { clusterKeys, readTwinRecord } from '../twin/outcome.js';
import { redactSecrets } from '../util/redact.js';
import { clusterItems } from './cluster.js';
import type { CollectedItem, ItemStatus } from './items.js';
import type { RunFacts } from './run.js';
import { runItems } from './run.js';
import { scanForSecrets, secretMaterial, withEncodings } from './secret-scan.js';
import { tarGzip } from './tar.js';
import type { DiagnosticCluster } from './types.js';

/**
 * The diagnostics bundle of a twin: per cluster what its tools say (cluster.ts, talos.ts), the run's failure,
 * steps, timings and plan (run.ts), and a manifest.json naming each item, its source and whether it was
 * got. Every text is redacted (util/redact.ts) and then the whole bundle is scanned for the twin's secret
 * material from its state store, raw and base64-encoded: an item that still holds some is left out, and a
 * bundle that would hold any is not written at all. One .tar.gz, mode 0600.
 */

export interface DiagnosticsRequest {
  twin: string;
  clusters: DiagnosticCluster[];
  runner: CommandRunner;
  tools: ToolPaths;
  store: StateStore;
  pace: Pace;
  /** Rook is enabled in the spec. */
  ceph: boolean;
  run?: RunFacts;
  /** Secrets beyond the store's that must not appear either (the Proxmox token). */
  secrets?: string[];
}

export type ManifestItem = Omit<CollectedItem, 'content'>;

export interface DiagnosticsBundle {
  path: string;
  items: ManifestItem[];
}

/** The bundle would have held secret material even after leaving out the items that did: nothing was written. */
export class DiagnosticsRefusedError extends Error {
  override name = 'DiagnosticsRefusedError';
}

/** How long one item may take on a real lab; scaled down (to at least 5 s) on a simulated one. */
const REAL_ITEM_TIMEOUT_MS = 20_000;

export function itemTimeoutMs(pace: Pace): number {
  return Math.max(5_000, Math.round(REAL_ITEM_TIMEOUT_MS * pace.scale));
}

export async function writeDiagnostics(
  request: DiagnosticsRequest,
  path: string,
  now = new Date(),
): Promise<DiagnosticsBundle> {
  const timeoutMs = itemTimeoutMs(request.pace);
  const probe = {
    runner: withDeadline(request.runner, timeoutMs),
    tools: request.tools,
    timeoutMs,
    ceph: request.ceph,
  };
  const collected = [
    ...(await runItems(request.run ?? {}, timeoutMs)),
    ...(await Promise.all(request.clusters.map((cluster) => clusterItems(cluster, probe)))).flat(),
  ].map(redacted);
  const { needles, note } = await secretNeedles(request);
  const items = collected.map((item) => withheldIfSecret(item, needles));
  const folder = `diagnostics-${request.twin}-${stamp(now)}`;
  const manifest = {
    twin: request.twin,
    createdAt: now.toISOString(),
    secretScan: scanSummary(items, needles.length, note),
    items: items.map(({ content: _content, ...item }) => item),
  };
  const entries = [
    { name: `${folder}/manifest.json`, content: `${JSON.stringify(manifest, null, 2)}\n` },
    ...items.flatMap((item) =>
      item.file ? [{ name: `${folder}/${item.file}`, content: item.content }] : [],
    ),
  ];
  const leaks = scanForSecrets(
    Object.fromEntries(entries.map((entry) => [entry.name, entry.content])),
    needles,
  );
  if (leaks.length > 0)
    throw new DiagnosticsRefusedError(
      `the bundle would hold the twin's secret material (${leaks.join(', ')})`,
    );
  await writePrivately(path, tarGzip(entries, now));
  return { path, items: manifest.items };
}

/** The request for a twin's bundle from the context an operation on it runs with. */
export function diagnosticsRequest(
  ctx: ClusterWorkContext,
  clusters: DiagnosticCluster[],
  run: RunFacts = {},
): DiagnosticsRequest {
  return {
    twin: ctx.twin.twin,
    clusters,
    runner: ctx.runner,
    tools: ctx.tools,
    store: ctx.store,
    pace: ctx.pace,
    ceph: ctx.twin.spec.addons.rook.enabled,
    run: { scale: ctx.pace.scale, ...run },
  };
}

/** The clusters of the twin's last successful apply, with the paths of their credentials; none without one. */
export async function recordedClusters(store: StateStore, twin: string): Promise<DiagnosticCluster[]> {
  const record = await readTwinRecord(store, twin);
  return (record?.clusters ?? []).map((cluster) => ({
    ...cluster,
    ...clusterKeys(store, twin, cluster.name),
  }));
}

/** For a run that failed: the bundle, or undefined with the reason warned; never throws over the failure itself. */
export async function bundleAfterFailure(
  request: DiagnosticsRequest,
  path: string,
  warn: (line: string) => void,
): Promise<DiagnosticsBundle | undefined> {
  try {
    return await writeDiagnostics(request, path);
  } catch (error) {
    warn(`no diagnostics bundle was written: ${errorMessage(error)}`);
    return undefined;
  }
}

/** `PATH (12 items: 10 got, 1 failed, 1 skipped)`, for logs, outputs and summaries. */
export function describeBundle(bundle: DiagnosticsBundle): string {
  const words: [ItemStatus, string][] = [
    ['ok', 'got'],
    ['failed', 'failed'],
    ['skipped', 'skipped'],
    ['withheld', 'withheld'],
  ];
  const parts = words
    .map(([status, word]) => [bundle.items.filter((item) => item.status === status).length, word] as const)
    .filter(([count]) => count > 0)
    .map(([count, word]) => `${count} ${word}`);
  return `${bundle.path} (${bundle.items.length} items: ${parts.join(', ')})`;
}

async function secretNeedles(request: DiagnosticsRequest): Promise<{ needles: string[]; note?: string }> {
  try {
    const keys = await request.store.list(request.twin);
    const texts = await Promise.all(keys.map((key) => request.store.read(key)));
    const material = secretMaterial(texts.filter((text) => text !== undefined));
    return { needles: withEncodings([...material, ...(request.secrets ?? [])]) };
  } catch (error) {
    return {
      needles: withEncodings(request.secrets ?? []),
      note: `the twin's state could not be read (${errorMessage(error)}): redacted only`,
    };
  }
}

/** Content and note (an error may quote a tool's output) through the project's redaction. */
function redacted(item: CollectedItem): CollectedItem {
  return {
    ...item,
    content: redactSecrets(item.content),
    ...(item.note === undefined ? {} : { note: redactSecrets(item.note) }),
  };
}

function withheldIfSecret(item: CollectedItem, needles: string[]): CollectedItem {
  const hits = scanForSecrets({ content: item.content, note: item.note ?? '' }, needles);
  if (hits.length === 0) return item;
  const { file: _file, note: _note, ...rest } = item;
  return {
    ...rest,
    status: 'withheld',
    note: "held the twin's secret material after redaction: left out",
    content: '',
  };
}

function scanSummary(items: CollectedItem[], needles: number, note: string | undefined): string {
  const withheld = items.filter((item) => item.status === 'withheld').length;
  const found = withheld === 0 ? 'nothing found' : `${withheld} item(s) held some and were left out`;
  return `${needles} strings of the twin's secret material looked for, raw and base64-encoded: ${found}${note ? `; ${note}` : ''}`;
}

/** 20260102T030405Z */
function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function writePrivately(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, data, { mode: 0o600 });
  await chmod(path, 0o600); // the mode of writeFile applies only when the file is created
}
