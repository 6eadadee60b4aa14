import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTRACT_FILES, contractFile, contractsDir } from '../../../src/lab/contracts-dir.js';
import { ConfigurationError } from '../../../src/errors.js';
import { DESCRIPTION_FILE as GITHUB_API } from '../../github/standin/openapi.js';

/** The project's own contracts folder, and the maintainers' reference copy beside the clone (if any). */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ours = join(root, 'contracts');
const shared = resolve(root, '../shared/contracts');

const jsonIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
/** Contract files only the tests read: the GitHub stand-in's description (the lab names the others). */
const TEST_CONTRACT_FILES = [basename(fileURLToPath(GITHUB_API))];

/** SOURCES.md's per-file sections: `### \`file\`` followed by bullets, one of them `- sha256: \`hex\``. */
function sourcesEntries(): Map<string, { sha256?: string; license?: string }> {
  const text = readFileSync(join(ours, 'SOURCES.md'), 'utf8');
  const entries = new Map<string, { sha256?: string; license?: string }>();
  for (const section of text.split(/^### /m).slice(1)) {
    const name = /^`([^`]+)`/.exec(section)?.[1];
    if (!name) continue;
    entries.set(name, {
      sha256: /^- sha256: `([0-9a-f]{64})`/m.exec(section)?.[1],
      license: /^- License: ([A-Za-z0-9.+-]*[A-Za-z0-9+])/m.exec(section)?.[1],
    });
  }
  return entries;
}

describe('the contracts ship in the project (contracts/)', () => {
  it('every JSON file is listed in SOURCES.md with the sha256 it has', () => {
    const entries = sourcesEntries();
    const files = jsonIn(ours);
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      expect(entries.get(name)?.sha256, `${name} in SOURCES.md`).toBe(sha256(join(ours, name)));
    }
    expect([...entries.keys()].sort()).toEqual(files);
  });

  it('every JSON file has a license whose text or notice ships in contracts/LICENSES', () => {
    const table = readFileSync(join(ours, 'LICENSES', 'README.md'), 'utf8');
    for (const [name, entry] of sourcesEntries()) {
      const license = entry.license ?? '';
      expect(['AGPL-3.0-or-later', 'MPL-2.0', 'Apache-2.0', 'MIT'], `${name}: ${license}`).toContain(license);
      const row = table.split('\n').find((line) => line.startsWith(`| \`${license}\``)) ?? '';
      expect(row, `${name} in the LICENSES table row of ${license}`).toContain(`\`${name}\``);
      const texts = readdirSync(join(ours, 'LICENSES')).filter((file) => file.startsWith(`${license}.`));
      expect(texts, `license file for ${license}`).toHaveLength(1);
    }
  });

  it('holds every file the lab and the GitHub stand-in name, and the lab finds its own without any setting', () => {
    const env = { ...process.env, TWIN_CONTRACTS_DIR: undefined };
    expect(contractsDir(env)).toBe(ours);
    for (const name of Object.keys(CONTRACT_FILES) as (keyof typeof CONTRACT_FILES)[]) {
      expect(existsSync(contractFile(name, env)), name).toBe(true);
    }
    for (const name of TEST_CONTRACT_FILES) expect(existsSync(join(ours, name)), name).toBe(true);
    expect([...Object.values(CONTRACT_FILES), ...TEST_CONTRACT_FILES].sort()).toEqual(jsonIn(ours));
  });

  it('TWIN_CONTRACTS_DIR overrides the folder, and a wrong one says what to do', () => {
    expect(contractsDir({ TWIN_CONTRACTS_DIR: ours })).toBe(ours);
    const wrong = join(root, 'src');
    expect(() => contractsDir({ TWIN_CONTRACTS_DIR: wrong })).toThrow(ConfigurationError);
    expect(() => contractsDir({ TWIN_CONTRACTS_DIR: wrong })).toThrow(
      /has no pve-api-subset\.json: point it at a folder like the project's contracts\/, or unset it/,
    );
  });

  it('a copy of the module away from any contracts/ folder fails at once, saying what to do', () => {
    const away = mkdtempSync(join(tmpdir(), 'twin-no-contracts-'));
    try {
      mkdirSync(join(away, 'src', 'lab'), { recursive: true });
      copyFileSync(join(root, 'src', 'errors.ts'), join(away, 'src', 'errors.ts'));
      copyFileSync(
        join(root, 'src', 'lab', 'contracts-dir.ts'),
        join(away, 'src', 'lab', 'contracts-dir.ts'),
      );
      writeFileSync(
        join(away, 'main.ts'),
        "import { contractsDir } from './src/lab/contracts-dir.js';\n" +
          'try { contractsDir({}); } catch (error) { console.log((error as Error).message); }\n',
      );
      const loader = pathToFileURL(join(root, 'scripts', 'ts-loader.mjs')).href;
      const out = execFileSync(process.execPath, ['--import', loader, 'main.ts'], {
        cwd: away,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(out).toContain("the real API contracts, which ship in the project's contracts/ folder");
      expect(out).toContain(`above ${join(away, 'src', 'lab')} or ${away}`);
      expect(out).toContain('set TWIN_CONTRACTS_DIR');
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(shared))(
    'is byte-identical to ../shared/contracts, and misses none of its JSON files',
    () => {
      for (const name of jsonIn(shared)) {
        expect(existsSync(join(ours, name)), `${name} missing from contracts/`).toBe(true);
      }
      // The data files only: SOURCES.md here is the project's own account of them, not the reference copy's.
      for (const name of jsonIn(ours)) {
        const reference = join(shared, name);
        if (!existsSync(reference)) continue;
        expect(readFileSync(join(ours, name)).equals(readFileSync(reference)), `${name} differs`).toBe(true);
      }
    },
  );
});
