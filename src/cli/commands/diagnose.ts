import {
  describeBundle,
  diagnosticsRequest,
  recordedClusters,
  writeDiagnostics,
} from '../../diagnostics/bundle.js';
import { proxmoxPlan } from '../../diagnostics/run.js';
import { CONNECTION_USAGE, parseCommandLine } from '../args.js';
import { bundlePath } from '../diagnostics.js';
import type { Io } from '../output.js';
import { LAYOUT_USAGE, STATE_USAGE, twinContext } from '../twin-context.js';
import { TWIN_OPTIONS } from './up.js';

export const DIAGNOSE_USAGE = `usage: twin diagnose SPEC --env TWIN [--out FILE] [--layout-spec FILE] [--state-dir DIR] [--state-store local|doppler] (--lab DIR | --endpoint URL ...)
  Writes the twin's diagnostics bundle, as a failed up or workflow step does: per cluster of its last apply
  the Talos services and the kubelet's (and etcd's) log of its nodes (every node of a small cluster, else
  those not Ready), Kubernetes events, the pods that are not Ready with kubectl describe, Cilium's status and
  the Cluster Mesh as its agents see it, Ceph's status and health detail, and what applying the twin would
  change now. Each item is bounded in time and a failed one is recorded, not fatal; every text is redacted
  and the bundle scanned for the twin's secrets. One .tar.gz (mode 0600) with a manifest.json; its path is
  printed. Changes nothing.
  --out FILE                 where to write it; default DIR/TWIN/diagnostics-TIME.tar.gz in the state folder
${STATE_USAGE}
${LAYOUT_USAGE}
${CONNECTION_USAGE}`;

export const DIAGNOSE_OPTIONS = { ...TWIN_OPTIONS, out: { type: 'string' } } as const;

export async function diagnoseCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, DIAGNOSE_OPTIONS, ['SPEC'], DIAGNOSE_USAGE);
  const ctx = await twinContext(parsed, DIAGNOSE_USAGE, io);
  const clusters = await recordedClusters(ctx.store, ctx.twin.twin);
  if (clusters.length === 0)
    io.err(
      `twin diagnose: warning: twin ${ctx.twin.twin} has no record of an apply: only its plan is collected`,
    );
  const request = diagnosticsRequest(ctx, clusters, { plan: proxmoxPlan(ctx.client, ctx.twin) });
  const bundle = await writeDiagnostics(request, bundlePath(parsed, ctx.twin.twin));
  io.out(`twin ${ctx.twin.twin}: diagnostics ${describeBundle(bundle)}`);
  return 0;
}
