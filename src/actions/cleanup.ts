import { rmSync } from 'node:fs';
import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { State } from '../github/action-io.js';
import { refuseRemoval } from './work-dirs.js';
import { echoed } from '../util/echo.js';

/**
 * The post step of every action: removes the temporary files the main step made (its scratch folder
 * with generated configs), even when the main step was cancelled. It never destroys a twin and never
 * touches the state store, which later steps and runs need. The saved list is not trusted: only the
 * step's own scratch folders inside RUNNER_TEMP are removed; any other path is named and left alone.
 */
export async function runCleanupPost(): Promise<void> {
  try {
    const saved = JSON.parse(core.getState(State.TemporaryFiles) || '[]') as unknown;
    const paths: unknown[] = Array.isArray(saved) ? saved : [saved];
    let removed = 0;
    for (const path of paths) {
      const refusal = refuseRemoval(path);
      if (refusal) {
        core.warning(`post step left ${echoed(path)} alone: ${refusal}`);
        continue;
      }
      rmSync(path as string, { recursive: true, force: true });
      removed++;
    }
    if (removed > 0) core.info(`removed ${removed} temporary path(s)`);
  } catch (error) {
    core.warning(`post step could not clean up: ${errorMessage(error)}`);
  }
}
