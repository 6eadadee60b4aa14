import { isReadOnlyTokenError } from './errors.js';
import type { GitHubClient, RepoRef } from './octokit.js';
import { twinCommentMarker } from './report.js';

export type CommentResult = 'created' | 'updated' | 'read-only';

const PAGE = 100;

/**
 * Keeps exactly one comment per twin on a pull request: the one whose first line is the twin's hidden
 * marker is edited in place, else one is created. Copies left by two jobs that raced are deleted. A token
 * that may only read (a fork's pull request) gives 'read-only' instead of an error, so the caller can
 * put the report in the job summary.
 */
export async function upsertTwinComment(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  twin: string,
  body: string,
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
    .filter((comment) => firstLine(comment.body ?? '') === marker)
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
