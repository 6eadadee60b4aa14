/**
 * secrets-update: the body's two forms (a `secrets` map or `change_requests`, never both) turned into
 * one batch of changes that applies whole or not at all. The field meanings are the spec's
 * descriptions of `change_requests[]` (contracts/doppler-api-subset.json).
 */
import type { SecretRecord } from './state.js';
import type { ValueType, Visibility } from './rules.js';
import { DopplerError, checkSecretName, checkValueOfType, parseValueType, parseVisibility } from './rules.js';

export interface SecretChange {
  name: string;
  /** The secret the change starts from: originalName when given ("a rename is inferred"), else name. */
  source: string;
  /** undefined: "leave the existing secret value unchanged" (the spec's `value: null`). */
  value?: string;
  originalValue?: string;
  visibility?: Visibility;
  originalVisibility?: Visibility;
  valueType?: ValueType;
  originalValueType?: ValueType;
  shouldDelete: boolean;
}

export interface SecretsUpdate {
  project: string;
  config: string;
  changes: SecretChange[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireString(body: Json, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw new DopplerError(400, `${key} is required`);
  return value;
}

function optionalString(item: Json, key: string): string | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new DopplerError(400, `change_requests[].${key} must be a string or null`);
  return value;
}

export function parseSecretsUpdate(body: unknown): SecretsUpdate {
  if (!isObject(body)) throw new DopplerError(400, 'the request body must be a JSON object');
  const project = requireString(body, 'project');
  const config = requireString(body, 'config');
  const { secrets, change_requests: changeRequests } = body;
  // The spec, on both fields: "Either `secrets` or `change_requests` is required (can't use both)".
  if (secrets !== undefined && changeRequests !== undefined) {
    throw new DopplerError(400, "Either secrets or change_requests is required (can't use both)");
  }
  if (isObject(secrets)) {
    const changes = Object.entries(secrets).map(([name, value]): SecretChange => {
      if (typeof value !== 'string') throw new DopplerError(400, `secrets.${name} must be a string`);
      return { name, source: name, value, shouldDelete: false };
    });
    return { project, config, changes };
  }
  if (Array.isArray(changeRequests)) {
    return { project, config, changes: changeRequests.map(parseChangeRequest) };
  }
  throw new DopplerError(400, "Either secrets or change_requests is required (can't use both)");
}

function parseChangeRequest(item: unknown): SecretChange {
  if (!isObject(item)) throw new DopplerError(400, 'each change_requests item must be an object');
  const name = requireString(item, 'name');
  // Promotion to the root config and convergence with it are not modelled: refused, not ignored.
  if (item.shouldPromote === true) throw new DopplerError(400, 'shouldPromote is unsupported in the lab');
  if (item.shouldConverge === true) throw new DopplerError(400, 'shouldConverge is unsupported in the lab');
  const value = optionalString(item, 'value');
  const originalValue = optionalString(item, 'originalValue');
  const defined = (key: string) => item[key] !== undefined && item[key] !== null;
  return {
    name,
    source: optionalString(item, 'originalName') ?? name,
    ...(value !== undefined ? { value } : {}),
    ...(originalValue !== undefined ? { originalValue } : {}),
    ...(defined('visibility') ? { visibility: parseVisibility(item.visibility) } : {}),
    ...(defined('originalVisibility')
      ? { originalVisibility: parseVisibility(item.originalVisibility) }
      : {}),
    ...(defined('valueType') ? { valueType: parseValueType(item.valueType) } : {}),
    ...(defined('originalValueType') ? { originalValueType: parseValueType(item.originalValueType) } : {}),
    shouldDelete: item.shouldDelete === true,
  };
}

/**
 * The `original*` fields: "the request will only be processed if the provided value matches what's
 * found in Doppler". A secret that does not exist matches no original value. Status and wording of the
 * refusal are UNCONFIRMED (no Doppler source found): 409 Conflict is the lab's choice, and the whole
 * batch is refused, so a compare-and-set never half-applies.
 */
function checkConditions(current: Record<string, SecretRecord>, changes: SecretChange[]): void {
  const mismatched = changes.filter((change) => {
    const found = current[change.source];
    if (change.originalValue !== undefined && found?.raw !== change.originalValue) return true;
    if (change.originalVisibility !== undefined && found?.visibility !== change.originalVisibility)
      return true;
    return change.originalValueType !== undefined && found?.valueType !== change.originalValueType;
  });
  if (mismatched.length > 0) {
    const names = mismatched.map((change) => change.source).join(', ');
    throw new DopplerError(
      409,
      `The secrets' current values do not match the expected original values (${names}): nothing was changed`,
    );
  }
}

/**
 * A config's own secrets after the batch. `inherited` are the root config's secrets a branch config
 * shows; they can be overridden but not deleted or renamed from the branch (the lab refuses that,
 * 400). Throws before anything is changed: the caller stores the result only on success.
 */
export function applySecretChanges(
  own: Record<string, SecretRecord>,
  inherited: Record<string, SecretRecord>,
  changes: SecretChange[],
): Record<string, SecretRecord> {
  checkConditions({ ...inherited, ...own }, changes);
  const next = { ...own };
  const ownSource = (change: SecretChange): SecretRecord => {
    const record = next[change.source];
    if (record) return record;
    if (inherited[change.source]) {
      throw new DopplerError(
        400,
        `Secret '${change.source}' is inherited from the root config: change it there`,
      );
    }
    throw new DopplerError(404, `Could not find requested secret '${change.source}'`);
  };
  for (const change of changes) {
    if (change.shouldDelete) {
      ownSource(change);
      delete next[change.source];
      continue;
    }
    checkSecretName(change.name);
    let existing = next[change.name] ?? inherited[change.name];
    if (change.source !== change.name) {
      if (existing) throw new DopplerError(400, `Cannot rename '${change.source}': '${change.name}' exists`);
      existing = ownSource(change);
      delete next[change.source];
    }
    const raw = change.value ?? existing?.raw;
    if (raw === undefined) throw new DopplerError(400, `Secret '${change.name}' is new: give it a value`);
    const record: SecretRecord = {
      raw,
      visibility: change.visibility ?? existing?.visibility ?? 'masked',
      valueType: change.valueType ?? existing?.valueType ?? 'string',
    };
    checkValueOfType(change.name, record.raw, record.valueType);
    next[change.name] = record;
  }
  return next;
}
