import { runCiliumDbg } from './cilium-dbg.js';
import { runCurl } from './curl.js';
import type { PodExec, PodProgram, ProgramResult } from './program.js';

export type { PodExec, ProgramResult } from './program.js';

/** The programs the lab can run inside containers, and the images that carry them. */
const PROGRAMS: { name: string; images: RegExp; run: PodProgram }[] = [
  { name: 'curl', images: /(^|\/)(nginx|json-mock)[:@]/, run: runCurl },
  { name: 'cilium-dbg', images: /(^|\/)cilium\/cilium[:@]/, run: runCiliumDbg },
];

/**
 * Runs argv in the container, or fails the way the container runtime does when the image has no such
 * executable (kubectl prints that error and exits 1).
 */
export async function runInPod(exec: PodExec): Promise<ProgramResult> {
  const [program = ''] = exec.argv;
  const found = PROGRAMS.find(
    (candidate) => candidate.name === program.split('/').pop() && candidate.images.test(exec.container.image),
  );
  if (!found) {
    return {
      exitCode: 1,
      stdout: '',
      stderr: `error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown\n`,
    };
  }
  return found.run(exec);
}
