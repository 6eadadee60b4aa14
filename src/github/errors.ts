/**
 * What GitHub's errors mean, apart from the Octokit that throws them: the action entry points load Octokit only
 * when they talk to GitHub, and these are read everywhere.
 */

/** What GitHub answers when the token lacks a permission, e.g. the read-only token of a fork's pull request. */
const READ_ONLY_MESSAGE = 'Resource not accessible by integration';

/** The HTTP status of an Octokit RequestError, `undefined` for any other error. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

/**
 * A request GitHub refuses an installation token (the job's GITHUB_TOKEN, a GitHub App's): one its permissions
 * lack, or one only a person's token may make (GET /user).
 */
export function isRefusedToInstallationToken(error: unknown): boolean {
  return httpStatusOf(error) === 403 && error instanceof Error && error.message.includes(READ_ONLY_MESSAGE);
}

/** A write refused because the token may only read (fork pull requests, missing `permissions:`). */
export function isReadOnlyTokenError(error: unknown): boolean {
  return isRefusedToInstallationToken(error);
}
