import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = 'runner-setup/setup-runner.sh';
const TOKEN = 'AABBCC-registration-token-must-never-be-printed';
const URL = 'https://github.com/acme/lab';
const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const toolsAvailable = has('jq') && has('curl') && has('sha256sum');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function setup(args: string[], env: Record<string, string> = {}): Run {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'RUNNER_URL' && key !== 'RUNNER_TOKEN'),
  );
  const result = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: { ...clean, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Tool pins like runner-setup/tools.json, pointing at local files (file:// is allowed for offline mirrors). */
function writeTools(dir: string, override: (tools: Record<string, unknown>) => void = () => {}): string {
  const assets = join(dir, 'assets');
  mkdirSync(join(assets, 'linux-amd64'), { recursive: true });
  for (const tool of ['talosctl', 'kubectl']) {
    writeFileSync(join(assets, tool), `#!/bin/sh\necho ${tool}\n`);
    chmodSync(join(assets, tool), 0o755);
  }
  writeFileSync(join(assets, 'linux-amd64', 'helm'), '#!/bin/sh\necho helm\n');
  chmodSync(join(assets, 'linux-amd64', 'helm'), 0o755);
  execFileSync('tar', ['-czf', join(assets, 'helm.tar.gz'), '-C', assets, 'linux-amd64/helm']);
  const asset = (file: string, extra: Record<string, string> = {}) => ({
    url: `file://${join(assets, file)}`,
    sha256: sha256(join(assets, file)),
    ...extra,
  });
  const both = (entry: object) => ({ 'linux-amd64': entry, 'linux-arm64': entry });
  const tools: Record<string, unknown> = {
    talosctl: { version: 'v1.11.6', assets: both(asset('talosctl')) },
    kubectl: { version: 'v1.34.1', assets: both(asset('kubectl')) },
    helm: { version: 'v3.19.0', assets: both(asset('helm.tar.gz', { archivePath: 'linux-amd64/helm' })) },
  };
  override(tools);
  const file = join(dir, 'tools.json');
  writeFileSync(file, JSON.stringify(tools, null, 2));
  return file;
}

let work: string;
let toolsFile: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'setup-runner-'));
  toolsFile = writeTools(work);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('setup-runner.sh --dry-run', () => {
  it.skipIf(!toolsAvailable)(
    'prints every planned action, never the token, changes nothing and exits 0',
    () => {
      const prefix = join(work, 'dry-root');
      const run = setup(['--dry-run', '--tier', 'preview', '--prefix', prefix, '--tools', toolsFile], {
        RUNNER_URL: URL,
        RUNNER_TOKEN: TOKEN,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      for (const planned of [
        /would download talosctl v1\.11\.6 from file:\/\/.* and verify sha256 [0-9a-f]{64}/,
        /would download kubectl v1\.34\.1/,
        /would download helm v3\.19\.0/,
        new RegExp(`would install talosctl into ${prefix}/usr/local/bin/talosctl`),
        new RegExp(`would install helm into ${prefix}/usr/local/bin/helm`),
        /create the system user runner-preview/,
        /would download the actions runner \d+\.\d+\.\d+ from https:\/\/github\.com\/actions\/runner\/releases\/download\/v[\d.]+\/actions-runner-linux-(x64|arm64)-[\d.]+\.tar\.gz and verify sha256 [0-9a-f]{64}/,
        new RegExp(`would unpack the runner into ${prefix}/opt/actions-runner-preview`),
        /register the runner with https:\/\/github\.com\/acme\/lab \(--labels self-hosted,lab,proxmox,preview --name \S+; token from RUNNER_TOKEN, not shown\)/,
        new RegExp(
          `would write the service unit ${prefix}/etc/systemd/system/actions-runner-lab-preview\\.service`,
        ),
        /enable and start actions-runner-lab-preview\.service/,
        /dry run done: nothing was changed/,
      ]) {
        expect(run.stdout).toMatch(planned);
      }
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
      expect(existsSync(prefix)).toBe(false);
    },
  );

  it('refuses without RUNNER_TOKEN (or RUNNER_URL), naming the variable and how to get it', () => {
    const noToken = setup(
      ['--dry-run', '--tier', 'preview', '--prefix', join(work, 'x'), '--tools', toolsFile],
      {
        RUNNER_URL: URL,
      },
    );
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toMatch(/RUNNER_TOKEN is not set: export RUNNER_TOKEN=.*New self-hosted runner/);
    expect(noToken.stdout).not.toMatch(/would/);

    const noUrl = setup(['--dry-run', '--tier', 'production', '--tools', toolsFile], { RUNNER_TOKEN: TOKEN });
    expect(noUrl.status).toBe(1);
    expect(noUrl.stderr).toMatch(/RUNNER_URL is not set/);
    expect(noUrl.stdout + noUrl.stderr).not.toContain(TOKEN);
  });

  it('refuses to register a runner without its trust tier, or with one that is not a tier', () => {
    const none = setup(['--dry-run', '--prefix', join(work, 'y'), '--tools', toolsFile], {
      RUNNER_URL: URL,
      RUNNER_TOKEN: TOKEN,
    });
    expect(none.status).not.toBe(0);
    expect(none.stderr).toMatch(/--tier is required: --tier production .* or --tier preview/);
    const wrong = setup(['--dry-run', '--tier', 'staging', '--tools', toolsFile], {
      RUNNER_URL: URL,
      RUNNER_TOKEN: TOKEN,
    });
    expect(wrong.stderr).toMatch(/--tier staging is not a tier: use production or preview/);
  });

  it('refuses a token on the command line without repeating it', () => {
    const run = setup([`--token=${TOKEN}`, '--dry-run']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /--token: the registration URL and token are read from RUNNER_URL and RUNNER_TOKEN only/,
    );
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('--help explains the environment and options', () => {
    const run = setup(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/RUNNER_TOKEN +registration token/);
    expect(run.stdout).toMatch(/--dry-run/);
  });
});

describe.skipIf(!toolsAvailable)('setup-runner.sh --tools-only (checksum-verified tools)', () => {
  it('installs talosctl, kubectl and helm (from its archive), then finds them right and changes nothing', () => {
    const prefix = join(work, 'tools-root');
    const first = setup(['--tools-only', '--prefix', prefix, '--tools', toolsFile]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const bin = join(prefix, 'usr/local/bin');
    for (const tool of ['talosctl', 'kubectl', 'helm']) {
      expect(execFileSync(join(bin, tool), { encoding: 'utf8' })).toBe(`${tool}\n`);
      expect(statSync(join(bin, tool)).mode & 0o777).toBe(0o755);
    }
    const installedAt = statSync(join(bin, 'helm')).mtimeMs;

    const again = setup(['--tools-only', '--prefix', prefix, '--tools', toolsFile]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/helm v3\.19\.0 is installed at/);
    expect(again.stdout).not.toMatch(/==> (download|install)/);
    expect(statSync(join(bin, 'helm')).mtimeMs).toBe(installedAt);
  });

  it('a checksum mismatch aborts naming tool, expected and actual hash, and installs nothing', () => {
    const dir = mkdtempSync(join(work, 'bad-'));
    const badTools = writeTools(dir, (tools) => {
      const kubectl = tools.kubectl as { assets: Record<string, { sha256: string }> };
      for (const asset of Object.values(kubectl.assets)) asset.sha256 = 'f'.repeat(64);
    });
    const prefix = join(dir, 'root');
    const run = setup(['--tools-only', '--prefix', prefix, '--tools', badTools]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `checksum mismatch for kubectl v1\\.34\\.1 .*expected ${'f'.repeat(64)}, got [0-9a-f]{64}\\. Nothing was installed`,
      ),
    );
    expect(existsSync(join(prefix, 'usr/local/bin'))).toBe(false);
  });

  it('a missing pin names the field in tools.json', () => {
    const dir = mkdtempSync(join(work, 'field-'));
    const badTools = writeTools(dir, (tools) => {
      const helm = tools.helm as { assets: Record<string, { sha256?: string }> };
      for (const asset of Object.values(helm.assets)) delete asset.sha256;
    });
    const run = setup(['--tools-only', '--prefix', join(dir, 'root'), '--tools', badTools]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\.helm\.assets\["linux-(amd64|arm64)"\]\.sha256 is missing/);
  });
});

describe('shellcheck (scripts/shellcheck.sh)', () => {
  it.skipIf(!has('shellcheck'))('finds the runner set-up scripts clean', () => {
    const run = spawnSync('bash', ['scripts/shellcheck.sh'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/shellcheck: \d+ script\(s\) clean/);
  });
});
