import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { SpecError, parseSpec } from '../../src/spec/load.js';
import type { SpecIssue } from '../../src/spec/load.js';

const EXAMPLE = readFileSync(join(import.meta.dirname, '../../examples/twin.yaml'), 'utf8');
const PREVIEW_WORKERS = 'workers: { cores: 2, memoryMiB: 6144 }';
const PRODUCTION_WORKERS = '      cores: 4 # vCPUs per VM\n      memoryMiB: 8192';

function previewWorkers(cores: number, memory: number): string {
  return EXAMPLE.replaceAll(PREVIEW_WORKERS, `workers: { cores: ${cores}, memoryMiB: ${memory} }`);
}

/** The 1-based lines of the preview workers' overrides in the example (east's, then west's). */
function previewWorkerLines(text: string): number[] {
  return text
    .split('\n')
    .flatMap((line, index) => (/^ {8}workers: \{ cores: /.test(line) ? [index + 1] : []));
}

function errorsOf(text: string): SpecIssue[] {
  try {
    parseSpec(text, 'twin.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
  throw new Error('expected the spec to be refused');
}

describe('node sizing rule', () => {
  it('passes the example: production and preview workers and control planes hold the twin with headroom', () => {
    expect(parseSpec(EXAMPLE, 'twin.yaml').warnings).toEqual([]);
  });

  it('refuses preview workers of 1 vCPU / 2048 MiB, naming cluster, role, resource, sum, shortfall and the fix', () => {
    const tiny = previewWorkers(1, 2048);
    const [east, west] = previewWorkerLines(tiny);
    const errors = errorsOf(tiny);
    expect(errors.map((e) => `${e.line}:${e.column} ${e.path}`)).toEqual([
      `${east}:27 environments.preview.clusters.east.workers.cores`,
      `${east}:41 environments.preview.clusters.east.workers.memoryMiB`,
      `${west}:27 environments.preview.clusters.west.workers.cores`,
      `${west}:41 environments.preview.clusters.west.workers.memoryMiB`,
    ]);
    expect(errors[0]).toMatchObject({
      message:
        'cluster east (previews): a worker (1 vCPU, 2048 MiB) has 950m CPU allocatable but the twin may place 1350m ' +
        'there (Rook osd 500m, CoreDNS 2×100m, Rook mon 150m, Cilium agent 100m, Rook mgr 100m, RBD nodeplugin 60m, ' +
        '10 more 240m): 400m short',
      fix: 'set environments.preview.clusters.east.workers.cores to 2 or more, or turn addons.rook.enabled off',
    });
    expect(errors[1]).toMatchObject({
      message:
        'cluster east (previews): a worker (1 vCPU, 2048 MiB) has 1323Mi memory allocatable but the twin may place ' +
        '3784Mi there (Rook osd 2048Mi, Rook mon 384Mi, Rook mgr 384Mi, RBD provisioner 256Mi, RBD nodeplugin 160Mi, ' +
        'CoreDNS 2×70Mi, 10 more 412Mi): 2461Mi short',
      fix:
        'set environments.preview.clusters.east.workers.memoryMiB to 4608 or more (5632 leaves 20% headroom), ' +
        'or turn addons.rook.enabled off',
    });
  });

  it('points a production shortfall at the cluster field, and names both environments when they share it', () => {
    const small = EXAMPLE.replaceAll(
      PRODUCTION_WORKERS,
      '      cores: 4 # vCPUs per VM\n      memoryMiB: 4096',
    );
    const errors = errorsOf(small);
    expect(errors.map((e) => e.path)).toEqual([
      'clusters[0].workers.memoryMiB',
      'clusters[1].workers.memoryMiB',
    ]);
    expect(errors[0]!.message).toMatch(
      /^cluster east \(production\): a worker \(4 vCPU, 4096 MiB\) has 3330Mi memory allocatable but the twin may place 3784Mi there .*: 454Mi short$/,
    );
    const noOverlays = small.replace(/ {2}preview:\n(.|\n)*$/, '  preview:\n    ttlHours: 72\n');
    expect(errorsOf(noOverlays)[0]!.message).toMatch(/^cluster east \(production and previews\): a worker/);
  });

  it('refuses control planes too small for the Talos control plane pods', () => {
    const text = EXAMPLE.replace(
      '      cores: 2 # vCPUs per VM\n      memoryMiB: 4096',
      '      cores: 2 # vCPUs per VM\n      memoryMiB: 1024',
    );
    const [error] = errorsOf(text);
    expect(error).toMatchObject({ path: 'clusters[0].controlPlanes.memoryMiB' });
    expect(error!.message).toMatch(
      /^cluster east \(production and previews\): a control plane \(2 vCPU, 1024 MiB\) has 191Mi memory allocatable but the twin may place 982Mi there \(Talos control plane pods 832Mi, CoreDNS 2×70Mi, Cilium agent 10Mi\): 791Mi short$/,
    );
    expect(error!.fix).not.toMatch(/rook/);
  });

  it('warns when a twin fits with less than 20% to spare', () => {
    const warnings = parseSpec(previewWorkers(2, 5120), 'twin.yaml').warnings;
    expect(warnings.map((w) => w.path)).toEqual([
      'environments.preview.clusters.east.workers.memoryMiB',
      'environments.preview.clusters.west.workers.memoryMiB',
    ]);
    expect(warnings[0]).toMatchObject({
      message:
        'cluster east (previews): a worker (2 vCPU, 5120 MiB) has 4333Mi memory allocatable and the twin places ' +
        '3784Mi there (87%): less than 20% is left for the extras and Tetragon, whose requests are not counted',
      fix: 'set environments.preview.clusters.east.workers.memoryMiB to 5632 or more',
    });
  });

  it('needs less once Rook is off', () => {
    const noRook = previewWorkers(1, 2048).replace(
      'enabled: true # install Rook Ceph',
      'enabled: false # install Rook Ceph',
    );
    expect(parseSpec(noRook, 'twin.yaml').warnings).toEqual([]);
  });
});
