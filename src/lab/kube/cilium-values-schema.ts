import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { CONTRACT_FILES } from '../contracts-dir.js';
import { contractFile } from '../contracts-dir.js';
import type { Doc } from '../talos/yaml-docs.js';

/**
 * The cilium chart's values.schema.json (draft-07), one per chart release the lab serves: helm checks the
 * coalesced values against the schema of the chart being installed or upgraded to (LIFECYCLE I.1), so a
 * value one release accepts the other may refuse (contracts/SOURCES.md names both files).
 */

/** The schema file of a chart version: 1.20.x has its own, the 1.19.x releases share 1.19.6's. */
function schemaKey(chartVersion: string): keyof typeof CONTRACT_FILES {
  return chartVersion.startsWith('1.20.') ? 'ciliumValuesV120' : 'ciliumValues';
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(chartVersion: string): ValidateFunction {
  const key = schemaKey(chartVersion);
  let validator = validators.get(key);
  if (!validator) {
    const schema = JSON.parse(readFileSync(contractFile(key), 'utf8')) as object;
    validator = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: false }).compile(
      schema,
    );
    validators.set(key, validator);
  }
  return validator;
}

/** gojsonschema's wording, as helm prints it: "- path: message". */
function schemaLine(error: ErrorObject): string {
  const path = error.instancePath.split('/').filter(Boolean).join('.') || '(root)';
  const params = error.params as {
    type?: string | string[];
    additionalProperty?: string;
    allowedValues?: unknown[];
  };
  if (error.keyword === 'type') {
    const expected = Array.isArray(params.type) ? `[${params.type.join(',')}]` : String(params.type);
    return `- ${path}: Invalid type. Expected: ${expected}, given: ${givenType(error.data)}`;
  }
  if (error.keyword === 'additionalProperties')
    return `- ${path}: Additional property ${params.additionalProperty} is not allowed`;
  if (error.keyword === 'enum') {
    return `- ${path}: ${path} must be one of the following: ${(params.allowedValues ?? []).map((value) => JSON.stringify(value)).join(', ')}`;
  }
  return `- ${path}: ${error.message ?? 'is invalid'}`;
}

function givenType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'object' ? 'object' : typeof value;
}

/**
 * The schema of `chartVersion` over the coalesced values; helm's error text, or undefined. `oneOf` and
 * `anyOf` failures also report the branch errors ajv collects; gojsonschema names only the keyword's
 * own line, so those branch lines are dropped.
 */
export function valuesSchemaError(values: Doc, chartVersion: string): string | undefined {
  const validator = validatorFor(chartVersion);
  if (validator(values)) return undefined;
  const errors = validator.errors ?? [];
  const combinators = errors.filter((error) => error.keyword === 'oneOf' || error.keyword === 'anyOf');
  const shown = errors.filter(
    (error) =>
      !combinators.some(
        (combinator) =>
          combinator !== error &&
          combinator.instancePath === error.instancePath &&
          error.schemaPath.startsWith(combinator.schemaPath.replace(/\/(oneOf|anyOf)$/, '/$1/')),
      ),
  );
  const lines = [...new Set(shown.map(schemaLine))];
  return `values don't meet the specifications of the schema(s) in the following chart(s):\ncilium:\n${lines.join('\n')}`;
}
