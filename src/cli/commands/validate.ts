import { loadSpec, formatIssue } from '../../spec/load.js';
import { maxVmsPerTwin } from '../../spec/derived.js';
import type { Io } from '../output.js';
import { parseCommandLine } from '../args.js';

export const VALIDATE_USAGE = 'usage: twin validate SPEC';

export async function validateCommand(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandLine(args, {}, ['SPEC'], VALIDATE_USAGE);
  const file = parsed.positionals[0]!;
  const { spec, warnings } = loadSpec(file);
  for (const warning of warnings) io.err(formatIssue(warning));
  io.out(
    `${file}: valid: ${spec.clusters.length} cluster(s) (${spec.clusters.map((c) => c.name).join(', ')}), ` +
      `up to ${maxVmsPerTwin(spec)} VMs per twin, ${spec.proxmox.slots.count} slot(s)` +
      (warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''),
  );
  return 0;
}
