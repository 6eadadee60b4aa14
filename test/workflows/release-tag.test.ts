import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// scripts/release-tag.sh, the step of .github/workflows/release.yml, on a scratch repository whose
// "origin" is a bare repository beside it.
const SCRIPT = resolve('scripts/release-tag.sh');
const TOKEN = 'ghs_release-token-must-never-be-printed';

const CHANGELOG = (release: string, unreleased = 'Nothing yet.') => `# Changelog

## [Unreleased]

### Added

${unreleased}

${release}
## [0.1.0] - 2026-01-02

### Added

- the old release
`;
const RELEASE_0_2_0 = `## [0.2.0] - 2026-12-04

The first release.

### Added

- Twin spec and the \`twin\` CLI.
`;

let root: string;
let work: string;
let origin: string;
/** git with no system or user configuration, so the scratch repositories see only their own. */
let env: NodeJS.ProcessEnv;

function git(args: string[], cwd = work): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
}
function commit(files: Record<string, string>, message: string): string {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
  git(['add', '.']);
  git(['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '-q', '-m', message]);
  return git(['rev-parse', 'HEAD']);
}
const packageJson = (version: string) => JSON.stringify({ name: 'aggrik8s-twin', version }, null, 2) + '\n';

function release(args: string[], cwd = work) {
  const result = spawnSync('bash', [SCRIPT, ...args], { cwd, env, encoding: 'utf8' });
  expect(result.stdout + result.stderr).not.toContain(TOKEN);
  return result;
}
/** The commit a tag points at on origin, or '' without one. */
const originTag = (tag: string): string =>
  git(['ls-remote', '--tags', origin, `refs/tags/${tag}^{}`, `refs/tags/${tag}`])
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .sort(([, a], [, b]) => (b ?? '').length - (a ?? '').length)[0]?.[0] ?? '';
const localTag = (tag: string): string =>
  spawnSync('git', ['rev-parse', '-q', '--verify', `refs/tags/${tag}^{commit}`], {
    cwd: work,
    env,
    encoding: 'utf8',
  }).stdout.trim();

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'release-tag-'));
  origin = join(root, 'origin.git');
  work = join(root, 'work');
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_') && key !== 'GITHUB_TOKEN'),
  );
  env = {
    ...clean,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    GITHUB_TOKEN: TOKEN,
  };
  writeFileSync(join(root, 'gitconfig'), '');
  git(['init', '-q', '--bare', '-b', 'main', origin], root);
  git(['init', '-q', '-b', 'main', work], root);
  git(['remote', 'add', 'origin', origin]);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/release-tag.sh', () => {
  it('tags the given commit v<version> with its CHANGELOG section, pushes it, and reads both from that commit', () => {
    const released = commit(
      { 'package.json': packageJson('0.2.0'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'release',
    );
    commit({ 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0, '- later work') }, 'later');
    git(['push', '-q', 'origin', 'main']);
    // The working tree says otherwise; the script goes by the commit.
    writeFileSync(join(work, 'package.json'), packageJson('9.9.9'));

    const run = release([released, 'origin']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`made v0.2.0 at ${released.slice(0, 12)}`);
    expect(run.stdout).toContain(`pushed v0.2.0 (${released.slice(0, 12)}) to origin`);

    expect(originTag('v0.2.0')).toBe(released);
    expect(localTag('v0.2.0')).toBe(released);
    expect(git(['cat-file', '-t', 'v0.2.0'])).toBe('tag'); // annotated
    const message = git(['tag', '-l', '--format=%(contents)', 'v0.2.0']);
    expect(message).toBe(
      'aggrik8s-twin v0.2.0 (2026-12-04)\n\nThe first release.\n\n### Added\n\n- Twin spec and the `twin` CLI.',
    );
    // No git identity is configured (as on a runner): the tag is GitHub Actions'.
    expect(git(['tag', '-l', '--format=%(taggername) %(taggeremail)', 'v0.2.0'])).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );
  });

  it('a second run, here or from a fresh clone of origin, finds the tag and changes nothing', () => {
    const released = commit(
      { 'package.json': packageJson('0.2.0'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'release',
    );
    expect(release([released]).status).toBe(0);
    const tagObject = git(['ls-remote', '--tags', origin, 'refs/tags/v0.2.0']);

    const again = release([released]);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(
      `release-tag: v0.2.0 exists on origin at ${released.slice(0, 12)}: nothing to do\n`,
    );

    git(['push', '-q', 'origin', 'main']);
    const clone = join(root, 'clone');
    git(['clone', '-q', origin, clone], root);
    const fromClone = release([released, 'origin'], clone);
    expect(fromClone.status).toBe(0);
    expect(fromClone.stdout).toContain('exists on origin');
    expect(git(['ls-remote', '--tags', origin, 'refs/tags/v0.2.0'])).toBe(tagObject);
  });

  it('refuses a version CHANGELOG.md has no dated section for, and makes no tag', () => {
    const head = commit(
      {
        'package.json': packageJson('0.3.0'),
        'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0.replace('0.2.0', '0.3.0').replace(' - 2026-12-04', '')),
      },
      'bump without a date',
    );
    const run = release([head]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `release-tag: CHANGELOG.md at ${head.slice(0, 12)} has no heading "## [0.3.0] - YYYY-MM-DD" for package.json's version 0.3.0: move the Unreleased entries under that heading with the release's date (or set package.json's version to the one the changelog releases)\n`,
    );
    expect(localTag('v0.3.0')).toBe('');
    expect(originTag('v0.3.0')).toBe('');
  });

  it('refuses an empty section, and makes no tag', () => {
    const head = commit(
      {
        'package.json': packageJson('0.3.0'),
        'CHANGELOG.md': CHANGELOG(`## [0.3.0] - 2027-01-05\n\n\n${RELEASE_0_2_0}`),
      },
      'empty release',
    );
    const run = release([head]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/CHANGELOG\.md at \w{12}: the section "## \[0\.3\.0\] - 2027-01-05" is empty/);
    expect(localTag('v0.3.0')).toBe('');
    expect(originTag('v0.3.0')).toBe('');
  });

  it('makes no tag at a commit whose Unreleased section lists changes; the commit that released the version gets it', () => {
    const released = commit(
      { 'package.json': packageJson('0.2.0'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'release',
    );
    const later = commit(
      { 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0, '- `twin list`') },
      'later work, no tag yet',
    );
    const refused = release([later]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `release-tag: CHANGELOG.md at ${later.slice(0, 12)} lists changes under "## [Unreleased]" that ${later.slice(0, 12)} holds and v0.2.0's section "## [0.2.0] - 2026-12-04" does not name: if ${later.slice(0, 12)} is release 0.2.0, move them under that heading; if an earlier commit was, make v0.2.0 there (scripts/release-tag.sh COMMIT, README "Releases")\n`,
    );
    expect(localTag('v0.2.0')).toBe('');
    expect(originTag('v0.2.0')).toBe('');

    expect(release([released]).status).toBe(0);
    expect(originTag('v0.2.0')).toBe(released);
    expect(release([later]).status).toBe(0); // from then on, the later commit is one between releases
  });

  it('refuses a version that is not X.Y.Z', () => {
    const head = commit(
      { 'package.json': packageJson('0.3.0; rm -rf ~'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'bad',
    );
    const run = release([head]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('is not a version X.Y.Z');
    expect(git(['tag', '-l'])).toBe('');
  });

  it('never moves a release tag: a later commit of the same version leaves it where it is and exits 0', () => {
    const released = commit(
      { 'package.json': packageJson('0.2.0'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'release',
    );
    expect(release([released]).status).toBe(0);
    git(['tag', '-d', 'v0.2.0']); // as in CI's fresh checkout of the later commit
    const later = commit({ 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0, '- later work') }, 'later');

    const run = release([later]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `release-tag: v0.2.0 exists on origin at ${released.slice(0, 12)}, not at ${later.slice(0, 12)}: left where it is (a release tag never moves); to release ${later.slice(0, 12)}, give it a new version and changelog section (README "Releases")\n`,
    );
    expect(originTag('v0.2.0')).toBe(released);
    expect(localTag('v0.2.0')).toBe('');
  });

  it('pushes a tag made here at the commit; refuses one made here at another commit and publishes nothing', () => {
    const released = commit(
      { 'package.json': packageJson('0.2.0'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'release',
    );
    git(['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'tag', '-a', '-m', 'by hand', 'v0.2.0']);
    const pushed = release([released]);
    expect(pushed.status).toBe(0);
    expect(pushed.stdout).toContain('v0.2.0 exists here at');
    expect(originTag('v0.2.0')).toBe(released);

    const next = commit(
      {
        'package.json': packageJson('0.3.0'),
        'CHANGELOG.md': CHANGELOG(`${RELEASE_0_2_0.replaceAll('0.2.0', '0.3.0')}\n${RELEASE_0_2_0}`),
      },
      'next',
    );
    git([
      '-c',
      'user.name=Dev',
      '-c',
      'user.email=dev@example.com',
      'tag',
      '-a',
      '-m',
      'wrong',
      'v0.3.0',
      released,
    ]);
    const run = release([next]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `v0.3.0 exists in this repository at ${released.slice(0, 12)}, not at ${next.slice(0, 12)}, and not on origin`,
    );
    expect(originTag('v0.3.0')).toBe('');
  });

  it('fails without a tag when the remote cannot be listed', () => {
    const released = commit(
      { 'package.json': packageJson('0.2.0'), 'CHANGELOG.md': CHANGELOG(RELEASE_0_2_0) },
      'release',
    );
    const run = release([released, 'nowhere']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('release-tag: cannot list the tags of the remote "nowhere"');
    expect(localTag('v0.2.0')).toBe('');
  });
});
