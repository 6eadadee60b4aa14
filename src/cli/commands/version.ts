// ncc bundles the JSON, so the built CLI knows its release without a package.json beside it.
import packageJson from '../../../package.json' with { type: 'json' };
import { parseCommandLine } from '../args.js';
import type { Io } from '../output.js';

export const VERSION_USAGE = `usage: twin version (or twin --version)
  Prints the release of this twin CLI and the version of the Node.js that runs it (a bug report needs both).`;

export const VERSION_OPTIONS = {} as const;

export function versionLine(): string {
  return `twin ${packageJson.version} (node ${process.version})`;
}

export async function versionCommand(args: string[], io: Io): Promise<number> {
  parseCommandLine(args, VERSION_OPTIONS, [], VERSION_USAGE);
  io.out(versionLine());
  return 0;
}
