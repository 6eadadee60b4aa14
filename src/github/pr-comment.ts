import { isReadOnlyTokenError, isRefusedToInstallationToken } from './errors.js';
import type { GitHubClient, RepoRef } from './octokit.js';
import { twinCommentMarker } from './report.js';

export type CommentResult = 'created' | 'updated' | 'read-only';

/** Who writes for the job's GITHUB_TOKEN (the actions' default github-token): the GitHub Actions app. */
export const COMMENT_AUTHOR = 'github-actions[bot]';

/** A GitHub login: a person's or organisation's name, or an app's `<slug>[bot]`. */
export function isGitHubLogin(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9-]{0,98}(?:\[bot\])?$/.test(text);
}

/**
 * The login the twin's comment is written by, so it is found again by its marker and that author: the one the
 * workflow names (input comment-author), else the token's own. GET /user names the account of a personal
 * access token. An installation token gets 403 "Resource not accessible by integration" there, and GET /app
 * answers only the app's JWT, so no installation token can learn its login: it is taken for the job's
 * GITHUB_TOKEN (github-actions[bot]), and a workflow that passes a GitHub App's token names the app's
 * `<slug>[bot]` in comment-author.
 */
export async function commentAuthorOf(octokit: GitHubClient, configured?: string): Promise<string> {
  if (configured !== undefined) return configured;
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch (error) {
    if (isRefusedToInstallationToken(error)) return COMMENT_AUTHOR;
    throw error;
  }
}

const PAGE = 100;

/**
 * Keeps exactly one comment per twin on a pull request: the one whose first line is the twin's hidden
 * marker and whose author is `author` is edited in place, else one is created; a marker in anyone else's
 * comment is ignored (it may be forged: the token could edit or delete that comment, so it never does).
 * Copies left by two jobs that raced are deleted. A token
 * that may only read (a fork's pull request) gives 'read-only' instead of an error, so the caller can
 * put the report in the job summary.
 */
export async function upsertTwinComment(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  twin: string,
  body: string,
  author: string = COMMENT_AUTHOR,
): Promise<CommentResult> {
  const marker = twinCommentMarker(twin);
  if (firstLine(body) !== marker) {
    throw new Error(`the comment of twin ${twin} must start with its marker line ${marker}`);
  }
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: PAGE,
  });
  const [kept, ...copies] = comments
    .filter((comment) => comment.user?.login === author && firstLine(comment.body ?? '') === marker)
    .sort((a, b) => a.id - b.id);
  try {
    if (!kept) {
      await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
      return 'created';
    }
    await octokit.rest.issues.updateComment({ ...repo, comment_id: kept.id, body });
    for (const copy of copies) await octokit.rest.issues.deleteComment({ ...repo, comment_id: copy.id });
    return 'updated';
  } catch (error) {
    if (isReadOnlyTokenError(error)) return 'read-only';
    throw error;
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!.trim();
}
