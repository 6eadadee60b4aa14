import { isReadOnlyTokenError } from './errors.js';
import type { GitHubClient, RepoRef } from './octokit.js';
import { twinCommentMarker } from './report.js';

export type CommentResult = 'created' | 'updated' | 'read-only';

/**
 * Who writes the twin's comment: the job's GITHUB_TOKEN (the actions' default github-token) acts as the
 * GitHub Actions app, whose comments carry this login. GET /user answers no installation token, so the
 * login is known rather than asked for.
 */
export const COMMENT_AUTHOR = 'github-actions[bot]';

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
