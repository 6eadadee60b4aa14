import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { contractFile } from '../../src/lab/contracts-dir.js';

type Doc = Record<string, unknown>;

interface Validators {
  document: ValidateFunction;
  v1alpha1: ValidateFunction;
}

let validators: Validators | undefined;

/** The Talos v1.11.6 machine-config schema (CONTRACTS B.1), compiled once. */
function talosValidators(): Validators {
  if (!validators) {
    const schema = JSON.parse(readFileSync(contractFile('talosConfig'), 'utf8')) as { $id: string };
    const ajv = new Ajv2020({
      strict: false,
      allErrors: true,
      formats: { uri: (text: string) => URL.canParse(text) },
    });
    const document = ajv.compile(schema);
    const v1alpha1 = ajv.compile({ $ref: `${schema.$id}#/$defs/v1alpha1.Config` });
    validators = { document, v1alpha1 };
  }
  return validators;
}

/**
 * Schema errors of one v1alpha1 document, as "path: message" lines (empty when it passes). The top level is
 * a oneOf over document kinds, whose errors say little, so failures are explained against v1alpha1.Config.
 */
export function talosSchemaErrors(doc: unknown): string[] {
  const { document, v1alpha1 } = talosValidators();
  if (document(doc)) return [];
  const explained = v1alpha1(doc) ? document.errors : v1alpha1.errors;
  return (explained ?? []).map((e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
}

/**
 * What `talosctl gen config` v1.11.6 writes but the schema lacks (CONTRACTS "Corrections": `persist: true`,
 * which Talos accepts). Only these top-level keys are removed before validation.
 */
export const FIELDS_THE_SCHEMA_LACKS = ['persist'];

export function withoutFieldsTheSchemaLacks(doc: Doc): Doc {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !FIELDS_THE_SCHEMA_LACKS.includes(key)));
}

/** Lists Talos replaces instead of appending (patching.md). */
const REPLACED_LISTS = new Set(['cluster.network.podSubnets', 'cluster.network.serviceSubnets']);
/** Lists whose items merge by a key (patching.md). */
const KEYED_LISTS: Record<string, string> = { 'machine.network.interfaces': 'interface' };

/**
 * Talos's strategic merge, as far as our patches need it: maps merge, scalars are replaced, lists append,
 * except the replaced and keyed lists above. A test aid to assemble what talosctl would.
 */
export function strategicMerge(base: unknown, patch: unknown, path = ''): unknown {
  if (isMap(base) && isMap(patch)) {
    const merged: Doc = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      const childPath = path ? `${path}.${key}` : key;
      merged[key] = key in base ? strategicMerge(base[key], value, childPath) : value;
    }
    return merged;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    if (REPLACED_LISTS.has(path)) return patch;
    const mergeKey = KEYED_LISTS[path];
    if (!mergeKey) return [...base, ...patch];
    const merged = [...base];
    for (const item of patch) {
      const at = merged.findIndex(
        (existing) => isMap(existing) && isMap(item) && existing[mergeKey] === item[mergeKey],
      );
      if (at >= 0) merged[at] = strategicMerge(merged[at], item, path);
      else merged.push(item);
    }
    return merged;
  }
  return patch;
}

function isMap(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
