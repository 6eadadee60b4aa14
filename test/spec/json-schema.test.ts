import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { twinJsonSchema } from '../../src/spec/json-schema.js';

const SCHEMA_FILE = join(import.meta.dirname, '../../schema/twin.schema.json');

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
} & Record<string, unknown>;

function objects(schema: unknown, path = '$'): [string, JsonSchema][] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonSchema;
  const own: [string, JsonSchema][] = node.type === 'object' ? [[path, node]] : [];
  return [
    ...own,
    ...Object.entries(node).flatMap(([key, value]) =>
      Array.isArray(value)
        ? value.flatMap((item, index) => objects(item, `${path}.${key}[${index}]`))
        : objects(value, `${path}.${key}`),
    ),
  ];
}

describe('schema/twin.schema.json', () => {
  it('is up to date with src/spec/schema.ts (regenerate: npm run schema)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(twinJsonSchema());
  });

  it('rejects unknown keys in every fixed object, as the loader does', () => {
    const schema: unknown = JSON.parse(twinJsonSchema());
    const fixed = objects(schema).filter(([, node]) => node.properties !== undefined);
    expect(fixed.length).toBeGreaterThan(10);
    for (const [path, node] of fixed)
      expect({ path, additional: node.additionalProperties }).toEqual({ path, additional: false });
  });

  it('leaves defaulted fields optional for the editor', () => {
    const text = twinJsonSchema();
    expect(text).toContain('"extraDisks"');
    const workers = (JSON.parse(text) as JsonSchema).properties?.clusters as { items: JsonSchema };
    const required = (workers.items.properties?.workers as { required: string[] }).required;
    expect(required).not.toContain('extraDisks');
    expect(required).toContain('count');
  });
});
