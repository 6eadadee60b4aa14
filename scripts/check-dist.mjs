// Fails when dist/ differs from a fresh build: changed, missing or new (untracked) files alike.
import { execFileSync } from 'node:child_process';

execFileSync('node', ['scripts/build.mjs'], { stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'dist'], {
  encoding: 'utf8',
});
if (status.trim() !== '') {
  console.error('dist/ is stale: run `npm run build` and commit dist/. Differences:\n' + status);
  process.exit(1);
}
console.log('dist/ is up to date');
