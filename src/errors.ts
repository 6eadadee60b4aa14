/**
 * A mistake the user can fix (bad spec, bad input, wrong credentials, a lab that refuses).
 * Kept apart from bugs so that entry points can print it plainly, without a stack trace.
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
