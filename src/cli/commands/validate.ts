import { loadSpec, formatIssue } from '../../spec/load.js';
import { maxVmsPerTwin } from '../../spec/derived.js';
import type { Io } from '../output.js';
import { parseCommandLine, stringOption } from '../args.js';
import { LAYOUT_OPTIONS } from '../twin-context.js';

export const VALIDATE_USAGE = `usage: twin validate SPEC [--layout-spec FILE]
  Checks the spec: YAML, shape, cross-field rules and the files it names. With --layout-spec (the production
  branch's twin.yaml), also says which layout fields a preview would take from it instead.`;

export const VALIDATE_OPTIONS = LAYOUT_OPTIONS;

export async function validateCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, VALIDATE_OPTIONS, ['SPEC'], VALIDATE_USAGE);
  const file = parsed.positionals[0]!;
  const { spec, warnings } = loadSpec(file, undefined, stringOption(parsed, 'layout-spec'));
  for (const warning of warnings) io.err(formatIssue(warning));
  io.out(
    `${file}: valid: ${spec.clusters.length} cluster(s) (${spec.clusters.map((c) => c.name).join(', ')}), ` +
      `up to ${maxVmsPerTwin(spec)} VMs per twin, ${spec.proxmox.slots.count} slot(s)` +
      (warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''),
  );
  return 0;
}
