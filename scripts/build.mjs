// Bundles every entry point with ncc into dist/<name>/index.js. dist/ is wiped first so that
// nothing stale survives; check-dist then compares the result with what git has.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

export const ENTRIES = {
  cli: 'src/cli/index.ts',
  provision: 'src/actions/provision/main.ts',
  cleanup: 'src/actions/cleanup/main.ts',
  mesh: 'src/actions/mesh/main.ts',
  day2: 'src/actions/day2/main.ts',
};

rmSync('dist', { recursive: true, force: true });
for (const [name, entry] of Object.entries(ENTRIES)) {
  execFileSync('npx', ['ncc', 'build', entry, '-o', `dist/${name}`, '--target', 'es2022', '-q'], {
    stdio: 'inherit',
  });
}
