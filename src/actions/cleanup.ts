import { rmSync } from 'node:fs';
import * as core from '@actions/core';
import { errorMessage } from '../errors.js';
import { State } from '../github/action-io.js';

/**
 * The post step of every action: removes the temporary files the main step made (its scratch folder
 * with generated configs), even when the main step was cancelled. It never destroys a twin and never
 * touches the state store, which later steps and runs need.
 */
export async function runCleanupPost(): Promise<void> {
  try {
    const files = JSON.parse(core.getState(State.TemporaryFiles) || '[]') as string[];
    for (const file of files) rmSync(file, { recursive: true, force: true });
    if (files.length > 0) core.info(`removed ${files.length} temporary path(s)`);
  } catch (error) {
    core.warning(`post step could not clean up: ${errorMessage(error)}`);
  }
}
