/**
 * Doppler's documented rules the stand-in enforces, each with its source, plus its error type.
 * Where Doppler's status code or wording is not documented, the lab's choice is marked as such.
 */
import { randomBytes } from 'node:crypto';

/** An answer other than 2xx: Doppler's `{messages, success:false}` body with this status. */
export class DopplerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * docs.doppler.com/docs/secrets, "Secret Names": "Secret names may only contain uppercase letters,
 * numbers, and underscores" and "may not start with a number" (DATABASE_URL valid, 1secret_name not).
 */
const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;

export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    // Doppler's wording is not documented: the lab's own message, status 400.
    throw new DopplerError(
      400,
      `Secret name '${name}' is invalid: secret names may only contain uppercase letters, numbers ` +
        'and underscores, and may not start with a number',
    );
  }
}

/**
 * A branch config's name starts with its environment's slug and an underscore. docs.doppler.com/docs/
 * branch-configs: the new config's name "will be prefixed with the environment name"; the older
 * docs.doppler.com/docs/enclave-config-branching: "The name must start with either dev, stg, and prd,
 * depending on which environment it will live in". The underscore is what every documented example
 * uses (dev_stripe_billing, dev_personal; the Pulumi provider's ci_github in environment ci); no page
 * states it as a rule. Status and wording are the lab's choice.
 */
export function checkBranchConfigName(environment: string, name: string): void {
  const prefix = `${environment}_`;
  if (!name.startsWith(prefix) || name.length === prefix.length) {
    throw new DopplerError(
      400,
      `Config name '${name}' must start with the environment's slug followed by an underscore ` +
        `(e.g. ${prefix}feature)`,
    );
  }
}

/**
 * A secret's computed value: each `${NAME}` naming another secret of the same config becomes that
 * secret's raw value (the spec's secrets-update example `${USER}@aws.dynamodb.com:9876`). One pass, no
 * nesting; other reference forms (another config's or project's, e.g. `${prd.NAME}`) and unknown names
 * stay as written.
 */
export function computeValue(raw: string, rawOf: (name: string) => string | undefined): string {
  return raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => rawOf(name) ?? whole);
}

/** Token prefixes are UNCONFIRMED (LIFECYCLE J.2): these are clearly lab-made. */
export const SERVICE_ACCOUNT_TOKEN_PREFIX = 'dp.sa.';
export const SERVICE_TOKEN_PREFIX = 'dp.st.';

export function newToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('hex')}`;
}

/** A random hex id for configs and projects' records (Doppler's own id format is not needed). */
export function newId(): string {
  return randomBytes(8).toString('hex');
}

export type Visibility = 'masked' | 'unmasked';

/**
 * The spec: visibility "Must be set to either `masked`, `unmasked`, or `restricted`". Restricted
 * secrets hide their values from API reads, which the lab does not model: it refuses them (400).
 */
export function parseVisibility(value: unknown): Visibility {
  if (value === 'masked' || value === 'unmasked') return value;
  if (value === 'restricted')
    throw new DopplerError(400, "visibility 'restricted' is unsupported in the lab");
  throw new DopplerError(400, 'visibility must be set to either masked, unmasked, or restricted');
}

/**
 * valueType: `string` applies no validation (the spec); `json` makes Doppler validate JSON values
 * (LIFECYCLE J.1). The other types' validation rules are not documented: unsupported in the lab (400).
 */
export type ValueType = 'string' | 'json';

export function parseValueType(value: unknown): ValueType {
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'string' || type === 'json') return type;
  throw new DopplerError(400, `valueType ${JSON.stringify(type)} is unsupported in the lab (string, json)`);
}

export function checkValueOfType(name: string, value: string, type: ValueType): void {
  if (type !== 'json') return;
  try {
    JSON.parse(value);
  } catch {
    throw new DopplerError(400, `Secret '${name}' must hold valid JSON (valueType json)`);
  }
}
