import { run } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import type { LabHandle } from '../../src/lab/lab.js';

/** What one in-process `twin` run printed, and its exit code. */
export interface TwinRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process, as a step would run `twin ...`: with `pveToken`, the token is put in the
 * environment first (the CLI takes it out once read, so each run needs its own).
 */
export async function runTwin(args: string[], opts: { pveToken?: string } = {}): Promise<TwinRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t) };
  if (opts.pveToken !== undefined) process.env.PVE_TOKEN = opts.pveToken;
  const code = await run(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** `--endpoint`, `--ca-file` and `--state-dir` for a lab the test started itself (no `--lab`). */
export function labConnection(lab: LabHandle, stateDir: string): string[] {
  const endpoint = lab.endpoint.replace(/\/api2\/json$/, '');
  return ['--endpoint', endpoint, '--ca-file', lab.caFile, '--state-dir', stateDir];
}

/**
 * Puts the lab's talosctl, kubectl and helm first on PATH and its time scale in TWIN_PACE_SCALE, as a runner
 * driving a simulated lab has them; returns what undoes it (and drops a PVE_TOKEN a run left).
 */
export function useLabTools(lab: LabHandle, timeScale: number): () => void {
  const savedPath = process.env.PATH;
  process.env.PATH = `${lab.binDir}:${process.env.PATH}`;
  process.env.TWIN_PACE_SCALE = String(timeScale);
  return () => {
    process.env.PATH = savedPath;
    delete process.env.TWIN_PACE_SCALE;
    delete process.env.PVE_TOKEN;
  };
}
