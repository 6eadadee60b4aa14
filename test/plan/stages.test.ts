import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPELINE_STAGES, inPipelineOrder } from '../../src/plan/stages.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('pipeline stages', () => {
  it('know every stage a step of the twin names', () => {
    const named = sourceFiles('src/twin').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bstage: '([a-z-]+)'/g)].map((match) => match[1]!),
    );
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((stage) => !PIPELINE_STAGES.includes(stage))).toEqual([]);
  });

  it('sort into pipeline order, whatever order they started in; unknown ones last, as given', () => {
    expect(inPipelineOrder(['talos', 'other', 'vm', 'mesh', 'image', 'later'])).toEqual([
      'image',
      'vm',
      'talos',
      'mesh',
      'other',
      'later',
    ]);
  });
});
