import { join, resolve } from 'node:path';
import type { DiagnosticsBundle } from '../diagnostics/bundle.js';
import { bundleAfterFailure, describeBundle, diagnosticsRequest } from '../diagnostics/bundle.js';
import type { RunFacts } from '../diagnostics/run.js';
import { proxmoxPlan } from '../diagnostics/run.js';
import type { DiagnosticCluster } from '../diagnostics/types.js';
import type { TwinContext } from '../twin/context.js';
import type { Parsed } from './args.js';
import { stringOption } from './args.js';
import type { Io } from './output.js';
import { stateDirOf } from './twin-context.js';

/** Where the CLI writes a twin's diagnostics bundle, and the bundle after a failed `twin up`. */

/** After a failed `twin up`: the bundle where diagnose would write it, its path said on stderr. */
export async function diagnoseFailedUp(
  parsed: Parsed,
  ctx: TwinContext,
  clusters: DiagnosticCluster[],
  run: RunFacts,
  io: Io,
): Promise<DiagnosticsBundle | undefined> {
  const request = diagnosticsRequest(ctx, clusters, { ...run, plan: proxmoxPlan(ctx.client, ctx.twin) });
  const warn = (line: string) => io.err(`twin up: warning: ${line}`);
  const bundle = await bundleAfterFailure(request, bundlePath(parsed, ctx.twin.twin), warn);
  if (bundle) io.err(`twin up: diagnostics ${describeBundle(bundle)}`);
  return bundle;
}

/** --out, else a new file in the twin's folder of the state folder (0700, beside its credentials). */
export function bundlePath(parsed: Parsed, twin: string): string {
  const out = stringOption(parsed, 'out');
  if (out !== undefined) return resolve(out);
  const time = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join(stateDirOf(parsed), twin, `diagnostics-${time}.tar.gz`);
}
