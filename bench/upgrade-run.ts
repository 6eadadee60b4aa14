import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTwin } from '../src/spec/environment.js';
import { parseSpec } from '../src/spec/load.js';
import { runCli } from './cli.js';
import { boundTwinInLab } from './critical-path.js';
import { benchLab, logLines, proxmoxRequests, stageTimings, toolCalls } from './lab-run.js';
import { upgradeBound } from './upgrade-bound.js';
import { upgradeWork } from './upgrade-work.js';

/**
 * The rolling-upgrade path of the README ("Try it on the embedded lab"): one preview of examples/twin.yaml
 * created at last year's releases (Talos v1.11.6, Kubernetes 1.34.1, Cilium 1.19.6, workers at 7168 MiB), then
 * `twin up examples/twin.yaml` timed: the converge by rolling upgrades, against its lower bound
 * (upgrade-bound.ts) for the layout the lab holds.
 */

/** The README's sed, as [what, replacement, how many times it must match]. */
const LAST_YEAR: [RegExp, string, number][] = [
  [/version: v1\.13\.9 /g, 'version: v1.11.6 ', 1],
  [/kubernetesVersion: 1\.36\.3/g, 'kubernetesVersion: 1.34.1', 1],
  [/version: 1\.20\.0 /g, 'version: 1.19.6 ', 1],
  [/timeServers: \[\/dev\/ptp0\]/g, 'timeServers: [time.cloudflare.com]', 1],
  [/workers: \{ cores: 2, memoryMiB: 6144 \}/g, 'workers: { cores: 2, memoryMiB: 7168 }', 2],
  [
    /imageSha256: 478634a40a9d3b5d0ed30202489ca5a26acaf7cbd59e205d84e72bea217a2955/g,
    'imageSha256: 9b976eb3b65860cbe54f1378e6b3299015e0d39f25446e0f49294f70cc6abc67',
    1,
  ],
];

/** examples/twin.yaml at last year's releases, as the README's sed makes it; throws when the example moved on. */
export function lastYearSpec(text: string): string {
  return LAST_YEAR.reduce((spec, [pattern, replacement, count]) => {
    const found = spec.match(pattern)?.length ?? 0;
    if (found !== count)
      throw new Error(
        `examples/twin.yaml matches ${pattern.source} ${found} time(s), not ${count}: ` +
          'update the README sed and bench/upgrade-run.ts together',
      );
    return spec.replace(pattern, replacement);
  }, text);
}

interface Timed {
  code: number | null;
  wallSeconds: number;
  output: string;
}

/** Creates the twin at last year's releases, then times its converge to examples/twin.yaml. */
export async function upgradePath(scale: number) {
  const { root, labLog, lab, env } = await benchLab('bench-upgrade-', 1, scale);
  const twin = 'pr-8';
  const target = ['--env', twin, '--state-dir', join(root, 'state'), '--endpoint'];
  const where = [...target, lab.endpoint.replace(/\/api2\/json$/, ''), '--ca-file', lab.caFile];
  const up = async (spec: string): Promise<Timed> => {
    const started = Date.now();
    const result = await runCli(['up', spec, ...where], env);
    return { code: result.code, wallSeconds: (Date.now() - started) / 1000, output: result.output };
  };
  const check = (run: Timed, what: string) => {
    if (run.code !== 0)
      throw new Error(`${what} failed:\n${run.output.trim().split('\n').slice(-20).join('\n')}`);
  };
  try {
    const example = readFileSync('examples/twin.yaml', 'utf8');
    const old = join(root, 'twin-2025.yaml');
    writeFileSync(old, lastYearSpec(example));
    const created = await up(old);
    check(created, "twin up at last year's releases");
    const layout = boundTwinInLab(lab, twin);
    const skip = logLines(labLog);
    const converged = await up('examples/twin.yaml');
    check(converged, 'twin up examples/twin.yaml (the rolling upgrade)');
    const labSeconds = converged.wallSeconds / scale;
    const twinOf = (text: string) => resolveTwin(parseSpec(text, 'twin.yaml').spec, twin);
    const bound = upgradeBound(upgradeWork(twinOf(lastYearSpec(example)), twinOf(example), layout));
    return {
      timeScale: scale,
      createWallSeconds: created.wallSeconds,
      wallSeconds: converged.wallSeconds,
      labSeconds,
      boundLabSeconds: bound.seconds,
      ratio: labSeconds / bound.seconds,
      boundParts: bound.parts,
      boundOsdOutages: bound.osdOutages,
      boundPath: bound.path,
      /** The CLI's stage timing tables of the converge: where its time went. */
      stages: stageTimings(converged.output),
      vms: layout.vms.length,
      ...proxmoxRequests(labLog, layout.vms.length, skip),
      ...toolCalls(labLog, skip),
    };
  } finally {
    await lab.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The rolling upgrade's figures: its table row, the bound's parts and path, where the product's time went. */
export function printUpgrade(run: Awaited<ReturnType<typeof upgradePath>>): void {
  console.log(
    "\nrolling upgrade (README: examples/twin.yaml at last year's releases, converged), realistic profile:",
  );
  console.log('scale  wall s  lab s  bound s  ratio  PVE requests/VM  task polls/VM  tool calls');
  console.log(
    `${String(run.timeScale).padStart(5)}  ${run.wallSeconds.toFixed(1).padStart(6)}  ` +
      `${run.labSeconds.toFixed(0).padStart(5)}  ${run.boundLabSeconds.toFixed(0).padStart(7)}  ` +
      `${run.ratio.toFixed(2).padStart(5)}  ${run.requestsPerVm.toFixed(1).padStart(15)}  ` +
      `${run.taskPollsPerVm.toFixed(1).padStart(13)}  ${String(run.toolCalls).padStart(10)}`,
  );
  const parts = Object.entries(run.boundParts).map(([part, at]) => `${part} ${at.toFixed(0)} s`);
  console.log(`\nthe bound's parts end at (slowest cluster): ${parts.join(', ')}`);
  console.log(`the bound's OSD outages, in order: ${run.boundOsdOutages.join(' | ')}`);
  console.log("the bound's path (lab seconds):");
  for (const step of run.boundPath) console.log(`  ${step.at.toFixed(1).padStart(7)}  ${step.event}`);
  console.log("the product's own stage timings of the converge (wall and lab time):");
  for (const line of run.stages) console.log(`  ${line}`);
  console.log('Proxmox requests per VM by kind (the converge):');
  for (const { kind, perVm } of run.topRequestsPerVm)
    console.log(`  ${perVm.toFixed(2).padStart(6)}  ${kind}`);
  console.log('tool calls by kind (the converge):');
  for (const { kind, count } of run.topToolCalls) console.log(`  ${String(count).padStart(6)}  ${kind}`);
}
