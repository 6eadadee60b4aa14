import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandRunner } from '../exec/runner.js';
import type { ToolName } from './table.js';

/** How each CLI reports its own version without contacting a cluster. */
const VERSION_PROBES: Record<ToolName, { args: string[]; parse: (stdout: string) => string | undefined }> = {
  // "Client:\nTalos v1.11.6" (talosctl's version.Short(): name and tag).
  talosctl: { args: ['version', '--client', '--short'], parse: (out) => /^Talos (v\S+)\s*$/m.exec(out)?.[1] },
  // {"clientVersion": {"gitVersion": "v1.34.1", ...}, "kustomizeVersion": ...}
  kubectl: { args: ['version', '--client', '-o', 'json'], parse: kubectlClientVersion },
  // "v3.19.0+g3d8990f"
  helm: { args: ['version', '--short'], parse: (out) => /^(v\d+\.\d+\.\d+)/.exec(out.trim())?.[1] },
};

function kubectlClientVersion(stdout: string): string | undefined {
  try {
    const version: unknown = JSON.parse(stdout)?.clientVersion?.gitVersion;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** The first executable file named `tool` in the folders of `searchPath` (a PATH value). */
export function findOnPath(tool: string, searchPath: string): string | undefined {
  for (const folder of searchPath.split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, tool);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; look in the next folder
    }
  }
  return undefined;
}

/** The version the executable at `path` says it is, or undefined when it cannot tell. */
export async function reportedVersion(
  runner: CommandRunner,
  tool: ToolName,
  path: string,
): Promise<string | undefined> {
  const probe = VERSION_PROBES[tool];
  const result = await runner.run(path, probe.args, { allowFailure: true });
  return result.exitCode === 0 ? probe.parse(result.stdout) : undefined;
}
