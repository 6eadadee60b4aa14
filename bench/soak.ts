import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { soakRun } from './soak-run.js';
import type { SoakResult } from './soak-run.js';

/**
 * npm run soak -- --runs N --seed S [--json FILE]: N seeded runs with faults (soak-run.ts says what each
 * checks), then one table. Exits 1 when any invariant broke, listing the runs that broke it.
 */
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed) || seed < 0) {
  console.error(
    `--runs takes a positive whole number and --seed a whole number (got ${values.runs}, ${values.seed})`,
  );
  process.exit(2);
}

const results: SoakResult[] = [];
for (let index = 0; index < runs; index++) {
  const result = await soakRun(seed + index);
  results.push(result);
  const first = result.convergedFirstTime ? 'converged' : result.killed ? 'killed' : 'failed';
  console.log(
    `run ${index + 1}/${runs} seed ${result.seed}: ${result.faults.join(', ')}` +
      `${result.killedAfterMs ? `, killed after ${result.killedAfterMs} ms` : ''} -> ${first}` +
      `${result.clearFailure ? '' : ' (UNCLEAR)'}, re-run ${result.convergedOnRerun ? 'converged' : 'FAILED'}` +
      `, orphans ${result.orphans.length}, leaks ${result.leaks.length}`,
  );
}

const count = (test: (result: SoakResult) => boolean) => results.filter(test).length;
const rows: [string, number][] = [
  ['runs', results.length],
  ['faults injected', results.reduce((total, r) => total + r.faults.length + (r.killedAfterMs ? 1 : 0), 0)],
  ['  of them process kills', count((r) => r.killedAfterMs !== undefined)],
  ['killed before the end', count((r) => r.killed)],
  ['converged first time', count((r) => r.convergedFirstTime)],
  ['failed first time with a clear message', count((r) => !r.convergedFirstTime && r.clearFailure)],
  ['failed first time unclearly', count((r) => !r.clearFailure)],
  ['converged on re-run', count((r) => r.convergedOnRerun)],
  ['orphans', results.reduce((total, r) => total + r.orphans.length, 0)],
  ['leaks', results.reduce((total, r) => total + r.leaks.length, 0)],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\n| ${'soak'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | ----- |`);
for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${String(value).padStart(5)} |`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ seed, runs, rows, results }, null, 2)}\n`);

const broken = results.filter(
  (r) => !r.clearFailure || !r.convergedOnRerun || r.orphans.length > 0 || r.leaks.length > 0,
);
for (const r of broken) {
  console.log(
    `\nseed ${r.seed} broke an invariant:`,
    JSON.stringify({ ...r, firstOutput: undefined, rerunOutput: undefined }, null, 2),
  );
  console.log(`first run:\n${r.firstOutput}`);
  if (!r.convergedOnRerun) console.log(`re-run:\n${r.rerunOutput}`);
}
process.exit(broken.length > 0 ? 1 : 0);
