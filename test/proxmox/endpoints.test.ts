import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractFile } from '../../src/lab/contracts-dir.js';
import { PVE_ENDPOINTS, type PveParamType } from '../../src/proxmox/endpoints.js';

interface SchemaProperty {
  type?: string;
  format?: string | Record<string, unknown>;
  optional?: number;
}

interface SchemaMethod {
  parameters?: { properties?: Record<string, SchemaProperty> };
}

interface SchemaNode {
  path: string;
  info: Record<string, SchemaMethod>;
}

// The extract and its extension (pve-api-extra.json: the same apidata.js, more endpoints).
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { endpoints: SchemaNode[] };
const schema = {
  endpoints: [...read(contractFile('pveApi')).endpoints, ...read(contractFile('pveApiExtra')).endpoints],
};

function contractMethod(method: string, path: string): SchemaMethod | undefined {
  return schema.endpoints.find((node) => node.path === path)?.info[method];
}

/** Our notation for a schema property, so one comparison covers type and format. */
function notationOf(property: SchemaProperty): PveParamType {
  if (typeof property.format === 'object') return 'property-string';
  const type = property.type as 'integer' | 'number' | 'boolean' | 'string';
  return property.format ? (`${type}:${property.format}` as PveParamType) : type;
}

function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
}

const endpoints = Object.entries(PVE_ENDPOINTS);

describe('PVE endpoint descriptions agree with the API schema extract', () => {
  it.each(endpoints)('%s: method and path exist', (_name, endpoint) => {
    expect(
      contractMethod(endpoint.method, endpoint.path),
      `${endpoint.method} ${endpoint.path}`,
    ).toBeDefined();
  });

  it.each(endpoints)('%s: every parameter exists with the same type and format', (_name, endpoint) => {
    const properties = contractMethod(endpoint.method, endpoint.path)?.parameters?.properties ?? {};
    for (const [name, ours] of Object.entries(endpoint.params)) {
      const property = properties[name];
      expect(property, `${endpoint.method} ${endpoint.path} has no parameter ${name}`).toBeDefined();
      expect(notationOf(property ?? {}), `${endpoint.method} ${endpoint.path} ${name}`).toBe(ours);
    }
  });

  it.each(endpoints)(
    '%s: path parameters are schema parameters, and no required one is missing',
    (_name, endpoint) => {
      const properties = contractMethod(endpoint.method, endpoint.path)?.parameters?.properties ?? {};
      const inPath = pathParameters(endpoint.path);
      for (const name of inPath) expect(properties[name], `path parameter ${name}`).toBeDefined();
      const required = Object.entries(properties)
        .filter(([name, property]) => !property.optional && !inPath.includes(name))
        .map(([name]) => name);
      for (const name of required) expect(Object.keys(endpoint.params), `required ${name}`).toContain(name);
    },
  );

  it('covers the endpoints the product relies on', () => {
    const described = new Set(endpoints.map(([, e]) => `${e.method} ${e.path}`));
    for (const needed of [
      'POST /nodes/{node}/qemu',
      'POST /nodes/{node}/qemu/{vmid}/clone',
      'GET /nodes/{node}/tasks/{upid}/status',
      'GET /nodes/{node}/tasks/{upid}/log',
      'POST /pools',
      'DELETE /nodes/{node}/qemu/{vmid}',
    ]) {
      expect(described).toContain(needed);
    }
  });
});
