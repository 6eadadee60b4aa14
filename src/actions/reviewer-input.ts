import { ConfigurationError } from '../errors.js';
import { getOptionalInput, Inputs } from '../github/action-io.js';
import { echoed } from '../util/echo.js';

/** action-day2's input reviewer-access, read before the step's work is loaded (reviewer-access.ts does that work). */

/** `demo`: the demo's namespace; else the namespaces named. */
export type ReviewerAccessInput = 'demo' | string[];

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Enough for a few apps' namespaces; a longer list is more access than a review needs. */
const MAX_NAMESPACES = 10;

/** The input as written: empty or false (off), true (the demo's namespace), or namespace names. */
export function reviewerAccessInput(): ReviewerAccessInput | undefined {
  const value = getOptionalInput(Inputs.ReviewerAccess);
  if (value === undefined || /^false$/i.test(value)) return undefined;
  if (/^true$/i.test(value)) return 'demo';
  const names = [...new Set(value.split(/[\s,]+/).filter((name) => name !== ''))];
  const wrong = names.find((name) => !NAMESPACE.test(name));
  if (wrong !== undefined || names.length > MAX_NAMESPACES) {
    throw new ConfigurationError(
      `input ${Inputs.ReviewerAccess} is ${echoed(value)}: write true (the demo's namespace), false, or up to ` +
        `${MAX_NAMESPACES} namespace names (lower-case letters, digits and "-", at most 63 characters) ` +
        'separated by commas or spaces',
    );
  }
  return names;
}
