import { createThrowawayCa } from '../../mesh/ca.js';
import { renderTwin, writeRendered } from '../../plan/render.js';
import { renderPlatform } from '../../plan/render-platform.js';
import { nodeRequestsSection } from '../../plan/node-requests.js';
import type { Io } from '../output.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, parseCommandLine, requiredOption } from '../args.js';
import { planFromCommandLine } from './plan.js';

export const RENDER_USAGE = `usage: twin render SPEC --env TWIN --out DIR [--slot N] [--lab DIR | --endpoint URL ...]
  Writes every generated artifact: DIR/<twin>/proxmox.json (slot pool, image downloads),
  DIR/<twin>/<cluster>/<node>/proxmox.json (the exact API calls that create that VM), and per cluster the helm
  values of every release (DIR/<twin>/<cluster>/helm/<release>.values.yaml, in order in releases.json) and the
  manifests applied (DIR/<twin>/<cluster>/manifests/*.yaml). The twin's mesh CA is never written: the Cilium
  values carry a throw-away CA made for this render (marked so), which helm accepts. Prints what the
  twin requests on the fullest node of each role against its allocatable. Changes nothing.
  Without Proxmox, a twin with no pinned slot needs --slot N.
${CONNECTION_USAGE}`;

export const RENDER_OPTIONS = {
  env: { type: 'string' },
  out: { type: 'string' },
  slot: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

export async function renderCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, RENDER_OPTIONS, ['SPEC'], RENDER_USAGE);
  const outDir = requiredOption(parsed, 'out', RENDER_USAGE);
  const { spec, resolved, plan } = await planFromCommandLine(parsed, RENDER_USAGE, io);
  const throwawayCa = await createThrowawayCa();
  const written = writeRendered(outDir, [
    ...renderTwin(plan, spec),
    ...renderPlatform(plan, spec, throwawayCa),
  ]);
  io.out(`rendered ${written.length} file(s) for twin ${plan.twin} into ${outDir}`);
  io.out(nodeRequestsSection(resolved).join('\n'));
  return 0;
}
