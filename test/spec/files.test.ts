import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { MAX_SPEC_BYTES, checkNamedFile, specFolder } from '../../src/spec/files.js';
import type { FileRoot } from '../../src/spec/files.js';
import { loadSpec } from '../../src/spec/load.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../examples/twin.yaml'), 'utf8');

interface Extras {
  releases?: {
    name: string;
    chart: string;
    repo: string;
    version: string;
    namespace: string;
    values?: string;
  }[];
  manifests?: string[];
}

function specText(extras: Extras = {}): string {
  const spec = parse(EXAMPLE) as { addons: { extras?: Extras } };
  spec.addons.extras = { releases: [], manifests: [], ...extras };
  return stringify(spec);
}

const release = (values: string) => ({
  name: 'app',
  chart: 'app',
  repo: 'https://charts.example.org',
  version: '1.0.0',
  namespace: 'apps',
  values,
});

let outside: string;
let workspace: FileRoot;
let repo: string;
beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), 'spec-files-'));
  outside = join(base, 'runner-secrets');
  mkdirSync(outside);
  writeFileSync(join(outside, 'talosconfig'), 'context: prod\n');
  writeFileSync(join(outside, 'twin.yaml'), specText());
  repo = join(base, 'repo');
  mkdirSync(join(repo, 'deploy', 'apps'), { recursive: true });
  workspace = { dir: repo, name: 'the workspace (GITHUB_WORKSPACE)' };
});

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('the spec file', () => {
  it('is read when it is a regular file inside the workspace', () => {
    writeFileSync(join(repo, 'twin.yaml'), specText());
    expect(loadSpec(join(repo, 'twin.yaml'), workspace).spec.project).toBe('aggrik8s');
  });

  it('is refused when a symlink leads out of the workspace', () => {
    symlinkSync(join(outside, 'twin.yaml'), join(repo, 'twin.yaml'));
    expect(refusal(() => loadSpec(join(repo, 'twin.yaml'), workspace))).toMatch(
      /^the twin spec ".*twin\.yaml" resolves to ".*runner-secrets\/twin\.yaml", outside the workspace \(GITHUB_WORKSPACE\) .*repo; nothing was read or changed \(fix: keep the file inside the workspace/,
    );
  });

  it('is refused when a ../ path leaves the workspace', () => {
    const message = refusal(() => loadSpec(join(repo, '..', 'runner-secrets', 'twin.yaml'), workspace));
    expect(message).toMatch(/resolves to ".*runner-secrets\/twin\.yaml", outside the workspace/);
  });

  it('is refused when it is /dev/zero, a fifo or a folder, even for the CLI (no workspace)', () => {
    expect(refusal(() => loadSpec('/dev/zero'))).toMatch(
      /^the twin spec "\/dev\/zero" is a device; nothing was read or changed \(fix: name a regular file/,
    );
    const fifo = join(repo, 'twin.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => loadSpec(fifo, workspace))).toMatch(/" is a fifo; nothing was read/);
    expect(refusal(() => loadSpec(repo))).toMatch(/" is a folder; nothing was read/);
  });

  it('is refused above 1 MiB', () => {
    const file = join(repo, 'twin.yaml');
    writeFileSync(file, `${specText()}\n#${'x'.repeat(MAX_SPEC_BYTES)}\n`);
    expect(refusal(() => loadSpec(file, workspace))).toMatch(/ is \d+ bytes, more than the 1048576 allowed/);
  });

  it('is named, with the fix, when it is not there', () => {
    expect(refusal(() => loadSpec(join(repo, 'nowhere.yaml'), workspace))).toMatch(
      /^the twin spec ".*nowhere\.yaml" cannot be read \(ENOENT\); .*pass the path of your twin\.yaml/,
    );
  });
});

describe('files the spec names', () => {
  const load = (extras: Extras) => {
    writeFileSync(join(repo, 'twin.yaml'), specText(extras));
    return () => loadSpec(join(repo, 'twin.yaml'), workspace);
  };

  it('are accepted as regular files and folders inside the workspace, and resolved', () => {
    writeFileSync(join(repo, 'deploy', 'values.yaml'), 'replicas: 1\n');
    writeFileSync(join(repo, 'deploy', 'apps', 'app.yaml'), 'kind: ConfigMap\n');
    symlinkSync(join(repo, 'deploy', 'values.yaml'), join(repo, 'deploy', 'linked.yaml')); // inside: fine
    expect(
      load({ releases: [release('deploy/linked.yaml')], manifests: ['deploy/apps', 'deploy/values.yaml'] })()
        .spec.addons.extras.manifests,
    ).toEqual(['deploy/apps', 'deploy/values.yaml']);
    const folder = specFolder(join(repo, 'twin.yaml'), workspace);
    expect(checkNamedFile(folder, 'deploy/linked.yaml', 'x', 'file')).toBe(
      realpathSync(join(repo, 'deploy', 'values.yaml')),
    );
  });

  it('a values file that is a symlink out of the workspace is refused, naming the field', () => {
    symlinkSync(join(outside, 'talosconfig'), join(repo, 'deploy', 'values.yaml'));
    expect(refusal(load({ releases: [release('deploy/values.yaml')] }))).toMatch(
      /^addons\.extras\.releases\[0\]\.values "deploy\/values\.yaml" resolves to ".*runner-secrets\/talosconfig", outside the workspace/,
    );
  });

  it('a manifest folder holding a symlink out, a device, a fifo or an oversize file is refused', () => {
    const apps = join(repo, 'deploy', 'apps');
    symlinkSync(join(outside, 'talosconfig'), join(apps, 'secret.yaml'));
    expect(refusal(load({ manifests: ['deploy/apps'] }))).toMatch(
      /^addons\.extras\.manifests\[0\] ".*secret\.yaml" resolves to ".*talosconfig", outside the workspace/,
    );
    execFileSync('rm', [join(apps, 'secret.yaml')]);
    symlinkSync('/dev/zero', join(apps, 'zero.yaml'));
    expect(refusal(load({ manifests: ['deploy/apps'] }))).toMatch(/outside the workspace/);
    execFileSync('rm', [join(apps, 'zero.yaml')]);
    execFileSync('mkfifo', [join(apps, 'pipe.yaml')]);
    expect(refusal(load({ manifests: ['deploy/apps'] }))).toMatch(
      /^addons\.extras\.manifests\[0\] "deploy\/apps\/pipe\.yaml" is a fifo/,
    );
    execFileSync('rm', [join(apps, 'pipe.yaml')]);
    writeFileSync(join(apps, 'big.json'), 'x'.repeat(1024 * 1024 + 1));
    expect(refusal(load({ manifests: ['deploy/apps'] }))).toMatch(/big\.json" is 1048577 bytes, more than/);
  });

  it('a named path that is missing, a device or has ../ is refused before anything runs', () => {
    expect(refusal(load({ manifests: ['deploy/none'] }))).toMatch(
      /^addons\.extras\.manifests\[0\] "deploy\/none" cannot be read \(ENOENT\)/,
    );
    symlinkSync('/dev/null', join(repo, 'deploy', 'null.yaml'));
    expect(refusal(load({ releases: [release('deploy/null.yaml')] }))).toMatch(/outside the workspace/);
    expect(refusal(load({ releases: [release('../runner-secrets/talosconfig')] }))).toMatch(
      /addons\.extras\.releases\[0\]\.values: "\.\.\/runner-secrets\/talosconfig" is not a values file path inside the repository/,
    );
  });

  it("for the CLI (no workspace) stay inside the spec's folder", () => {
    symlinkSync(join(outside, 'talosconfig'), join(repo, 'deploy', 'values.yaml'));
    writeFileSync(join(repo, 'twin.yaml'), specText({ releases: [release('deploy/values.yaml')] }));
    expect(refusal(() => loadSpec(join(repo, 'twin.yaml')))).toMatch(/outside the spec's folder/);
  });
});
