import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab } from '../src/lab/lab.js';

/**
 * npm run bench [-- --time-scale X --json FILE]: figures of the product as users run it.
 * - cold start: `node dist/<action>/index.js` up to its first answer (here: the missing-input error, so the
 *   whole bundle is loaded and evaluated) against a bare `node -e ''`, median of repeated runs;
 * - one full twin (examples/twin.yaml: 2 clusters x 6 nodes, mesh, Rook, Star Wars) through the bundled CLI
 *   on the lab's realistic profile scaled by X: wall time (and the lab time it stands for), then destroy;
 *   Proxmox requests per VM over its life (apply and destroy) and how many of them were task polls.
 * Prints the figures and writes them as JSON.
 */
const { values } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '0.05' },
    json: { type: 'string', default: 'bench-results.json' },
    repeats: { type: 'string', default: '15' },
  },
});
const timeScale = Number(values['time-scale']);
const repeats = Number(values.repeats);
const CLI = resolve('dist/cli/index.js');

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timedNode(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function coldStart(): Record<string, { medianMs: number; overBareNodeMs: number }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const bare = median(Array.from({ length: repeats }, () => timedNode(['-e', ''], env)));
  const figures: Record<string, { medianMs: number; overBareNodeMs: number }> = {
    'bare node': { medianMs: bare, overBareNodeMs: 0 },
  };
  for (const entry of ['provision', 'mesh', 'day2', 'cleanup']) {
    const bundle = resolve('dist', entry, 'index.js');
    const ms = median(Array.from({ length: repeats }, () => timedNode([bundle], env)));
    figures[`action ${entry}`] = { medianMs: ms, overBareNodeMs: ms - bare };
  }
  return figures;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

async function oneTwin() {
  const root = mkdtempSync(join(tmpdir(), 'bench-'));
  const labLog = join(root, 'requests.jsonl');
  const lab = await startLab({ dir: join(root, 'lab'), profile: 'realistic', timeScale, logFile: labLog });
  const env = {
    PATH: `${lab.binDir}${delimiter}${process.env.PATH}`,
    HOME: root,
    PVE_TOKEN: lab.token,
    TWIN_PACE_SCALE: String(timeScale),
  };
  const target = [
    'examples/twin.yaml',
    '--env',
    'pr-7',
    '--state-dir',
    join(root, 'state'),
    '--endpoint',
    lab.endpoint.replace(/\/api2\/json$/, ''),
    '--ca-file',
    lab.caFile,
  ];
  try {
    const started = Date.now();
    const up = await runCli(['up', ...target], env);
    const wallMs = Date.now() - started;
    if (up.code !== 0) throw new Error(`twin up failed:\n${up.output.split('\n').slice(-15).join('\n')}`);
    const vms = Object.keys(lab.state.data.vms).length;
    const down = await runCli(['down', ...target], env);
    if (down.code !== 0) throw new Error(`twin down failed:\n${down.output}`);
    const requests = readFileSync(labLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { method: string; path: string })
      .map((request) => ({ ...request, path: decodeURIComponent(request.path) }))
      .filter((request) => request.path.startsWith('/api2/json/')); // not the lab's own tool channel
    const polls = requests.filter((r) => r.method === 'GET' && /\/tasks\/[^/]+\/status$/.test(r.path)).length;
    const kinds = new Map<string, number>();
    for (const request of requests) {
      const kind = `${request.method} ${request.path
        .replace('/api2/json', '')
        .replace(/UPID:[^/]+/g, '{upid}')
        .replace(/\/\d+(?=\/|$)/g, '/{vmid}')
        .replace(/\/pve\d+(?=\/|$)/g, '/{node}')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return {
      wallSeconds: wallMs / 1000,
      labSeconds: wallMs / 1000 / timeScale,
      vms,
      proxmoxRequests: requests.length,
      requestsPerVm: requests.length / vms,
      taskPollsPerVm: polls / vms,
      /** The most frequent kinds of request, per VM: where the budget goes. */
      topRequestsPerVm: [...kinds.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([kind, count]) => ({ kind, perVm: count / vms })),
    };
  } finally {
    await lab.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const cold = coldStart();
console.log(`cold start, median of ${repeats} runs:`);
for (const [name, figure] of Object.entries(cold)) {
  console.log(
    `  ${name.padEnd(18)} ${figure.medianMs.toFixed(1).padStart(7)} ms  (+${figure.overBareNodeMs.toFixed(1)} ms over bare node)`,
  );
}
const twin = await oneTwin();
console.log(
  `one full twin (examples/twin.yaml, pr-7: 2 x 6 nodes, mesh, Rook, Star Wars), time scale ${timeScale}:`,
);
console.log(
  `  wall time            ${twin.wallSeconds.toFixed(1)} s (${twin.labSeconds.toFixed(0)} s of lab time)`,
);
console.log(`  Proxmox requests     ${twin.proxmoxRequests} for ${twin.vms} VMs over apply and destroy`);
console.log(
  `  per VM lifecycle     ${twin.requestsPerVm.toFixed(1)} (target <= 40), of them task polls ${twin.taskPollsPerVm.toFixed(1)}`,
);
console.log('  where they go (per VM):');
for (const { kind, perVm } of twin.topRequestsPerVm)
  console.log(`    ${perVm.toFixed(2).padStart(6)}  ${kind}`);
writeFileSync(values.json, `${JSON.stringify({ timeScale, coldStart: cold, oneTwin: twin }, null, 2)}\n`);
console.log(`figures written to ${values.json}`);
