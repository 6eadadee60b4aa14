/**
 * The syntax half of PVE's property strings (`key=value,key=value`), as pve-common
 * `PVE::JSONSchema::parse_property_string` reads them, and `PVE::Tools::split_list`.
 * Checking each key's value against its schema is the other half: formats.ts `checkPropertyString`.
 */

/** One parameter (or property-string key) of PVE's schema, as apidata.js carries it. */
export interface ContractParam {
  type?: string;
  format?: string | Record<string, ContractParam>;
  pattern?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minLength?: number;
  optional?: 0 | 1;
  default?: unknown;
  requires?: string;
  default_key?: 0 | 1;
  alias?: string;
  keyAlias?: string;
  description?: string;
  typetext?: string;
  [k: string]: unknown;
}

/** The keys a property string may carry, with each key's schema. */
export type PropertyFormat = Record<string, ContractParam>;

/** A value PVE's schema code refuses. The message is PVE's die text verbatim (usually ending in "\n"). */
export class PveValueError extends Error {
  override name = 'PveValueError';
}

/** A property string PVE cannot even split into keys (duplicate key, unknown key, ...). */
export class PropertyStringError extends PveValueError {
  override name = 'PropertyStringError';
}

/** Perl truthiness: undef, '', '0' and 0 are false. PVE tests schema flags and parsed values this way. */
export function perlTrue(value: unknown): boolean {
  return (
    value !== undefined && value !== null && value !== '' && value !== '0' && value !== 0 && value !== false
  );
}

/** The schema of `key` when `format` really defines it (never an Object.prototype member). */
export function ownSchema(format: PropertyFormat, key: string): ContractParam | undefined {
  return Object.hasOwn(format, key) ? format[key] : undefined;
}

/**
 * PVE split_list: NUL-separated when the text holds a NUL, else `,` `;` and whitespace separate
 * and empty items are dropped. Like Perl's `shift || ''`, the text "0" counts as empty.
 */
export function splitList(value: string): string[] {
  if (!perlTrue(value)) return [];
  if (value.includes('\0')) return value.split('\0');
  return value
    .replace(/[,;]/g, ' ')
    .split(/\s+/)
    .filter((item) => item !== '');
}

/** PVE parse_boolean: the words a property string may use for a boolean key. */
function parseBoolean(value: string): string | undefined {
  if (/^(1|on|yes|true)$/i.test(value)) return '1';
  if (/^(0|off|no|false)$/i.test(value)) return '0';
  return undefined;
}

function fail(message: string): never {
  throw new PropertyStringError(`${message}\n`);
}

function defaultKeyOf(format: PropertyFormat): string | undefined {
  return Object.keys(format).find((key) => perlTrue(format[key]?.default_key));
}

/**
 * Splits a property string into its keys the way PVE does before any value is checked: aliases
 * resolved (`volume=` is `file=`, net's `virtio=<mac>` sets model and macaddr), a bare value goes to
 * the default key, boolean words normalised to 1/0. Throws PropertyStringError with PVE's text.
 */
export function parsePropertyString(format: PropertyFormat, value: string): Record<string, string> {
  const result = new Map<string, string>();
  let defaultKey: string | undefined;
  for (const part of value.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const pair = /^([^=]+)=(.+)$/.exec(part);
    if (pair) {
      setKeyValue(format, result, pair[1] ?? '', pair[2] ?? '');
    } else if (!part.includes('=')) {
      if (defaultKey !== undefined) fail(`duplicate key in comma-separated list property: ${defaultKey}`);
      defaultKey = defaultKeyOf(format);
      if (defaultKey === undefined) fail('value without key, but schema does not define a default key');
      if (perlTrue(result.get(defaultKey))) {
        fail(`duplicate key in comma-separated list property: ${defaultKey}`);
      }
      result.set(defaultKey, part);
    } else {
      fail('missing key in comma-separated list property');
    }
  }
  return Object.fromEntries(result);
}

function setKeyValue(format: PropertyFormat, result: Map<string, string>, rawKey: string, rawValue: string) {
  // PVE tests for duplicates on the key as written, before resolving an alias.
  if (result.has(rawKey)) fail(`duplicate key in comma-separated list property: ${rawKey}`);
  let key = rawKey;
  let schema = ownSchema(format, key);
  if (schema?.alias) {
    if (schema.keyAlias) {
      if (result.has(schema.keyAlias)) fail(`key alias '${schema.keyAlias}' is already defined`);
      result.set(schema.keyAlias, key);
    }
    key = schema.alias;
    schema = ownSchema(format, key);
  }
  if (!schema) fail(`invalid key in comma-separated list property: ${key}`);
  const isBoolean = schema.type === 'boolean';
  result.set(key, isBoolean ? (parseBoolean(rawValue) ?? rawValue) : rawValue);
}
