import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { FaultConfig } from '../src/lab/faults.js';
import { startLab } from '../src/lab/lab.js';
import type { LabHandle } from '../src/lab/lab.js';
import { runCli } from './cli.js';
import { scanForSecrets, twinSecrets, withEncodings } from './secret-scan.js';

/**
 * One seeded soak run: the product as users run it (the bundled CLI, `twin up`; a quarter of the runs go on
 * through mesh and day 2, the rest stop with --no-platform) against a fresh lab that injects faults chosen by
 * the seed, sometimes killed at a random moment; then a run without faults, then `twin down`. Invariants checked: the faulty run converged or failed with a message naming the
 * stage and cause (never a stack trace); the next run converged; nothing of the twin is left (VMs, slot
 * pool, state, work files); no secret reached any output, the lab's request log or a file outside the
 * state store.
 */

const SPEC = 'test/fixtures/twins/one-worker.yaml';
const TIME_SCALE = 0.01;

export interface SoakResult {
  seed: number;
  twin: string;
  /** The run went on through mesh and day 2 (`twin up` without --no-platform). */
  platform: boolean;
  faults: string[];
  killedAfterMs?: number;
  /** The kill came before the run ended by itself. */
  killed: boolean;
  convergedFirstTime: boolean;
  /** The first run failed with a message naming what failed (or was killed, which says nothing). */
  clearFailure: boolean;
  convergedOnRerun: boolean;
  orphans: string[];
  leaks: string[];
  /** The faulty run's last lines, for a failure that was not clear. */
  firstOutput: string;
  /** The re-run's last lines, for a re-run that did not converge. */
  rerunOutput: string;
}

/** mulberry32: small, seedable, good enough to pick faults. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type FaultChoice = [name: string, config: FaultConfig];

const TASK_TYPES = ['qmcreate', 'qmstart', 'resize', 'download', 'qmconfig'];

function faultMenu(rng: () => number): FaultChoice[] {
  const taskType = TASK_TYPES[Math.floor(rng() * TASK_TYPES.length)]!;
  return [
    [
      '500 burst',
      { httpErrors: [{ match: '*', rate: 0.05, status: 500, message: 'Internal Server Error' }] },
    ],
    ['503 burst', { httpErrors: [{ match: '*', rate: 0.1, status: 503, message: 'Service Unavailable' }] }],
    [
      'task status 503',
      { httpErrors: [{ match: 'GET /nodes/{node}/tasks/{upid}/status', rate: 0.2, status: 503 }] },
    ],
    [
      `${taskType} task errors`,
      { taskFailures: [{ type: taskType, rate: 0.3, message: 'injected task error' }] },
    ],
    ['lock stalls', { lockStalls: [{ type: '*', rate: 0.15, seconds: 12 }] }],
    ['slow tasks', { slowTasks: [{ type: '*', rate: 0.3, multiplier: 4 }] }],
    ['connections dropped', { dropConnections: [{ match: '*', rate: 0.03 }] }],
    ['Talos boots hang', { bootHangs: [{ rate: 0.25 }] }],
    ['apply-config answers cut by the reboot', { talosResets: [{ rate: 0.5 }] }],
    [
      'Cilium images slow',
      { slowReleases: [{ release: 'cilium', rate: 1, seconds: Math.round(300 + rng() * 900) }] },
    ],
  ];
}

/** Longer than the helm --wait day 2 gives the Rook operator (600 s), sometimes by a lot. */
function rookImagesSlow(rng: () => number): FaultChoice {
  const seconds = Math.round(700 + rng() * 900);
  return ['Rook images slow', { slowReleases: [{ release: 'rook-ceph', rate: 1, seconds }] }];
}

function mergeFaults(choices: FaultChoice[]): FaultConfig {
  const merged: Record<string, unknown[]> = {};
  for (const [, config] of choices) {
    for (const [key, rules] of Object.entries(config) as [string, unknown[]][]) {
      (merged[key] ??= []).push(...rules);
    }
  }
  return merged as FaultConfig;
}

/** A failure a person can act on: it names a stage and a cause, and is no stack trace. */
function isClear(output: string): boolean {
  return /(stage [a-z-]+, |^error: )/m.test(output) && !/^\s+at .+\(.+:\d+:\d+\)$/m.test(output);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export async function soakRun(seed: number): Promise<SoakResult> {
  const rng = random(seed);
  const menu = faultMenu(rng);
  const chosen = menu.filter(() => rng() < 0.35);
  if (chosen.length === 0) chosen.push(menu[Math.floor(rng() * menu.length)]!);
  let killedAfterMs = rng() < 0.25 ? Math.round(500 + rng() * 7_500) : undefined;
  // A quarter of the runs go on through mesh and day 2, where helm waits for Rook's releases.
  const platform = rng() < 0.25;
  if (platform) {
    if (killedAfterMs !== undefined) killedAfterMs *= 4;
    if (rng() < 0.5) chosen.push(rookImagesSlow(rng));
  }
  const twin = `pr-${(seed % 9000) + 1}`;
  const root = mkdtempSync(join(tmpdir(), `soak-${seed}-`));
  const labDir = join(root, 'lab');
  const stateDir = join(root, 'state');
  const runTmp = join(root, 'tmp'); // TMPDIR of the product: what it leaves outside the state store
  const labLog = join(root, 'lab-requests.jsonl');
  let lab: LabHandle = await startLab({
    dir: labDir,
    timeScale: TIME_SCALE,
    faults: mergeFaults(chosen),
    seed,
    logFile: labLog,
  });
  const env = (): NodeJS.ProcessEnv => ({
    PATH: `${lab.binDir}${delimiter}${process.env.PATH}`,
    HOME: root,
    TMPDIR: runTmp,
    PVE_TOKEN: lab.token,
    TWIN_PACE_SCALE: String(TIME_SCALE),
  });
  const target = () => [
    SPEC,
    '--env',
    twin,
    '--state-dir',
    stateDir,
    '--endpoint',
    lab.endpoint.replace(/\/api2\/json$/, ''),
    '--ca-file',
    lab.caFile,
  ];
  const outputs: string[] = [];
  try {
    mkdirSync(runTmp, { mode: 0o700 });
    const up = () => ['up', ...target(), ...(platform ? [] : ['--no-platform'])];
    const first = await runCli(up(), env(), killedAfterMs);
    outputs.push(first.output);
    const convergedFirstTime = first.code === 0 && !first.killed;
    const clearFailure = convergedFirstTime || first.killed || isClear(first.output);

    // The next run meets the lab as it is, faults gone (a lab restarted on its folder keeps everything).
    await lab.close();
    lab = await startLab({ dir: labDir, timeScale: TIME_SCALE, seed, logFile: labLog });
    const second = await runCli(up(), env());
    outputs.push(second.output);
    const secrets = existsSync(join(stateDir, twin)) ? twinSecrets(join(stateDir, twin)) : new Set<string>();

    const down = await runCli(['down', ...target()], env());
    outputs.push(down.output);
    const orphans = [
      ...Object.values(lab.state.data.vms)
        .map((vm) => vm.config.name ?? '')
        .filter((name) => name.startsWith(`${twin}-`))
        .map((name) => `VM ${name}`),
      ...Object.values(lab.state.access.config.pools)
        .filter((pool) => pool.comment?.includes(` of ${twin} `))
        .map((pool) => `pool ${pool.poolid}`),
      ...(existsSync(join(stateDir, twin)) ? [`state ${join(stateDir, twin)}`] : []),
      ...(down.code === 0 ? [] : [`down failed: ${down.output.trim().split('\n').slice(-2).join(' ')}`]),
    ];
    const haystacks: Record<string, string> = {
      'lab request log': existsSync(labLog) ? readFileSync(labLog, 'utf8') : '',
    };
    outputs.forEach((output, index) => (haystacks[`run ${index} output`] = output));
    for (const file of filesUnder(runTmp)) haystacks[`file ${file}`] = readFileSync(file, 'utf8');
    const leaks = [
      ...scanForSecrets(haystacks, withEncodings([...secrets, lab.token, lab.tokenSecret])),
      ...filesUnder(runTmp).map((file) => `left behind: ${file}`),
    ];
    return {
      seed,
      twin,
      platform,
      faults: chosen.map(([name]) => name),
      ...(killedAfterMs === undefined ? {} : { killedAfterMs }),
      killed: first.killed,
      convergedFirstTime,
      clearFailure,
      convergedOnRerun: second.code === 0,
      orphans,
      leaks,
      firstOutput: lastLines(first.output),
      rerunOutput: lastLines(second.output),
    };
  } finally {
    await lab.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-20).join('\n');
}
