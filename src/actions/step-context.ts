import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { withGroup } from '../github/action-io.js';
import type { StepEvents } from '../plan/executor.js';
import { ensureTools } from '../tools/install.js';
import type { ToolPaths } from '../twin/context.js';

export type ToolChoice = 'pinned' | 'path';

/** talosctl, kubectl and helm: the pinned, checksum-verified versions, or whatever PATH has when asked to. */
export function toolPaths(choice: ToolChoice): Promise<ToolPaths> {
  if (choice === 'path') return Promise.resolve({ talosctl: 'talosctl', kubectl: 'kubectl', helm: 'helm' });
  return withGroup('Tools (pinned, checksum-verified)', () => ensureTools({ log: core.info }));
}

/** Every finished step as a log line; a failed one as an error annotation naming its cause. */
export const stepLogEvents: StepEvents = {
  onEnd: (record) => {
    if (record.state === 'failed') core.error(`${record.title}: ${errorMessage(record.error)}`);
    else core.info(`${record.state}: ${record.title}`);
  },
};
